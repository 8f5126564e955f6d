/**
 * A remediation command and the card's button are one code path: `/guardduty stop TASK` opens the
 * same confirmation as the card's Stop task (with the command's trigger_id), is authorized the
 * same way, runs exactly once whichever of the two is submitted, and reports in the incident's
 * thread — the caller, typing in another channel, gets a link to that thread.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OUTSIDER, RESPONDER, SECOND_RESPONDER, startEcsWorld } from '../helpers/ecs-world.js';
import { incidentOf, incidentThread, onlyAnswer, OTHER_CHANNEL, publishTaskFinding, slash, taskFinding, topLevelPosts } from '../helpers/incident-world.js';
import { CHANNEL } from '../helpers/harness.js';
import { ephemeralTexts, lastModal, openPlan, submitAndSettle } from '../helpers/slack-interactions.js';

test("/guardduty stop TASK from another channel and the card's Stop task: the same confirmation, StopTask exactly once, the result in the incident thread, a link for the caller", async (t) => {
  const w = await startEcsWorld();
  t.after(() => w.close());
  const { aws, h } = w;
  h.slack.notInChannel.add(OTHER_CHANNEL); // the bot is not in the channel the command is typed in
  const f = await taskFinding(w, { service: 'checkout' });
  const incident = await incidentOf(h, f.findingId);
  const mark = aws.calls.length;

  const cmd = await slash(h, { text: `stop ${f.taskArn}`, user: RESPONDER, channel: OTHER_CHANNEL });
  assert.equal(cmd.status, 200);
  const opens = h.slack.callsTo('views.open');
  assert.equal(opens.length, 1);
  assert.equal(opens[0]!.args.trigger_id, cmd.triggerId, "the confirmation is opened with the command's trigger_id");
  const viaCommand = lastModal(h);
  assert.equal(viaCommand.submit, 'Stop task');
  assert.equal(aws.callsTo('ecs:StopTask').length, 0, 'nothing is stopped before confirming');
  assert.deepEqual(
    aws.calls
      .slice(mark)
      .map((c) => `${c.service}:${c.op}`)
      .filter((op) => !/:(Describe|List|Get)/.test(op)),
    [],
    'the command only read the live state to plan',
  );
  const answer = onlyAnswer(h, cmd.id);
  assert.equal(answer.responseType, 'ephemeral');
  assert.equal(
    answer.text,
    `:speech_balloon: stop: progress and the result — will be posted in <https://example.slack.com/archives/${CHANNEL}/p${incident.threadTs!.replace('.', '')}|${incident.id}'s thread>.`,
  );

  // Another responder opens the same step from the card: the same plan, a separate confirmation.
  const viaButton = await openPlan(h, { findingId: f.findingId, action: 'stop_task', user: SECOND_RESPONDER });
  assert.notEqual(viaButton.runId, viaCommand.runId);
  assert.equal(viaButton.text, viaCommand.text, 'the command shows exactly the confirmation the button shows');
  assert.equal(viaButton.submit, viaCommand.submit);

  await submitAndSettle(h, { runId: viaCommand.runId, user: RESPONDER, reason: 'reverse shell' });
  assert.equal(aws.callsTo('ecs:StopTask').length, 1);
  assert.equal(aws.ecs.task(f.taskArn)!.lastStatus, 'STOPPED');
  await submitAndSettle(h, { runId: viaButton.runId, user: SECOND_RESPONDER, reason: 'me too' });
  assert.equal(aws.callsTo('ecs:StopTask').length, 1, 'StopTask exactly once');
  assert.match(
    ephemeralTexts(h, SECOND_RESPONDER).join('\n'),
    new RegExp(`\\*Stop task\\* was already done by <@${RESPONDER}> after you opened this confirmation, so it was not run again`),
  );
  assert.deepEqual(
    [(await h.responder.store.getRun(viaCommand.runId))?.state, (await h.responder.store.getRun(viaButton.runId))?.state],
    ['succeeded', 'rejected'],
  );

  // The result is in the incident's thread (in the security channel), not where the command was typed.
  const thread = incidentThread(h, incident).join('\n');
  assert.equal(thread.match(new RegExp(`<@${RESPONDER}> started \\*Stop task\\* — reason: reverse shell`, 'g'))?.length, 1);
  assert.equal(thread.match(/:white_check_mark: \*Stop task\* done/g)?.length, 1);
  assert.equal(h.slack.callsTo('chat.postMessage').filter((c) => c.args.channel === OTHER_CHANNEL).length, 0);
  assert.equal(topLevelPosts(h, CHANNEL).length, 1, 'only the card at top level');
  // Audit and timeline: one requested/started/result, by the command's caller.
  const audit = await h.responder.store.auditFor(f.findingId);
  assert.deepEqual(
    audit.filter((a) => a.event === 'started').map((a) => a.actor),
    [RESPONDER],
  );
  const timeline = await h.responder.store.incidentEvents(incident.id);
  assert.deepEqual(
    timeline.filter((e) => e.kind === 'executed').map((e) => [e.actor, e.kind === 'executed' && e.action]),
    [[RESPONDER, 'stop_task']],
  );
});

test("the button first, the command after: the command's confirmation is told it was already done; still one StopTask", async (t) => {
  const w = await startEcsWorld();
  t.after(() => w.close());
  const { aws, h } = w;
  const f = await taskFinding(w, { service: 'checkout' });
  const cmd = await slash(h, { text: `stop ${f.findingId}`, user: SECOND_RESPONDER });
  const viaCommand = lastModal(h);
  const viaButton = await openPlan(h, { findingId: f.findingId, action: 'stop_task', user: RESPONDER });
  await submitAndSettle(h, { runId: viaButton.runId, user: RESPONDER, reason: 'from the card' });
  await submitAndSettle(h, { runId: viaCommand.runId, user: SECOND_RESPONDER, reason: 'from the command' });
  assert.equal(aws.callsTo('ecs:StopTask').length, 1);
  assert.match(ephemeralTexts(h, SECOND_RESPONDER).join('\n'), new RegExp(`was already done by <@${RESPONDER}>`));
  assert.equal(onlyAnswer(h, cmd.id).responseType, 'ephemeral');
});

test("a command on a finding that joined an incident reports in the incident's thread (not under the joined card)", async (t) => {
  const w = await startEcsWorld();
  t.after(() => w.close());
  const { aws, h } = w;
  const first = await taskFinding(w, { service: 'checkout' });
  // A second task of the same service (same task definition family): the finding joins INC-1.
  const img = aws.seed.image({ repository: 'checkout', tag: '1.4' });
  const task2 = aws.seed.fargateTask({ cluster: 'prod', service: 'checkout', image: img.uri, digest: img.digest });
  const second = await publishTaskFinding(w, {
    taskArn: task2.taskArn,
    clusterArn: task2.clusterArn,
    image: img.uri,
    digest: img.digest,
    taskDefinitionArn: task2.task.taskDefinitionArn!,
    group: task2.task.group!,
  });
  const incident = await incidentOf(h, first.findingId);
  assert.equal((await incidentOf(h, second.findingId)).id, incident.id);

  const cmd = await slash(h, { text: `stop ${task2.taskArn}`, user: RESPONDER });
  await submitAndSettle(h, { runId: lastModal(h).runId, user: RESPONDER, reason: 'second task' });
  assert.deepEqual(
    aws.callsTo('ecs:StopTask').map((c) => (c.params as { task: string }).task),
    [task2.taskArn],
  );
  assert.equal(aws.ecs.task(first.taskArn)!.lastStatus, 'RUNNING');
  const secondCard = (await h.responder.store.getFinding(second.findingId))!;
  const inThread = h.slack
    .callsTo('chat.postMessage')
    .filter((c) => c.args.thread_ts === incident.threadTs)
    .map((c) => JSON.stringify(c.args.blocks));
  assert.ok(
    inThread.some((b) => /Stop task\* done/.test(b)),
    'the result is in the incident thread',
  );
  assert.equal(
    h.slack.callsTo('chat.postMessage').filter((c) => c.args.thread_ts === secondCard.ts).length,
    0,
    'nothing is threaded under the joined card itself',
  );
  assert.match(onlyAnswer(h, cmd.id).text, new RegExp(`${incident.id}'s thread`));
});

test('a command is authorized like the button: an outsider is refused at once (answered at the response_url), no confirmation, no AWS call', async (t) => {
  const w = await startEcsWorld();
  t.after(() => w.close());
  const { aws, h } = w;
  h.slack.notInChannel.add(OTHER_CHANNEL);
  const f = await taskFinding(w, { service: 'checkout' });
  const mark = aws.calls.length;
  const cmd = await slash(h, { text: `stop ${f.taskArn}`, user: OUTSIDER, channel: OTHER_CHANNEL });
  assert.equal(h.slack.callsTo('views.open').length, 0, 'no confirmation');
  assert.deepEqual(aws.calls.slice(mark), [], 'no AWS call at all');
  const said = onlyAnswer(h, cmd.id);
  assert.equal(said.responseType, 'ephemeral');
  assert.equal(
    said.text,
    `:lock: You can't run *Stop task*: you are not on the list of people allowed to run "stop_task" (ask your security lead to add you). Nothing was changed.`,
    'only the refusal: no promise that a result will be posted',
  );
  assert.deepEqual(h.slack.callsTo('chat.postEphemeral'), [], 'not through chat.postEphemeral (the bot is not in that channel)');
  const refused = (await h.responder.store.auditFor(f.findingId)).filter((a) => a.event === 'refused');
  assert.deepEqual(
    refused.map((a) => [a.actor, (a.detail as { at: string }).at]),
    [[OUTSIDER, 'click']],
  );
  assert.deepEqual(await h.responder.store.runsForFinding(f.findingId), []);
});
