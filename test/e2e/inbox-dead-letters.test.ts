/**
 * `/guardduty inbox`: messages that could not be processed are listed for responders with their
 * reason, attempts and age; Retry processes one again (its card is posted), Discard (with a typed
 * reason) drops it; both audited and authorized again at execution; an outsider is refused.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { EditableJson } from '../fixtures/findings/load.js';
import { OUTSIDER, RESPONDER, startEcsWorld, waitUntil } from '../helpers/ecs-world.js';
import { CHANNEL, type Harness } from '../helpers/harness.js';
import { answers, OTHER_CHANNEL, slashForm, textOf } from '../helpers/incident-world.js';

const fargateEvent = (id: string) => {
  const e = JSON.parse(readFileSync(new URL('../fixtures/findings/eventbridge-ecs-fargate.json', import.meta.url), 'utf8')) as EditableJson;
  e.detail.id = id;
  return e;
};

/** `/guardduty TEXT` without waiting for the inbox to be idle (a stuck message keeps it busy). */
async function command(h: Harness, text: string, user: string): Promise<string> {
  const form = slashForm(h, { text, user });
  await (await h.slackRequest(form)).text();
  const id = form.response_url!.split('/').pop()!;
  await waitUntil(`an answer to ${text}`, () => answers(h, id).length > 0);
  return answers(h, id).join('\n');
}

/** Clicks a Retry/Discard button of a listing answer; returns the ephemeral text the clicker got. */
async function click(h: Harness, listing: Record<string, unknown>, actionId: string, messageId: string, user: string): Promise<string> {
  const buttons = ((listing.blocks ?? []) as { elements?: { action_id: string; value: string }[] }[]).flatMap((b) => b.elements ?? []);
  const b = buttons.find((x) => x.action_id === actionId && x.value === messageId);
  assert.ok(b, `no ${actionId} button for ${messageId}`);
  const before = h.slack.callsTo('chat.postEphemeral').length;
  const payload = {
    type: 'block_actions',
    team: { id: 'T0TEST', domain: 'test' },
    user: { id: user, username: user.toLowerCase(), team_id: 'T0TEST' },
    api_app_id: 'A0TEST',
    token: 'legacy-verification-token',
    trigger_id: `trigger-inbox-${Math.random()}`,
    channel: { id: OTHER_CHANNEL, name: 'somewhere' },
    container: { type: 'message', channel_id: OTHER_CHANNEL, message_ts: '1.1', is_ephemeral: true },
    actions: [{ type: 'button', action_id: b.action_id, block_id: 'gd_inbox_actions_0', value: b.value, action_ts: '1' }],
    response_url: 'https://hooks.slack.invalid/actions/T0TEST/1/x',
  };
  assert.equal((await h.slackRequest({ payload: JSON.stringify(payload) })).status, 200);
  await waitUntil('the button answer', () => h.slack.callsTo('chat.postEphemeral').length > before);
  const call = h.slack.callsTo('chat.postEphemeral')[before]!;
  assert.equal(call.args.user, user);
  return call.args.blocks ? textOf(call.args.blocks) : String(call.args.text);
}

const lastListing = (h: Harness) => {
  const bodies = h.slack.callsTo('response_url').map((c) => c.args);
  return bodies[bodies.length - 1]!;
};

test('/guardduty inbox: a card stuck for a channel the bot is not in is listed with its reason; Discard drops it (audited); Retry posts a failed card; outsiders are refused', async (t) => {
  const w = await startEcsWorld();
  t.after(() => w.close());
  const { h } = w;
  h.slack.notInChannel.add(CHANNEL);
  assert.equal((await h.publish(fargateEvent('stuck-finding'), { messageId: 'msg-stuck' })).status, 200);
  await waitUntil('the card tried and kept', async () => (await h.responder.store.deadLetters(10)).some((m) => m.messageId === 'msg-stuck'));

  assert.match(await command(h, 'inbox', OUTSIDER), /^:lock: You may not manage the inbox: .*Nothing was changed\.$/);

  h.clock.advance(5 * 60_000);
  const listed = await command(h, 'inbox', RESPONDER);
  assert.match(listed, /1 inbox message\(s\) could not be processed/);
  assert.match(listed, /msg-stuck\* — waiting for a retry, \d+ attempt\(s\), received \d+ min ago/);
  assert.match(listed, /not_in_channel/, 'the reason is shown');
  const listing = lastListing(h);
  const retries = h.logs
    .map((l) => JSON.parse(l) as { msg: string; level: number; messageId?: string; attempts?: number })
    .filter((l) => l.messageId === 'msg-stuck' && l.msg === 'outage while processing; will retry');
  assert.ok((await h.responder.store.getMessage('msg-stuck'))!.attempts > 1, 'retried several times');
  assert.deepEqual(
    retries.filter((l) => l.level >= 40).map((l) => l.attempts),
    [1],
    'warned once (its first attempt), not on every retry',
  );

  assert.match(await click(h, listing, 'gd_inbox_discard', 'msg-stuck', OUTSIDER), /^:lock: You may not manage the inbox/, 'authorized again at execution');
  assert.match(await click(h, listing, 'gd_inbox_discard', 'msg-stuck', RESPONDER), /\/guardduty inbox discard msg-stuck REASON/);
  assert.match(
    await command(h, 'inbox discard msg-stuck test noise from a retired account', RESPONDER),
    /msg-stuck was discarded: test noise from a retired account\./,
  );
  assert.match(await command(h, 'inbox', RESPONDER), /No inbox message is stuck/);
  const audit = await h.responder.store.auditFor('stuck-finding');
  assert.ok(
    audit.some((a) => a.event === 'inbox_discard' && a.actor === RESPONDER && (a.detail as { messageId: string }).messageId === 'msg-stuck'),
    JSON.stringify(audit),
  );
  assert.equal((await h.responder.store.getMessage('msg-stuck'))?.state, 'discarded');

  // Slack refuses the card outright (not an outage): the message fails and waits for a person.
  h.slack.notInChannel.delete(CHANNEL);
  await h.settle();
  assert.equal(h.slack.callsTo('chat.postMessage').filter((c) => c.ts).length, 0, 'a discarded message is not posted once the bot is invited');
  h.slack.methods.set('chat.postMessage', () => ({ ok: false, error: 'invalid_blocks' }));
  assert.equal((await h.publish(fargateEvent('failed-finding'), { messageId: 'msg-failed' })).status, 200);
  await h.settle();
  const failedListing = await command(h, 'inbox', RESPONDER);
  assert.match(failedListing, /msg-failed\* — failed, 0 attempt\(s\)/);
  assert.match(failedListing, /invalid_blocks/);
  h.slack.methods.delete('chat.postMessage');
  assert.match(await click(h, lastListing(h), 'gd_inbox_retry', 'msg-failed', RESPONDER), /msg-failed is back in the inbox/);
  await h.settle();
  const posted = h.slack.callsTo('chat.postMessage').filter((c) => c.ts);
  assert.equal(posted.length, 1, 'the retried card is posted');
  assert.equal(posted[0]!.args.channel, CHANNEL);
  assert.equal((await h.responder.store.getMessage('msg-failed'))?.state, 'done');
  assert.ok((await h.responder.store.auditFor('failed-finding')).some((a) => a.event === 'inbox_retry' && a.actor === RESPONDER));
  assert.match(await command(h, 'inbox', RESPONDER), /No inbox message is stuck/);
});
