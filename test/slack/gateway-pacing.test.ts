import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createSlackClient, createSlackGateway } from '../../src/slack/client.js';
import { createLogger } from '../../src/log.js';
import { paceKeys, POST_MESSAGE_INTERVAL_MS, UPDATE_INTERVAL_MS, type Pacer } from '../../src/slack/pacing.js';
import { startSlackDouble, type SlackDouble } from '../doubles/slack.js';

let slack: SlackDouble;
before(async () => {
  slack = await startSlackDouble();
});
after(() => slack.close());

test('the Slack gateway paces every post (per channel) and update (per workspace) itself, so no caller can skip it', async () => {
  const waits: [string, number][] = [];
  const pacer: Pacer = { wait: async (key, ms) => void waits.push([key, ms]) };
  const gw = createSlackGateway(createSlackClient({ token: 'xoxb-x', apiUrl: slack.apiUrl, logger: createLogger('silent') }), pacer);
  const { ts } = await gw.postMessage('C1', { text: 'a', blocks: [] });
  await gw.postMessage('C2', { text: 'b', blocks: [] }, { threadTs: ts });
  await gw.updateMessage('C1', ts, { text: 'c', blocks: [] });
  await gw.postEphemeral('C1', 'U1', { text: 'd', blocks: [] });
  assert.deepEqual(waits, [
    [paceKeys.post('C1'), POST_MESSAGE_INTERVAL_MS],
    [paceKeys.post('C2'), POST_MESSAGE_INTERVAL_MS],
    [paceKeys.update(), UPDATE_INTERVAL_MS],
  ]);
});
