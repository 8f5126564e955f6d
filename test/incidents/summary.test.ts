import assert from 'node:assert/strict';
import { test } from 'node:test';
import { containmentEffect, timelineEntryFor } from '../../src/incidents/action-events.js';
import { line, renderMrkdwn, renderPlain, user } from '../../src/incidents/lines.js';
import { timelineMarkdown } from '../../src/incidents/markdown.js';
import { buildIncidentSummary, describeResource, timingsText } from '../../src/incidents/summary.js';
import { fixtureFinding } from '../fixtures/findings/load.js';
import { ecsFinding, ev, HOUR, incident, instanceFinding, MIN, T0 } from './fixtures.js';

const texts = (lines: { text: string; mentions: readonly string[] }[]) => lines.map((l) => renderPlain(l));

test('lines: data cannot forge a mention; mentions render only for valid user ids', () => {
  const evil = 'x\u00010\u0001 <@U999> <!channel>';
  const l = line`Assigned to ${user('U0123ABCD')} because ${evil}`;
  const md = renderMrkdwn(l);
  assert.equal(md, 'Assigned to <@U0123ABCD> because x 0  &lt;@U999&gt; &lt;!channel&gt;');
  assert.equal(renderMrkdwn(line`by ${user('not-an-id')}`), 'by someone');
  assert.equal(renderMrkdwn(line`by ${user('system')}`), 'by the responder app');
  assert.equal(renderPlain(line`by ${user('U0123ABCD')}`, { U0123ABCD: 'alice' }), 'by @alice');
  const cut = renderMrkdwn(line`${'a'.repeat(20)}${user('U0123ABCD')}`, 22);
  assert.ok(!cut.includes('\u0001'), 'a placeholder halved by the cut leaves nothing behind');
});

