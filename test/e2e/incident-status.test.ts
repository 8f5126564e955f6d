/**
 * The manager's view through `/guardduty status` and `/guardduty timeline`, end to end: the
 * summary in the Conditions / Actions / Needs form, with time open, time to acknowledge and time
 * to contain computed on the injected clock (moved between steps); the open incidents by
 * severity; and the Markdown export uploaded into the incident's thread.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { failStopTaskFor, RESPONDER, SECOND_RESPONDER, startEcsWorld, writePolicyFile } from '../helpers/ecs-world.js';
import { CHANNEL } from '../helpers/harness.js';
import { clickIncidentButton, HOUR, incidentOf, MINUTE, onlyAnswer, OTHER_CHANNEL, slash, taskFinding, topLine } from '../helpers/incident-world.js';
import { decideApproval, lastModal, submitAndSettle } from '../helpers/slack-interactions.js';

const linkTo = (i: { id: string; channel?: string; threadTs?: string }, label = `${i.id}`) =>
  `<https://example.slack.com/archives/${i.channel}/p${i.threadTs!.replace('.', '')}|${label}>`;

/** Section texts of a status answer, by title (Conditions, Actions, Needs, Timeline…). */
function sections(text: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const part of text.split('\n*').map((p, i) => (i === 0 ? p : `*${p}`))) {
    const m = /^\*(Conditions|Actions|Needs|Timeline[^*]*)\*\n([\s\S]*)$/.exec(part);
    if (m) out[m[1]!.startsWith('Timeline') ? 'Timeline' : m[1]!] = m[2]!.split('\n');
  }
  return out;
}

