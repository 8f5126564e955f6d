/**
 * The SQS intake against the loopback SQS double with the real SQSClient: stored then deleted,
 * duplicates deleted without a second inbox entry, poison left for the redrive policy, visibility
 * extended while a batch is slow, backoff on errors, a clean stop.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { afterEach, describe, test } from 'node:test';
import { SQSClient } from '@aws-sdk/client-sqs';
import { Writable } from 'node:stream';
import { AppError } from '../../src/errors.js';
import { createLogger } from '../../src/log.js';
import { parseQueueUrl } from '../../src/sqs/queue-url.js';
import { classifySqsBody } from '../../src/sqs/message.js';
import { createSqsIntake, EXTENDED_VISIBILITY_S, RETRY_BASE_MS } from '../../src/sqs/poller.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { fakeClock } from '../helpers/clock.js';
import { waitUntil } from '../helpers/ecs-world.js';
import { startSqsDouble, type SqsDouble } from '../doubles/sqs.js';

const event = () => JSON.parse(readFileSync(new URL('../fixtures/findings/eventbridge-ecs-fargate.json', import.meta.url), 'utf8')) as Record<string, unknown>;
const snsEnvelope = (message: unknown, id = 'sns-msg-1') => ({
  Type: 'Notification',
  MessageId: id,
  TopicArn: 'arn:aws:sns:us-east-1:123456789012:gd',
  Message: JSON.stringify(message),
  Timestamp: '2026-11-28T10:00:00.000Z',
});

describe('SQS queue URL', () => {
  test('region comes from an AWS host, else the configured region', () => {
    assert.equal(parseQueueUrl('https://sqs.eu-west-2.amazonaws.com/123456789012/gd', 'us-east-1').region, 'eu-west-2');
    assert.equal(parseQueueUrl('https://ap-south-1.queue.amazonaws.com/123456789012/gd', 'us-east-1').region, 'ap-south-1');
    const local = parseQueueUrl('http://localhost:4566/000000000000/gd', 'eu-central-1');
    assert.equal(local.region, 'eu-central-1');
    assert.equal(local.arn, 'arn:aws:sqs:eu-central-1:000000000000:gd');
    assert.equal(parseQueueUrl('https://sqs.cn-north-1.amazonaws.com.cn/123456789012/gd', 'x').arn, 'arn:aws-cn:sqs:cn-north-1:123456789012:gd');
  });
});

describe('SQS message shapes', () => {
  const arn = 'arn:aws:sqs:us-east-1:123456789012:gd';
  test('an SNS envelope is keyed by its SNS MessageId (the same key POST /sns uses)', () => {
    const c = classifySqsBody(JSON.stringify(snsEnvelope(event())), 'sqs-1', arn);
    assert.equal(c.kind, 'finding');
    if (c.kind !== 'finding') return;
    assert.equal(c.dedupeId, 'sns-msg-1');
    assert.equal(c.source, 'arn:aws:sns:us-east-1:123456789012:gd');
    assert.equal(JSON.parse(c.payload).id, event().id);
  });
  test('a raw EventBridge event (rule target or raw SNS delivery) is keyed by the event id', () => {
    const c = classifySqsBody(JSON.stringify(event()), 'sqs-1', arn);
    assert.equal(c.kind === 'finding' && c.dedupeId, `event:${String(event().id)}`);
    assert.equal(c.kind === 'finding' && c.source, arn);
  });
  test('anything else is not a finding, with a reason', () => {
    for (const body of [
      'hello',
      '{"detail-type":"EC2 Instance State-change Notification","detail":{},"source":"aws.ec2"}',
      JSON.stringify({ Type: 'SubscriptionConfirmation', TopicArn: 'x', Message: 'y' }),
    ]) {
      const c = classifySqsBody(body, 'sqs-1', arn);
      assert.equal(c.kind, 'not_finding', body);
    }
  });
});

describe('SQS intake', () => {
  let sqs: SqsDouble;
  let stop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await stop?.();
    await sqs.close();
  });

  async function start(opts: { timers?: (() => void)[]; slowStore?: Promise<void>; storeDown?: { on: boolean } } = {}) {
    const clock = fakeClock();
    sqs = await startSqsDouble({ now: clock.now, maxWaitMs: 20 });
    sqs.createQueue('findings', { visibilityTimeoutS: 30, deadLetter: { name: 'findings-dlq', maxReceiveCount: 3 } });
    const store = openSqliteStore('sqlite::memory:');
    const realAccept = store.acceptMessage.bind(store);
    store.acceptMessage = async (e) => {
      await opts.slowStore;
      if (opts.storeDown?.on) throw new AppError('store_unavailable', 'db down');
      return realAccept(e);
    };
    const lines: string[] = [];
    const logger = createLogger(
      'info',
      new Writable({
        write: (c, _e, cb) => {
          lines.push(String(c));
          cb();
        },
      }),
    );
    let accepted = 0;
    const client = new SQSClient(sqs.clientConfig());
    const intake = createSqsIntake({
      queues: [parseQueueUrl(sqs.queue('findings').url, 'us-east-1')],
      clientFor: () => client,
      store,
      clock,
      logger,
      onAccepted: () => {
        accepted += 1;
      },
      ...(opts.timers
        ? {
            setTimer: (fn: () => void) => {
              opts.timers!.push(fn);
              return () => undefined;
            },
          }
        : {}),
    });
    intake.start();
    stop = async () => {
      await intake.stop();
      client.destroy();
      await store.close();
    };
    return { clock, store, lines, intake, accepted: () => accepted };
  }

  test('a finding is stored in the inbox, then deleted from the queue; receives ask for 10 with a 20 s wait', async () => {
    const w = await start();
    sqs.send('findings', event());
    await waitUntil('condition', () => sqs.callsTo('DeleteMessageBatch').length === 1);
    assert.equal(sqs.queue('findings').messages.length, 0);
    const stored = await w.store.getMessage(`event:${String(event().id)}`);
    assert.equal(stored?.state, 'pending');
    assert.equal(w.accepted(), 1);
    const r = sqs.callsTo('ReceiveMessage')[0]!.params;
    assert.equal(r.MaxNumberOfMessages, 10);
    assert.equal(r.WaitTimeSeconds, 20);
  });

  test('a duplicate (same SNS MessageId) is deleted without a second inbox entry', async () => {
    const w = await start();
    sqs.send('findings', snsEnvelope(event(), 'dup-1'));
    sqs.send('findings', snsEnvelope(event(), 'dup-1'));
    await waitUntil('condition', () => sqs.queue('findings').messages.length === 0);
    assert.equal((await w.store.pendingMessages(10)).length, 1);
    assert.ok(w.lines.some((l) => l.includes('duplicate sqs message ignored')));
  });

  test('a message that is not a finding stays in the queue, is logged once, and reaches the DLQ after maxReceiveCount', async () => {
    const w = await start();
    const id = sqs.send('findings', 'not json at all');
    for (let i = 0; i < 4; i++) {
      await waitUntil('condition', () => sqs.queue('findings').messages[0]?.receiveCount === i + 1 || sqs.queue('findings-dlq').messages.length === 1);
      w.clock.advance(31_000); // past the visibility timeout
      sqs.wake();
    }
    await waitUntil('condition', () => sqs.queue('findings-dlq').messages.length === 1);
    assert.equal(sqs.queue('findings-dlq').messages[0]!.messageId, id);
    assert.equal(sqs.callsTo('DeleteMessageBatch').length, 0);
    assert.equal(w.lines.filter((l) => l.includes('not a finding')).length, 1);
    assert.equal((await w.store.pendingMessages(10)).length, 0);
  });

  test('a slow batch gets its visibility extended; nothing is deleted before it is stored', async () => {
    const timers: (() => void)[] = [];
    let release!: () => void;
    const slow = new Promise<void>((r) => (release = r));
    await start({ timers, slowStore: slow });
    sqs.send('findings', event());
    await waitUntil('condition', () => timers.length === 1);
    timers[0]!();
    await waitUntil('condition', () => sqs.callsTo('ChangeMessageVisibilityBatch').length === 1);
    const entry = (sqs.callsTo('ChangeMessageVisibilityBatch')[0]!.params.Entries as { VisibilityTimeout: number }[])[0]!;
    assert.equal(entry.VisibilityTimeout, EXTENDED_VISIBILITY_S);
    assert.equal(sqs.callsTo('DeleteMessageBatch').length, 0);
    release();
    await waitUntil('condition', () => sqs.callsTo('DeleteMessageBatch').length === 1);
  });

  test('a store outage keeps the message in the queue; receive errors back off on the injected clock', async () => {
    const down = { on: true };
    const w = await start({ storeDown: down });
    sqs.send('findings', event());
    await waitUntil('condition', () => w.clock.sleeps.length >= 1);
    assert.equal(w.clock.sleeps[0], RETRY_BASE_MS);
    assert.equal(sqs.callsTo('DeleteMessageBatch').length, 0);
    assert.equal(sqs.queue('findings').messages.length, 1);
    sqs.failNext('ReceiveMessage', 'InternalError', 2);
    down.on = false;
    w.clock.advance(31_000);
    sqs.wake();
    await waitUntil('condition', () => sqs.queue('findings').messages.length === 0);
    assert.ok(w.clock.sleeps.includes(RETRY_BASE_MS * 2), `backoff doubles: ${w.clock.sleeps.join(',')}`);
  });

  test('stop() ends an open long poll promptly', async () => {
    const w = await start();
    await waitUntil('condition', () => sqs.callsTo('ReceiveMessage').length >= 1);
    await w.intake.stop();
    const n = sqs.callsTo('ReceiveMessage').length;
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(sqs.callsTo('ReceiveMessage').length, n);
  });
});
