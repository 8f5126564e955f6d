import assert from 'node:assert/strict';
import { test } from 'node:test';
import { commandReplier, RESPONSE_URL_TTL_MS } from '../../src/notify/command-reply.js';
import { createLogger } from '../../src/log.js';

function world() {
  let now = 1_000_000;
  const sent: string[] = [];
  const reply = commandReplier({
    userId: 'U1',
    channelId: 'C1',
    now: () => now,
    logger: createLogger('silent'),
    respond: async (m) => void sent.push(`url:${m.text}`),
    slack: {
      postEphemeral: async (_c, _u, m) => void sent.push(`ephemeral:${m.text}`),
      postDirectMessage: async (_u, m) => void sent.push(`dm:${m.text}`),
      postMessage: async (c, m) => {
        sent.push(`channel:${m.text}`);
        return { ts: '1', channel: c };
      },
    },
  });
  return { reply, sent, advance: (ms: number) => (now += ms) };
}

test('the sixth answer and answers near the 30-minute limit go with the bot token, not the response_url', async () => {
  const w = world();
  for (let i = 1; i <= 6; i++) await w.reply({ text: `a${i}`, blocks: [] });
  assert.deepEqual(w.sent, ['url:a1', 'url:a2', 'url:a3', 'url:a4', 'url:a5', 'ephemeral:a6']);

  const late = world();
  late.advance(RESPONSE_URL_TTL_MS - 30_000);
  await late.reply({ text: 'late', blocks: [] }, 'in_channel');
  assert.deepEqual(late.sent, ['channel:late']);
});