test('status INC-n: Conditions / Actions / Needs, and the timings on the injected clock as it moves (acknowledged after 12m, contained after 25m, open until closed)', async (t) => {
  const w = await startEcsWorld();
  t.after(() => w.close());
  const { h } = w;
  const f = await taskFinding(w, { repository: 'payments', tag: '3.2' }); // a standalone task
  const incident = await incidentOf(h, f.findingId);
  const taskId = f.taskArn.split('/').pop()!;

  h.clock.advance(12 * MINUTE);
  let s = await slash(h, { text: `status ${incident.id}`, user: SECOND_RESPONDER, channel: OTHER_CHANNEL });
  let a = onlyAnswer(h, s.id);
  assert.equal(a.responseType, 'ephemeral', 'outside the incident channel only the caller sees it');
  assert.ok(a.text.startsWith(`${incident.id} · A process in an ECS task opened a reverse shell.\n`), a.text);
  assert.ok(
    a.text.includes(
      `*${incident.id}* · :rotating_light: Open · 🟠 HIGH 8.0 · _No assignee_ · Open 12m · To acknowledge — (waiting 12m) · To contain — (waiting 12m)`,
    ),
    a.text,
  );
  let parts = sections(a.text);
  assert.deepEqual(parts.Conditions, [
    `• ECS task ${taskId} in cluster prod, FARGATE — image ${f.image}`,
    '• Execution:Runtime/ReverseShell — HIGH 8.0, seen 3 times',
    '• Process /usr/bin/bash (pid 2319, user app)',
    '• In account 123456789012, us-east-1',
  ]);
  assert.deepEqual(parts.Actions, ['_nothing done yet_']);
  assert.deepEqual(parts.Needs, [
    `• No assignee — press Take it, or /guardduty assign ${incident.id} @someone`,
    '• Not contained — isolate or stop the task',
    `• Image still in ECR (not quarantined): ${f.image}`,
    '• Blast radius unknown — find the other tasks running the image',
  ]);
  assert.ok(
    a.text.includes(`0 followers · ${linkTo(incident, 'Open the thread')} · \`/guardduty timeline ${incident.id}\` exports the full timeline as Markdown`),
  );

  // Taken at 12 m, the task stopped (contained) at 25 m — by a command typed in another channel.
  await clickIncidentButton(h, { findingId: f.findingId, button: 'take', user: RESPONDER });
  h.clock.advance(13 * MINUTE);
  const stop = await slash(h, { text: `stop ${f.taskArn}`, user: RESPONDER, channel: OTHER_CHANNEL });
  assert.match(onlyAnswer(h, stop.id).text, /will be posted in/);
  await submitAndSettle(h, { runId: lastModal(h).runId, user: RESPONDER, reason: 'reverse shell' });

  h.clock.advance(HOUR + 10 * MINUTE);
  s = await slash(h, { text: `status ${incident.id}`, user: SECOND_RESPONDER, channel: CHANNEL });
  a = onlyAnswer(h, s.id);
  assert.equal(a.responseType, 'in_channel', "in the incident's own channel the summary is shared");
  assert.ok(a.text.includes(`:shield: Contained · 🟠 HIGH 8.0 · Assignee <@${RESPONDER}> · Open 1h 35m · To acknowledge 12m · To contain 25m`), a.text);
  parts = sections(a.text);
  assert.deepEqual(parts.Actions, [
    `• \`10:12\` Taken by <@${RESPONDER}>`,
    `• \`10:25\` Stop task by <@${RESPONDER}>: task stopped (ECS status STOPPED → desired STOPPED)`,
    `• \`10:25\` Marked Contained by <@${RESPONDER}>: Stop task`,
  ]);
  assert.deepEqual(parts.Needs, [`• Image still in ECR (not quarantined): ${f.image}`, '• Blast radius unknown — find the other tasks running the image']);
  assert.ok(parts.Timeline!.some((l) => l.includes(`Finding ${f.findingId} joined: Execution:Runtime/ReverseShell, severity 8.0`)));
  assert.ok(parts.Timeline!.some((l) => l.includes(`Stop task requested by <@${RESPONDER}> — reason: reverse shell`)));

  // By finding id and by task ARN: the same incident.
  for (const subject of [f.findingId, f.taskArn]) {
    const by = await slash(h, { text: `status ${subject}`, user: SECOND_RESPONDER });
    assert.ok(onlyAnswer(h, by.id).text.includes(`Open 1h 35m · To acknowledge 12m · To contain 25m`), subject);
  }

  // Closed: the clock keeps moving, time open stops at the close.
  h.clock.advance(20 * MINUTE);
  await slash(h, { text: `close ${incident.id} replaced by a clean image`, user: RESPONDER });
  h.clock.advance(3 * HOUR);
  s = await slash(h, { text: `status ${incident.id}`, user: SECOND_RESPONDER });
  a = onlyAnswer(h, s.id);
  assert.ok(
    a.text.includes(`:white_check_mark: Resolved · 🟠 HIGH 8.0 · Assignee <@${RESPONDER}> · Open 1h 55m · To acknowledge 12m · To contain 25m`),
    a.text,
  );
  assert.deepEqual(sections(a.text).Needs, [`• Nothing — closed as resolved by <@${RESPONDER}>: replaced by a clean image`]);
  assert.equal(sections(a.text).Actions!.at(-1), `• \`11:55\` Marked Resolved by <@${RESPONDER}>: replaced by a clean image`);
});

test('status with no argument: the open incidents grouped by severity, each with state, assignee, age and a link to its thread; closed ones drop out', async (t) => {
  const w = await startEcsWorld();
  t.after(() => w.close());
  const { h } = w;
  const high = await taskFinding(w, { service: 'checkout' });
  h.clock.advance(30 * MINUTE);
  const critical = await taskFinding(w, { service: 'billing', repository: 'billing', severity: 9.5 });
  h.clock.advance(15 * MINUTE);
  const medium = await taskFinding(w, { service: 'search', repository: 'search', severity: 5 });
  h.clock.advance(5 * MINUTE);
  const [incH, incC, incM] = [await incidentOf(h, high.findingId), await incidentOf(h, critical.findingId), await incidentOf(h, medium.findingId)];
  await clickIncidentButton(h, { findingId: critical.findingId, button: 'take', user: SECOND_RESPONDER });

  const s = await slash(h, { text: 'status', user: RESPONDER });
  const a = onlyAnswer(h, s.id);
  assert.equal(a.responseType, 'ephemeral');
  assert.equal(
    a.text,
    [
      "*Open incidents: 3* · `/guardduty status INC-n` for one incident's summary",
      `🔴 *Critical* (1)\n*${linkTo(incC)}* · A process in an ECS task opened a reverse shell. · :eyes: Acknowledged · <@${SECOND_RESPONDER}> · open 20m`,
      `🟠 *High* (1)\n*${linkTo(incH)}* · A process in an ECS task opened a reverse shell. · :rotating_light: Open · _no assignee_ · open 50m`,
      `🟡 *Medium* (1)\n*${linkTo(incM)}* · A process in an ECS task opened a reverse shell. · :rotating_light: Open · _no assignee_ · open 5m`,
    ].join('\n'),
  );

  await slash(h, { text: `false-positive ${incH.id} scanner`, user: RESPONDER });
  const after = onlyAnswer(h, (await slash(h, { text: 'status', user: RESPONDER })).id).text;
  assert.match(after, /Open incidents: 2/);
  assert.doesNotMatch(after, new RegExp(`\\|${incH.id}>`));
});

