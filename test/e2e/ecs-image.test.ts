/**
 * The compromised image, end to end: blast radius across clusters (fewest calls, throttling,
 * a cluster that keeps failing, long lists attached as a file) and quarantine (evidence kept,
 * image deleted from ECR by digest).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BLAST_RADIUS_FACT } from '../../src/actions/ecs/find-image-tasks.js';
import { IMAGE_EVIDENCE_KEY } from '../../src/actions/ecs/quarantine-image.js';
import { imageStateOwner } from '../../src/actions/resource-keys.js';
import { minimumCalls } from '../../src/aws/ecs/sweep.js';
import type { ImageEvidence } from '../../src/aws/ecr/image.js';
import { ecsFindingEvent, failEcsCluster, publishFinding, RESPONDER, SECOND_RESPONDER, startEcsWorld, type EcsWorld } from '../helpers/ecs-world.js';
import { cardOf, cardText, openPlan, submitAndSettle, threadFiles, threadText, threadTexts } from '../helpers/slack-interactions.js';
import { assertWithinBlockKitLimits } from '../cards/limits-helper.js';

const OTHER_DIGEST = `sha256:${'ab'.repeat(32)}`;
const SWEEP_OPS = ['ecs:ListClusters', 'ecs:ListTasks', 'ecs:DescribeTasks'] as const;

/** RUNNING tasks per cluster, as the double holds them: the input of minimumCalls(). */
function runningPerCluster(w: EcsWorld): number[] {
  return [...w.aws.ecs.clusters.values()].map((rec) => rec.tasks.filter((t) => t.desiredStatus === 'RUNNING').length);
}

/** Calls of each sweep operation made after `mark` (an index into the double's call log). */
function sweepCallsSince(w: EcsWorld, mark: number) {
  const later = w.aws.calls.slice(mark);
  const count = (op: string, ok: boolean) => later.filter((c) => `${c.service}:${c.op}` === op && (ok ? !c.error : !!c.error)).length;
  return {
    ok: { listClusters: count('ecs:ListClusters', true), listTasks: count('ecs:ListTasks', true), describeTasks: count('ecs:DescribeTasks', true) },
    failed: Object.fromEntries(SWEEP_OPS.map((op) => [op, count(op, false)])),
  };
}

/** The same digest in three clusters (two services and a standalone task), the same repo:tag with another digest, bystanders, and an empty cluster. */
function seedEstate(w: EcsWorld) {
  const { aws } = w;
  const bad = aws.seed.image({ repository: 'shop', tag: '2.0' });
  const other = aws.seed.image({ repository: 'search', tag: '5' });
  const a1 = aws.seed.fargateTask({ cluster: 'alpha', service: 'web', image: bad.uri, digest: bad.digest });
  const a2 = aws.seed.fargateTask({ cluster: 'alpha', service: 'web', image: bad.uri, digest: bad.digest });
  aws.seed.fargateTask({ cluster: 'alpha', service: 'search', image: other.uri, digest: other.digest });
  const b1 = aws.seed.fargateTask({ cluster: 'beta', service: 'web', image: bad.uri, digest: bad.digest });
  const retagged = aws.seed.fargateTask({ cluster: 'beta', service: 'legacy', family: 'legacy', image: bad.uri, digest: OTHER_DIGEST });
  const g1 = aws.seed.fargateTask({ cluster: 'gamma', family: 'batch', image: bad.uri, digest: bad.digest });
  aws.seed.fargateTask({ cluster: 'gamma', family: 'search', image: other.uri, digest: other.digest });
  aws.ecs.addCluster('delta');
  return { bad, matching: [a1, a2, b1, g1], retagged };
}

