/**
 * Incident verbs through signed slash commands: `assign INC-n @user` with the mention as Slack
 * escapes it (`<@U…|name>`, either order, `me`), `close INC-n REASON…` with Slack's formatting in
 * the reason undone (links, mentions, entities) and never turned back into markup; the answer
 * links the incident thread, the change lands in the thread and on the card; authorization and
 * lifecycle refusals are answered at the response_url with nothing changed.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OUTSIDER, RESPONDER, SECOND_RESPONDER, startEcsWorld } from '../helpers/ecs-world.js';
import { incidentButtons, incidentOf, incidentThread, onlyAnswer, OTHER_CHANNEL, slash, taskFinding, topLine } from '../helpers/incident-world.js';

const threadLink = (i: { id: string; channel?: string; threadTs?: string }) =>
  `<https://example.slack.com/archives/${i.channel}/p${i.threadTs!.replace('.', '')}|${i.id}'s thread>`;

test('assign with an escaped mention (<@U…|name>, either order, a bare <@U…>, "me"), then close INC-n with a reason: thread, card and answers', async (t) => {
  const w = await startEcsWorld();
  t.after(() => w.close());
  const { h } = w;
  h.slack.notInChannel.add(OTHER_CHANNEL);
  const f = await taskFinding(w, { service: 'checkout' });
  const incident = await incidentOf(h, f.findingId);

  const assignedAt = h.clock.now();
  let c = await slash(h, { text: `assign ${incident.id} <@${SECOND_RESPONDER}|second>`, user: RESPONDER, channel: OTHER_CHANNEL });
  assert.deepEqual(onlyAnswer(h, c.id), { text: `:speech_balloon: ${incident.id} assigned — posted in ${threadLink(incident)}.`, responseType: 'ephemeral' });
  let now = (await h.responder.store.getIncident(incident.id))!;
  assert.deepEqual([now.state, now.assignee, now.acknowledgedAt], ['acknowledged', SECOND_RESPONDER, assignedAt]);
  assert.equal(incidentThread(h, incident).at(-1), `:busts_in_silhouette: <@${RESPONDER}> assigned ${incident.id} to <@${SECOND_RESPONDER}>`);
  assert.match(await topLine(h, f.findingId), new RegExp(`:eyes: Acknowledged · .* · Assignee <@${SECOND_RESPONDER}> · `));
  assert.ok(!(await incidentButtons(h, f.findingId)).some((b) => b.text === 'Take it'));

  // The person first, the id after; a mention without a name.
  c = await slash(h, { text: `assign <@${RESPONDER}> ${incident.id.toLowerCase()}`, user: SECOND_RESPONDER });
  assert.match(onlyAnswer(h, c.id).text, new RegExp(`${incident.id} assigned — posted in`));
  assert.equal((await h.responder.store.getIncident(incident.id))!.assignee, RESPONDER);
  assert.equal(incidentThread(h, incident).at(-1), `:busts_in_silhouette: <@${SECOND_RESPONDER}> assigned ${incident.id} to <@${RESPONDER}>`);

  // The same assignee again: nothing changes, and the caller is told.
  const posts = h.slack.callsTo('chat.postMessage').length;
  c = await slash(h, { text: `assign ${incident.id} <@${RESPONDER}|responder>`, user: SECOND_RESPONDER });
  assert.equal(onlyAnswer(h, c.id).text, `:information_source: that responder is already the assignee of ${incident.id}. Nothing was changed.`);
  assert.equal(h.slack.callsTo('chat.postMessage').length, posts);

  c = await slash(h, { text: `assign ${incident.id} me`, user: SECOND_RESPONDER });
  assert.match(onlyAnswer(h, c.id).text, new RegExp(`^:speech_balloon: You took ${incident.id} — posted in`));
  assert.equal(incidentThread(h, incident).at(-1), `:raising_hand: <@${SECOND_RESPONDER}> took ${incident.id}`);

  // close INC-n REASON…: Slack's formatting in the reason is undone, then escaped where shown.
  c = await slash(h, {
    text: `close ${incident.id} image rebuilt, see <https://github.com/acme/checkout/pull/7|PR #7> &amp; redeployed; thanks <@${RESPONDER}|responder> <!channel>`,
    user: SECOND_RESPONDER,
    channel: OTHER_CHANNEL,
  });
  const reason = 'image rebuilt, see PR #7 & redeployed; thanks @responder @channel';
  assert.equal(onlyAnswer(h, c.id).text, `:speech_balloon: ${incident.id} resolved — posted in ${threadLink(incident)}.`);
  now = (await h.responder.store.getIncident(incident.id))!;
  assert.deepEqual([now.state, now.closeReason, now.closedBy], ['resolved', reason, SECOND_RESPONDER]);
  const notice = incidentThread(h, incident).at(-1)!;
  assert.equal(
    notice,
    `*${incident.id}* is now *Resolved* (was Acknowledged) — by <@${SECOND_RESPONDER}> — image rebuilt, see PR #7 &amp; redeployed; thanks @responder @channel`,
  );
  assert.doesNotMatch(notice, /<!channel>|<https:/, 'no mention or link comes back to life');
  assert.match(await topLine(h, f.findingId), /:white_check_mark: Resolved/);
  const closed = (await h.responder.store.incidentEvents(incident.id)).filter((e) => e.kind === 'status_changed' && e.to === 'resolved');
  assert.deepEqual(
    closed.map((e) => [e.actor, e.kind === 'status_changed' && e.reason]),
    [[SECOND_RESPONDER, reason]],
  );
  assert.equal(h.slack.callsTo('chat.postMessage').filter((p) => p.args.channel === OTHER_CHANNEL).length, 0, 'nothing posted where the commands were typed');
});

test('refusals are answered at the response_url and change nothing: a non-responder, closing an incident nobody took, an unknown incident', async (t) => {
  const w = await startEcsWorld();
  t.after(() => w.close());
  const { h } = w;
  const f = await taskFinding(w, { service: 'checkout' });
  const incident = await incidentOf(h, f.findingId);
  const posts = h.slack.callsTo('chat.postMessage').length;

  for (const [text, user, said] of [
    [
      `assign ${incident.id} me`,
      OUTSIDER,
      `:lock: You may not assign incidents: you are not on the list of people allowed to run "assign" (ask your security lead to add you). Nothing was changed.`,
    ],
    [
      `close ${incident.id} not ours`,
      OUTSIDER,
      `:lock: You may not close incidents: you are not on the list of people allowed to run "close" (ask your security lead to add you). Nothing was changed.`,
    ],
    [
      `false-positive ${incident.id} not ours`,
      OUTSIDER,
      `:lock: You may not false-positive incidents: you are not on the list of people allowed to run "false-positive" (ask your security lead to add you). Nothing was changed.`,
    ],
    [
      `close ${incident.id} fixed it`,
      RESPONDER,
      `:warning: nobody has taken ${incident.id} yet: press Take it (or assign someone) before resolving it, or mark it a false positive. Nothing was changed.`,
    ],
  ] as const) {
    const c = await slash(h, { text, user });
    assert.deepEqual(onlyAnswer(h, c.id), { text: said, responseType: 'ephemeral' }, text);
  }
  const now = (await h.responder.store.getIncident(incident.id))!;
  assert.deepEqual([now.state, now.assignee, now.version], ['open', undefined, incident.version]);
  assert.equal(h.slack.callsTo('chat.postMessage').length, posts, 'nothing posted');
  assert.deepEqual(w.aws.callsTo('guardduty:ArchiveFindings'), []);
  const unknown = await slash(h, { text: 'assign INC-42 me', user: RESPONDER });
  assert.match(onlyAnswer(h, unknown.id).text, /Nothing was done:\* there is no incident INC-42/);
});
