import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createPacer, POST_MESSAGE_INTERVAL_MS, UPDATE_INTERVAL_MS } from '../../src/slack/pacing.js';

test("Slack's published rates are the pacing constants", () => {
  assert.equal(POST_MESSAGE_INTERVAL_MS, 1000, 'about one message per second per channel');
  assert.equal(UPDATE_INTERVAL_MS, 1200, 'chat.update Tier 3: 50 per minute');
});

test('calls on one key are spaced by the interval; other keys are not held up', async () => {
  // A clock that stands still, so each waiter's delay is measured from the same instant.
  const sleeps: number[] = [];
  const clock = { now: () => 0, sleep: async (ms: number) => void sleeps.push(ms) };
  const pacer = createPacer(clock);
  await Promise.all([pacer.wait('a', 1000), pacer.wait('a', 1000), pacer.wait('a', 1000), pacer.wait('b', 1000)]);
  assert.deepEqual(
    sleeps.sort((x, y) => x - y),
    [1000, 2000],
  );
});