test('find tasks using the image across clusters: counts by cluster and service, the other-digest task apart, Blast radius on the card, and exactly the minimum API calls', async (t) => {
  const w = await startEcsWorld();
  t.after(() => w.close());
  const { aws, h } = w;
  const e = seedEstate(w);
  const { event, findingId } = ecsFindingEvent({ taskArn: e.matching[0]!.taskArn, clusterArn: e.matching[0]!.clusterArn, image: e.bad.uri });
  await publishFinding(h, event);
  assert.doesNotMatch(await cardText(h, findingId), new RegExp(BLAST_RADIUS_FACT));

  // Read-only: anyone in the channel may run it (no responder list needed).
  const modal = await openPlan(h, { findingId, action: 'find_image_tasks', user: 'U0ANALYST' });
  assert.match(modal.text, /Read-only/);
  assert.ok(modal.text.includes(e.bad.digest), 'the plan resolved the digest from the running task');
  const mark = aws.calls.length;
  await submitAndSettle(h, { runId: modal.runId, user: 'U0ANALYST' });

  const min = minimumCalls(runningPerCluster(w));
  const made = sweepCallsSince(w, mark);
  assert.deepEqual(
    made.ok,
    { listClusters: min.listClusters, listTasks: min.listTasks, describeTasks: min.describeTasks },
    'fewest calls the page sizes allow',
  );
  assert.equal(aws.calls.length - mark, min.total, 'and no other AWS call');
  for (const c of aws.callsTo('ecs:ListTasks').slice(-4)) assert.equal((c.params as { desiredStatus: string }).desiredStatus, 'RUNNING');

  const thread = await threadText(h, findingId);
  const short = e.bad.digest.slice(7, 19);
  assert.match(
    thread,
    new RegExp(`Find tasks using this image\\* done — 4 running tasks in 3 clusters use ${short}; 1 more run the same tag with another digest`),
  );
  assert.match(thread, new RegExp(`Scanned 4 clusters and 7 running tasks with ${min.total} API calls`));
  assert.match(thread, /• alpha: 2 tasks\\n• beta: 1 task\\n• gamma: 1 task/);
  assert.match(thread, /• service alpha\/web: 2\\n• service beta\/web: 1/);
  for (const m of e.matching) assert.ok(thread.includes(m.taskArn), `lists ${m.taskArn}`);
  assert.match(
    thread,
    new RegExp(`Same repository:tag, another digest \\(1\\): beta · ${e.retagged.taskArn.replace(/[/.]/g, '\\$&')} · [^ ]+shop:2\\.0 @ ${OTHER_DIGEST}`),
  );
  assert.ok(!thread.includes('search:5'), 'bystanders are not listed');
  assert.equal(h.slack.callsTo('files.getUploadURLExternal').length, 0, 'a short list needs no file');

  const card = await cardText(h, findingId);
  assert.match(card, new RegExp(`${BLAST_RADIUS_FACT}[^"]*"?[^]*4 running tasks in 3 clusters use ${short}`));
  const state = await h.responder.store.getFindingState<{ matches: unknown[] }>(findingId, 'blast_radius');
  assert.equal(state?.matches.length, 4);
});

test('find tasks using the image, more than 20 matches over paged clusters: summary in the thread, the full list attached with files.uploadV2, calls still minimal', async (t) => {
  const w = await startEcsWorld();
  t.after(() => w.close());
  const { aws, h } = w;
  const bad = aws.seed.image({ repository: 'shop', tag: '2.0' });
  const many = aws.seed.manyTasks({ clusters: 3, tasks: 330, image: bad.uri, digest: bad.digest, fraction: 0.5 });
  assert.equal(many.matchingTaskArns.length, 165);
  const first = aws.ecs.task(many.matchingTaskArns[0]!)!;
  const { event, findingId } = ecsFindingEvent({ taskArn: first.taskArn!, clusterArn: first.clusterArn!, image: bad.uri });
  await publishFinding(h, event);

  const modal = await openPlan(h, { findingId, action: 'find_image_tasks', user: RESPONDER });
  const mark = aws.calls.length;
  await submitAndSettle(h, { runId: modal.runId, user: RESPONDER });

  const min = minimumCalls([110, 110, 110]);
  assert.deepEqual(min, { listClusters: 1, listTasks: 6, describeTasks: 6, total: 13 });
  assert.deepEqual(sweepCallsSince(w, mark).ok, { listClusters: 1, listTasks: 6, describeTasks: 6 });
  for (const d of aws.calls.slice(mark).filter((c) => c.op === 'DescribeTasks')) assert.ok((d.params as { tasks: string[] }).tasks.length <= 100);

  const replies = await threadTexts(h, findingId);
  const result = replies.find((r) => r.includes('Find tasks using this image* done'))!;
  assert.match(result, /165 running tasks in 3 clusters/);
  assert.match(result, /165 tasks: full list attached as a file/);
  assert.ok(!result.includes(many.matchingTaskArns[100]!), 'the long list is not inlined');
  const { ts } = await cardOf(h, findingId);
  const resultCall = h.slack.callsTo('chat.postMessage').find((c) => c.args.thread_ts === ts && JSON.stringify(c.args.blocks).includes('full list attached'))!;
  assertWithinBlockKitLimits({ text: String(resultCall.args.text), blocks: resultCall.args.blocks as never });

  assert.equal(h.slack.callsTo('files.getUploadURLExternal').length, 1);
  assert.equal(h.slack.callsTo('upload').length, 1, 'the bytes were POSTed to the upload URL');
  assert.equal(h.slack.callsTo('files.completeUploadExternal').length, 1);
  const files = await threadFiles(h, findingId);
  assert.equal(files.length, 1, 'the file is shared in the finding thread');
  const file = files[0]!;
  assert.match(file.filename, /^blast-radius-[0-9a-f]{12}\.txt$/);
  assert.equal(Buffer.byteLength(file.content ?? ''), file.length, 'length announced = bytes uploaded');
  for (const arn of many.matchingTaskArns) assert.ok(file.content!.includes(arn), `file lists ${arn}`);
  assert.ok(!many.otherTaskArns.some((arn) => file.content!.includes(arn)), 'and only the matching tasks');
  assert.match(await cardText(h, findingId), /165 running tasks in 3 clusters/);
});

