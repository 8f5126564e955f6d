import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Incident } from '../../src/incidents/model.js';
import { homeView } from '../../src/slack/messages/home.js';
import {
  closeIncidentModal,
  incidentActionsBlock,
  incidentCardActions,
  INCIDENT_ACTION_IDS,
  parseCloseModalMetadata,
} from '../../src/slack/messages/incident-controls.js';
import { followerDm, postedToThreadNotice, stateChangeNotice } from '../../src/slack/messages/incident-notices.js';
import { incidentSummaryMessage, openIncidentsMessage, shortTime } from '../../src/slack/messages/incident-summary.js';
import { incidentTopLine, incidentTopLineBlock, safePermalink } from '../../src/slack/messages/incident-top-line.js';
import { fixtureFinding } from '../fixtures/findings/load.js';
import { assertWithinBlockKitLimits, messageTexts } from '../cards/limits-helper.js';
import { ecsFinding, ev, HOUR, incident, MIN, T0 } from './fixtures.js';

const PERMALINK = 'https://example.slack.com/archives/C0SECURITY/p1764324000000100';

/** Every `<…>` in the message is one we meant: a user mention or a link to a Slack permalink. */
function assertOnlyOurMarkup(message: { text?: unknown; blocks?: unknown }): void {
  for (const t of messageTexts(message)) {
    for (const m of t.match(/<[^>]*>/g) ?? []) {
      assert.match(m, /^<@[UW][A-Z0-9]+>$|^<https:\/\/[a-z0-9.-]+\.slack\.com\/[^|>]*\|[^>]*>$/, `unexpected markup ${m} in ${t.slice(0, 200)}`);
    }
    assert.ok(!/<!|<#/.test(t), 'no special mention or channel link');
  }
}

const asMessage = (view: { blocks: unknown }) => ({ text: 'App Home', blocks: view.blocks });

test('top line: state, severity, assignee, time open, to acknowledge, to contain — from the injected clock', () => {
  const timeline = [
    ev({ kind: 'status_changed', from: 'open', to: 'acknowledged', at: T0 + 4 * MIN, actor: 'U0000AAA1' }),
    ev({ kind: 'assigned', assignee: 'U0000AAA1', at: T0 + 4 * MIN, actor: 'U0000AAA1' }),
  ];
  const inc = incident({ state: 'acknowledged', assignee: 'U0000AAA1', acknowledgedAt: T0 + 4 * MIN });
  assert.equal(
    incidentTopLine(inc, timeline, T0 + 3 * HOUR + 5 * MIN),
    '*INC-1* · :eyes: Acknowledged · 🟠 HIGH 8.0 · Assignee <@U0000AAA1> · Open 3h 05m · To acknowledge 4m · To contain — (waiting 3h 05m)',
  );
  assert.equal(
    incidentTopLine(incident(), [], T0 + 90_000),
    '*INC-1* · :rotating_light: Open · 🟠 HIGH 8.0 · _No assignee_ · Open 1m · To acknowledge — (waiting 1m) · To contain — (waiting 1m)',
  );
  const closed = incident({ state: 'resolved', assignee: 'U0000AAA1', acknowledgedAt: T0 + MIN, containedAt: T0 + 9 * MIN, closedAt: T0 + HOUR });
  assert.match(incidentTopLine(closed, [], T0 + 50 * HOUR), /Resolved · .* · Open 1h 00m · To acknowledge 1m · To contain 9m$/);
  assert.equal(incidentTopLineBlock(inc, timeline, T0).type, 'context');
});

test('permalinks: only https Slack URLs become links', () => {
  assert.equal(safePermalink(PERMALINK), PERMALINK);
  assert.equal(safePermalink('https://acme.enterprise.slack.com/archives/C1/p1'), 'https://acme.enterprise.slack.com/archives/C1/p1');
  for (const bad of [
    'http://example.slack.com/a',
    'https://evil.example/a',
    'https://slack.com.evil.example/x',
    'javascript:alert(1)',
    'https://a.slack.com/x|label',
    'https://a.slack.com/x>y',
  ]) {
    assert.equal(safePermalink(bad), undefined, bad);
  }
});

test('status answer: Conditions, Actions, Needs, timeline and top line; within limits; finding text escaped', () => {
  const evil = fixtureFinding('injection-ecs.json');
  const inc = incident({ title: evil.title, severity: evil.severity });
  const timeline = [
    ev({ kind: 'finding_seen', findingId: evil.id, title: evil.title, severity: evil.severity, findingType: evil.type, count: 2, at: T0, actor: 'system' }),
    ev({ kind: 'note', text: '<!channel> look <@U999|x>', at: T0 + MIN, actor: 'U0000AAA1' }),
  ];
  const msg = incidentSummaryMessage({ incident: inc, timeline, findings: [evil], now: T0 + 2 * MIN, followers: ['U1', 'U2'], permalink: PERMALINK });
  assertWithinBlockKitLimits(msg);
  assertOnlyOurMarkup(msg);
  const all = messageTexts(msg).join('\n');
  for (const title of ['*Conditions*', '*Actions*', '*Needs*', '*Timeline*']) assert.ok(all.includes(title), title);
  assert.ok(all.includes('&lt;!channel&gt; look &lt;@U999|x&gt;'), 'a note is escaped');
  assert.ok(all.includes('No assignee'));
  assert.ok(all.includes(`<${PERMALINK}|Open the thread>`));
  assert.ok(all.includes('2 followers'));
  assert.ok(all.includes('`10:01` Note by <@U0000AAA1>'), 'timeline lines carry their time');
  assert.match(msg.text, /^INC-1 · Open · 🔴 CRITICAL 9\.5 — Injected &lt;!channel&gt;/);
});

test('status answer stays within limits for a huge incident (300 findings, 1000 events)', () => {
  const base = fixtureFinding('huge-ecs.json');
  const findings = Array.from({ length: 300 }, (_, i) => ({
    ...base,
    id: i.toString(16).padStart(32, '0'),
    type: `Type:${i}/${'x'.repeat(200)}`,
    ecs: { ...base.ecs!, taskArn: `${base.ecs!.taskArn}${i}` },
  }));
  const timeline = Array.from({ length: 1000 }, (_, i) =>
    i % 2 === 0
      ? ev({ kind: 'executed', action: 'isolate_task', status: 'succeeded', headline: `done ${'&<>'.repeat(300)}`, at: T0 + i * MIN, actor: 'U0000AAA1' })
      : ev({ kind: 'failed', action: 'stop_task', headline: `nope ${'y'.repeat(900)}`, at: T0 + i * MIN, actor: 'U0000AAA1' }),
  );
  const msg = incidentSummaryMessage({ incident: incident(), timeline, findings, now: T0 + 2000 * MIN, timelineLimit: 50 });
  assertWithinBlockKitLimits(msg);
  assert.match(messageTexts(msg).join('\n'), /…and \d+ more/);
  assert.match(messageTexts(msg).join('\n'), /Timeline \(latest \d+ of 1000\)|Timeline \(latest 50 of 1000\)/);
});

function many(n: number): Incident[] {
  const states = ['open', 'acknowledged', 'contained'] as const;
  return Array.from({ length: n }, (_, i) =>
    incident({
      id: `INC-${i + 1}`,
      severity: [9.5, 8, 5, 2][i % 4]!,
      state: states[i % 3]!,
      ...(i % 2 ? { assignee: 'U0000AAA1' } : {}),
      title: `${'<!channel> '.repeat(i % 5)}Suspicious process ${i} ${'z'.repeat(i % 120)}`,
      openedAt: T0 - i * MIN,
    }),
  );
}

test('App Home: open incidents grouped by severity with state, assignee, age and thread link', () => {
  const incs = many(8);
  const view = homeView({ incidents: incs, now: T0 + HOUR, permalinkOf: (i) => `${PERMALINK}${i.id.slice(4)}`, viewerId: 'U0000AAA1' });
  assert.equal(view.type, 'home');
  assertWithinBlockKitLimits(asMessage(view));
  assertOnlyOurMarkup(asMessage(view));
  const text = messageTexts(asMessage(view)).join('\n');
  assert.ok(text.indexOf('🔴 *Critical* (2)') < text.indexOf('🟠 *High* (2)'), 'critical first');
  assert.ok(text.indexOf('🟠 *High* (2)') < text.indexOf('🟡 *Medium* (2)'));
  assert.ok(text.includes('🔵 *Low* (2)'));
  assert.ok(text.includes(`*<${PERMALINK}1|INC-1>* · Suspicious process 0`));
  assert.ok(text.includes(':eyes: Acknowledged · <@U0000AAA1> · open 1h 01m'), 'state, assignee and age');
  assert.ok(text.includes('_no assignee_'));
  assert.ok(text.includes('*8* open · *6* not contained · *4* without assignee'));
  assert.ok(text.includes('Assigned to you: INC-2, INC-4, INC-6, INC-8'));
  // Within a severity, the oldest first.
  assert.ok(text.indexOf('INC-5>') < text.indexOf('INC-1>'), 'INC-5 opened before INC-1');
});

test('App Home with hundreds of incidents stays within Block Kit and says "and N more" per severity', () => {
  for (const n of [0, 1, 49, 50, 51, 300, 1500]) {
    const incs = many(n);
    const view = homeView({ incidents: incs, now: T0 + HOUR, permalinkOf: (i) => `${PERMALINK}${i.id}` });
    const msg = asMessage(view);
    assertWithinBlockKitLimits(msg);
    const text = messageTexts(msg).join('\n');
    if (n === 0) {
      assert.ok(text.includes('No open incidents'));
      continue;
    }
    const shown = (text.match(/\|INC-\d+>/g) ?? []).length;
    const more = [...text.matchAll(/…and (\d+) more/g)].reduce((s, m) => s + Number(m[1]), 0);
    assert.equal(shown + more, n, `${n} incidents: ${shown} shown + ${more} more`);
    for (const word of ['Critical', 'High', 'Medium', 'Low'].slice(0, Math.min(4, n)))
      assert.ok(text.includes(`*${word}*`), `${n}: ${word} group has its header`);
    if (n >= 300) assert.ok(shown >= 20, `a useful number is shown (${shown})`);
  }
});

test('status without argument: the open incidents message', () => {
  const msg = openIncidentsMessage({ incidents: many(400), now: T0 });
  assertWithinBlockKitLimits(msg);
  assert.equal(msg.text, '400 open incidents');
  assert.equal(openIncidentsMessage({ incidents: [], now: T0 }).text, 'No open incidents');
});

test('follower DM and thread notice on a state change', () => {
  const inc = incident({ state: 'false_positive', closeReason: '<!channel> pentest', closedBy: 'U0000AAA1', closedAt: T0 + MIN });
  const dm = followerDm({ incident: inc, change: { from: 'open', to: 'false_positive', by: 'U0000AAA1' }, timeline: [], now: T0 + MIN, permalink: PERMALINK });
  assertWithinBlockKitLimits(dm);
  assertOnlyOurMarkup(dm);
  const t = messageTexts(dm).join('\n');
  assert.ok(t.includes(`:bell: *<${PERMALINK}|INC-1>* (🟠 HIGH 8.0) is now *False positive* (was Open) — by <@U0000AAA1> — &lt;!channel&gt; pentest`));
  assert.ok(t.includes('/guardduty unfollow INC-1'));
  assert.match(dm.text, /^INC-1 is now False positive \(was Open\)/);

  const contain = followerDm({
    incident: incident({ state: 'contained' }),
    change: { from: 'open', to: 'contained', by: 'system' },
    timeline: [],
    now: T0,
    via: 'Isolate task',
  });
  assert.ok(messageTexts(contain).join('\n').includes('by the responder app — Isolate task'));

  const took = stateChangeNotice({
    incident: incident({ state: 'acknowledged' }),
    change: { from: 'open', to: 'acknowledged', by: 'U0000AAA1' },
    assigned: { assignee: 'U0000AAA1', by: 'U0000AAA1' },
  });
  assertWithinBlockKitLimits(took);
  assert.equal(messageTexts(took)[1], ':raising_hand: <@U0000AAA1> took INC-1');
  assert.equal(took.text, ':raising_hand: @U0000AAA1 took INC-1');
  const assigned = stateChangeNotice({ incident: incident(), assigned: { assignee: 'U0000BBB2', by: 'U0000AAA1' } });
  assert.match(messageTexts(assigned)[1]!, /<@U0000AAA1> assigned INC-1 to <@U0000BBB2>/);

  const posted = postedToThreadNotice({ incident: incident(), what: 'Isolate task requested', permalink: PERMALINK });
  assertWithinBlockKitLimits(posted);
  assert.ok(messageTexts(posted)[1]!.includes(`<${PERMALINK}|INC-1's thread>`));
});

test('incident buttons and the close modal', () => {
  const open = incidentCardActions(incident());
  assert.deepEqual(
    open.map((a) => a.actionId),
    [INCIDENT_ACTION_IDS.take, INCIDENT_ACTION_IDS.follow, INCIDENT_ACTION_IDS.close, INCIDENT_ACTION_IDS.falsePositive],
  );
  assert.ok(open.every((a) => a.value === 'INC-1'));
  assert.ok(!incidentCardActions(incident({ assignee: 'U1' })).some((a) => a.actionId === INCIDENT_ACTION_IDS.take), 'no Take it once assigned');
  assert.deepEqual(
    incidentCardActions(incident({ state: 'resolved' })).map((a) => a.actionId),
    [INCIDENT_ACTION_IDS.follow],
  );
  assertWithinBlockKitLimits({ text: 'x', blocks: [incidentActionsBlock(incident())] });

  for (const kind of ['resolve', 'false_positive'] as const) {
    const modal = closeIncidentModal(incident({ title: '<!channel> x' }), kind);
    assert.ok(modal.title.text.length <= 24 && (modal.submit?.text.length ?? 0) <= 24);
    assert.ok((modal.private_metadata ?? '').length <= 3000);
    assert.deepEqual(parseCloseModalMetadata(modal.private_metadata!), { incidentId: 'INC-1', kind });
    assert.ok(JSON.stringify(modal.blocks).includes('&lt;!channel&gt; x'));
    const options = JSON.stringify(modal.blocks).match(/"text":"[^"]*"/g) ?? [];
    assert.ok(options.length > 0);
  }
  assert.equal(parseCloseModalMetadata('{"incidentId":"INC-1","kind":"delete"}'), undefined);
  assert.equal(parseCloseModalMetadata('{"incidentId":"../x","kind":"resolve"}'), undefined);
  assert.equal(parseCloseModalMetadata('not json'), undefined);
});

test('shortTime shows the date only when it is not today', () => {
  assert.equal(shortTime(T0 + 5 * MIN, T0 + HOUR), '10:05');
  assert.equal(shortTime(T0 - 24 * HOUR, T0), '11-27 10:00');
});

test('an ECS incident summary names the card facts a manager needs', () => {
  const msg = incidentSummaryMessage({ incident: incident(), timeline: [], findings: [ecsFinding()], now: T0 + 5 * MIN });
  const t = messageTexts(msg).join('\n');
  assert.ok(t.includes('ECS task 8f3e2d1c0b9a48f7a6e5d4c3b2a19f8e in cluster prod-payments'));
  assert.ok(t.includes('Image still in ECR'));
  assert.ok(t.includes('_nothing done yet_'));
});
