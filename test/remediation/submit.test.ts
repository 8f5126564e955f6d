import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ActionDefinition } from '../../src/actions/types.js';
import { submitRun } from '../../src/remediation/submit.js';
import type { ActionRun } from '../../src/store/store.js';
import { ALICE, BOB, fakeAuthorizer, plannedRun, runWorld } from './world.js';

function starter() {
  const started: ActionRun[] = [];
  return { started, start: (_def: ActionDefinition, run: ActionRun) => void started.push(run) };
}

test("submit: the requester's confirmation claims the run (running) and starts it once; a second submit is explained", async () => {
  const w = await runWorld();
  const runId = await plannedRun(w);
  const s = starter();
  await submitRun(w.deps, { runId, userId: ALICE, inputs: { note: 'x' }, reason: 'crypto miner' }, s.start);
  assert.equal(s.started.length, 1);
  assert.equal(s.started[0]?.state, 'running');
  assert.deepEqual(s.started[0]?.input, { inputs: { note: 'x' }, reason: 'crypto miner' });
  assert.deepEqual(w.phases, [{ findingId: w.record.findingId, phase: 'requested', action: 'test_step', runId, actor: ALICE, reason: 'crypto miner' }]);
  assert.deepEqual((w.deps.authorizer as ReturnType<typeof fakeAuthorizer>).checks, [{ userId: ALICE, action: 'test_step', fresh: true }]);

  await submitRun(w.deps, { runId, userId: ALICE, inputs: {} }, s.start);
  assert.equal(s.started.length, 1, 'not started again');
  assert.match(String(w.named('tell')[0]![3]), /already (submitted|running)/);
});

test("submit: someone else's confirmation, or a responder refused at execution time, is rejected and audited", async () => {
  const w = await runWorld({ authorizer: fakeAuthorizer({ deny: { [BOB]: 'removed from the responders group' } }) });
  const other = await plannedRun(w, ALICE);
  const s = starter();
  await submitRun(w.deps, { runId: other, userId: BOB, inputs: {} }, s.start);
  assert.equal((await w.store.getRun(other))?.state, 'rejected');
  assert.equal(w.named('refused')[0]![4], 'removed from the responders group');

  const own = await plannedRun(w, ALICE);
  const w2 = { ...w.deps, authorizer: fakeAuthorizer() };
  await submitRun(w2, { runId: own, userId: BOB, inputs: {} }, s.start);
  assert.equal((await w.store.getRun(own))?.state, 'rejected');
  assert.equal(w.named('refused')[1]![4], 'the confirmation belongs to another responder');
  assert.equal(s.started.length, 0);
  const refusals = (await w.store.auditFor(w.record.findingId)).filter((a) => a.event === 'refused');
  assert.deepEqual(
    refusals.map((a) => (a.detail as { at: string }).at),
    ['execute', 'execute'],
  );
});

test('submit: a blocked plan is never run', async () => {
  const w = await runWorld();
  const runId = await plannedRun(w, ALICE, { summary: 's', resources: [], apiCalls: [], warnings: [], blocked: 'sample finding' });
  const s = starter();
  await submitRun(w.deps, { runId, userId: ALICE, inputs: {} }, s.start);
  assert.equal(s.started.length, 0);
  assert.equal((await w.store.getRun(runId))?.state, 'planned');
});

test('submit: when approval is required the run waits for a second responder and the thread asks for it', async () => {
  const w = await runWorld({ authorizer: fakeAuthorizer({ approval: true }) });
  const runId = await plannedRun(w);
  const s = starter();
  await submitRun(w.deps, { runId, userId: ALICE, inputs: {}, reason: 'r' }, s.start);
  assert.equal(s.started.length, 0);
  assert.equal((await w.store.getRun(runId))?.state, 'awaiting_approval');
  assert.deepEqual(w.named('approvalRequested')[0]![4], { requester: ALICE, runId, reason: 'r', expiresAt: w.clock.now() + 3_600_000 });
  assert.equal((w.phases[0] as { phase: string }).phase, 'requested');
});

test('submit: a step another responder finished after this confirmation opened is not run again', async () => {
  const w = await runWorld();
  const mine = await plannedRun(w, ALICE);
  const theirs = await plannedRun(w, BOB);
  await w.store.transitionRun(theirs, ['planned'], 'running', {}, w.clock.now());
  w.clock.advance(1000);
  await w.store.transitionRun(theirs, ['running'], 'succeeded', {}, w.clock.now());
  const s = starter();
  await submitRun(w.deps, { runId: mine, userId: ALICE, inputs: {} }, s.start);
  assert.equal(s.started.length, 0);
  assert.equal((await w.store.getRun(mine))?.state, 'rejected');
  assert.match(String(w.named('tell')[0]![3]), new RegExp(`already done by <@${BOB}>`));
});

test('submit: a repeatable step runs again even after a success', async () => {
  const w = await runWorld();
  (w.step as { repeatable: boolean }).repeatable = true;
  const done = await plannedRun(w, BOB);
  await w.store.transitionRun(done, ['planned'], 'running', {}, w.clock.now());
  await w.store.transitionRun(done, ['running'], 'succeeded', {}, w.clock.now());
  const again = await plannedRun(w, ALICE);
  const s = starter();
  await submitRun(w.deps, { runId: again, userId: ALICE, inputs: {} }, s.start);
  assert.equal(s.started.length, 1);
});
