import type { Clock } from '../util/clock.js';

/** chat.postMessage: about one message per second per channel (Slack's special rate limit). */
export const POST_MESSAGE_INTERVAL_MS = 1_000;
/** chat.update is Tier 3: about 50 calls per minute per workspace. */
export const UPDATE_INTERVAL_MS = Math.ceil(60_000 / 50);

/**
 * Spaces calls that share a key by a minimum interval. Reservations are taken synchronously, so
 * concurrent callers queue in call order instead of bursting.
 */
export interface Pacer {
  wait(key: string, intervalMs: number): Promise<void>;
  /** Slack answered 429: nothing on `key` goes out for `ms` (Retry-After); other keys go on. */
  hold?(key: string, ms: number): void;
}

export function createPacer(clock: Clock): Pacer {
  const nextFree = new Map<string, number>();
  return {
    async wait(key, intervalMs) {
      const now = clock.now();
      const at = Math.max(now, nextFree.get(key) ?? 0);
      nextFree.set(key, at + intervalMs);
      if (at > now) await clock.sleep(at - now);
    },
    hold(key, ms) {
      nextFree.set(key, Math.max(nextFree.get(key) ?? 0, clock.now() + ms));
    },
  };
}

/**
 * Honours a 429's Retry-After for the one method and channel (the pacing key) that got it, not
 * for every queue: returns the error to rethrow.
 */
export function holdOnRateLimit(pacer: Pacer | undefined, key: string, err: unknown): unknown {
  const e = err as { code?: string; context?: { retryAfterMs?: unknown } };
  if (e?.code === 'slack_unavailable' && typeof e.context?.retryAfterMs === 'number') pacer?.hold?.(key, e.context.retryAfterMs);
  return err;
}

export const paceKeys = {
  post: (channel: string) => `chat.postMessage:${channel}`,
  update: () => 'chat.update',
};

/** The store's shared rate slots (Store.reserveSlot): one budget for every replica on the database. */
export interface SlotReserver {
  reserveSlot(key: string, intervalMs: number, now: number): Promise<number>;
}

/**
 * Slack's limits are per channel and per workspace, not per process: with several replicas the
 * budget lives in the database. Each call reserves the next slot of its key in one atomic
 * statement and sleeps until it. Used with PostgreSQL; with SQLite (one process) the in-memory
 * pacer above keeps the same spacing without a write per Slack call.
 */
export function createSharedPacer(slots: SlotReserver, clock: Clock): Pacer {
  return {
    async wait(key, intervalMs) {
      const now = clock.now();
      const at = await slots.reserveSlot(key, intervalMs, now);
      if (at > now) await clock.sleep(at - now);
    },
  };
}