test('Conditions: the affected resources, finding types, process and where', () => {
  const s = buildIncidentSummary({ incident: incident(), timeline: [], findings: [ecsFinding()], now: T0 });
  const c = texts(s.conditions);
  assert.match(c[0]!, /^ECS task 8f3e2d1c0b9a48f7a6e5d4c3b2a19f8e in cluster prod-payments \(service checkout-api\), FARGATE — image 123456789012\.dkr\.ecr/);
  assert.ok(
    c.some((x) => /^Execution:Runtime\/ReverseShell — HIGH 8\.0, seen 3 times$/.test(x)),
    c.join('\n'),
  );
  assert.ok(
    c.some((x) => x.startsWith('Process ')),
    'the process of the most severe finding',
  );
  assert.equal(c.at(-1), 'In account 123456789012, us-east-1');
  assert.match(describeResource(instanceFinding()), /^EC2 instance i-0abc1234def567890 \(/);
  assert.match(describeResource(fixtureFinding('eks-pod-runtime.json')), /^EKS pod media\/image-resizer-6d8f9c7b5-x2kqp in cluster prod-eks/);
  assert.match(describeResource(fixtureFinding('s3-block-public-access-disabled.json')), /resource \(finding /);
  const sample = buildIncidentSummary({ incident: incident(), timeline: [], findings: [fixtureFinding('sample-ecs.json')], now: T0 });
  assert.match(texts(sample.conditions)[0]!, /Sample finding/);
});

test('Actions: who did what, with approvals; Needs: what is still open', () => {
  const timeline = [
    ev({ kind: 'finding_seen', findingId: 'f', title: 't', severity: 8, findingType: 'x', count: 1, at: T0, actor: 'system' }),
    ev({ kind: 'status_changed', from: 'open', to: 'acknowledged', at: T0 + 4 * MIN, actor: 'U0000AAA1' }),
    ev({ kind: 'assigned', assignee: 'U0000AAA1', at: T0 + 4 * MIN, actor: 'U0000AAA1' }),
    ev({ kind: 'action_requested', action: 'isolate_task', runId: 'r1', at: T0 + 5 * MIN, actor: 'U0000AAA1' }),
    ev({ kind: 'approved', action: 'isolate_task', runId: 'r1', at: T0 + 6 * MIN, actor: 'U0000BBB2' }),
    ev({ kind: 'executed', action: 'isolate_task', runId: 'r1', status: 'succeeded', headline: 'task cut off (NACL)', at: T0 + 7 * MIN, actor: 'U0000AAA1' }),
    ev({ kind: 'status_changed', from: 'acknowledged', to: 'contained', reason: 'isolate_task', at: T0 + 7 * MIN, actor: 'U0000AAA1' }),
    ev({ kind: 'action_requested', action: 'quarantine_image', runId: 'r2', at: T0 + 8 * MIN, actor: 'U0000AAA1' }),
    ev({ kind: 'action_requested', action: 'stop_task', runId: 'r3', at: T0 + 9 * MIN, actor: 'U0000AAA1' }),
    ev({ kind: 'failed', action: 'stop_task', runId: 'r3', headline: 'AccessDenied on ecs:StopTask', at: T0 + 9 * MIN, actor: 'U0000AAA1' }),
    ev({ kind: 'finding_seen', findingId: 'f', title: 't', severity: 8, findingType: 'x', count: 4, repeat: true, at: T0 + 20 * MIN, actor: 'system' }),
  ];
  const inc = incident({ state: 'contained', assignee: 'U0000AAA1', acknowledgedAt: T0 + 4 * MIN, containedAt: T0 + 7 * MIN });
  const s = buildIncidentSummary({ incident: inc, timeline, findings: [ecsFinding()], now: T0 + HOUR });
  assert.deepEqual(texts(s.actions), [
    'Taken by @U0000AAA1',
    'Isolate task by @U0000AAA1: task cut off (NACL) (approved by @U0000BBB2)',
    'Marked Contained by @U0000AAA1: isolate_task',
    'Stop task failed (requested by @U0000AAA1): AccessDenied on ecs:StopTask',
  ]);
  assert.equal(s.actions[1]!.at, T0 + 7 * MIN);
  const needs = texts(s.needs);
  assert.deepEqual(needs, [
    '1 finding update since containment — check that it held',
    'Quarantine image requested by @U0000AAA1 — still running or awaiting approval',
    'Stop task failed and was not retried: AccessDenied on ecs:StopTask',
    'Image still in ECR (not quarantined): 123456789012.dkr.ecr.us-east-1.amazonaws.com/checkout-api@sha256:4f1c9b2a7d3e8f6051a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708',
    'Blast radius unknown — find the other tasks running the image',
  ]);
  assert.deepEqual(s.timings, { open: HOUR, toAcknowledge: 4 * MIN, toContain: 7 * MIN });
  assert.equal(timingsText(s.timings), 'open 1h 00m · acknowledged in 4m · contained in 7m');
});

test('Needs for a new incident: no assignee, not contained; for an instance, evidence first; closed: nothing', () => {
  const s = buildIncidentSummary({ incident: incident(), timeline: [], findings: [instanceFinding()], now: T0 + MIN });
  assert.deepEqual(texts(s.needs), [
    'No assignee — press Take it, or /guardduty assign INC-1 @someone',
    'Not contained — isolate the instance',
    'No evidence preserved yet (EBS snapshots, termination protection) — do it before changing the instance',
  ]);
  const stopped = buildIncidentSummary({
    incident: incident({ assignee: 'U0000AAA1', state: 'acknowledged' }),
    timeline: [ev({ kind: 'executed', action: 'stop_task', status: 'succeeded', headline: 'stopped', at: T0, actor: 'U0000AAA1' })],
    findings: [ecsFinding()],
    now: T0,
  });
  assert.ok(texts(stopped.needs).some((n) => /^Service checkout-api will replace the stopped task/.test(n)));
  const closed = buildIncidentSummary({
    incident: incident({ state: 'false_positive', closedBy: 'U0000AAA1', closeReason: 'red team' }),
    timeline: [],
    findings: [],
    now: T0,
  });
  assert.deepEqual(texts(closed.needs), ['Nothing — closed as false positive by @U0000AAA1: red team']);
});

test('containment effects and run-phase timeline entries', () => {
  assert.equal(containmentEffect({ action: 'isolate_task', status: 'succeeded' }), 'contain');
  assert.equal(containmentEffect({ action: 'isolate_instance', status: 'succeeded' }), 'contain');
  assert.equal(containmentEffect({ action: 'stop_all_pin', status: 'succeeded' }), 'contain');
  assert.equal(containmentEffect({ action: 'isolate_task', status: 'partial' }), undefined);
  assert.equal(containmentEffect({ action: 'stop_task', status: 'succeeded' }), 'contain');
  assert.equal(containmentEffect({ action: 'stop_task', status: 'succeeded', serviceTask: true }), undefined);
  assert.equal(containmentEffect({ action: 'a_new_step', status: 'succeeded', containment: 'release' }), 'release', 'the step definition says what it means');
  assert.equal(
    containmentEffect({ action: 'isolate_task', status: 'succeeded', containment: null }),
    undefined,
    'a definition without containment wins over the table',
  );
  assert.equal(containmentEffect({ action: 'scan_image', status: 'succeeded' }), undefined);
  assert.deepEqual(timelineEntryFor({ phase: 'result', action: 'scan_image', runId: 'r', status: 'failed', headline: 'h' }), {
    kind: 'failed',
    action: 'scan_image',
    runId: 'r',
    headline: 'h',
  });
  assert.deepEqual(timelineEntryFor({ phase: 'requested', action: 'stop_task', reason: 'why' }), {
    kind: 'action_requested',
    action: 'stop_task',
    reason: 'why',
  });
});

test('timelineMarkdown: header facts, CAN sections, findings and every event, with Markdown injection neutralised', () => {
  const evil = fixtureFinding('injection-ecs.json');
  const inc = incident({
    title: evil.title,
    state: 'resolved',
    assignee: 'U0000AAA1',
    acknowledgedAt: T0 + MIN,
    closedAt: T0 + 2 * HOUR,
    closedBy: 'U0000AAA1',
    closeReason: 'fixed | see [x](http://evil) <b>',
  });
  const timeline = [
    ev({ kind: 'finding_seen', findingId: evil.id, title: evil.title, severity: 9.5, findingType: evil.type, count: 2, at: T0, actor: 'system' }),
    ev({ kind: 'note', text: 'pipe | and `tick` and ![img](http://x)', at: T0 + MIN, actor: 'U0000AAA1' }),
    ev({ kind: 'status_changed', from: 'acknowledged', to: 'resolved', reason: 'fixed', at: T0 + 2 * HOUR, actor: 'U0000AAA1' }),
  ];
  const md = timelineMarkdown(inc, timeline, [evil], { names: { U0000AAA1: 'alice' } });
  assert.match(md, /^# INC-1 — Injected \\<!channel\\> title \\<@U123\\>/);
  assert.match(md, /\| Assignee \| @alice \|/);
  assert.match(md, /\| Time to acknowledge \| 1m \|/);
  assert.match(md, /\| Time open \| 2h 00m \|/);
  assert.match(md, /## Conditions\n\n- /);
  assert.match(md, /## Needs\n\n- Nothing — closed as resolved by @alice: fixed \\\| see \\\[x\\\]\(http:\/\/evil\) \\<b\\>/);
  assert.match(md, /\| 2026-11-28 10:01:00 UTC \| @alice \| Note by @alice: pipe \\\| and \\`tick\\` and !\\\[img\\\]\(http:\/\/x\) \|/);
  assert.match(md, /_Exported 2026-11-28 12:00:00 UTC\._/);
  for (const row of md.split('\n').filter((l) => l.startsWith('| 20'))) {
    assert.equal(row.replace(/\\\|/g, '').split('|').length, 5, `a timeline row keeps its 3 cells: ${row}`);
  }
  assert.ok(!/[^\\]<!channel>/.test(md), 'no raw Slack or HTML markup survives');
  assert.ok(!/[^\\]\[x\]/.test(md), 'no Markdown link survives');
});
