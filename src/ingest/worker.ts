import { describeError, isAppError } from '../errors.js';
import type { Logger } from '../log.js';
import type { InboxEntry, Store } from '../store/store.js';
import type { Clock } from '../util/clock.js';

/** First retry after a Slack or store outage; doubles up to the cap. */
export const RETRY_BASE_MS = 1_000;
export const RETRY_MAX_MS = 5 * 60_000;
export const INBOX_BATCH = 25;
/**
 * How long a claimed batch stays this replica's: longer than the worst time to process it (25
 * cards paced at about 1 s each, shared with other replicas). A replica that dies holding a batch
 * delays it by at most this; another replica then claims it.
 */
export const INBOX_LEASE_MS = 2 * 60_000;
/** Owner of claims when no replica id is given (one process). */
export const LOCAL_OWNER = 'local';
/** Slack errors about one channel (not the whole workspace): other channels' cards go on. */
export const CHANNEL_SETUP_ERRORS = ['not_in_channel', 'channel_not_found', 'is_archived', 'ratelimited'];

export interface InboxWorker {
  /** Start draining now (after a message was accepted, or at start-up). */
  kick(): void;
  /** Resolves once the inbox has nothing pending and no drain is running. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Drains the durable inbox most severe first (then arrival order), a claimed batch at a time, one message at a time. A message that cannot be a
 * finding is marked failed (and logged); an outage (Slack down, rate limit, store) keeps the
 * message pending and retries the queue with backoff, so nothing accepted is ever lost.
 */
export function createInboxWorker(deps: {
  store: Store;
  clock: Clock;
  logger: Logger;
  handle: (entry: InboxEntry) => Promise<void>;
  /** This process's replica id: claimed messages are leased to it (several replicas, one inbox). */
  owner?: string;
  leaseMs?: number;
}): InboxWorker {
  const log = deps.logger.child({ component: 'inbox' });
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = false;
  let wakeFromBackoff: (() => void) | undefined;
  const owner = deps.owner ?? LOCAL_OWNER;

  async function drain(): Promise<void> {
    while (!stopped) {
      // A lease, not a plain read: with several replicas each message is processed by one of them,
      // and a batch held by a replica that died is claimed again once its lease expires.
      const batch = await deps.store.claimMessages(owner, INBOX_BATCH, deps.leaseMs ?? INBOX_LEASE_MS, deps.clock.now());
      if (batch.length === 0) {
        if (!again) return;
        again = false;
        continue;
      }
      let progressed = false;
      let backoffMs = 0;
      let left = batch.length;
      for (const entry of batch) {
        if (stopped) break;
        // A message arrived meanwhile: re-read the inbox, it may be more severe than the rest of this batch.
        if (again && progressed) {
          again = false;
          break;
        }
        const r = await processOne(entry);
        if (r.kind === 'done') {
          progressed = true;
          left--;
        } else if (r.kind === 'blocked')
          backoffMs = Math.max(backoffMs, r.retryInMs); // this one waits; the others go on
        else {
          backoffMs = r.retryInMs; // Slack or the store is down for everyone: stop and wait
          break;
        }
      }
      // Whatever this replica did not finish is free again (for its own retry or another replica).
      if (left > 0)
        await deps.store
          .releaseMessages(owner)
          .catch((err) => log.warn({ err: describeError(err) }, 'could not release inbox leases; they expire on their own'));
      if (stopped) return;
      if (backoffMs > 0 && !progressed) await backoff(backoffMs);
    }
  }

  /** stop() must not wait out a long backoff (containers get ~10 s to exit). */
  async function backoff(ms: number): Promise<void> {
    await Promise.race([deps.clock.sleep(ms), new Promise<void>((r) => (wakeFromBackoff = r))]);
    wakeFromBackoff = undefined;
  }

  type Outcome = { kind: 'done' } | { kind: 'outage'; retryInMs: number } | { kind: 'blocked'; retryInMs: number };

  async function processOne(entry: InboxEntry): Promise<Outcome> {
    try {
      await deps.handle(entry);
      await deps.store.finishMessage(entry.messageId, 'done');
      return { kind: 'done' };
    } catch (err) {
      if (isAppError(err, 'finding_busy')) return { kind: 'blocked', retryInMs: RETRY_BASE_MS }; // another replica is on it: after it, this one only updates
      if (isAppError(err, 'slack_unavailable') || isAppError(err, 'store_unavailable')) {
        const attempts = entry.attempts + 1;
        const context = (err as { context: Record<string, unknown> }).context;
        const retryAfter = Number(context.retryAfterMs ?? 0);
        const delay = Math.max(retryAfter, Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** (attempts - 1)));
        // A channel the bot cannot post in blocks only the messages routed there.
        const channelOnly = CHANNEL_SETUP_ERRORS.includes(String(context.slackError ?? ''));
        // A message stuck for a channel is retried for as long as it takes: warn on its first attempt only (`/guardduty inbox` lists it).
        log[channelOnly && attempts > 1 ? 'debug' : 'warn'](
          { messageId: entry.messageId, reqId: entry.reqId, err: describeError(err), attempts, retryInMs: delay, channelOnly },
          'outage while processing; will retry',
        );
        await deps.store.recordAttempt(entry.messageId, describeError(err)).catch(() => undefined);
        return { kind: channelOnly ? 'blocked' : 'outage', retryInMs: delay };
      }
      log.error(
        { messageId: entry.messageId, reqId: entry.reqId, err: describeError(err), code: isAppError(err) ? err.code : undefined },
        'message could not be processed; marked failed',
      );
      await deps.store.finishMessage(entry.messageId, 'failed', describeError(err));
      return { kind: 'done' };
    }
  }

  function kick(): void {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = drain()
      .catch((err) => log.error({ err: describeError(err) }, 'inbox drain crashed'))
      .finally(() => {
        running = undefined;
        if (again && !stopped) {
          again = false;
          kick();
        }
      });
  }

  return {
    kick,
    async idle() {
      while (running) await running;
    },
    async stop() {
      stopped = true;
      wakeFromBackoff?.();
      while (running) await running;
    },
  };
}
