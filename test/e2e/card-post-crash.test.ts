/**
 * A crash between Slack accepting a card and the store recording it (issue 9 item 15): after the
 * restart the finding is processed again, and the card must not be posted a second time. The
 * intent (a client id, also carried in the message metadata) is stored before chat.postMessage,
 * and a retry looks for that message with conversations.history first.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AppError } from '../../src/errors.js';
import { INBOX_LEASE_MS } from '../../src/ingest/worker.js';
import type { Store } from '../../src/store/store.js';
import { ecsFindingEvent, publishFinding } from '../helpers/ecs-world.js';
import { startHarness } from '../helpers/harness.js';

test('the process dies after Slack accepted the card but before the store recorded it: after restart exactly one card, and the store points at it', async (t) => {
  let crashOnce = true;
  // The store "dies" right after chat.postMessage succeeded, as a SIGKILL there would leave it:
  // the card is in Slack, the finding has no card, the inbox message is still pending.
  // From then on that process is dead: every store call fails until the restart opens a new one.
  const wrapStore = (store: Store): Store => {
    let dead = false;
    return new Proxy(store, {
      get(target, prop, receiver) {
        const v = Reflect.get(target, prop, receiver) as unknown;
        if (typeof v !== 'function') return v;
        if (prop === 'close') return v.bind(target);
        return async (...args: unknown[]) => {
          if (prop === 'setFindingCard' && crashOnce) {
            crashOnce = false;
            dead = true;
          }
          if (dead) throw new AppError('store_unavailable', 'simulated SIGKILL after the post');
          return (v as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
  };
  const h = await startHarness({ overrides: { wrapStore } });
  t.after(() => h.close());
  const { event, findingId } = ecsFindingEvent({
    taskArn: 'arn:aws:ecs:us-east-1:123456789012:task/prod/0123456789abcdef0123456789abcdef',
    clusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/prod',
    image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/checkout:1.4',
  });
  await publishFinding(h, event);
  assert.equal(crashOnce, false, 'the crash happened');
  const cardPosts = () => h.slack.callsTo('chat.postMessage').filter((c) => JSON.stringify(c.args.blocks ?? '').includes(findingId) && !c.args.thread_ts);
  assert.equal(cardPosts().length, 1, 'Slack has the card');
  await assert.rejects(h.responder.store.getFinding(findingId), /simulated SIGKILL/, 'that process is gone');

  await h.restart();
  // The dead process still holds the message's inbox lease: another process claims it once the
  // lease has expired (INBOX_LEASE_MS), then finds the card it posted instead of posting again.
  h.clock.advance(INBOX_LEASE_MS + 1);
  h.responder.inbox.kick();
  await h.settle();

  assert.equal(cardPosts().length, 1, 'exactly one card after the restart');
  const record = await h.responder.store.getFinding(findingId);
  assert.equal(record?.ts, cardPosts()[0]!.ts, 'the store now points at the card that was posted before the crash');
  assert.ok(h.slack.callsTo('conversations.history').length >= 1, 'looked it up in the channel');
});