test('AWS throttling mid-sweep: throttled DescribeTasks are retried by the SDK and the count is still right', async (t) => {
  const w = await startEcsWorld();
  t.after(() => w.close());
  const { aws, h } = w;
  const e = seedEstate(w);
  const { event, findingId } = ecsFindingEvent({ taskArn: e.matching[0]!.taskArn, clusterArn: e.matching[0]!.clusterArn, image: e.bad.uri });
  await publishFinding(h, event);
  const modal = await openPlan(h, { findingId, action: 'find_image_tasks', user: RESPONDER });

  aws.failNext('ecs:DescribeTasks', 'ThrottlingException', 2);
  const mark = aws.calls.length;
  await submitAndSettle(h, { runId: modal.runId, user: RESPONDER });

  const made = sweepCallsSince(w, mark);
  assert.equal(made.failed['ecs:DescribeTasks'], 2, 'two DescribeTasks were throttled');
  assert.equal(made.ok.describeTasks, minimumCalls(runningPerCluster(w)).describeTasks, 'each batch described once it got through');
  const thread = await threadText(h, findingId);
  assert.match(thread, /Find tasks using this image\* done — 4 running tasks in 3 clusters/);
  assert.doesNotMatch(thread, /could not be searched/);
  assert.equal((await h.responder.store.getRun(modal.runId))?.state, 'succeeded');
});

test('a cluster that keeps failing is reported as incomplete (thread and card) while the other clusters are counted', async (t) => {
  const w = await startEcsWorld();
  t.after(() => w.close());
  const { aws, h } = w;
  const e = seedEstate(w);
  const { event, findingId } = ecsFindingEvent({ taskArn: e.matching[0]!.taskArn, clusterArn: e.matching[0]!.clusterArn, image: e.bad.uri });
  await publishFinding(h, event);
  const modal = await openPlan(h, { findingId, action: 'find_image_tasks', user: RESPONDER });

  failEcsCluster(aws, 'gamma');
  const mark = aws.calls.length;
  await submitAndSettle(h, { runId: modal.runId, user: RESPONDER });

  const gammaArn = aws.ecs.clusters.get([...aws.ecs.clusters.keys()].find((k) => k.endsWith('/gamma'))!)!.cluster.clusterArn!;
  const gammaCalls = aws.calls.slice(mark).filter((c) => c.op === 'ListTasks' && (c.params as { cluster: string }).cluster === gammaArn);
  assert.equal(gammaCalls.length, 3, 'the SDK retried it (maxAttempts 3) before giving up');
  assert.ok(gammaCalls.every((c) => c.error === 'ServerException'));

  const thread = await threadText(h, findingId);
  assert.match(thread, /Find tasks using this image\* partly done — 3 running tasks in 2 clusters/);
  assert.match(thread, /• alpha: 2 tasks\\n• beta: 1 task/);
  assert.match(thread, /Cluster gamma could not be searched completely: ecs:ListTasks failed on [^ ]+cluster\/gamma: ServerException/);
  assert.equal((await h.responder.store.getRun(modal.runId))?.state, 'partial');
  const card = await cardText(h, findingId);
  assert.match(card, /3 running tasks in 2 clusters/);
  assert.match(card, /incomplete: 1 cluster could not be searched/, 'the card does not pass a partial count off as the blast radius');
});

