import assert from 'node:assert/strict';
import { test } from 'node:test';
import { stateKey } from '../../src/actions/state-keys.js';
import { stepContext } from '../../src/remediation/context.js';
import { findingOf } from '../../src/store/store.js';
import { ALICE, BOB, runWorld } from './world.js';

test("context: AWS sessions carry the requester, the approver and the step; state is the finding's", async () => {
  const w = await runWorld();
  const finding = findingOf(w.record);
  const lines: string[] = [];
  const ctx = stepContext(w.deps, w.step, w.record, finding, { actor: ALICE, approver: BOB, progress: (l) => lines.push(l) });
  assert.deepEqual(w.targets, [{ accountId: finding.accountId, region: finding.region, actor: { requester: ALICE, step: 'test_step', approver: BOB } }]);
  ctx.awsIn?.({ accountId: '210987654321', region: 'eu-west-1' });
  assert.deepEqual(w.targets[1], { accountId: '210987654321', region: 'eu-west-1', actor: { requester: ALICE, step: 'test_step', approver: BOB } });
  assert.deepEqual(ctx.places?.(), [{ accountId: '123456789012', region: finding.region }]);

  const KEY = stateKey<{ n: number }>('test_state');
  await ctx.state.put(KEY, { n: 7 });
  assert.deepEqual(await w.store.getFindingState(w.record.findingId, 'test_state'), { n: 7 });
  assert.deepEqual(await ctx.state.get(KEY), { n: 7 });
  ctx.progress('step 1');
  assert.deepEqual(lines, ['step 1']);
});

test('context: without a progress sink, progress lines are dropped (plans have none)', async () => {
  const w = await runWorld();
  const ctx = stepContext(w.deps, w.step, w.record, findingOf(w.record), { actor: ALICE });
  assert.doesNotThrow(() => ctx.progress('ignored'));
  assert.deepEqual((w.targets[0] as { actor: unknown }).actor, { requester: ALICE, step: 'test_step' });
});
