/**
 * Long-polls SQS queues for findings and stores them in the same durable inbox as POST /sns.
 * A message is deleted only once stored (accepted or already there); one that is not a finding
 * is left alone so the queue's redrive policy moves it to the dead-letter queue after
 * maxReceiveCount. While a batch is being stored its visibility is extended, so a slow store
 * never lets another consumer receive the same messages.
 */
import { ChangeMessageVisibilityBatchCommand, DeleteMessageBatchCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import { describeError } from '../errors.js';
import type { Finding } from '../findings/model.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/store.js';
import type { Clock } from '../util/clock.js';
import { classifySqsBody } from './message.js';
import type { QueueRef } from './queue-url.js';

/** SQS maximums: 10 messages per ReceiveMessage, 20 s long poll. */
export const MAX_MESSAGES = 10;
export const WAIT_TIME_SECONDS = 20;
/** A batch still being stored after this long gets its visibility extended… */
export const EXTEND_AFTER_MS = 10_000;
/** …to this many seconds from now (again every EXTEND_AFTER_MS until the batch is done). */
export const EXTENDED_VISIBILITY_S = 60;
/** Backoff after a failed receive or store outage: doubles up to the cap. */
export const RETRY_BASE_MS = 1_000;
export const RETRY_MAX_MS = 60_000;
/** Poison messages are logged once per SQS MessageId; the memory is bounded. */
export const MAX_REMEMBERED_POISON = 10_000;

/**
 * Whether the app acts where a finding is (AWS_ACCOUNT_IDS / AWS_REGIONS). A finding outside is
 * still stored, like on the SNS path: its card says the app does not act there and offers no
 * changing step; deleting it would hide a finding a person should still see.
 */
export type AdmitFinding = (f: Finding) => { ok: true } | { ok: false; reason: string };

export interface SqsIntakeDeps {
  queues: readonly QueueRef[];
  /** One client per region (built without an explicit endpoint so AWS_ENDPOINT_URL_SQS applies). */
  clientFor: (queue: QueueRef) => SQSClient;
  store: Store;
  clock: Clock;
  logger: Logger;
  /** Called after at least one new message was stored (wakes the inbox worker). */
  onAccepted: () => void;
  admit?: AdmitFinding;
  /** Timer for visibility extension; injected so tests can fire it (defaults to setTimeout). */
  setTimer?: (fn: () => void, ms: number) => () => void;
}

export interface SqsIntake {
  start(): void;
  /** Stops polling (aborts the open long poll) and waits for batches in flight to finish. */
  stop(): Promise<void>;
}

const realTimer = (fn: () => void, ms: number) => {
  const t = setInterval(fn, ms);
  t.unref();
  return () => clearInterval(t);
};

export function createSqsIntake(deps: SqsIntakeDeps): SqsIntake {
  const abort = new AbortController();
  const loops: Promise<void>[] = [];
  const poisonLogged = new Set<string>();
  const setTimer = deps.setTimer ?? realTimer;
  let stopped = false;

  async function pollLoop(queue: QueueRef): Promise<void> {
    const log = deps.logger.child({ component: 'sqs', queue: queue.arn });
    const client = deps.clientFor(queue);
    let failures = 0;
    while (!stopped) {
      try {
        const out = await client.send(
          new ReceiveMessageCommand({
            QueueUrl: queue.url,
            MaxNumberOfMessages: MAX_MESSAGES,
            WaitTimeSeconds: WAIT_TIME_SECONDS,
            MessageSystemAttributeNames: ['ApproximateReceiveCount', 'SentTimestamp'],
          }),
          { abortSignal: abort.signal },
        );
        const messages = out.Messages ?? [];
        if (messages.length) await handleBatch(queue, client, messages, log);
        failures = 0;
      } catch (err) {
        if (stopped) return;
        failures += 1;
        const delay = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** (failures - 1));
        log.warn({ err: describeError(err), failures, retryInMs: delay }, 'sqs receive failed; will retry');
        await Promise.race([deps.clock.sleep(delay), new Promise((r) => abort.signal.addEventListener('abort', r, { once: true }))]);
      }
    }
  }

  async function handleBatch(queue: QueueRef, client: SQSClient, messages: Message[], log: Logger): Promise<void> {
    const pending = new Map(messages.map((m) => [m.MessageId!, m.ReceiptHandle!]));
    const cancel = setTimer(() => void extend(queue, client, pending, log), EXTEND_AFTER_MS);
    const done: { Id: string; ReceiptHandle: string }[] = [];
    let accepted = 0;
    try {
      for (const m of messages) {
        const outcome = await storeOne(queue, m, log);
        pending.delete(m.MessageId!);
        if (outcome === 'keep') continue;
        if (outcome === 'accepted') accepted += 1;
        done.push({ Id: String(done.length), ReceiptHandle: m.ReceiptHandle! });
      }
    } finally {
      cancel();
      if (accepted) deps.onAccepted();
      // Delete what is durably stored even when a later message hit a store outage.
      if (done.length) await deleteBatch(queue, client, done, log);
    }
  }

  /** 'keep' leaves the message for the redrive policy; the others are safe to delete. */
  async function storeOne(queue: QueueRef, m: Message, log: Logger): Promise<'accepted' | 'duplicate' | 'keep'> {
    const sqsId = m.MessageId!;
    const c = classifySqsBody(m.Body ?? '', sqsId, queue.arn);
    if (c.kind === 'not_finding') {
      if (!poisonLogged.has(sqsId)) {
        if (poisonLogged.size >= MAX_REMEMBERED_POISON) poisonLogged.clear();
        poisonLogged.add(sqsId);
        log.warn(
          { sqsMessageId: sqsId, reason: c.reason, receiveCount: m.Attributes?.ApproximateReceiveCount },
          'sqs message is not a finding; left for the dead-letter queue',
        );
      }
      return 'keep';
    }
    for (const f of c.findings) {
      const verdict = deps.admit?.(f) ?? { ok: true };
      if (!verdict.ok) {
        // No AWS call is ever made there (the client factory refuses); the card says why.
        log.info(
          { sqsMessageId: sqsId, findingId: f.id, accountId: f.accountId, region: f.region, reason: verdict.reason },
          'sqs finding outside the allowlists: stored, its card says the app does not act there',
        );
      }
    }
    // A store outage throws: the message stays in the queue and comes back after its visibility timeout.
    const outcome = await deps.store.acceptMessage({
      messageId: c.dedupeId,
      topicArn: c.source,
      receivedAt: deps.clock.now(),
      payload: c.payload,
      reqId: `sqs:${sqsId}`,
    });
    log.info({ sqsMessageId: sqsId, messageId: c.dedupeId, outcome }, outcome === 'accepted' ? 'sqs message accepted' : 'duplicate sqs message ignored');
    return outcome;
  }

  async function extend(queue: QueueRef, client: SQSClient, pending: Map<string, string>, log: Logger): Promise<void> {
    if (!pending.size) return;
    const entries = [...pending.values()].map((ReceiptHandle, i) => ({ Id: String(i), ReceiptHandle, VisibilityTimeout: EXTENDED_VISIBILITY_S }));
    try {
      await client.send(new ChangeMessageVisibilityBatchCommand({ QueueUrl: queue.url, Entries: entries }));
      log.info({ messages: entries.length, seconds: EXTENDED_VISIBILITY_S }, 'slow batch: visibility extended');
    } catch (err) {
      log.warn({ err: describeError(err) }, 'could not extend visibility');
    }
  }

  async function deleteBatch(queue: QueueRef, client: SQSClient, entries: { Id: string; ReceiptHandle: string }[], log: Logger): Promise<void> {
    try {
      const out = await client.send(new DeleteMessageBatchCommand({ QueueUrl: queue.url, Entries: entries }));
      // Harmless: the message comes back and is a duplicate in the inbox then.
      for (const f of out.Failed ?? [])
        log.warn({ code: f.Code, message: f.Message }, 'sqs delete failed; message will be re-received and ignored as a duplicate');
    } catch (err) {
      log.warn({ err: describeError(err), messages: entries.length }, 'sqs delete failed; messages will be re-received and ignored as duplicates');
    }
  }

  return {
    start() {
      for (const q of deps.queues) loops.push(pollLoop(q));
    },
    async stop() {
      stopped = true;
      abort.abort();
      await Promise.allSettled(loops);
    },
  };
}
