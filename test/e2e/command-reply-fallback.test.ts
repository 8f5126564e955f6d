/**
 * Answers to a slash command survive a used-up or expired response_url (issue 9 item 17): Slack
 * takes 5 answers per response_url for 30 min, then 404 `used_url` / `expired_url`; the answer
 * then goes with the bot token (ephemeral in the channel, else a direct message).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RESPONDER, startEcsWorld } from '../helpers/ecs-world.js';
import { dmsTo, ephemeralsTo, OTHER_CHANNEL, slashForm } from '../helpers/incident-world.js';
import type { Harness } from '../helpers/harness.js';

async function command(h: Harness, text: string, id: string, channel = OTHER_CHANNEL) {
  const res = await h.slackRequest(slashForm(h, { text, user: RESPONDER, id, channel }));
  await res.text();
  await h.settle();
}

test('an expired response_url (404 expired_url): the answer comes as an ephemeral message in the channel', async (t) => {
  const w = await startEcsWorld();
  t.after(() => w.close());
  const { h } = w;
  h.slack.expiredResponseUrls.add('cmd-expired');
  await command(h, 'help', 'cmd-expired');
  assert.equal(h.slack.callsTo('response_url_refused').filter((c) => c.args.error === 'expired_url').length, 1, 'Slack refused the response_url');
  const shown = ephemeralsTo(h, RESPONDER);
  assert.equal(shown.length, 1, 'the help still reached the user');
  assert.match(shown[0]!, /isolate/);
  assert.equal(h.slack.callsTo('chat.postEphemeral')[0]!.args.channel, OTHER_CHANNEL);
});

test('a used-up response_url (404 used_url) in a channel the bot is not in: the answer comes as a direct message', async (t) => {
  const w = await startEcsWorld();
  t.after(() => w.close());
  const { h } = w;
  h.slack.notInChannel.add(OTHER_CHANNEL);
  // Five answers already went to this URL (Slack's limit).
  for (let i = 0; i < 5; i++) {
    const r = await fetch(`${h.slack.baseUrl}respond/cmd-used`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: `earlier ${i}` }),
    });
    assert.equal(r.status, 200);
  }
  await command(h, 'help', 'cmd-used');
  assert.equal(h.slack.callsTo('response_url_refused').filter((c) => c.args.error === 'used_url').length, 1);
  const dms = dmsTo(h, RESPONDER);
  assert.equal(dms.length, 1, 'the help reached the user by DM');
  assert.match(dms[0]!, /isolate/);
});
