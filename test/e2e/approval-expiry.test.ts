/**
 * Approvals expire (issue 9 item 6): the request shows when it expires; an approval given after
 * APPROVAL_TTL_MINUTES is refused, the run is closed as rejected, the thread says so, nothing runs.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ecsFindingEvent, publishFinding, RESPONDER, SECOND_RESPONDER, startEcsWorld, writePolicyFile } from '../helpers/ecs-world.js';
import { decideApproval, ephemeralTexts, openPlan, submitAndSettle, threadText } from '../helpers/slack-interactions.js';

async function world(t: { after(fn: () => Promise<void>): void }) {
  const policy = writePolicyFile({ actions: { stop_task: { requireApproval: true } } });
  const w = await startEcsWorld({ env: { AUTHZ_POLICY_FILE: policy.path, APPROVAL_TTL_MINUTES: '20' } });
  t.after(async () => {
    await w.close();
    policy.remove();
  });
  const img = w.aws.seed.image({ repository: 'checkout', tag: '1.4' });
  const task = w.aws.seed.fargateTask({ cluster: 'prod', service: 'checkout', image: img.uri, digest: img.digest });
  const { event, findingId } = ecsFindingEvent({ taskArn: task.taskArn, clusterArn: task.clusterArn, image: img.uri });
  await publishFinding(w.h, event);
  const modal = await openPlan(w.h, { findingId, action: 'stop_task', user: RESPONDER });
  await submitAndSettle(w.h, { runId: modal.runId, user: RESPONDER, reason: 'miner' });
  return { ...w, findingId, runId: modal.runId };
}

test('an approval given after APPROVAL_TTL_MINUTES is refused: the run becomes rejected, the thread and the approver are told, nothing runs', async (t) => {
  const w = await world(t);
  const requestedAt = w.h.clock.now();
  const thread = await threadText(w.h, w.findingId);
  const shown = /Approval expires <!date\^(\d+)\^[^|]*\|(\d{4}-\d\d-\d\d \d\d:\d\d) UTC>/.exec(thread);
  assert.ok(shown, 'the request shows its expiry');
  assert.ok(Math.abs(Number(shown[1]) * 1000 - (requestedAt + 20 * 60_000)) < 60_000, 'expires 20 min after the request');
  assert.equal(shown[2], new Date(Number(shown[1]) * 1000).toISOString().slice(0, 16).replace('T', ' '));

  w.h.clock.advance(20 * 60_000 + 1000);
  await decideApproval(w.h, { runId: w.runId, user: SECOND_RESPONDER, approve: true });
  await w.h.settle();

  const run = await w.h.responder.store.getRun(w.runId);
  assert.equal(run?.state, 'rejected');
  assert.equal(run?.approvedBy, undefined);
  assert.equal(w.aws.callsTo('ecs:StopTask').length, 0, 'nothing ran');
  assert.match(await threadText(w.h, w.findingId), /The request by <@U0RESPONDER> to run \*Stop task\* expired \(approvals are valid for 20 min/);
  assert.match(ephemeralTexts(w.h, SECOND_RESPONDER).join('\n'), /expired/);
  assert.deepEqual(
    (await w.h.responder.store.auditFor(w.findingId)).filter((a) => a.event === 'expired').map((a) => a.actor),
    [SECOND_RESPONDER],
  );
});

test('an approval within the TTL runs the step', async (t) => {
  const w = await world(t);
  w.h.clock.advance(19 * 60_000);
  await decideApproval(w.h, { runId: w.runId, user: SECOND_RESPONDER, approve: true });
  await w.h.settle();
  assert.equal((await w.h.responder.store.getRun(w.runId))?.state, 'succeeded');
  assert.equal(w.aws.callsTo('ecs:StopTask').length, 1);
});
