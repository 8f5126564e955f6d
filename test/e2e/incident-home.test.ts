/**
 * App Home end to end: a signed `app_home_opened` Events API callback → views.publish of the
 * open incidents grouped by severity (state, assignee, age, a link to the thread); when an
 * incident changes (a button, a command, a containing step, a new incident) Home is re-published
 * for every user who opened it, and for nobody else.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RESPONDER, SECOND_RESPONDER, startEcsWorld } from '../helpers/ecs-world.js';
import { clickIncidentButton, homeViews, incidentOf, MANAGER, MINUTE, openHome, slackEvent, slash, taskFinding } from '../helpers/incident-world.js';
import { runAction } from '../helpers/slack-interactions.js';

const link = (i: { id: string; channel?: string; threadTs?: string }) =>
  `<https://example.slack.com/archives/${i.channel}/p${i.threadTs!.replace('.', '')}|${i.id}>`;
const TITLE = 'A process in an ECS task opened a reverse shell.';

test('app_home_opened → views.publish with the open incidents grouped by severity; re-published for that user after every change', async (t) => {
  const w = await startEcsWorld();
  t.after(() => w.close());
  const { h } = w;
  const high = await taskFinding(w, { service: 'checkout' });
  h.clock.advance(20 * MINUTE);
  const critical = await taskFinding(w, { repository: 'billing', severity: 9.6 }); // standalone task
  h.clock.advance(10 * MINUTE);
  const medium = await taskFinding(w, { service: 'search', repository: 'search', severity: 4.5 });
  h.clock.advance(5 * MINUTE);
  const [incH, incC, incM] = [await incidentOf(h, high.findingId), await incidentOf(h, critical.findingId), await incidentOf(h, medium.findingId)];
  assert.deepEqual(h.slack.callsTo('views.publish'), [], 'nobody has opened Home yet');

  await openHome(h, MANAGER);
  let views = homeViews(h, MANAGER);
  assert.equal(views.length, 1);
  assert.equal(
    views[0]!.text,
    [
      'GuardDuty incidents',
      '*3* open · *3* not contained · *3* without assignee · as of 2026-11-28 10:35 UTC',
      `🔴 *Critical* (1)\n*${link(incC)}* · ${TITLE} · :rotating_light: Open · _no assignee_ · open 15m`,
      `🟠 *High* (1)\n*${link(incH)}* · ${TITLE} · :rotating_light: Open · _no assignee_ · open 35m`,
      `🟡 *Medium* (1)\n*${link(incM)}* · ${TITLE} · :rotating_light: Open · _no assignee_ · open 5m`,
      '`/guardduty status INC-n` for the summary of one incident · `/guardduty help` for every command',
    ].join('\n'),
  );
  assert.deepEqual(
    views[0]!.blocks.map((b) => b.block_id),
    ['gd_home_header', 'gd_home_counts', 'gd_home_divider', 'gd_home_critical_0', 'gd_home_high_0', 'gd_home_medium_0', 'gd_home_footer'],
  );

  // Take it on the critical one: Home is re-published for the manager with the new state.
  h.clock.advance(2 * MINUTE);
  await clickIncidentButton(h, { findingId: critical.findingId, button: 'take', user: RESPONDER });
  views = homeViews(h, MANAGER);
  assert.equal(views.length, 2, 're-published after the change');
  assert.ok(views[1]!.text.includes(`*${link(incC)}* · ${TITLE} · :eyes: Acknowledged · <@${RESPONDER}> · open 17m`), views[1]!.text);
  assert.ok(views[1]!.text.includes('*3* open · *3* not contained · *2* without assignee'));
  assert.deepEqual(homeViews(h, RESPONDER), [], 'not published for users who never opened Home');

  // A containing step (through the runner) re-publishes too.
  await openHome(h, SECOND_RESPONDER);
  await runAction(h, { findingId: critical.findingId, action: 'stop_task', user: RESPONDER, reason: 'contain' });
  for (const user of [MANAGER, SECOND_RESPONDER]) {
    const last = homeViews(h, user).at(-1)!;
    assert.ok(last.text.includes(`*${link(incC)}* · ${TITLE} · :shield: Contained`), `${user}: ${last.text}`);
    assert.ok(last.text.includes('*3* open · *2* not contained'));
  }

  // A command closing one (from anywhere) drops it from Home.
  const before = homeViews(h, MANAGER).length;
  await slash(h, { text: `false-positive ${incM.id} load test`, user: SECOND_RESPONDER });
  views = homeViews(h, MANAGER);
  assert.equal(views.length, before + 1);
  assert.doesNotMatch(views.at(-1)!.text, new RegExp(`\\|${incM.id}>`));
  assert.doesNotMatch(views.at(-1)!.text, /Medium/);
  assert.ok(views.at(-1)!.text.includes('*2* open'));
  assert.deepEqual(await h.responder.store.homeViewers().then((v) => v.sort()), [MANAGER, SECOND_RESPONDER].sort());
});

test('Home names the incidents assigned to the viewer; the Messages tab is ignored; a new incident appears on the Home of those who opened it', async (t) => {
  const w = await startEcsWorld();
  t.after(() => w.close());
  const { h } = w;
  const a = await taskFinding(w, { service: 'checkout' });
  const incA = await incidentOf(h, a.findingId);
  await slash(h, { text: `assign ${incA.id} me`, user: RESPONDER });

  const res = await slackEvent(h, { type: 'app_home_opened', user: MANAGER, channel: 'DMANAGER', tab: 'messages' });
  assert.equal(res.status, 200);
  await h.settle();
  assert.deepEqual(homeViews(h, MANAGER), [], 'opening the Messages tab publishes nothing');

  await openHome(h, RESPONDER);
  assert.match(homeViews(h, RESPONDER)[0]!.text, new RegExp(`Assigned to you: ${incA.id}\\n`));
  await openHome(h, MANAGER);
  assert.doesNotMatch(homeViews(h, MANAGER)[0]!.text, /Assigned to you/);

  h.clock.advance(MINUTE);
  const b = await taskFinding(w, { service: 'billing', repository: 'billing', severity: 9.1 });
  const incB = await incidentOf(h, b.findingId);
  const last = homeViews(h, MANAGER).at(-1)!;
  assert.ok(last.text.includes(`*${link(incB)}* · ${TITLE} · :rotating_light: Open`), `a new incident shows up without reopening Home: ${last.text}`);
  assert.ok(last.text.includes('*2* open'));
});
