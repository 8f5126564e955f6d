import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { startHarness, CHANNEL, type Harness } from '../helpers/harness.js';
import { onlyAnswer, slash } from '../helpers/incident-world.js';
import type { EditableJson } from '../fixtures/findings/load.js';

const base = () => JSON.parse(readFileSync(new URL('../fixtures/findings/eventbridge-ecs-fargate.json', import.meta.url), 'utf8')) as EditableJson;

/** A finding on its own task (a distinct resource, so no incident grouping between them). */
function storm(i: number, severity: number) {
  const e = base();
  const hex = i.toString(16).padStart(32, '0');
  e.detail.id = `5${hex.slice(1)}`;
  e.detail.severity = severity;
  const task = e.detail.resource.ecsClusterDetails.taskDetails;
  task.arn = `arn:aws:ecs:us-east-1:123456789012:task/prod-payments/${hex}`;
  task.definitionArn = `arn:aws:ecs:us-east-1:123456789012:task-definition/batch-${i}:1`;
  task.group = `service:batch-${i}`;
  task.containers = [{ ...task.containers[0], name: `batch-${i}`, image: `123456789012.dkr.ecr.us-east-1.amazonaws.com/batch-${i}@sha256:${hex}${hex}` }];
  return e;
}

function selectDigestItem(h: Harness, value: string) {
  const payload = {
    type: 'block_actions',
    team: { id: 'T0TEST', domain: 'test' },
    user: { id: 'U0ALICE', username: 'alice', team_id: 'T0TEST' },
    api_app_id: 'A0TEST',
    token: 'legacy-verification-token',
    trigger_id: 'trigger-digest',
    channel: { id: CHANNEL, name: 'security' },
    container: { type: 'message', channel_id: CHANNEL, message_ts: '1.1' },
    actions: [
      {
        type: 'static_select',
        action_id: 'gd_digest_open',
        block_id: 'gd_digest_open',
        selected_option: { text: { type: 'plain_text', text: 'x' }, value },
        action_ts: '1',
      },
    ],
    response_url: 'https://hooks.slack.invalid/actions/T0TEST/1/x',
  };
  return h.slackRequest({ payload: JSON.stringify(payload) });
}

test('alert storm: the Critical reaches Slack first, Low findings fold into one digest, 1 post/s per channel and no 429', async (t) => {
  const h = await startHarness({ env: { STORM_BUDGET_SECONDS: '5' } });
  t.after(() => h.close());
  h.slack.limitPostsPerChannel(() => h.clock.now());
  // The storm piles up while Slack is unreachable, then drains (a deterministic backlog).
  h.slack.setDown({ status: 500 });
  const LOWS = 20;
  for (let i = 1; i <= LOWS; i++) assert.equal((await h.publish(storm(i, 2))).status, 200);
  const critical = storm(999, 9.5);
  assert.equal((await h.publish(critical)).status, 200);
  h.slack.setDown(undefined);
  h.responder.inbox.kick();
  await h.settle();

  const posts = h.slack.callsTo('chat.postMessage').filter((c) => c.ts);
  assert.match(JSON.stringify(posts[0]!.args.blocks), new RegExp(critical.detail.id as string), 'the Critical card is the first post');
  const topLevel = posts.filter((c) => !c.args.thread_ts);
  assert.equal(topLevel.length, 2, 'the Critical card and one digest, not 21 cards');
  assert.equal(h.slack.throttled.count, 0, 'no 429: the gateway paces posts per channel');
  const digest = topLevel[1]!;
  const updates = h.slack.callsTo('chat.update').filter((c) => c.args.ts === digest.ts);
  assert.ok(updates.length >= 1, 'the digest is updated in place');
  const last = JSON.stringify(updates.at(-1)!.args.blocks);
  assert.match(last, new RegExp(`${LOWS} lower-severity findings`));
  assert.match(last, /LOW 20/);
  assert.match(last, /20 × Execution:Runtime\/ReverseShell/);
  const files = [...h.slack.files.values()].filter((f) => f.completed?.thread_ts === digest.ts);
  assert.equal(files.length, 1, 'the full list attached in the digest thread');
  for (let i = 1; i <= LOWS; i++) assert.ok(files[0]!.content!.includes(storm(i, 2).detail.id as string), `finding ${i} listed`);

  // Open a folded finding from the digest: its full card with buttons, in the digest thread.
  const folded = await h.responder.store.getFinding(storm(7, 2).detail.id as string);
  assert.equal(folded?.ts, undefined, 'no card of its own yet');
  assert.equal((await selectDigestItem(h, folded!.cardKey)).status, 200);
  await h.settle();
  const card = h.slack.callsTo('chat.postMessage').at(-1)!;
  assert.equal(card.args.thread_ts, digest.ts);
  assert.match(JSON.stringify(card.args.blocks), new RegExp(folded!.findingId));
  assert.ok(
    (card.args.blocks as { type: string }[]).some((b) => b.type === 'actions'),
    'with its buttons',
  );
  assert.equal((await h.responder.store.getFinding(folded!.findingId))?.ts, card.ts);

  // The same through `/guardduty show FINDING_ID`; a second time says it is already there.
  const other = storm(12, 2).detail.id as string;
  const cmd = await slash(h, { text: `show ${other}`, user: 'U0ALICE', channel: CHANNEL });
  assert.match(onlyAnswer(h, cmd.id).text, /Its card is posted: https:\/\/example\.slack\.com/);
  const shown = h.slack.callsTo('chat.postMessage').at(-1)!;
  assert.equal(shown.args.thread_ts, digest.ts);
  assert.match(JSON.stringify(shown.args.blocks), new RegExp(other));
  const again = await slash(h, { text: `show ${other}`, user: 'U0ALICE', channel: CHANNEL });
  assert.match(onlyAnswer(h, again.id).text, /already posted/);
  const unknown = await slash(h, { text: 'show 0000nope', user: 'U0ALICE', channel: CHANNEL });
  assert.match(onlyAnswer(h, unknown.id).text, /No finding 0000nope/);
});

test('STORM_DIGEST=off: every finding gets its own card, still paced (no 429), the Critical first', async (t) => {
  const h = await startHarness({ env: { STORM_BUDGET_SECONDS: '5', STORM_DIGEST: 'off' } });
  t.after(() => h.close());
  h.slack.limitPostsPerChannel(() => h.clock.now());
  h.slack.setDown({ status: 500 });
  for (let i = 1; i <= 8; i++) await h.publish(storm(i, 2));
  const critical = storm(999, 9.5);
  await h.publish(critical);
  h.slack.setDown(undefined);
  h.responder.inbox.kick();
  await h.settle();
  const posts = h.slack.callsTo('chat.postMessage').filter((c) => c.ts);
  assert.equal(posts.length, 9);
  assert.match(JSON.stringify(posts[0]!.args.blocks), new RegExp(critical.detail.id as string));
  assert.equal(h.slack.throttled.count, 0);
  const at = posts.map((p) => p.at!);
  for (let i = 1; i < at.length; i++) assert.ok(at[i]! - at[i - 1]! >= 1_000, 'one post a second');
});
