import assert from 'node:assert/strict';
import { test } from 'node:test';
import { STATUS_BY_KEY, CARD_FACTS_KEY } from '../../src/actions/state-keys.js';
import { AppError } from '../../src/errors.js';
import { SAMPLE_FINDING_MESSAGE } from '../../src/findings/sample.js';
import { cardStatusOf, executeRun, failedOutcome } from '../../src/remediation/execute.js';
import { ALICE, BOB, plannedRun, runWorld, testStep } from './world.js';

async function claimed(w: Awaited<ReturnType<typeof runWorld>>, approvedBy?: string) {
  const runId = await plannedRun(w, ALICE);
  const claim = await w.store.transitionRun(
    runId,
    ['planned'],
    'running',
    { input: { inputs: { n: '1' }, reason: 'miner' }, ...(approvedBy ? { approvedBy } : {}) },
    w.clock.now(),
  );
  assert.ok(claim.ok);
  return claim.run;
}

test('execute: a successful step is stored, audited, on the timeline, and the card and thread say so', async () => {
  let seen: Record<string, unknown> = {};
  const step = testStep({
    async execute(ctx) {
      seen = { inputs: ctx.inputs, reason: ctx.reason, actor: ctx.actor };
      ctx.progress('half way');
      return { status: 'succeeded', headline: 'isolated', done: ['sg swapped'], notDone: [], next: [], requestIds: ['r-1'], cardFacts: { Isolation: 'sg-1' } };
    },
  });
  const w = await runWorld({ step });
  const run = await claimed(w, BOB);
  await executeRun(w.deps, step, run, w.record);
  assert.deepEqual(seen, { inputs: { n: '1' }, reason: 'miner', actor: ALICE });
  assert.deepEqual((w.targets[0] as { actor: unknown }).actor, { requester: ALICE, step: 'test_step', approver: BOB });
  assert.equal((await w.store.getRun(run.runId))?.state, 'succeeded');
  assert.deepEqual(
    w.notes.map((n) => n[0]),
    ['refreshCard', 'started', 'progress', 'result', 'refreshCard'],
  );
  assert.deepEqual(w.named('started')[0]![4], { reason: 'miner', approvedBy: BOB });
  assert.equal((await w.store.getFinding(w.record.findingId))?.statusText, ':white_check_mark: Test step done');
  assert.equal(await w.store.getFindingState(w.record.findingId, STATUS_BY_KEY), ALICE);
  assert.deepEqual(await w.store.getFindingState(w.record.findingId, CARD_FACTS_KEY), { Isolation: 'sg-1' });
  assert.deepEqual(
    (await w.store.auditFor(w.record.findingId)).map((a) => a.event),
    ['started', 'result'],
  );
  assert.deepEqual(w.phases, [
    {
      findingId: w.record.findingId,
      phase: 'result',
      action: 'test_step',
      runId: run.runId,
      status: 'succeeded',
      headline: 'isolated',
      actor: ALICE,
      containment: null,
    },
  ]);
});

test('execute: a step that throws is a failed run with its typed message and request id, never a crash', async () => {
  const step = testStep({
    async execute() {
      throw new AppError('aws_access_denied', 'ec2:ModifyInstanceAttribute was denied', { context: { requestId: 'req-9' } });
    },
  });
  const w = await runWorld({ step });
  const run = await claimed(w);
  await executeRun(w.deps, step, run, w.record);
  const stored = await w.store.getRun(run.runId);
  assert.equal(stored?.state, 'failed');
  assert.deepEqual(stored?.result, {
    status: 'failed',
    headline: 'ec2:ModifyInstanceAttribute was denied',
    done: [],
    notDone: ['ec2:ModifyInstanceAttribute was denied'],
    next: [],
    requestIds: ['req-9'],
  });
  assert.equal((await w.store.getFinding(w.record.findingId))?.statusText, ':x: Test step failed');
});

test("execute: a read-only step that fails puts the card's previous status back", async () => {
  const step = testStep({
    changes: false,
    async execute() {
      return { status: 'failed', headline: 'scan refused', done: [], notDone: ['scan'], next: [], requestIds: [] };
    },
  });
  const w = await runWorld({ step });
  await w.store.setFindingStatus(w.record.findingId, ':biohazard_sign: Malware found');
  await w.store.putFindingState(w.record.findingId, STATUS_BY_KEY, BOB, w.clock.now());
  await executeRun(w.deps, step, await claimed(w), w.record);
  assert.equal((await w.store.getFinding(w.record.findingId))?.statusText, ':biohazard_sign: Malware found');
  assert.equal(await w.store.getFindingState(w.record.findingId, STATUS_BY_KEY), BOB);
});

test('failedOutcome: unexpected errors stay generic; a sample finding says so', () => {
  assert.equal(failedOutcome(new Error('socket hang up'), { sample: false }).headline, 'unexpected error (see the responder logs); nothing more was attempted');
  assert.equal(failedOutcome(new AppError('action_invalid', 'x'), { sample: true }).headline, SAMPLE_FINDING_MESSAGE);
});

test("cardStatusOf: the step's own words win; otherwise icon, label and how it went", () => {
  const def = { label: 'Isolate' };
  assert.equal(cardStatusOf(def, { status: 'partial' }), ':warning: Isolate partly done');
  assert.equal(cardStatusOf(def, { status: 'failed' }), ':x: Isolate failed');
  assert.equal(cardStatusOf(def, { status: 'succeeded', cardStatus: ':lock: Isolated' }), ':lock: Isolated');
});
