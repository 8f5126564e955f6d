import assert from 'node:assert/strict';
import { test } from 'node:test';
import { blockedPlan, planStep } from '../../src/remediation/plan.js';
import { createLogger } from '../../src/log.js';
import { findingOf } from '../../src/store/store.js';
import { ALICE, runWorld, testStep } from './world.js';

test("plan: the step plans with a context for the requester, in the finding's account and Region", async () => {
  let seen: { actor?: string; findingId?: string } = {};
  const step = testStep({
    async plan(ctx) {
      seen = { actor: ctx.actor, findingId: ctx.finding.id };
      return { summary: 'ok', resources: [], apiCalls: [], warnings: [] };
    },
  });
  const w = await runWorld({ step });
  const plan = await planStep(w.deps, step, w.record, findingOf(w.record), ALICE);
  assert.equal(plan.summary, 'ok');
  assert.deepEqual(seen, { actor: ALICE, findingId: w.finding.id });
  assert.deepEqual(w.targets, [{ accountId: w.finding.accountId, region: w.finding.region, actor: { requester: ALICE, step: 'test_step' } }]);
});

test('plan: an unexpected error blocks the plan with a generic reason, never the raw error text', () => {
  const plan = blockedPlan(createLogger('silent'), new Error('ECONNRESET at socket 10.0.0.1'), { id: 'f1', sample: false } as never);
  assert.equal(plan.blocked, 'the plan could not be computed (unexpected error; see the responder logs)');
  assert.doesNotMatch(JSON.stringify(plan), /ECONNRESET/);
  assert.deepEqual([plan.resources, plan.apiCalls, plan.warnings], [[], [], []]);
});