test('quarantine image: the plan shows how many running tasks use it; after confirming the manifest evidence is stored and shown (digest, tags), the image is gone from ECR, request ids in the thread', async (t) => {
  const w = await startEcsWorld();
  t.after(() => w.close());
  const { aws, h } = w;
  const bad = aws.seed.image({ repository: 'payments', tag: '9.1' });
  aws.ecr.putImage({ repository: 'payments', digest: bad.digest, tags: ['stable'] });
  const keep = aws.seed.image({ repository: 'payments', tag: '9.0' });
  const manifest = bad.image.imageManifest;
  const p1 = aws.seed.fargateTask({ cluster: 'prod', service: 'payments', image: bad.uri, digest: bad.digest });
  const p2 = aws.seed.fargateTask({ cluster: 'prod', service: 'payments', image: bad.uri, digest: bad.digest });
  aws.seed.fargateTask({ cluster: 'staging', service: 'payments', family: 'payments-old', image: keep.uri, digest: keep.digest });
  const { event, findingId } = ecsFindingEvent({ taskArn: p1.taskArn, clusterArn: p1.clusterArn, image: bad.uri });
  await publishFinding(h, event);

  const modal = await openPlan(h, { findingId, action: 'quarantine_image', user: RESPONDER });
  assert.match(modal.text, new RegExp(`${bad.digest}\\) — 2 running tasks use it now`));
  assert.match(modal.text, /ecr:BatchGetImage/);
  assert.match(modal.text, /ecr:BatchDeleteImage by digest/);
  assert.match(modal.text, /Running tasks keep running/);
  assert.equal(modal.submit, 'Delete image');
  assert.equal(aws.callsTo('ecr:BatchDeleteImage').length, 0, 'nothing deleted before confirming');

  await submitAndSettle(h, { runId: modal.runId, user: RESPONDER, reason: 'backdoored base layer' });

  // Kept on the image's record, not the finding's (any card about the digest sees it).
  const imageOwner = imageStateOwner(`${bad.uri.replace(/:[^/:]+$/, '')}@${bad.digest}`)!;
  const evidence = await h.responder.store.getFindingState<ImageEvidence & { savedBy: string }>(imageOwner, IMAGE_EVIDENCE_KEY);
  assert.ok(evidence, 'evidence stored');
  assert.equal(evidence.repositoryName, 'payments');
  assert.equal(evidence.imageDigest, bad.digest);
  assert.deepEqual([...evidence.tags].sort(), ['9.1', 'stable']);
  assert.equal(evidence.manifest, manifest, 'the manifest exactly as ECR had it');
  assert.equal(evidence.manifestDigestMatches, true);
  assert.equal(evidence.savedBy, RESPONDER);

  const repo = aws.ecr.repositories.get('payments')!;
  assert.equal(repo.images.has(bad.digest), false, 'the image is gone from ECR');
  assert.equal(repo.tags.has('9.1') || repo.tags.has('stable'), false, 'with every tag that pointed at it');
  assert.equal(repo.images.has(keep.digest), true, 'other images of the repository stay');
  const del = aws.callsTo('ecr:BatchDeleteImage');
  assert.equal(del.length, 1);
  assert.deepEqual((del[0]!.params as { imageIds: unknown[] }).imageIds, [{ imageDigest: bad.digest }], 'deleted by digest');
  for (const p of [p1, p2]) assert.equal(aws.ecs.task(p.taskArn)!.lastStatus, 'RUNNING', 'running tasks are not touched');

  const thread = await threadText(h, findingId);
  assert.match(thread, /Quarantine image\* done/);
  assert.match(thread, new RegExp(`Evidence saved: payments@${bad.digest}, tags (9\\.1, stable|stable, 9\\.1)`));
  assert.match(thread, /sha256 matches the digest/);
  for (const c of [...aws.callsTo('ecr:BatchGetImage'), ...del]) assert.ok(thread.includes(c.requestId), `request id of ${c.op} in the thread`);
  const files = await threadFiles(h, findingId);
  assert.equal(files.length, 1);
  assert.equal(files[0]!.content, manifest, 'the manifest is attached to the thread');
  assert.match(await cardText(h, findingId), /Image quarantined \(deleted from ECR, evidence kept\)/);

  // Later, someone else opens Quarantine again: the plan (live state) says it is done, offers no
  // submit, and neither the evidence nor the card's status is disturbed.
  const again = await openPlan(h, { findingId, action: 'quarantine_image', user: SECOND_RESPONDER });
  assert.equal(again.submit, undefined);
  assert.match(again.text, new RegExp(`already quarantined by Slack user ${RESPONDER}`));
  assert.match(again.text, /nothing left to delete/);
  assert.equal(aws.callsTo('ecr:BatchDeleteImage').length, 1);
  assert.equal((await h.responder.store.getFindingState<ImageEvidence>(imageOwner, IMAGE_EVIDENCE_KEY))?.manifest, manifest);
  assert.match(await cardText(h, findingId), /Image quarantined \(deleted from ECR, evidence kept\)/);
});

