/**
 * Per-user sliding-window limit on opening changing-step confirmations, so one person (or one
 * stolen session) cannot fire every destructive step in a burst: 12 clicks in 0.2 s give 3
 * confirmations, not 12. Time is injected; the window is counted from each allowed attempt.
 */
export interface RateLimit {
  readonly count: number;
  readonly windowMs: number;
}

/**
 * `ACTION_RATE_LIMIT` default: 5 changing-step confirmations per user per 60 s. Enough for a
 * responder containing one host quickly (evidence, isolate, revoke credentials, scan), not for
 * a burst over every card.
 */
export const DEFAULT_ACTION_RATE_LIMIT: RateLimit = Object.freeze({ count: 5, windowMs: 60_000 });

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000 } as const;

/** Parses `N/Ws`, `N/Wm` or `N/Wh` (e.g. `3/60s`); `off` means no limit. Undefined when malformed. */
export function parseRateLimit(text: string): RateLimit | 'off' | undefined {
  const v = text.trim().toLowerCase();
  if (v === 'off') return 'off';
  const m = /^(\d{1,4})\s*\/\s*(\d{1,6})\s*([smh])$/.exec(v);
  if (!m) return undefined;
  const count = Number(m[1]);
  const windowMs = Number(m[2]) * UNIT_MS[m[3] as keyof typeof UNIT_MS];
  return count > 0 && windowMs > 0 ? { count, windowMs } : undefined;
}

/** The window for people: `60 s`, `2 min`. */
export function windowText(limit: RateLimit): string {
  return limit.windowMs % 60_000 === 0 && limit.windowMs > 60_000 ? `${limit.windowMs / 60_000} min` : `${limit.windowMs / 1000} s`;
}

export interface RateLimiter {
  /** Counts the attempt when allowed; otherwise says how long until the next one is. */
  take(key: string): { ok: true } | { ok: false; retryInMs: number };
}

export function createRateLimiter(limit: RateLimit, now: () => number): RateLimiter {
  const hits = new Map<string, number[]>();
  return {
    take(key) {
      const t = now();
      const recent = (hits.get(key) ?? []).filter((at) => t - at < limit.windowMs);
      if (recent.length >= limit.count) {
        hits.set(key, recent);
        return { ok: false, retryInMs: limit.windowMs - (t - recent[0]!) };
      }
      recent.push(t);
      hits.set(key, recent);
      // Forget idle users so the map does not grow with everyone who ever clicked.
      if (hits.size > 1_000) for (const [k, v] of hits) if (v.every((at) => t - at >= limit.windowMs)) hits.delete(k);
      return { ok: true };
    },
  };
}
