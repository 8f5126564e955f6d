import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { startHarness, CHANNEL } from '../helpers/harness.js';
import type { EditableJson } from '../fixtures/findings/load.js';

const fargateEvent = () => JSON.parse(readFileSync(new URL('../fixtures/findings/eventbridge-ecs-fargate.json', import.meta.url), 'utf8')) as EditableJson;

test('a signed finding without resource and region: fallback card with what could be read, raw JSON attached, no buttons', async (t) => {
  const h = await startHarness();
  t.after(() => h.close());
  const event = fargateEvent();
  delete event.detail.resource;
  delete event.detail.region;
  event.detail.title = 'Odd <!channel> finding';
  const res = await h.publish(event, { messageId: 'broken-1' });
  assert.equal(res.status, 200);
  await h.settle();
  const posts = h.slack.callsTo('chat.postMessage');
  assert.equal(posts.length, 1, 'one card, not dropped');
  assert.equal(posts[0]!.args.channel, CHANNEL);
  const blocks = JSON.stringify(posts[0]!.args.blocks);
  assert.match(blocks, /Incomplete finding/);
  assert.match(blocks, /Region\*\\n(unknown)/, 'missing region says unknown');
  assert.match(blocks, new RegExp(event.detail.id as string), 'the finding id that could be read');
  assert.match(blocks, /missing (region|resource)/, 'says why');
  // mrkdwn would turn it into a mention; the header is plain_text, which Slack never parses.
  const mrkdwn = JSON.stringify((posts[0]!.args.blocks as { type: string }[]).filter((b) => b.type !== 'header'));
  assert.doesNotMatch(mrkdwn + String(posts[0]!.args.text), /<!channel>/, 'finding text escaped');
  assert.ok(!(posts[0]!.args.blocks as { type: string }[]).some((b) => b.type === 'actions'), 'no buttons that need what is missing');
  const files = [...h.slack.files.values()];
  assert.equal(files.length, 1, 'raw JSON attached');
  assert.equal(JSON.parse(files[0]!.content!).id, event.detail.id);
  assert.equal(files[0]!.completed?.channel_id, CHANNEL);
  const msg = await h.responder.store.getMessage('broken-1');
  assert.equal(msg?.state, 'done');
});

test('a message that is not a finding at all is still marked failed (nothing posted)', async (t) => {
  const h = await startHarness();
  t.after(() => h.close());
  await h.publish({ type: 'block_actions', user: { id: 'U1' } }, { messageId: 'slack-1' });
  await h.settle();
  assert.equal(h.slack.callsTo('chat.postMessage').length, 0);
  assert.equal((await h.responder.store.getMessage('slack-1'))?.state, 'failed');
});
