import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { isAppError } from '../../src/errors.js';
import { createLogger } from '../../src/log.js';
import { createSlackClient, createSlackGateway } from '../../src/slack/client.js';
import { createPacer } from '../../src/slack/pacing.js';
import { fakeClock } from '../helpers/clock.js';
import { startSlackDouble, type SlackDouble } from '../doubles/slack.js';

let slack: SlackDouble;
before(async () => {
  slack = await startSlackDouble();
});
after(() => slack.close());

test('a 429 holds back only that method and channel for Retry-After; other channels go on at once', async () => {
  const clock = fakeClock();
  const gw = createSlackGateway(createSlackClient({ token: 'xoxb-x', apiUrl: slack.apiUrl, logger: createLogger('silent') }), createPacer(clock));
  slack.failNext({ status: 429, retryAfter: 7 });
  await assert.rejects(
    gw.postMessage('CA', { text: 'a', blocks: [] }),
    (err: unknown) => isAppError(err, 'slack_unavailable') && err.context.retryAfterMs === 7_000,
  );
  const t0 = clock.now();
  await gw.postMessage('CB', { text: 'b', blocks: [] });
  assert.equal(clock.now() - t0, 0, 'another channel is not held up');
  await gw.updateMessage('CA', '1.1', { text: 'u', blocks: [] });
  assert.equal(clock.now() - t0, 0, 'chat.update is another method: not held up');
  await gw.postMessage('CA', { text: 'a again', blocks: [] });
  assert.ok(clock.now() - t0 >= 7_000, `the channel waited out Retry-After (${clock.now() - t0} ms)`);
  assert.equal(slack.callsTo('chat.postMessage').length, 3, 'no second 429: nothing was sent before Retry-After');
});
