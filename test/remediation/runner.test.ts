import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ActionRunner } from '../../src/remediation/runner.js';
import { ALICE, runWorld } from './world.js';

test('runner: click → submit runs the step in the background; idle() waits for it', async () => {
  const w = await runWorld();
  const runner = new ActionRunner(w.deps);
  assert.equal(await runner.open({ cardKey: w.record.cardKey, actionId: 'test_step', userId: ALICE, triggerId: 'T' }), true);
  const runId = w.named('showPlan')[0]![4] as string;
  await runner.submit({ runId, userId: ALICE, inputs: {} });
  await runner.idle();
  assert.equal((await w.store.getRun(runId))?.state, 'succeeded');
  assert.equal(w.named('result').length, 1);
});

test('runner: a crash in tracked work is logged, not thrown, and idle() still returns', async () => {
  const w = await runWorld();
  const runner = new ActionRunner(w.deps);
  await runner.track(Promise.reject(new Error('boom')));
  await runner.idle();
});
