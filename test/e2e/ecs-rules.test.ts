/**
 * The rules every action obeys, end to end: authorization at click AND at execution, exactly
 * once (double clicks, two responders, retried requests), sample findings, second-person
 * approval, and crash recovery.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { USERGROUP_CACHE_MS } from '../../src/authz/authorizer.js';
import { SAMPLE_FINDING_MESSAGE } from '../../src/remediation/runner.js';
import {
  ecsFindingEvent,
  OUTSIDER,
  publishFinding,
  RESPONDER,
  sampleEcsFinding,
  SECOND_RESPONDER,
  startEcsWorld,
  waitUntil,
  writePolicyFile,
  type EcsWorld,
} from '../helpers/ecs-world.js';
import {
  approvalRequests,
  cardButtons,
  cardText,
  clickCardButton,
  decideApproval,
  ephemeralTexts,
  openPlan,
  runAction,
  submitAndSettle,
  submitModal,
  threadText,
  viewSubmissionPayload,
} from '../helpers/slack-interactions.js';

/** A running service task and the finding that names it, published. */
async function serviceTaskFinding(w: EcsWorld, opts: { ecrTag?: string } = {}) {
  const img = w.aws.seed.image({ repository: 'checkout', tag: opts.ecrTag ?? '1.4' });
  const task = w.aws.seed.fargateTask({ cluster: 'prod', service: 'checkout', image: img.uri, digest: img.digest });
  const { event, findingId } = ecsFindingEvent({ taskArn: task.taskArn, clusterArn: task.clusterArn, image: img.uri });
  await publishFinding(w.h, event);
  return { img, task, findingId };
}

const audit = async (w: EcsWorld, findingId: string, event: string) => (await w.h.responder.store.auditFor(findingId)).filter((a) => a.event === event);

