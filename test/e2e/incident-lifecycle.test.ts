/**
 * The incident lifecycle end to end, as a responder and a manager see it on the card, in the
 * thread and in GuardDuty: Take it → acknowledged (assignee on the top line), a containing step →
 * contained, Close… with a reason → resolved; False positive… → ArchiveFindings and
 * UpdateFindingsFeedback(NOT_USEFUL, the reason) on the GuardDuty double, recorded on the
 * timeline, and the optional suppression rule a responder (only) confirms with CreateFilter.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OUTSIDER, RESPONDER, SECOND_RESPONDER, startEcsWorld } from '../helpers/ecs-world.js';
import { CHANNEL } from '../helpers/harness.js';
import {
  clickCreateSuppression,
  clickIncidentButton,
  closeFromCard,
  ephemeralsTo,
  HOUR,
  incidentButtons,
  incidentOf,
  incidentThread,
  lastCloseModal,
  MINUTE,
  onlyAnswer,
  publishTaskFinding,
  slash,
  submitCloseModal,
  suppressionButtons,
  taskFinding,
  topLine,
} from '../helpers/incident-world.js';
import { cardButtons, runAction } from '../helpers/slack-interactions.js';

const permalinkOf = (i: { channel?: string; threadTs?: string }) => `https://example.slack.com/archives/${i.channel}/p${i.threadTs!.replace('.', '')}`;

test('Take it → acknowledged with the assignee on the top line; a containing step (Stop task of a standalone task) → contained; Close… with a reason → resolved', async (t) => {
  const w = await startEcsWorld();
  t.after(() => w.close());
  const { h } = w;
  const f = await taskFinding(w); // a standalone task: no service will replace it once stopped
  const incident = await incidentOf(h, f.findingId);
  assert.equal(
    await topLine(h, f.findingId),
    `*${incident.id}* · :rotating_light: Open · 🟠 HIGH 8.0 · _No assignee_ · Open 0s · To acknowledge — (waiting 0s) · To contain — (waiting 0s)`,
  );

  h.clock.advance(5 * MINUTE);
  await clickIncidentButton(h, { findingId: f.findingId, button: 'take', user: RESPONDER });
  let now = (await h.responder.store.getIncident(incident.id))!;
  assert.deepEqual([now.state, now.assignee], ['acknowledged', RESPONDER]);
  assert.equal(
    await topLine(h, f.findingId),
    `*${incident.id}* · :eyes: Acknowledged · 🟠 HIGH 8.0 · Assignee <@${RESPONDER}> · Open 5m · To acknowledge 5m · To contain — (waiting 5m)`,
  );
  assert.deepEqual(
    (await incidentButtons(h, f.findingId)).map((b) => b.text),
    ['Follow', 'Close…', 'False positive…'],
    'Take it is gone once someone has it',
  );
  assert.match(incidentThread(h, incident).at(-1)!, new RegExp(`^:raising_hand: <@${RESPONDER}> took ${incident.id}$`));
  assert.deepEqual(ephemeralsTo(h, RESPONDER), [`:speech_balloon: You took ${incident.id} — posted in <${permalinkOf(incident)}|${incident.id}'s thread>.`]);

  h.clock.advance(10 * MINUTE);
  const containedAt = h.clock.now();
  await runAction(h, { findingId: f.findingId, action: 'stop_task', user: RESPONDER, reason: 'crypto miner' });
  assert.equal(w.aws.ecs.task(f.taskArn)!.lastStatus, 'STOPPED');
  now = (await h.responder.store.getIncident(incident.id))!;
  assert.equal(now.state, 'contained');
  assert.equal(now.containedAt, containedAt);
  assert.match(
    await topLine(h, f.findingId),
    new RegExp(`^\\*${incident.id}\\* · :shield: Contained · 🟠 HIGH 8\\.0 · Assignee <@${RESPONDER}> · Open 15m · To acknowledge 5m · To contain 15m$`),
  );
  assert.ok(
    incidentThread(h, incident).includes(`*${incident.id}* is now *Contained* (was Acknowledged) — by <@${RESPONDER}> — Stop task`),
    `the state change is announced in the thread: ${JSON.stringify(incidentThread(h, incident))}`,
  );

  h.clock.advance(HOUR);
  await closeFromCard(h, { findingId: f.findingId, user: RESPONDER, reason: 'task stopped, image rebuilt without the miner' });
  now = (await h.responder.store.getIncident(incident.id))!;
  assert.deepEqual(
    [now.state, now.closeReason, now.closedBy, now.closedAt],
    ['resolved', 'task stopped, image rebuilt without the miner', RESPONDER, h.clock.now()],
  );
  assert.match(
    await topLine(h, f.findingId),
    new RegExp(`^\\*${incident.id}\\* · :white_check_mark: Resolved · .* · Open 1h 15m · To acknowledge 5m · To contain 15m$`),
  );
  assert.deepEqual(
    (await incidentButtons(h, f.findingId)).map((b) => b.text),
    ['Follow'],
    'a closed incident can only be followed',
  );
  assert.ok(
    incidentThread(h, incident).includes(
      `*${incident.id}* is now *Resolved* (was Contained) — by <@${RESPONDER}> — task stopped, image rebuilt without the miner`,
    ),
  );
  assert.deepEqual(w.aws.callsTo('guardduty:ArchiveFindings'), [], 'resolving archives nothing in GuardDuty');

  const timeline = await h.responder.store.incidentEvents(incident.id);
  assert.deepEqual(
    timeline.map((e) => [
      e.kind,
      e.actor,
      e.kind === 'status_changed' ? `${e.from}→${e.to}` : e.kind === 'executed' || e.kind === 'action_requested' ? e.action : '',
    ]),
    [
      ['finding_seen', 'system', ''],
      ['status_changed', RESPONDER, 'open→acknowledged'],
      ['assigned', RESPONDER, ''],
      ['action_requested', RESPONDER, 'stop_task'],
      ['executed', RESPONDER, 'stop_task'],
      ['status_changed', RESPONDER, 'acknowledged→contained'],
      ['status_changed', RESPONDER, 'contained→resolved'],
    ],
  );

  // Closed: a second close is refused with the reason; a new finding on the task opens a new incident.
  const again = await slash(h, { text: `close ${incident.id} once more`, user: SECOND_RESPONDER });
  assert.equal(onlyAnswer(h, again.id).text, `:warning: ${incident.id} is already resolved (closed); it cannot be changed any more. Nothing was changed.`);
  h.clock.advance(MINUTE);
  const later = await publishTaskFinding(w, {
    ...f,
    taskDefinitionArn: f.event.detail.resource.ecsClusterDetails.taskDetails.definitionArn,
    group: f.event.detail.resource.ecsClusterDetails.taskDetails.group,
  });
  assert.notEqual((await incidentOf(h, later.findingId)).id, incident.id, 'a resolved incident is not re-opened by a new finding');
});

test('Close… on an incident nobody has taken: the responder is told why nothing changed; an empty reason is refused in the modal', async (t) => {
  const w = await startEcsWorld();
  t.after(() => w.close());
  const { h } = w;
  const f = await taskFinding(w, { service: 'checkout' });
  const incident = await incidentOf(h, f.findingId);

  await clickIncidentButton(h, { findingId: f.findingId, button: 'close', user: RESPONDER });
  const modal = lastCloseModal(h);
  assert.match(modal.text, new RegExp(`Close \\*${incident.id}\\* as \\*resolved\\*`));
  assert.match(modal.text, /How was it resolved\?/);
  assert.doesNotMatch(modal.text, /suppression/i, 'only a false positive offers a suppression rule');

  const empty = await submitCloseModal(h, { metadata: modal.metadata, user: RESPONDER, reason: '   ' });
  assert.deepEqual(JSON.parse(empty.body), {
    response_action: 'errors',
    errors: { gd_inc_reason: 'Say why: it goes on the timeline (and to GuardDuty for a false positive).' },
  });

  await submitCloseModal(h, { metadata: modal.metadata, user: RESPONDER, reason: 'looks fine' });
  assert.equal((await h.responder.store.getIncident(incident.id))!.state, 'open', 'nothing changed');
  assert.deepEqual(ephemeralsTo(h, RESPONDER), [
    `:warning: nobody has taken ${incident.id} yet: press Take it (or assign someone) before resolving it, or mark it a false positive. Nothing was changed.`,
  ]);
  assert.equal(incidentThread(h, incident).length, 0, 'nothing in the thread');
});

test('Close… and False positive… are refused to a non-responder before any modal opens', async (t) => {
  const w = await startEcsWorld();
  t.after(() => w.close());
  const { h } = w;
  const f = await taskFinding(w, { service: 'checkout' });
  const incident = await incidentOf(h, f.findingId);
  for (const button of ['close', 'falsePositive', 'take'] as const) await clickIncidentButton(h, { findingId: f.findingId, button, user: OUTSIDER });
  assert.equal(h.slack.callsTo('views.open').length, 0);
  const told = ephemeralsTo(h, OUTSIDER);
  assert.equal(told.length, 3);
  assert.match(told[0]!, /^:lock: You may not close incidents: you are not on the list of people allowed to run "close"/);
  assert.match(told[1]!, /^:lock: You may not false-positive incidents: you are not on the list of people allowed to run "false-positive"/);
  assert.match(told[2]!, /^:lock: You may not take incidents: /);
  const now = (await h.responder.store.getIncident(incident.id))!;
  assert.deepEqual([now.state, now.assignee], ['open', undefined]);
});

test('False positive… with the suppression checkbox: ArchiveFindings + UpdateFindingsFeedback(NOT_USEFUL, reason) for every finding, on the timeline; the proposed rule is created by a responder only (CreateFilter)', async (t) => {
  const w = await startEcsWorld();
  t.after(() => w.close());
  const { aws, h } = w;
  const detectorId = aws.guardduty.detectorId!;
  const f1 = await taskFinding(w, { service: 'checkout' });
  h.clock.advance(20 * MINUTE);
  const f2 = await publishTaskFinding(w, {
    ...f1,
    taskDefinitionArn: f1.event.detail.resource.ecsClusterDetails.taskDetails.definitionArn,
    group: 'service:checkout',
  });
  const incident = await incidentOf(h, f1.findingId);
  assert.equal((await incidentOf(h, f2.findingId)).id, incident.id);

  await clickIncidentButton(h, { findingId: f1.findingId, button: 'falsePositive', user: SECOND_RESPONDER });
  const modal = lastCloseModal(h);
  assert.match(modal.text, /Why is this a false positive\?/);
  assert.match(modal.text, /Propose a suppression rule for findings like these/);
  const reason = 'pentest by the red team (ticket SEC-1234) — <not> a real shell';
  await submitCloseModal(h, { metadata: modal.metadata, user: SECOND_RESPONDER, reason, propose: true });

  const now = (await h.responder.store.getIncident(incident.id))!;
  assert.deepEqual([now.state, now.closeReason, now.closedBy], ['false_positive', reason, SECOND_RESPONDER]);
  const archive = aws.callsTo('guardduty:ArchiveFindings');
  const feedback = aws.callsTo('guardduty:UpdateFindingsFeedback');
  assert.equal(archive.length, 1, 'one ArchiveFindings call for both findings');
  assert.equal(feedback.length, 1);
  const params = (c: (typeof archive)[number]) => c.params as { labels: Record<string, string>; body: Record<string, unknown> };
  assert.equal(params(archive[0]!).labels.DetectorId, detectorId);
  assert.deepEqual(params(archive[0]!).body, { findingIds: [f1.findingId, f2.findingId] });
  assert.equal(params(feedback[0]!).labels.DetectorId, detectorId);
  assert.deepEqual(params(feedback[0]!).body, { findingIds: [f1.findingId, f2.findingId], feedback: 'NOT_USEFUL', comments: reason });
  assert.deepEqual([...aws.guardduty.archived].sort(), [f1.findingId, f2.findingId].sort());
  assert.deepEqual(aws.guardduty.feedback.get(f1.findingId), { feedback: 'NOT_USEFUL', comments: reason });

  const timeline = await h.responder.store.incidentEvents(incident.id);
  assert.deepEqual(
    timeline.filter((e) => e.kind === 'executed').map((e) => e.kind === 'executed' && [e.action, e.status, e.actor, e.headline]),
    [
      ['archive_findings', 'succeeded', SECOND_RESPONDER, '2 finding(s) in 123456789012/us-east-1'],
      ['finding_feedback', 'succeeded', SECOND_RESPONDER, '2 finding(s) in 123456789012/us-east-1'],
    ],
  );
  const thread = incidentThread(h, incident);
  assert.ok(
    thread.includes(
      `*${incident.id}* is now *False positive* (was Open) — by <@${SECOND_RESPONDER}> — pentest by the red team (ticket SEC-1234) — &lt;not&gt; a real shell`,
    ),
  );
  const closeOut = thread.find((m) => m.includes(`GuardDuty close-out for ${incident.id}`));
  assert.ok(closeOut);
  assert.match(closeOut, /^:white_check_mark: /);
  assert.ok(closeOut.includes(`Archived 2/2 finding(s) in 123456789012 us-east-1 (request ids ${archive[0]!.requestId})`));
  assert.ok(closeOut.includes(`NOT_USEFUL feedback sent for 2/2 finding(s) in 123456789012 us-east-1 (request ids ${feedback[0]!.requestId})`));
  const proposal = thread.find((m) => m.includes('Proposed suppression rule'));
  assert.ok(proposal, 'the proposed rule is shown in the thread');
  assert.match(proposal, new RegExp(`\`gd-responder-${incident.id}\``));
  assert.match(proposal, /`type` = `Execution:Runtime\/ReverseShell`/);
  assert.match(proposal, /`resource\.ecsClusterDetails\.name` = `prod`/);
  assert.match(proposal, /Create this suppression rule/);
  assert.deepEqual(suppressionButtons(h, incident), [incident.id]);
  assert.deepEqual(aws.callsTo('guardduty:CreateFilter'), [], 'nothing is created before a responder confirms');

  // A non-responder clicking it is refused, with the reason, and nothing is created.
  await clickCreateSuppression(h, { incidentId: incident.id, user: OUTSIDER, channel: CHANNEL });
  assert.deepEqual(aws.callsTo('guardduty:CreateFilter'), []);
  assert.match(
    ephemeralsTo(h, OUTSIDER).join('\n'),
    /You can't run \*create a suppression rule\*: you are not on the list of people allowed to run "create_suppression"/,
  );
  assert.ok(
    (await h.responder.store.incidentEvents(incident.id)).some(
      (e) => e.kind === 'note' && e.actor === OUTSIDER && /^refused: create suppression rule/.test(e.text),
    ),
  );

  await clickCreateSuppression(h, { incidentId: incident.id, user: RESPONDER, channel: CHANNEL });
  const create = aws.callsTo('guardduty:CreateFilter');
  assert.equal(create.length, 1);
  const body = params(create[0]!).body as {
    name: string;
    action: string;
    description: string;
    clientToken: string;
    findingCriteria: { criterion: Record<string, unknown> };
  };
  assert.equal(params(create[0]!).labels.DetectorId, detectorId);
  assert.equal(body.name, `gd-responder-${incident.id}`);
  assert.equal(body.action, 'ARCHIVE');
  assert.equal(body.description, `False positive ${incident.id}: ${incident.title}`);
  assert.equal(body.clientToken, `gd-responder-${incident.id}`);
  assert.deepEqual(body.findingCriteria.criterion, {
    type: { equals: ['Execution:Runtime/ReverseShell'] },
    'resource.ecsClusterDetails.name': { equals: ['prod'] },
    'resource.ecsClusterDetails.taskDetails.definitionArn': { equals: [f1.event.detail.resource.ecsClusterDetails.taskDetails.definitionArn] },
    'service.runtimeDetails.process.executableSha256': { equals: [f1.event.detail.service.runtimeDetails.process.executableSha256] },
  });
  assert.equal(aws.guardduty.filters.get(`gd-responder-${incident.id}`)?.action, 'ARCHIVE');
  assert.ok(
    incidentThread(h, incident).some((m) =>
      m.startsWith(
        `:mute: <@${RESPONDER}> created GuardDuty suppression rule *gd-responder-${incident.id}* in 123456789012 us-east-1 (request ids ${create[0]!.requestId})`,
      ),
    ),
  );
  assert.ok(
    (await h.responder.store.incidentEvents(incident.id)).some(
      (e) =>
        e.kind === 'executed' && e.action === 'create_suppression' && e.actor === RESPONDER && e.headline === `suppression rule gd-responder-${incident.id}`,
    ),
    'the timeline records who created the rule',
  );
  // Clicked again (another responder): not created twice, and no failure for a rule that exists.
  await clickCreateSuppression(h, { incidentId: incident.id, user: SECOND_RESPONDER, channel: CHANNEL });
  assert.equal(aws.callsTo('guardduty:CreateFilter').length, 1);
  assert.equal(
    incidentThread(h, incident).at(-1),
    `:information_source: The suppression rule for ${incident.id} was already created by <@${RESPONDER}> (suppression rule gd-responder-${incident.id}). Nothing was created again.`,
  );
  assert.ok(!(await h.responder.store.incidentEvents(incident.id)).some((e) => e.kind === 'failed'), 'no failure on the timeline');
  // The card: closed as a false positive, the remediation steps still reachable.
  assert.match(await topLine(h, f1.findingId), /:heavy_minus_sign: False positive/);
  assert.ok((await cardButtons(h, f1.findingId)).length > 0);
});

test('False positive… without the checkbox, and `/guardduty false-positive INC-n REASON`: archive + feedback, no rule proposed', async (t) => {
  const w = await startEcsWorld();
  t.after(() => w.close());
  const { aws, h } = w;
  const a = await taskFinding(w, { service: 'checkout' });
  const b = await taskFinding(w, { service: 'billing', repository: 'billing' });
  const incA = await incidentOf(h, a.findingId);
  const incB = await incidentOf(h, b.findingId);

  await closeFromCard(h, { findingId: a.findingId, user: RESPONDER, reason: 'known scanner', falsePositive: true, propose: false });
  const cmd = await slash(h, { text: `false-positive ${incB.id} load test from <@${SECOND_RESPONDER}|second>'s team`, user: RESPONDER });
  assert.equal(onlyAnswer(h, cmd.id).text, `:speech_balloon: ${incB.id} marked as a false positive — posted in <${permalinkOf(incB)}|${incB.id}'s thread>.`);
  const bodies = aws.callsTo('guardduty:UpdateFindingsFeedback').map((c) => (c.params as { body: unknown }).body);
  assert.deepEqual(bodies, [
    { findingIds: [a.findingId], feedback: 'NOT_USEFUL', comments: 'known scanner' },
    { findingIds: [b.findingId], feedback: 'NOT_USEFUL', comments: "load test from @second's team" },
  ]);
  assert.deepEqual(
    aws.callsTo('guardduty:ArchiveFindings').map((c) => (c.params as { body: unknown }).body),
    [{ findingIds: [a.findingId] }, { findingIds: [b.findingId] }],
  );
  for (const inc of [incA, incB]) {
    assert.equal((await h.responder.store.getIncident(inc.id))!.state, 'false_positive');
    assert.deepEqual(suppressionButtons(h, inc), [], 'no rule proposed');
    assert.ok(incidentThread(h, inc).some((m) => m.includes(`GuardDuty close-out for ${inc.id}`)));
  }
});

test('Isolate task → contained; Release isolation → back to acknowledged, the time to contain kept; Stop task of a service task does not contain (a replacement starts)', async (t) => {
  const w = await startEcsWorld();
  t.after(() => w.close());
  const { aws, h } = w;
  const net = aws.seed.network();
  aws.ec2.addSubnet({ vpcId: net.vpc.vpcId, cidrBlock: '10.0.32.0/20' });
  const host = aws.seed.containerInstance({ cluster: 'legacy', subnetId: net.subnet.subnetId });
  const img = aws.seed.image({ repository: 'worker', tag: '7' });
  const task = aws.seed.bridgeTask({ cluster: 'legacy', service: 'worker', image: img.uri, digest: img.digest, instanceId: host.instance.instanceId });
  const f = await publishTaskFinding(w, {
    taskArn: task.taskArn,
    clusterArn: task.clusterArn,
    image: img.uri,
    digest: img.digest,
    taskDefinitionArn: task.task.taskDefinitionArn!,
    group: task.task.group!,
  });
  const incident = await incidentOf(h, f.findingId);

  h.clock.advance(7 * MINUTE);
  await runAction(h, { findingId: f.findingId, action: 'isolate_task', user: SECOND_RESPONDER, reason: 'worker compromised' });
  let now = (await h.responder.store.getIncident(incident.id))!;
  assert.equal(now.state, 'contained', 'containment straight from open');
  assert.equal(now.assignee, undefined, 'containing does not assign anyone');
  assert.match(await topLine(h, f.findingId), /:shield: Contained · .* · _No assignee_ · Open 7m · To acknowledge 7m · To contain 7m$/);
  assert.ok(incidentThread(h, incident).includes(`*${incident.id}* is now *Contained* (was Open) — by <@${SECOND_RESPONDER}> — Isolate task`));

  h.clock.advance(30 * MINUTE);
  await runAction(h, { findingId: f.findingId, action: 'release_isolation', user: SECOND_RESPONDER });
  now = (await h.responder.store.getIncident(incident.id))!;
  assert.equal(now.state, 'acknowledged');
  assert.match(await topLine(h, f.findingId), /:eyes: Acknowledged · .* · Open 37m · To acknowledge 7m · To contain 7m$/, 'time to contain is history: kept');
  assert.ok(incidentThread(h, incident).includes(`*${incident.id}* is now *Acknowledged* (was Contained) — by <@${SECOND_RESPONDER}> — Release isolation`));

  // Stopping one task of a service does not contain it: the scheduler starts a replacement.
  await runAction(h, { findingId: f.findingId, action: 'stop_task', user: SECOND_RESPONDER, reason: 'stop it' });
  assert.equal(aws.ecs.task(task.taskArn)!.lastStatus, 'STOPPED');
  assert.equal((await h.responder.store.getIncident(incident.id))!.state, 'acknowledged');
  const timeline = await h.responder.store.incidentEvents(incident.id);
  assert.ok(
    timeline.some((e) => e.kind === 'executed' && e.action === 'stop_task'),
    'the stop is on the timeline',
  );
});
