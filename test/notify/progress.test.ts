import assert from 'node:assert/strict';
import { test } from 'node:test';
import { progressReporter, PROGRESS_UPDATE_MS } from '../../src/notify/progress.js';
import type { SlackGateway } from '../../src/slack/client.js';
import { fakeClock } from '../helpers/clock.js';

test('progress: one thread message, updated at most every 10 s and once at the end, whatever the number of lines', async () => {
  assert.equal(PROGRESS_UPDATE_MS, 10_000);
  const clock = fakeClock(0);
  const posts: string[] = [];
  const updates: string[] = [];
  const slack = { updateMessage: async (_c: string, _ts: string, m: { text: string }) => void updates.push(m.text) } as unknown as SlackGateway;
  const p = progressReporter({
    clock,
    slack,
    channel: 'C1',
    post: async (m) => {
      posts.push(m.text);
      return { ts: '1.1' };
    },
    render: (lines) => ({ text: `${lines.length} lines`, blocks: [] }),
  });
  for (let i = 0; i < 200; i++) p.push(`stopped ${i}`);
  await new Promise((r) => setImmediate(r));
  clock.advance(PROGRESS_UPDATE_MS);
  p.push('stopped 200');
  await p.flush();
  assert.equal(posts.length, 1, 'one message');
  assert.ok(updates.length <= 2, `at most one timed update and the final one, got ${updates.length}`);
  assert.equal(updates.at(-1), '201 lines', 'the final update shows every line');
});