test('unauthorized click: an ephemeral explanation, a "refused" audit entry, no modal and no AWS call at all', async (t) => {
  const w = await startEcsWorld();
  t.after(() => w.close());
  const { aws, h } = w;
  const { task, findingId } = await serviceTaskFinding(w);
  const mark = aws.calls.length;

  assert.equal((await clickCardButton(h, { findingId, action: 'stop_task', user: OUTSIDER })).status, 200);
  await h.settle();

  const [answer, ...more] = ephemeralTexts(h, OUTSIDER);
  assert.equal(more.length, 0);
  assert.match(answer!, /You can't run \*Stop task\*: you are not on the list of people allowed to run \\"stop_task\\"/);
  assert.match(answer!, /Nothing was changed/);
  assert.equal(h.slack.callsTo('views.open').length, 0, 'no confirmation was opened');
  assert.deepEqual(aws.calls.slice(mark), [], 'no AWS call (no DescribeTasks, no StopTask)');
  const refused = await audit(w, findingId, 'refused');
  assert.equal(refused.length, 1);
  assert.equal(refused[0]!.actor, OUTSIDER);
  assert.deepEqual(refused[0]!.detail, {
    action: 'stop_task',
    reason: 'you are not on the list of people allowed to run "stop_task" (ask your security lead to add you)',
    at: 'click',
  });
  assert.deepEqual(await h.responder.store.runsForFinding(findingId), []);
  assert.equal(aws.ecs.task(task.taskArn)!.lastStatus, 'RUNNING');
  assert.match(await cardText(h, findingId), /New — no action taken yet/);

  // The same user may still run a read-only step (open to the channel by default).
  const plan = await openPlan(h, { findingId, action: 'find_image_tasks', user: OUTSIDER });
  assert.equal(plan.submit, 'Search');
});

test('ack first, work after: the click and the submit are answered before the slow AWS work they start', async (t) => {
  const w = await startEcsWorld();
  t.after(() => w.close());
  const { aws, h } = w;
  const { task, findingId } = await serviceTaskFinding(w);

  aws.faults.setLatency('ecs:DescribeTasks', 500);
  const before = h.slack.callsTo('views.update').length;
  let t0 = Date.now();
  assert.equal((await clickCardButton(h, { findingId, action: 'stop_task', user: RESPONDER })).status, 200);
  assert.ok(Date.now() - t0 < 500, 'the click was acknowledged before the plan was read from AWS');
  assert.equal(h.slack.callsTo('views.update').length, before, 'the plan was not ready when Slack got its answer');
  await h.settle();
  aws.faults.setLatency('ecs:DescribeTasks', 0);
  const modal = await openPlan(h, { findingId, action: 'stop_task', user: RESPONDER });
  assert.equal(h.slack.callsTo('views.open').length, 2, 'a loading modal is opened at once for each click (trigger ids expire in 3 s)');

  aws.faults.setLatency('ecs:StopTask', 500);
  t0 = Date.now();
  assert.equal((await submitModal(h, { runId: modal.runId, user: RESPONDER, reason: 'slow' })).status, 200);
  assert.ok(Date.now() - t0 < 500, 'the submission was acknowledged before StopTask returned');
  assert.equal(aws.ecs.task(task.taskArn)!.lastStatus, 'RUNNING');
  await h.settle();
  assert.equal(aws.ecs.task(task.taskArn)!.lastStatus, 'STOPPED');
});

test('authorization is checked again at execution: a responder removed from the on-call user group after opening the confirmation is refused at submit', async (t) => {
  const w = await startEcsWorld({ env: { RESPONDER_USER_IDS: '', RESPONDER_USERGROUP_IDS: 'S0ONCALL' } });
  t.after(() => w.close());
  const { aws, h } = w;
  h.slack.usergroups.set('S0ONCALL', [RESPONDER]);
  const { task, findingId } = await serviceTaskFinding(w);

  const modal = await openPlan(h, { findingId, action: 'stop_task', user: RESPONDER });
  assert.equal(modal.submit, 'Stop task', 'allowed when the button was clicked');

  h.slack.usergroups.set('S0ONCALL', []);
  h.clock.advance(USERGROUP_CACHE_MS + 1);
  await submitAndSettle(h, { runId: modal.runId, user: RESPONDER, reason: 'miner' });

  assert.equal(aws.callsTo('ecs:StopTask').length, 0);
  assert.equal(aws.ecs.task(task.taskArn)!.lastStatus, 'RUNNING');
  assert.match(ephemeralTexts(h, RESPONDER).join('\n'), /You can't run \*Stop task\*: you are not on the list/);
  const refused = await audit(w, findingId, 'refused');
  assert.deepEqual(
    refused.map((a) => [a.actor, (a.detail as { at: string }).at]),
    [[RESPONDER, 'execute']],
  );
  assert.equal((await h.responder.store.getRun(modal.runId))?.state, 'rejected');
  assert.doesNotMatch(await threadText(h, findingId), /started/);
});

test('a confirmation submitted by someone other than the responder who opened it is refused (outsider or another responder), with no AWS call', async (t) => {
  const w = await startEcsWorld();
  t.after(() => w.close());
  const { aws, h } = w;
  const { task, findingId } = await serviceTaskFinding(w);

  const first = await openPlan(h, { findingId, action: 'stop_task', user: RESPONDER });
  const mark = aws.calls.length;
  await submitAndSettle(h, { runId: first.runId, user: OUTSIDER, reason: 'forged' });
  assert.match(ephemeralTexts(h, OUTSIDER).join('\n'), /You can't run \*Stop task\*: you are not on the list/);
  assert.equal(aws.calls.length, mark, 'no AWS call after a refused submit');

  const second = await openPlan(h, { findingId, action: 'stop_task', user: RESPONDER });
  const mark2 = aws.calls.length;
  await submitAndSettle(h, { runId: second.runId, user: SECOND_RESPONDER, reason: 'not mine' });
  assert.match(ephemeralTexts(h, SECOND_RESPONDER).join('\n'), /You can't run \*Stop task\*: the confirmation belongs to another responder/);

  assert.equal(aws.calls.length, mark2, 'no AWS call after a refused submit');
  assert.equal(aws.callsTo('ecs:StopTask').length, 0);
  assert.equal(aws.ecs.task(task.taskArn)!.lastStatus, 'RUNNING');
  const refused = await audit(w, findingId, 'refused');
  assert.deepEqual(
    refused.map((a) => [a.actor, (a.detail as { at: string }).at]),
    [
      [OUTSIDER, 'execute'],
      [SECOND_RESPONDER, 'execute'],
    ],
  );
  for (const r of [first, second]) assert.equal((await h.responder.store.getRun(r.runId))?.state, 'rejected');
});

test('two responders click Stop task: two modals; submitted while the first runs, then after it is done → StopTask exactly once, the others are told it is running / done', async (t) => {
  const w = await startEcsWorld();
  t.after(() => w.close());
  const { aws, h } = w;
  const { task, findingId } = await serviceTaskFinding(w);

  const a = await openPlan(h, { findingId, action: 'stop_task', user: RESPONDER });
  const b = await openPlan(h, { findingId, action: 'stop_task', user: SECOND_RESPONDER });
  const c = await openPlan(h, { findingId, action: 'stop_task', user: RESPONDER }); // a double click
  assert.equal(h.slack.callsTo('views.open').length, 3, 'every click gets its own modal');
  assert.equal(new Set([a.runId, b.runId, c.runId]).size, 3);

  // Hold StopTask in flight (wall-clock latency at the double) so B arrives while A runs.
  aws.faults.setLatency('ecs:StopTask', 700);
  assert.equal((await submitModal(h, { runId: a.runId, user: RESPONDER, reason: 'first' })).status, 200);
  await waitUntil('run A is running', async () => (await h.responder.store.getRun(a.runId))?.state === 'running');
  assert.equal((await submitModal(h, { runId: b.runId, user: SECOND_RESPONDER, reason: 'second' })).status, 200);
  await h.settle();
  aws.faults.setLatency('ecs:StopTask', 0);

  assert.match(
    ephemeralTexts(h, SECOND_RESPONDER).join('\n'),
    new RegExp(`\\*Stop task\\* is already running \\(requested by <@${RESPONDER}>\\)\\. It was not started again`),
  );
  await submitAndSettle(h, { runId: c.runId, user: RESPONDER, reason: 'double click' });
  assert.match(
    ephemeralTexts(h, RESPONDER).join('\n'),
    new RegExp(`\\*Stop task\\* was already done by <@${RESPONDER}> after you opened this confirmation, so it was not run again`),
  );

  assert.equal(aws.callsTo('ecs:StopTask').length, 1, 'StopTask exactly once');
  assert.equal(aws.ecs.task(task.taskArn)!.lastStatus, 'STOPPED');
  const thread = await threadText(h, findingId);
  assert.equal(thread.match(/started \*Stop task\*/g)?.length, 1);
  assert.equal(thread.match(/Stop task\* done/g)?.length, 1);
  assert.equal((await h.responder.store.getRun(a.runId))?.state, 'succeeded');
  assert.equal((await h.responder.store.getRun(c.runId))?.state, 'rejected');
});

test('two responders submit at the same moment: StopTask exactly once, the other is told it is running or done', async (t) => {
  const w = await startEcsWorld();
  t.after(() => w.close());
  const { aws, h } = w;
  const { findingId } = await serviceTaskFinding(w);
  const a = await openPlan(h, { findingId, action: 'stop_task', user: RESPONDER });
  const b = await openPlan(h, { findingId, action: 'stop_task', user: SECOND_RESPONDER });

  const answers = await Promise.all([
    submitModal(h, { runId: a.runId, user: RESPONDER, reason: 'a' }),
    submitModal(h, { runId: b.runId, user: SECOND_RESPONDER, reason: 'b' }),
  ]);
  assert.deepEqual(
    answers.map((r) => r.status),
    [200, 200],
  );
  await h.settle();

  assert.equal(aws.callsTo('ecs:StopTask').length, 1);
  const told = [...ephemeralTexts(h, RESPONDER), ...ephemeralTexts(h, SECOND_RESPONDER)];
  assert.equal(told.length, 1, 'exactly one of them is told');
  assert.match(told[0]!, /already (running|done)/);
  const states = [(await h.responder.store.getRun(a.runId))?.state, (await h.responder.store.getRun(b.runId))?.state].sort();
  assert.equal(states.filter((s) => s === 'succeeded').length, 1);
  assert.equal((await threadText(h, findingId)).match(/started \*Stop task\*/g)?.length, 1);
});

test('exactly once even when the "already done?" pre-check reads stale state (another replica, an interleaving): the step is not run a second time', async (t) => {
  const w = await startEcsWorld();
  t.after(() => w.close());
  const { aws, h } = w;
  const { findingId } = await serviceTaskFinding(w);
  const a = await openPlan(h, { findingId, action: 'stop_task', user: RESPONDER });
  const b = await openPlan(h, { findingId, action: 'stop_task', user: SECOND_RESPONDER });
  const store = h.responder.store;
  const stale = await store.runsForFinding(findingId); // both merely planned

  await submitAndSettle(h, { runId: a.runId, user: RESPONDER, reason: 'a' });
  assert.equal(aws.callsTo('ecs:StopTask').length, 1);

  // B's first read of the finding's runs does not see A's success yet.
  const fresh = store.runsForFinding.bind(store);
  let staleReads = 1;
  store.runsForFinding = async (id) => (staleReads-- > 0 ? stale : fresh(id));
  t.after(() => {
    store.runsForFinding = fresh;
  });
  await submitAndSettle(h, { runId: b.runId, user: SECOND_RESPONDER, reason: 'b' });

  assert.equal(aws.callsTo('ecs:StopTask').length, 1, 'StopTask still exactly once');
  assert.match(ephemeralTexts(h, SECOND_RESPONDER).join('\n'), /already done/);
  assert.equal((await store.getRun(b.runId))?.state, 'rejected');
  assert.equal((await threadText(h, findingId)).match(/started \*Stop task\*/g)?.length, 1);
});

test('a retried view_submission (the same payload twice, in a row and at once) runs the step once', async (t) => {
  const w = await startEcsWorld();
  t.after(() => w.close());
  const { aws, h } = w;
  const one = await serviceTaskFinding(w, { ecrTag: '1' });
  const modal = await openPlan(h, { findingId: one.findingId, action: 'stop_task', user: RESPONDER });
  const payload = viewSubmissionPayload({ runId: modal.runId, user: RESPONDER, reason: 'retry me' });

  assert.equal((await h.slackRequest({ payload })).status, 200);
  await h.settle();
  assert.equal((await h.slackRequest({ payload })).status, 200);
  await h.settle();
  assert.equal(aws.callsTo('ecs:StopTask').length, 1);
  assert.match(ephemeralTexts(h, RESPONDER).join('\n'), /This confirmation was already submitted \(succeeded\)\. It was not run again/);

  const two = await serviceTaskFinding(w, { ecrTag: '2' });
  const modal2 = await openPlan(h, { findingId: two.findingId, action: 'stop_task', user: RESPONDER });
  const payload2 = viewSubmissionPayload({ runId: modal2.runId, user: RESPONDER, reason: 'retry me at once' });
  // Both findings are on the same service, so they share an incident thread: count what this run adds.
  const startedBefore = (await threadText(h, two.findingId)).match(/started \*Stop task\*/g)?.length ?? 0;
  await Promise.all([h.slackRequest({ payload: payload2 }), h.slackRequest({ payload: payload2 })]);
  await h.settle();
  assert.equal(aws.callsTo('ecs:StopTask').length, 2, 'one more StopTask, for the second finding');
  assert.equal((await threadText(h, two.findingId)).match(/started \*Stop task\*/g)?.length, startedBefore + 1);
});

test('a sample finding gets the buttons, but every plan says "resource not found — this is a sample finding" and nothing can be submitted or called', async (t) => {
  const w = await startEcsWorld();
  t.after(() => w.close());
  const { aws, h } = w;
  const { finding, findingId } = sampleEcsFinding();
  await publishFinding(h, finding);

  const buttons = (await cardButtons(h, findingId)).map((b) => b.action_id.split(':')[1]);
  assert.deepEqual(buttons, ['isolate_task', 'stop_task', 'find_image_tasks', 'stop_all_pin'], 'not ECR: no quarantine/scan');
  for (const action of buttons) {
    const modal = await openPlan(h, { findingId, action: action!, user: RESPONDER });
    assert.ok(modal.text.includes(SAMPLE_FINDING_MESSAGE), `${action}: ${modal.text}`);
    assert.equal(modal.submit, undefined, `${action}: no submit button`);
    // A forged submit of the blocked plan does nothing either.
    await submitAndSettle(h, { runId: modal.runId, user: RESPONDER, reason: 'try anyway' });
  }
  assert.deepEqual(aws.calls, [], 'no AWS call for fake resource ids');
  assert.doesNotMatch(await threadText(h, findingId).catch(() => ''), /started/);
});

test('approval: with AUTHZ_POLICY_FILE requiring it, quarantine asks in the thread; the requester cannot approve their own request, an outsider cannot approve; a second responder approves and it runs', async (t) => {
  const policy = writePolicyFile({ actions: { quarantine_image: { requireApproval: true } } });
  const w = await startEcsWorld({ env: { AUTHZ_POLICY_FILE: policy.path } });
  t.after(async () => {
    await w.close();
    policy.remove();
  });
  const { aws, h } = w;
  const { img, findingId } = await serviceTaskFinding(w);

  const modal = await openPlan(h, { findingId, action: 'quarantine_image', user: RESPONDER });
  assert.equal(modal.submit, 'Ask for approval');
  assert.match(modal.text, /A second responder must approve this in the incident thread before it runs/);
  await submitAndSettle(h, { runId: modal.runId, user: RESPONDER, reason: 'backdoor in base image' });

  assert.deepEqual(await approvalRequests(h, findingId), [modal.runId]);
  assert.match(await threadText(h, findingId), new RegExp(`<@${RESPONDER}> asks to run \\*Quarantine image\\* — reason: backdoor in base image`));
  assert.equal((await h.responder.store.getRun(modal.runId))?.state, 'awaiting_approval');
  const ecrChanges = () => [...aws.callsTo('ecr:BatchGetImage'), ...aws.callsTo('ecr:BatchDeleteImage')].length;
  assert.equal(ecrChanges(), 0, 'nothing ran yet');

  await decideApproval(h, { runId: modal.runId, user: RESPONDER, approve: true });
  await h.settle();
  assert.match(ephemeralTexts(h, RESPONDER).join('\n'), /A second responder must approve this; you requested it/);
  await decideApproval(h, { runId: modal.runId, user: OUTSIDER, approve: true });
  await h.settle();
  assert.match(ephemeralTexts(h, OUTSIDER).join('\n'), /You can't run \*approve Quarantine image\*/);
  assert.equal((await h.responder.store.getRun(modal.runId))?.state, 'awaiting_approval');
  assert.equal(ecrChanges(), 0);
  assert.deepEqual(
    (await audit(w, findingId, 'refused')).map((a) => [a.actor, (a.detail as { reason: string }).reason.slice(0, 13)]),
    [
      [RESPONDER, 'self-approval'],
      [OUTSIDER, 'you are not o'],
    ],
  );

  await decideApproval(h, { runId: modal.runId, user: SECOND_RESPONDER, approve: true });
  await h.settle();
  const run = await h.responder.store.getRun(modal.runId);
  assert.equal(run?.state, 'succeeded');
  assert.equal(run?.approvedBy, SECOND_RESPONDER);
  assert.equal(aws.ecr.repositories.get('checkout')!.images.has(img.digest), false, 'it ran: the image is gone');
  const thread = await threadText(h, findingId);
  assert.match(thread, new RegExp(`<@${SECOND_RESPONDER}> approved \\*Quarantine image\\* requested by <@${RESPONDER}>`));
  assert.match(thread, new RegExp(`<@${RESPONDER}> started \\*Quarantine image\\*, approved by <@${SECOND_RESPONDER}>`));
  assert.match(thread, /Quarantine image\* done/);
  assert.deepEqual(
    (await audit(w, findingId, 'approved')).map((a) => a.actor),
    [SECOND_RESPONDER],
  );

  // A late second approval changes nothing.
  await decideApproval(h, { runId: modal.runId, user: SECOND_RESPONDER, approve: true });
  await h.settle();
  assert.match(ephemeralTexts(h, SECOND_RESPONDER).join('\n'), /This request was already succeeded\. Nothing more was done/);
  assert.equal(aws.callsTo('ecr:BatchDeleteImage').length, 1);

  // Steps the policy does not name run without approval.
  await runAction(h, { findingId, action: 'stop_task', user: RESPONDER, reason: 'now' });
  assert.equal(aws.callsTo('ecs:StopTask').length, 1);
});

test('approval rejected: nothing changes in AWS, the thread says who rejected it, the run is closed', async (t) => {
  const policy = writePolicyFile({ actions: { quarantine_image: { requireApproval: true } } });
  const w = await startEcsWorld({ env: { AUTHZ_POLICY_FILE: policy.path } });
  t.after(async () => {
    await w.close();
    policy.remove();
  });
  const { aws, h } = w;
  const { img, findingId } = await serviceTaskFinding(w);
  const modal = await openPlan(h, { findingId, action: 'quarantine_image', user: RESPONDER });
  await submitAndSettle(h, { runId: modal.runId, user: RESPONDER, reason: 'maybe' });
  const mark = aws.calls.length;

  await decideApproval(h, { runId: modal.runId, user: SECOND_RESPONDER, approve: false });
  await h.settle();
  assert.equal(aws.calls.length, mark, 'no AWS call');
  assert.equal(aws.ecr.repositories.get('checkout')!.images.has(img.digest), true);
  assert.equal((await h.responder.store.getRun(modal.runId))?.state, 'rejected');
  assert.match(
    await threadText(h, findingId),
    new RegExp(`<@${SECOND_RESPONDER}> rejected \\*Quarantine image\\* requested by <@${RESPONDER}>; nothing was changed`),
  );
  assert.deepEqual(
    (await audit(w, findingId, 'rejected')).map((a) => a.actor),
    [SECOND_RESPONDER],
  );

  // Approving after the rejection does nothing.
  await decideApproval(h, { runId: modal.runId, user: SECOND_RESPONDER, approve: true });
  await h.settle();
  assert.equal(aws.calls.length, mark);
  assert.match(ephemeralTexts(h, SECOND_RESPONDER).join('\n'), /already rejected/);
});

test('crash recovery: a run left "running" is reported as interrupted in the thread on restart, is not re-run, and is reported once', async (t) => {
  const w = await startEcsWorld();
  t.after(() => w.close());
  const { aws, h } = w;
  const { task, findingId } = await serviceTaskFinding(w);
  const store = h.responder.store;
  await store.createRun({ runId: 'run-crashed-1', findingId, action: 'stop_task', state: 'planned', requestedBy: RESPONDER, createdAt: h.clock.now() });
  const plan = {
    summary: 'Stop task',
    resources: [task.taskArn],
    apiCalls: [],
    warnings: [],
    data: { cluster: task.clusterArn, taskArn: task.taskArn, serviceName: 'checkout' },
  };
  assert.equal(
    (await store.transitionRun('run-crashed-1', ['planned'], 'running', { plan, input: { inputs: {}, reason: 'before the crash' } }, h.clock.now())).ok,
    true,
  );
  const mark = aws.calls.length;

  await h.restart();
  await h.settle();

  assert.equal((await h.responder.store.getRun('run-crashed-1'))?.state, 'interrupted');
  const thread = await threadText(h, findingId);
  assert.match(thread, new RegExp(`\\*Stop task\\* \\(requested by <@${RESPONDER}>\\) was interrupted by a restart of the responder before it finished`));
  assert.match(thread, /It was not re-run: check the resources, then run it again if needed/);
  assert.match(await cardText(h, findingId), /Stop task interrupted by a restart — check and re-run/);
  assert.deepEqual(aws.calls.slice(mark), [], 'not re-run: no AWS call');
  assert.equal(aws.ecs.task(task.taskArn)!.lastStatus, 'RUNNING');
  assert.deepEqual(
    (await audit(w, findingId, 'interrupted')).map((a) => a.runId),
    ['run-crashed-1'],
  );

  await h.restart();
  await h.settle();
  assert.equal((await threadText(h, findingId)).match(/was interrupted by a restart/g)?.length, 1, 'reported once');

  // The responder can run it again, deliberately.
  await runAction(h, { findingId, action: 'stop_task', user: RESPONDER, reason: 'after checking' });
  assert.equal(aws.callsTo('ecs:StopTask').length, 1);
  assert.equal(aws.ecs.task(task.taskArn)!.lastStatus, 'STOPPED');
});