test('scan image: StartImageScan, polled until complete on the app clock, findings summary and request ids in the thread, on the card', async (t) => {
  const w = await startEcsWorld({ aws: { scanCompletesAfterPolls: 3 } });
  t.after(() => w.close());
  const { aws, h } = w;
  const img = aws.seed.image({ repository: 'checkout', tag: '1.4', findingSeverityCounts: { CRITICAL: 1, HIGH: 2 } });
  const task = aws.seed.fargateTask({ cluster: 'prod', service: 'checkout', image: img.uri, digest: img.digest });
  const { event, findingId } = ecsFindingEvent({ taskArn: task.taskArn, clusterArn: task.clusterArn, image: img.uri });
  await publishFinding(h, event);

  const modal = await openPlan(h, { findingId, action: 'scan_image', user: RESPONDER });
  assert.match(modal.text, /ecr:StartImageScan/);
  await submitAndSettle(h, { runId: modal.runId, user: RESPONDER });
  assert.equal(aws.callsTo('ecr:StartImageScan').length, 1);
  assert.equal(aws.callsTo('ecr:DescribeImageScanFindings').length, 3, 'polled until COMPLETE');
  const thread = await threadText(h, findingId);
  assert.match(thread, /Scan image\* done — scan COMPLETE: 1 CRITICAL, 2 HIGH/);
  for (const c of [...aws.callsTo('ecr:StartImageScan'), ...aws.callsTo('ecr:DescribeImageScanFindings')]) assert.ok(thread.includes(c.requestId));
  assert.match(await cardText(h, findingId), /\*Image scan\*\\n1 CRITICAL, 2 HIGH/);
  assert.deepEqual(
    h.clock.sleeps.filter((ms) => ms === 10_000),
    [10_000, 10_000],
    'polls paced on the app clock, no real waiting',
  );
});

test('quarantine image: other tags on the same digest (latest) are named in the plan and in the result, since deleting by digest removes them too', async (t) => {
  const w = await startEcsWorld();
  t.after(() => w.close());
  const { aws, h } = w;
  const bad = aws.seed.image({ repository: 'payments', tag: '9.1' });
  aws.ecr.putImage({ repository: 'payments', digest: bad.digest, tags: ['latest'] });
  const task = aws.seed.fargateTask({ cluster: 'prod', service: 'payments', image: bad.uri, digest: bad.digest });
  const { event, findingId } = ecsFindingEvent({ taskArn: task.taskArn, clusterArn: task.clusterArn, image: bad.uri });
  await publishFinding(h, event);

  const modal = await openPlan(h, { findingId, action: 'quarantine_image', user: RESPONDER });
  assert.match(modal.text, new RegExp(`${bad.digest}\\) — 1 running task use it now; tags on this digest \\(all removed with it\\): 9\\.1, latest`));
  assert.match(modal.text, /Other tags point at the same digest and are removed too: latest/);

  await submitAndSettle(h, { runId: modal.runId, user: RESPONDER, reason: 'backdoored base layer' });
  const thread = await threadText(h, findingId);
  assert.match(thread, /Quarantine image\* done/);
  assert.match(thread, /Tags removed with the image: 9\.1, latest \(besides 9\.1: latest\)/);
  assert.equal(aws.ecr.repositories.get('payments')!.tags.has('latest'), false);
});
