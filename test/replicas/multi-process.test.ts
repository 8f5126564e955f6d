/**
 * Three app processes on one PostgreSQL, behind no load balancer but the test itself: signed SNS
 * deliveries and Slack clicks spread across them, one replica killed with SIGKILL while a step
 * runs. No duplicate card, no lost finding, a double-submitted step executed once, the killed
 * replica's step reported "interrupted" once by a survivor and never re-run.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';
import { startAwsDouble } from '../doubles/aws/index.js';
import { startSlackDouble } from '../doubles/slack.js';
import { ecsFindingEvent, RESPONDER, waitUntil } from '../helpers/ecs-world.js';
import { freshDatabase, stopPostgres } from '../helpers/postgres.js';
import { harnessFor, killHard, postSns, startReplicaProcess, stopGracefully, type ReplicaProcess } from '../helpers/replica-fleet.js';
import { clickCardButton, lastModal, threadText, viewSubmissionPayload } from '../helpers/slack-interactions.js';
import { createSnsSigner } from '../helpers/sns-signer.js';

after(() => stopPostgres());

/** Clicks the card's button on one replica and waits (across processes) for its plan modal. */
async function openPlanOn(h: ReturnType<typeof harnessFor>, opts: { findingId: string; action: string; user: string }) {
  const before = h.slack.callsTo('views.update').length;
  assert.equal((await clickCardButton(h, opts)).status, 200);
  await waitUntil('the plan modal', () => h.slack.callsTo('views.update').length > before, 20_000);
  return lastModal(h);
}

/** Cards of a finding: posted messages that carry its buttons. */
async function cardCount(store: Store, slack: { callsTo(m: string): { ts?: string; args: Record<string, unknown> }[] }, findingId: string): Promise<number> {
  const key = (await store.getFinding(findingId))?.cardKey;
  if (!key) return 0;
  return slack.callsTo('chat.postMessage').filter((c) => c.ts && JSON.stringify(c.args.blocks ?? '').includes(key)).length;
}

