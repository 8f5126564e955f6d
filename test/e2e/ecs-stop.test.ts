/**
 * Stop task, and stop every task using the image while pinning (or scaling to zero) the services
 * that run it, end to end: signed Slack interactions → Bolt → runner → real SDK → AWS double.
 * The double's service scheduler is on, so a stopped service task really is replaced from the
 * service's current task definition — which is what makes pinning first matter.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Task } from '@aws-sdk/client-ecs';
import { callIndexes, ecsFindingEvent, failStopTaskFor, publishFinding, RESPONDER, startEcsWorld, type EcsWorld } from '../helpers/ecs-world.js';
import { cardText, openPlan, submitAndSettle, threadText } from '../helpers/slack-interactions.js';

const running = (w: EcsWorld, pred: (t: Task) => boolean) => [...w.aws.ecs.allTasks()].filter((t) => t.lastStatus === 'RUNNING' && pred(t));
/** The request fields of the ECS calls these tests look at (StopTask, RegisterTaskDefinition, UpdateService). */
interface EcsParams {
  task?: string;
  reason?: string;
  family?: string;
  containerDefinitions?: { image: string }[];
  service?: string;
  taskDefinition?: string;
  desiredCount?: number;
}
const params = (c: { params: unknown }) => c.params as EcsParams;

