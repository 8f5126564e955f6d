import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AppError } from '../../src/errors.js';
import { SAMPLE_FINDING_MESSAGE } from '../../src/findings/sample.js';
import { openRun } from '../../src/remediation/open.js';
import { ALICE, fakeAuthorizer, runWorld, testStep } from './world.js';

const click = (cardKey: string, actionId = 'test_step') => ({ cardKey, actionId, userId: ALICE, triggerId: 'T1', channelId: 'C1' });

test('open: a click opens the confirmation first, then records the plan and shows it', async () => {
  const w = await runWorld({ authorizer: fakeAuthorizer({ approval: true }) });
  assert.equal(await openRun(w.deps, click(w.record.cardKey)), true);
  assert.deepEqual(
    w.notes.map((n) => n[0]),
    ['openConfirmation', 'showPlan'],
  );
  const [, viewId, , plan, runId, opts] = w.named('showPlan')[0]!;
  assert.equal(viewId, 'V123');
  assert.equal((plan as { summary: string }).summary, 'would do the thing');
  assert.deepEqual(opts, { needsApproval: true, findingTitle: w.finding.title });
  const run = await w.store.getRun(runId as string);
  assert.equal(run?.state, 'planned');
  assert.equal(run?.requestedBy, ALICE);
  assert.deepEqual((run!.plan as { apiCalls: string[] }).apiCalls, ['ec2:Thing']);
  assert.deepEqual(
    (await w.store.auditFor(w.record.findingId)).map((a) => a.event),
    ['requested'],
  );
});

test('open: an unknown card or step is answered privately and records nothing', async () => {
  const w = await runWorld();
  assert.equal(await openRun(w.deps, click('no-such-card')), false);
  assert.equal(await openRun(w.deps, click(w.record.cardKey, 'no_such_step')), false);
  assert.equal(w.named('tell').length, 2);
  assert.match(String(w.named('tell')[0]![3]), /no longer known/);
  assert.deepEqual(await w.store.runsForFinding(w.record.findingId), []);
});

test('open: a responder the policy refuses is told why at the click; no run, no modal', async () => {
  const w = await runWorld({ authorizer: fakeAuthorizer({ deny: { [ALICE]: 'not in the responders group' } }) });
  assert.equal(await openRun(w.deps, click(w.record.cardKey)), false);
  assert.deepEqual(
    w.notes.map((n) => n[0]),
    ['refused'],
  );
  assert.equal(w.notes[0]![4], 'not in the responders group');
  assert.deepEqual(await w.store.runsForFinding(w.record.findingId), []);
  const [entry] = await w.store.auditFor(w.record.findingId);
  assert.equal(entry?.event, 'refused');
  assert.deepEqual(entry?.detail, { action: 'test_step', reason: 'not in the responders group', at: 'click' });
});

test('open: when Slack does not open the modal, nothing is planned and the run is closed as rejected', async () => {
  let planned = 0;
  const step = testStep({
    async plan() {
      planned++;
      return { summary: 's', resources: [], apiCalls: [], warnings: [] };
    },
  });
  const w = await runWorld({ step, openFails: true });
  assert.equal(await openRun(w.deps, click(w.record.cardKey)), false);
  assert.equal(planned, 0);
  assert.match(String(w.named('tell')[0]![3]), /did not open the confirmation for \*Test step\*.*click again/);
  const [run] = await w.store.runsForFinding(w.record.findingId);
  assert.equal(run?.state, 'rejected');
});

test('open: a plan that throws becomes a blocked plan with the typed message (or the sample-finding one)', async () => {
  const step = testStep({
    async plan() {
      throw new AppError('action_invalid', 'The instance is already isolated.');
    },
  });
  const w = await runWorld({ step });
  await openRun(w.deps, click(w.record.cardKey));
  assert.equal((w.named('showPlan')[0]![3] as { blocked?: string }).blocked, 'The instance is already isolated.');

  const sample = await runWorld({ step, finding: { sample: true } });
  await openRun(sample.deps, click(sample.record.cardKey));
  assert.equal((sample.named('showPlan')[0]![3] as { blocked?: string }).blocked, SAMPLE_FINDING_MESSAGE);
});