test('timeline INC-n: the Markdown export (header facts, summary, findings, every event with who and when) is uploaded into the incident thread; the caller gets the link', async (t) => {
  const w = await startEcsWorld();
  t.after(() => w.close());
  const { h } = w;
  const f = await taskFinding(w, { service: 'checkout' });
  const incident = await incidentOf(h, f.findingId);
  h.clock.advance(3 * MINUTE);
  await slash(h, { text: `assign ${incident.id} <@${SECOND_RESPONDER}|second>`, user: RESPONDER });
  h.clock.advance(40 * MINUTE);

  const s = await slash(h, { text: `timeline ${incident.id}`, user: RESPONDER, channel: OTHER_CHANNEL });
  assert.equal(onlyAnswer(h, s.id).text, `:speech_balloon: The ${incident.id} timeline (Markdown) — posted in ${linkTo(incident, `${incident.id}'s thread`)}.`);
  const files = [...h.slack.files.values()];
  assert.equal(files.length, 1);
  const file = files[0]!;
  assert.equal(file.filename, `${incident.id}-timeline.md`);
  assert.deepEqual(file.completed, { channel_id: CHANNEL, thread_ts: incident.threadTs, title: `${incident.id} timeline` });
  const md = file.content ?? '';
  assert.ok(md.startsWith(`# ${incident.id} — A process in an ECS task opened a reverse shell.\n`), md);
  for (const row of [
    '| State | Acknowledged |',
    '| Severity | HIGH 8.0 |',
    `| Assignee | @${SECOND_RESPONDER} |`,
    '| Opened | 2026-11-28 10:00:00 UTC |',
    '| Time open | 43m |',
    '| Time to acknowledge | 3m |',
    '| Time to contain | not contained |',
  ]) {
    assert.ok(md.includes(row), `${row} in\n${md}`);
  }
  assert.match(md, /## Conditions\n\n- ECS task /);
  assert.match(md, new RegExp(`## Actions\n\n- Assigned to @${SECOND_RESPONDER} by @${RESPONDER}`));
  assert.match(md, /## Needs\n\n- Not contained — isolate or stop the task/);
  assert.ok(md.includes(`| \`${f.findingId}\` | \`Execution:Runtime/ReverseShell\` | 8.0 | 3 |`));
  assert.ok(md.includes(`| 2026-11-28 10:00:00 UTC | system | Finding ${f.findingId} joined: Execution:Runtime/ReverseShell, severity 8.0`));
  assert.ok(md.includes(`| 2026-11-28 10:03:00 UTC | @${RESPONDER} | Open → Acknowledged by @${RESPONDER} |`));
  assert.ok(md.includes(`| 2026-11-28 10:03:00 UTC | @${RESPONDER} | Assigned to @${SECOND_RESPONDER} by @${RESPONDER} |`));
  assert.ok(md.includes('_Exported 2026-11-28 10:43:00 UTC._'));
});

test('the timeline records who and when for every kind of event — requested, approved (second person), executed, failed — in status and in the Markdown export', async (t) => {
  const policy = writePolicyFile({ actions: { quarantine_image: { requireApproval: true } } });
  const w = await startEcsWorld({ env: { AUTHZ_POLICY_FILE: policy.path } });
  t.after(async () => {
    await w.close();
    policy.remove();
  });
  const { aws, h } = w;
  const f = await taskFinding(w, { service: 'checkout' });
  const incident = await incidentOf(h, f.findingId);
  const restore = failStopTaskFor(aws, f.taskArn);

  h.clock.advance(2 * MINUTE);
  await slash(h, { text: `stop ${f.taskArn}`, user: RESPONDER });
  await submitAndSettle(h, { runId: lastModal(h).runId, user: RESPONDER, reason: 'first try' });
  restore();
  assert.equal(aws.ecs.task(f.taskArn)!.lastStatus, 'RUNNING');

  h.clock.advance(3 * MINUTE);
  await slash(h, { text: `quarantine ${f.image}`, user: RESPONDER });
  const quarantine = lastModal(h);
  assert.equal(quarantine.submit, 'Ask for approval');
  await submitAndSettle(h, { runId: quarantine.runId, user: RESPONDER, reason: 'backdoored image' });
  h.clock.advance(4 * MINUTE);
  await decideApproval(h, { runId: quarantine.runId, user: SECOND_RESPONDER, approve: true });
  await h.settle();
  assert.equal((await h.responder.store.getRun(quarantine.runId))?.state, 'succeeded');

  const s = await slash(h, { text: `status ${incident.id}`, user: RESPONDER });
  const parts = sections(onlyAnswer(h, s.id).text);
  assert.equal(parts.Actions!.length, 2, parts.Actions!.join('\n'));
  assert.equal(
    parts.Actions![0]!,
    `• \`10:02\` Stop task failed (requested by <@${RESPONDER}>): The app's AWS role is not allowed to call ecs:StopTask on ${f.taskArn}. Add ecs:StopTask to its policy.`,
  );
  assert.match(parts.Actions![1]!, new RegExp(`^• \`10:09\` Quarantine image by <@${RESPONDER}>: .* \\(approved by <@${SECOND_RESPONDER}>\\)$`));
  assert.ok(
    parts.Needs!.some((l) => /^• Stop task failed and was not retried: /.test(l)),
    parts.Needs!.join('\n'),
  );
  assert.ok(!parts.Needs!.some((l) => /Image still in ECR/.test(l)), 'quarantined: no longer a need');
  const timeline = parts.Timeline!.join('\n');
  assert.match(timeline, new RegExp(`\`10:02\` Stop task requested by <@${RESPONDER}> — reason: first try`));
  assert.match(timeline, new RegExp(`\`10:05\` Quarantine image requested by <@${RESPONDER}> — reason: backdoored image`));
  assert.match(timeline, new RegExp(`\`10:09\` Quarantine image approved by <@${SECOND_RESPONDER}>`));
  assert.match(timeline, new RegExp(`\`10:09\` Quarantine image done \\(requested by <@${RESPONDER}>\\)`));

  await slash(h, { text: `timeline ${incident.id}`, user: RESPONDER });
  const md = [...h.slack.files.values()].find((x) => x.filename === `${incident.id}-timeline.md`)!.content ?? '';
  assert.match(md, new RegExp(`\\| 2026-11-28 10:02:00 UTC \\| @${RESPONDER} \\| Stop task requested by @${RESPONDER} — reason: first try \\|`));
  assert.match(md, new RegExp(`\\| 2026-11-28 10:02:\\d\\d UTC \\| @${RESPONDER} \\| Stop task failed \\(requested by @${RESPONDER}\\): `));
  assert.match(md, new RegExp(`\\| 2026-11-28 10:09:\\d\\d UTC \\| @${SECOND_RESPONDER} \\| Quarantine image approved by @${SECOND_RESPONDER} \\|`));
  assert.match(md, new RegExp(`\\| 2026-11-28 10:09:\\d\\d UTC \\| @${RESPONDER} \\| Quarantine image done \\(requested by @${RESPONDER}\\): `));
});

test('the card top line stays current between changes: open incidents have their cards re-rendered with the time open and waiting times', async (t) => {
  const w = await startEcsWorld();
  t.after(() => w.close());
  const { h } = w;
  const f = await taskFinding(w, { repository: 'ledger', tag: '1.0' });
  assert.match(await topLine(h, f.findingId), /Open 0s/);
  h.clock.advance(2 * HOUR + 5 * MINUTE);
  const refreshed = await h.responder.effects.refreshOpenIncidentCards();
  await h.settle();
  assert.ok(refreshed >= 1);
  assert.match(await topLine(h, f.findingId), /Open 2h 05m · To acknowledge — \(waiting 2h 05m\)/);
});