test('three replicas on one PostgreSQL: SNS and clicks spread across them, one SIGKILLed mid-step', { timeout: 120_000 }, async (t) => {
  const slack = await startSlackDouble();
  const aws = await startAwsDouble();
  const signer = createSnsSigner();
  const certs = await signer.serveCertificate();
  const storeUrl = await freshDatabase('replicas');
  const opts = { storeUrl, slack, certs, awsEndpoint: aws.endpoint, env: { RESPONDER_USER_IDS: RESPONDER } };
  const replicas: ReplicaProcess[] = await Promise.all([0, 1, 2].map((i) => startReplicaProcess(opts, i)));
  const store = await openStore(storeUrl);
  t.after(async () => {
    await Promise.all(replicas.map((r) => stopGracefully(r)));
    await store.close();
    await aws.close();
    await certs.close();
    await slack.close();
  });

  // Six findings on six tasks. Each delivered to one replica, again (same MessageId) to another,
  // and the first two re-published by GuardDuty (new MessageId, newer version) to the third.
  const findings = Array.from({ length: 6 }, (_, i) => {
    const img = aws.seed.image({ repository: `svc${i}`, tag: '1.0' });
    const task = aws.seed.fargateTask({ cluster: 'prod', service: `svc${i}`, image: img.uri, digest: img.digest });
    const { event, findingId } = ecsFindingEvent({ taskArn: task.taskArn, clusterArn: task.clusterArn, image: img.uri }, `mp${String(i).padStart(30, '0')}`);
    return { event, findingId, task };
  });
  const deliveries: Promise<Response>[] = [];
  findings.forEach((f, i) => {
    deliveries.push(postSns(replicas[i % 3]!, signer, certs, f.event, `sns-${i}`));
    deliveries.push(postSns(replicas[(i + 1) % 3]!, signer, certs, f.event, `sns-${i}`));
    if (i < 2) {
      const updated = structuredClone(f.event);
      updated.detail.service.count = 5;
      updated.detail.updatedAt = '2030-01-01T00:00:00.000Z';
      deliveries.push(postSns(replicas[(i + 2) % 3]!, signer, certs, updated, `sns-${i}-update`));
    }
  });
  const statuses = await Promise.all(deliveries.map(async (p) => (await p).status));
  assert.deepEqual([...new Set(statuses)], [200]);
  await waitUntil(
    'every finding has a card showing its newest version and the inbox is empty',
    async () => {
      for (const [i, f] of findings.entries()) {
        const r = await store.getFinding(f.findingId);
        if (!r?.ts || r.postedVersion !== `${r.updatedAt}|${r.count}` || (i < 2 && r.count !== 5)) return false;
      }
      return (await store.pendingMessages(100)).length === 0;
    },
    40_000,
  );
  for (const f of findings) assert.equal(await cardCount(store, slack, f.findingId), 1, `exactly one card for ${f.findingId}`);

  // A confirmation submitted twice, to two replicas at once (a double click behind a load balancer).
  const [f0, f1] = findings as [(typeof findings)[0], (typeof findings)[0]];
  const modal = await openPlanOn(harnessFor(replicas[0]!, slack, store), { findingId: f0.findingId, action: 'stop_task', user: RESPONDER });
  const payload = viewSubmissionPayload({ runId: modal.runId, user: RESPONDER, reason: 'contain' });
  await Promise.all([replicas[0]!, replicas[2]!].map((r) => harnessFor(r, slack, store).slackRequest({ payload })));
  await waitUntil('the step finished', async () => (await store.getRun(modal.runId))?.state === 'succeeded', 20_000);
  assert.equal(aws.callsTo('ecs:StopTask').filter((c) => JSON.stringify(c.params).includes(f0.task.taskArn)).length, 1, 'executed once');

  // A step that hangs in AWS on replica 1; replica 1 is killed while it runs.
  aws.faults.setLatency('ecs:StopTask', 8_000); // longer than a death takes to notice (~1 s)
  const victim = replicas[1]!;
  const modal1 = await openPlanOn(harnessFor(victim, slack, store), { findingId: f1.findingId, action: 'stop_task', user: RESPONDER });
  await harnessFor(victim, slack, store).slackRequest({ payload: viewSubmissionPayload({ runId: modal1.runId, user: RESPONDER, reason: 'contain' }) });
  await waitUntil('the step runs on the victim', async () => (await store.getRun(modal1.runId))?.state === 'running', 20_000);
  assert.equal((await store.getRun(modal1.runId))?.owner, victim.replicaId);
  await killHard(victim);

  // Findings keep arriving at the survivors meanwhile.
  const late = Array.from({ length: 2 }, (_, i) => {
    const img = aws.seed.image({ repository: `late${i}`, tag: '1.0' });
    const task = aws.seed.fargateTask({ cluster: 'prod', service: `late${i}`, image: img.uri, digest: img.digest });
    return ecsFindingEvent({ taskArn: task.taskArn, clusterArn: task.clusterArn, image: img.uri }, `lt${String(i).padStart(30, '0')}`);
  });
  for (const [i, l] of late.entries()) assert.equal((await postSns(replicas[i === 0 ? 0 : 2]!, signer, certs, l.event, `late-${i}`)).status, 200);

  const h0 = harnessFor(replicas[0]!, slack, store);
  await waitUntil(
    'a survivor reported the step interrupted',
    async () => (await store.getRun(modal1.runId))?.state === 'interrupted' && /was interrupted/.test(await threadText(h0, f1.findingId)),
    20_000,
  );
  await waitUntil('late findings have cards', async () => (await Promise.all(late.map((l) => store.getFinding(l.findingId)))).every((r) => r?.ts), 20_000);
  // The late findings' processing took several of the survivors' sweep rounds: still reported once.
  assert.equal((await threadText(h0, f1.findingId)).match(/was interrupted by a restart/g)?.length, 1, 'reported once');
  assert.deepEqual(
    (await store.auditFor(f1.findingId)).filter((a) => a.event === 'interrupted').map((a) => a.runId),
    [modal1.runId],
  );
  assert.ok(aws.callsTo('ecs:StopTask').filter((c) => JSON.stringify(c.params).includes(f1.task.taskArn)).length <= 1, 'never re-run');
  for (const f of [...findings, ...late]) assert.equal(await cardCount(store, slack, f.findingId), 1, `still one card for ${f.findingId}`);
});
