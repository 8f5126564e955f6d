import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ActionDefinition } from '../../src/actions/types.js';
import { decideRun } from '../../src/remediation/approval.js';
import type { ActionRun } from '../../src/store/store.js';
import { ALICE, BOB, fakeAuthorizer, plannedRun, runWorld } from './world.js';

const CAROL = 'U0000CAROL';

async function waiting(opts: Parameters<typeof runWorld>[0] = {}) {
  const w = await runWorld({ authorizer: fakeAuthorizer({ approval: true }), ...opts });
  const runId = await plannedRun(w, ALICE);
  await w.store.transitionRun(runId, ['planned'], 'awaiting_approval', { input: { inputs: {} } }, w.clock.now());
  const started: ActionRun[] = [];
  const start = (_d: ActionDefinition, run: ActionRun) => void started.push(run);
  return { w, runId, started, start };
}

test('approval: a second responder approves, the run starts once with the approver recorded', async () => {
  const { w, runId, started, start } = await waiting();
  await decideRun(w.deps, { runId, userId: BOB, approve: true }, start);
  assert.equal(started.length, 1);
  assert.equal(started[0]?.approvedBy, BOB);
  assert.equal(started[0]?.state, 'running');
  assert.deepEqual(w.named('approvalDecided')[0]![3], { decidedBy: BOB, approved: true, requester: ALICE });
  assert.deepEqual(w.phases, [{ findingId: w.record.findingId, phase: 'approved', action: 'test_step', runId, actor: BOB }]);

  await decideRun(w.deps, { runId, userId: CAROL, approve: true }, start);
  assert.equal(started.length, 1, 'a second approval does not start it again');
  assert.match(String(w.named('tell')[0]![3]), /already running/);
});

test('approval: a rejection closes the run and starts nothing', async () => {
  const { w, runId, started, start } = await waiting();
  await decideRun(w.deps, { runId, userId: BOB, approve: false }, start);
  assert.equal(started.length, 0);
  assert.equal((await w.store.getRun(runId))?.state, 'rejected');
  assert.deepEqual(
    (await w.store.auditFor(w.record.findingId)).map((a) => a.event),
    ['rejected'],
  );
  assert.deepEqual(w.phases, []);
});

test('approval: the requester cannot approve their own run; an approver the policy refuses is told why', async () => {
  const { w, runId, started, start } = await waiting({ authorizer: fakeAuthorizer({ approval: true, deny: { [CAROL]: 'not an approver' } }) });
  await decideRun(w.deps, { runId, userId: ALICE, approve: true }, start);
  assert.match(String(w.named('tell')[0]![3]), /second responder must approve/);
  await decideRun(w.deps, { runId, userId: CAROL, approve: true }, start);
  assert.deepEqual(w.named('refused')[0]!.slice(3), [{ label: 'approve Test step' }, 'not an approver']);
  assert.equal(started.length, 0);
  assert.equal((await w.store.getRun(runId))?.state, 'awaiting_approval');
  assert.deepEqual(
    (await w.store.auditFor(w.record.findingId)).map((a) => (a.detail as { reason: string }).reason),
    ['self-approval', 'not an approver'],
  );
});
