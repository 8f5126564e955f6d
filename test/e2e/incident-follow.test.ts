/**
 * Follow, end to end: whoever follows an incident (the card's Follow button, or `/guardduty
 * follow INC-n`) gets a DM — conversations.open, then chat.postMessage in that DM — on every
 * state change of that incident, whoever or whatever made it (a button, a command, a containing
 * step), except the follower who made the change. Changes that are not state changes (a
 * reassignment) and other incidents send nothing; unfollowing stops the DMs.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RESPONDER, SECOND_RESPONDER, startEcsWorld } from '../helpers/ecs-world.js';
import {
  clickIncidentButton,
  closeFromCard,
  dmChannelOf,
  dmsTo,
  ephemeralsTo,
  incidentOf,
  MANAGER,
  MINUTE,
  onlyAnswer,
  slash,
  taskFinding,
} from '../helpers/incident-world.js';
import { runAction } from '../helpers/slack-interactions.js';

test('followers get a DM on every state change (take, contain, close) — not the follower who made it, not for a reassignment, not after unfollowing', async (t) => {
  const w = await startEcsWorld();
  t.after(() => w.close());
  const { h } = w;
  const f = await taskFinding(w); // standalone task: stopping it contains the incident
  const other = await taskFinding(w, { service: 'billing', repository: 'billing' });
  const incident = await incidentOf(h, f.findingId);
  const link = `<https://example.slack.com/archives/${incident.channel}/p${incident.threadTs!.replace('.', '')}|${incident.id}>`;

  // The manager follows from the card (a read-only action: anyone may); a responder by command.
  await clickIncidentButton(h, { findingId: f.findingId, button: 'follow', user: MANAGER });
  assert.deepEqual(ephemeralsTo(h, MANAGER), [
    `:bell: You follow ${incident.id}: a DM on every state change. \`/guardduty unfollow ${incident.id}\` (or Follow again) to stop.`,
  ]);
  const cmd = await slash(h, { text: `follow ${incident.id.toLowerCase()}`, user: SECOND_RESPONDER });
  assert.match(onlyAnswer(h, cmd.id).text, new RegExp(`^:bell: You follow ${incident.id}`));
  assert.deepEqual(await h.responder.store.incidentFollowers(incident.id), [MANAGER, SECOND_RESPONDER]);
  assert.deepEqual([dmsTo(h, MANAGER), dmsTo(h, SECOND_RESPONDER)], [[], []], 'following sends no DM by itself');

  // 1. Take it (RESPONDER, not a follower): both followers.
  h.clock.advance(6 * MINUTE);
  await clickIncidentButton(h, { findingId: f.findingId, button: 'take', user: RESPONDER });
  const take = `:bell: *${link}* (🟠 HIGH 8.0) is now *Acknowledged* (was Open) — by <@${RESPONDER}>`;
  for (const follower of [MANAGER, SECOND_RESPONDER]) {
    const dms = dmsTo(h, follower);
    assert.equal(dms.length, 1, follower);
    assert.ok(dms[0]!.startsWith(`${take}\n_A process in an ECS task opened a reverse shell._\n*${incident.id}* · :eyes: Acknowledged`), dms[0]);
    assert.ok(dms[0]!.includes('To acknowledge 6m'), 'the DM carries the top line with the timings');
    assert.ok(dms[0]!.endsWith(`You follow ${incident.id}. \`/guardduty unfollow ${incident.id}\` to stop these messages.`));
  }
  assert.deepEqual(
    h.slack
      .callsTo('conversations.open')
      .map((c) => c.args.users)
      .sort(),
    [MANAGER, SECOND_RESPONDER].sort(),
  );
  assert.deepEqual(dmsTo(h, RESPONDER), []);

  // A reassignment is not a state change: no DM. Activity on another incident: no DM.
  await slash(h, { text: `assign ${incident.id} <@${SECOND_RESPONDER}|second>`, user: RESPONDER });
  await clickIncidentButton(h, { findingId: other.findingId, button: 'take', user: RESPONDER });
  assert.deepEqual([dmsTo(h, MANAGER).length, dmsTo(h, SECOND_RESPONDER).length], [1, 1]);

  // 2. The follower SECOND_RESPONDER contains it (Stop task): the manager is told, SECOND is not.
  h.clock.advance(9 * MINUTE);
  await runAction(h, { findingId: f.findingId, action: 'stop_task', user: SECOND_RESPONDER, reason: 'miner' });
  assert.equal((await h.responder.store.getIncident(incident.id))!.state, 'contained');
  assert.equal(dmsTo(h, MANAGER).length, 2);
  assert.ok(
    dmsTo(h, MANAGER)[1]!.startsWith(`:bell: *${link}* (🟠 HIGH 8.0) is now *Contained* (was Acknowledged) — by <@${SECOND_RESPONDER}> — Stop task\n`),
    dmsTo(h, MANAGER)[1],
  );
  assert.equal(dmsTo(h, SECOND_RESPONDER).length, 1, 'no DM about your own change');

  // The manager unfollows (Follow again toggles); 3. RESPONDER closes it: only SECOND is told.
  await clickIncidentButton(h, { findingId: f.findingId, button: 'follow', user: MANAGER });
  assert.equal(ephemeralsTo(h, MANAGER).at(-1), `:no_bell: You no longer follow ${incident.id}.`);
  await closeFromCard(h, { findingId: f.findingId, user: RESPONDER, reason: 'rebuilt & redeployed' });
  assert.equal(dmsTo(h, MANAGER).length, 2, 'no DM after unfollowing');
  const dms = dmsTo(h, SECOND_RESPONDER);
  assert.equal(dms.length, 2);
  assert.ok(dms[1]!.startsWith(`:bell: *${link}* (🟠 HIGH 8.0) is now *Resolved* (was Contained) — by <@${RESPONDER}> — rebuilt &amp; redeployed\n`), dms[1]);
  // Every DM went to the DM channel conversations.open returned.
  const dmPosts = h.slack.callsTo('chat.postMessage').filter((c) => String(c.args.channel).startsWith('D'));
  assert.deepEqual(
    dmPosts.map((c) => c.args.channel),
    [dmChannelOf(MANAGER), dmChannelOf(SECOND_RESPONDER), dmChannelOf(MANAGER), dmChannelOf(SECOND_RESPONDER)],
  );
  assert.ok(dmPosts.every((c) => c.args.thread_ts === undefined));
});

test('a follower is told when a command typed in another channel changes the incident (false-positive)', async (t) => {
  const w = await startEcsWorld();
  t.after(() => w.close());
  const { h } = w;
  const f = await taskFinding(w, { service: 'checkout' });
  const incident = await incidentOf(h, f.findingId);
  await slash(h, { text: `follow ${incident.id}`, user: MANAGER });
  await slash(h, { text: `false-positive ${incident.id} red team exercise`, user: RESPONDER });
  const dms = dmsTo(h, MANAGER);
  assert.equal(dms.length, 1);
  assert.match(dms[0]!, /is now \*False positive\* \(was Open\) — by <@U0RESPONDER> — red team exercise/);
});