test('stop a service task: StopTask with the finding and the reason recorded in ECS; the plan and thread say the scheduler replaces it and point to stop-all/pin; the card status changes', async (t) => {
  const w = await startEcsWorld({ aws: { serviceScheduler: true } });
  t.after(() => w.close());
  const { aws, h } = w;
  const img = aws.seed.image({ repository: 'checkout', tag: '1.4' });
  const task = aws.seed.fargateTask({ cluster: 'prod', service: 'checkout', image: img.uri, digest: img.digest });
  const { event, findingId } = ecsFindingEvent({ taskArn: task.taskArn, clusterArn: task.clusterArn, image: img.uri });
  await publishFinding(h, event);
  assert.match(await cardText(h, findingId), /New — no action taken yet/);

  const modal = await openPlan(h, { findingId, action: 'stop_task', user: RESPONDER });
  assert.match(modal.text, /ecs:StopTask arn:aws:ecs:[^ ]+task\/prod\//);
  assert.match(modal.text, /belongs to service checkout: its scheduler will start a replacement from the same task definition/);
  assert.match(modal.text, /Stop all tasks using the image \/ pin services/);
  assert.match(modal.text, /gd_reason/, 'a destructive step asks for a reason');
  assert.equal(aws.callsTo('ecs:StopTask').length, 0);

  await submitAndSettle(h, { runId: modal.runId, user: RESPONDER, reason: 'xmrig found in /tmp' });
  const stops = aws.callsTo('ecs:StopTask');
  assert.equal(stops.length, 1);
  const reason = params(stops[0]!).reason as string;
  assert.equal(params(stops[0]!).task, task.taskArn);
  assert.ok(reason.includes(findingId), `reason names the finding: ${reason}`);
  assert.ok(reason.includes('xmrig found in /tmp'), `reason carries the responder's text: ${reason}`);
  assert.ok(reason.length <= 255);
  const stopped = aws.ecs.task(task.taskArn)!;
  assert.equal(stopped.lastStatus, 'STOPPED');
  assert.equal(stopped.stoppedReason, reason, 'the reason is recorded in ECS');
  // The warning was true: the scheduler started a replacement with the same image.
  const replacements = running(w, (x) => x.group === 'service:checkout');
  assert.equal(replacements.length, 1);
  assert.equal(replacements[0]!.containers![0]!.image, img.uri);

  const thread = await threadText(h, findingId);
  assert.match(thread, /started \*Stop task\* — reason: xmrig found in \/tmp/);
  assert.match(thread, /Stop task\* done/);
  assert.match(thread, /Service checkout will start a replacement from the same task definition/);
  assert.match(thread, /Run \\"Stop all tasks using the image \/ pin services\\" to pin the service to a clean image or scale it to zero/);
  assert.ok(thread.includes(stops[0]!.requestId), 'the StopTask request id is in the thread');
  assert.match(await cardText(h, findingId), /Task stopped — service will replace it/);
  assert.doesNotMatch(await cardText(h, findingId), /New — no action taken yet/);
});

/** The compromised image in two services across two clusters, a standalone task, and bystanders. */
function seedImageEstate(w: EcsWorld) {
  const { aws } = w;
  const bad = aws.seed.image({ repository: 'shop', tag: '2.0' });
  const clean = aws.seed.image({ repository: 'shop', tag: '2.1' });
  const other = aws.seed.image({ repository: 'search', tag: '5' });
  const web1 = aws.seed.fargateTask({ cluster: 'prod', service: 'web', image: bad.uri, digest: bad.digest });
  const web2 = aws.seed.fargateTask({ cluster: 'prod', service: 'web', image: bad.uri, digest: bad.digest });
  const api = aws.seed.fargateTask({ cluster: 'edge', service: 'api', image: bad.uri, digest: bad.digest });
  const batch = aws.seed.fargateTask({ cluster: 'edge', family: 'batch', image: bad.uri, digest: bad.digest });
  const bystander = aws.seed.fargateTask({ cluster: 'prod', service: 'search', image: other.uri, digest: other.digest });
  const cleanRef = `${clean.uri.replace(/:[^:/]+$/, '')}@${clean.digest}`;
  return { bad, clean, cleanRef, web1, web2, api, batch, bystander, matching: [web1, web2, api, batch] };
}

test('stop all tasks using the image and pin services: clean image required (modal errors), new task definition revisions + UpdateService BEFORE any StopTask, every task stopped, replacements run the clean image, summary in the thread', async (t) => {
  const w = await startEcsWorld({ aws: { serviceScheduler: true } });
  t.after(() => w.close());
  const { aws, h } = w;
  const e = seedImageEstate(w);
  const { event, findingId } = ecsFindingEvent({ taskArn: e.web1.taskArn, clusterArn: e.web1.clusterArn, image: e.bad.uri });
  await publishFinding(h, event);

  const modal = await openPlan(h, { findingId, action: 'stop_all_pin', user: RESPONDER });
  assert.match(modal.text, /Pin or scale to zero 2 services, then stop 4 running tasks/);
  assert.match(modal.text, /service prod\/web/);
  assert.match(modal.text, /service edge\/api/);
  for (const m of e.matching) assert.ok(modal.text.includes(m.taskArn), `plan lists ${m.taskArn}`);
  assert.ok(!modal.text.includes(e.bystander.taskArn), 'a task running another image is not in the plan');
  assert.match(modal.text, /gd_in_mode/);
  assert.match(modal.text, /gd_in_clean_image/);
  assert.match(modal.text, /Services are changed before any task is stopped/);

  // Pin mode without a clean image: Slack shows the error on the field; nothing runs.
  const missing = await submitAndSettle(h, {
    runId: modal.runId,
    user: RESPONDER,
    reason: 'supply-chain compromise',
    selects: { mode: 'pin' },
    inputs: { clean_image: '' },
  });
  assert.equal(missing.status, 200);
  assert.equal(missing.body.response_action, 'errors');
  assert.match(String((missing.body.errors as Record<string, string>).gd_in_clean_image), /clean image/);
  const bogus = await submitAndSettle(h, {
    runId: modal.runId,
    user: RESPONDER,
    reason: 'supply-chain compromise',
    selects: { mode: 'pin' },
    inputs: { clean_image: 'not an image!' },
  });
  assert.equal(bogus.body.response_action, 'errors');
  assert.equal((await h.responder.store.getRun(modal.runId))?.state, 'planned');
  for (const op of ['ecs:StopTask', 'ecs:RegisterTaskDefinition', 'ecs:UpdateService']) assert.equal(aws.callsTo(op).length, 0, `${op}: nothing ran`);

  const ok = await submitAndSettle(h, {
    runId: modal.runId,
    user: RESPONDER,
    reason: 'supply-chain compromise',
    selects: { mode: 'pin' },
    inputs: { clean_image: e.cleanRef },
  });
  assert.deepEqual(ok.body, {}, 'plain ack');

  const registers = aws.callsTo('ecs:RegisterTaskDefinition');
  assert.deepEqual(registers.map((c) => params(c).family).sort(), ['api', 'web']);
  for (const r of registers)
    assert.deepEqual(
      params(r).containerDefinitions!.map((c: { image: string }) => c.image),
      [e.cleanRef],
    );
  const updates = aws.callsTo('ecs:UpdateService');
  assert.deepEqual(updates.map((c) => params(c).service).sort(), ['api', 'web']);
  for (const u of updates) assert.match(params(u).taskDefinition as string, /task-definition\/(web|api):2$/);
  const lastServiceChange = Math.max(...callIndexes(aws, 'ecs:RegisterTaskDefinition'), ...callIndexes(aws, 'ecs:UpdateService'));
  const firstStop = Math.min(...callIndexes(aws, 'ecs:StopTask'));
  assert.ok(lastServiceChange < firstStop, 'every service is pinned before the first StopTask');

  const stops = aws.callsTo('ecs:StopTask');
  assert.deepEqual(stops.map((c) => params(c).task).sort(), e.matching.map((m) => m.taskArn).sort(), 'each matching task stopped exactly once');
  for (const m of e.matching) {
    assert.equal(aws.ecs.task(m.taskArn)!.lastStatus, 'STOPPED');
    assert.ok(aws.ecs.task(m.taskArn)!.stoppedReason!.includes(findingId));
  }
  assert.equal(aws.ecs.task(e.bystander.taskArn)!.lastStatus, 'RUNNING');
  // The scheduler replaced the service tasks from the pinned revision: nothing runs the bad image.
  assert.equal(running(w, (x) => x.containers!.some((c) => c.image === e.bad.uri)).length, 0);
  assert.equal(running(w, (x) => x.group === 'service:web' && x.containers![0]!.image === e.cleanRef).length, 2);
  assert.equal(running(w, (x) => x.group === 'service:api' && x.containers![0]!.image === e.cleanRef).length, 1);
  assert.equal(aws.ecs.cluster('prod')!.services.get('web')!.taskDefinition, params(updates.find((u) => params(u).service === 'web')!).taskDefinition);

  const thread = await threadText(h, findingId);
  assert.match(thread, /Stop all tasks using the image \/ pin services\* done — 4\/4 tasks stopped; 2 services pinned to a clean image/);
  assert.match(thread, /service prod\/web: arn:aws:ecs:[^ ]+task-definition\/web:1 → arn:aws:ecs:[^ ]+task-definition\/web:2/);
  assert.match(thread, /service edge\/api: arn:aws:ecs:[^ ]+task-definition\/api:1 → arn:aws:ecs:[^ ]+task-definition\/api:2/);
  assert.match(thread, /4 of 4 tasks stopped/);
  assert.match(thread, /in progress/, 'progress was reported in the thread');
  for (const s of stops) assert.ok(thread.includes(s.requestId), 'StopTask request ids in the thread');
  assert.match(await cardText(h, findingId), /4\/4 tasks using the image stopped/);
  assert.equal((await h.responder.store.getRun(modal.runId))?.state, 'succeeded');
  assert.ok(h.slack.callsTo('chat.update').length < 10, 'progress stays within the chat.update budget');
});

test('stop all tasks using the image, scale-to-zero mode: no clean image needed, desiredCount 0 on every service before StopTask, nothing is replaced', async (t) => {
  const w = await startEcsWorld({ aws: { serviceScheduler: true } });
  t.after(() => w.close());
  const { aws, h } = w;
  const e = seedImageEstate(w);
  const { event, findingId } = ecsFindingEvent({ taskArn: e.api.taskArn, clusterArn: e.api.clusterArn, image: e.bad.uri });
  await publishFinding(h, event);

  const modal = await openPlan(h, { findingId, action: 'stop_all_pin', user: RESPONDER });
  const r = await submitAndSettle(h, { runId: modal.runId, user: RESPONDER, reason: 'contain now', selects: { mode: 'scale_to_zero' } });
  assert.notEqual(r.body.response_action, 'errors', 'no clean image is needed to scale to zero');

  assert.equal(aws.callsTo('ecs:RegisterTaskDefinition').length, 0);
  const updates = aws.callsTo('ecs:UpdateService');
  assert.deepEqual(updates.map((u) => [params(u).service, params(u).desiredCount]).sort(), [
    ['api', 0],
    ['web', 0],
  ]);
  assert.ok(Math.max(...callIndexes(aws, 'ecs:UpdateService')) < Math.min(...callIndexes(aws, 'ecs:StopTask')), 'services scaled before any StopTask');
  assert.equal(aws.ecs.cluster('prod')!.services.get('web')!.desiredCount, 0);
  assert.equal(aws.ecs.cluster('edge')!.services.get('api')!.desiredCount, 0);
  assert.equal(aws.callsTo('ecs:StopTask').length, 4);
  assert.equal(running(w, (x) => x.containers!.some((c) => c.image === e.bad.uri)).length, 0, 'nothing replaced them');
  assert.equal(running(w, () => true).length, 1, 'only the bystander runs');

  const thread = await threadText(h, findingId);
  assert.match(thread, /4\/4 tasks stopped; 2 services scaled to zero/);
  assert.match(thread, /service prod\/web: desiredCount 2 → 0/);
  assert.match(thread, /service edge\/api: desiredCount 1 → 0/);
  assert.match(thread, /Application Auto Scaling/);
});

test('a partial failure: one StopTask refused → status partial, the thread names the task and the missing permission in plain words, the others are stopped', async (t) => {
  const w = await startEcsWorld();
  t.after(() => w.close());
  const { aws, h } = w;
  const e = seedImageEstate(w);
  const { event, findingId } = ecsFindingEvent({ taskArn: e.web1.taskArn, clusterArn: e.web1.clusterArn, image: e.bad.uri });
  await publishFinding(h, event);
  failStopTaskFor(aws, e.batch.taskArn);

  const modal = await openPlan(h, { findingId, action: 'stop_all_pin', user: RESPONDER });
  await submitAndSettle(h, { runId: modal.runId, user: RESPONDER, reason: 'contain', selects: { mode: 'pin' }, inputs: { clean_image: e.cleanRef } });

  const refused = aws.callsTo('ecs:StopTask').filter((c) => c.error);
  assert.deepEqual(
    refused.map((c) => params(c).task),
    [e.batch.taskArn],
    'AccessDenied is not retried',
  );
  for (const m of [e.web1, e.web2, e.api]) assert.equal(aws.ecs.task(m.taskArn)!.lastStatus, 'STOPPED');
  assert.equal(aws.ecs.task(e.batch.taskArn)!.lastStatus, 'RUNNING');

  const thread = await threadText(h, findingId);
  assert.match(
    thread,
    /:warning: \*Stop all tasks using the image \/ pin services\* partly done — 3\/4 tasks stopped; 2 services pinned to a clean image; 1 failure/,
  );
  assert.match(thread, /Not done \/ not possible/);
  assert.ok(
    thread.includes(`${e.batch.taskArn}: The app's AWS role is not allowed to call ecs:StopTask on ${e.batch.taskArn}. Add ecs:StopTask to its policy.`),
    'the failed task, and why, in plain words',
  );
  assert.match(thread, /3 of 4 tasks stopped/);
  assert.match(thread, /Re-run this step to retry the tasks that failed/);
  assert.match(await cardText(h, findingId), /3\/4 tasks using the image stopped/);
  assert.equal((await h.responder.store.getRun(modal.runId))?.state, 'partial');
  const result = (await h.responder.store.auditFor(findingId)).find((a) => a.event === 'result');
  assert.equal((result!.detail as { status: string }).status, 'partial');
});
