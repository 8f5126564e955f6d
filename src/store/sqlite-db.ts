import type Database from 'better-sqlite3';
import { AppError } from '../errors.js';

/**
 * What every SQLite store part shares: the connection, the prepared-statement cache, and the
 * way a statement waits for a lock another connection holds.
 *
 * better-sqlite3 is synchronous: with a long `busy_timeout` a locked database froze the whole
 * event loop (5 s), so Slack acks missed their 3 s. The driver now waits at most BUSY_TIMEOUT_MS
 * inside a call; beyond that the call gives the event loop back and retries with backoff until
 * LOCK_DEADLINE_MS has passed (then `store_unavailable`: SNS gets a 5xx and redelivers).
 */
export const BUSY_TIMEOUT_MS = 50;
export const LOCK_DEADLINE_MS = 5_000;
export const LOCK_BACKOFF_MS = [5, 10, 25, 50, 100, 200] as const;

export interface SqliteOptions {
  /** Injected for tests: how to wait between attempts while the database is locked. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  lockDeadlineMs?: number;
}

const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function isBusy(err: unknown): boolean {
  const code = (err as { code?: unknown } | undefined)?.code;
  return code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED' || (typeof code === 'string' && code.startsWith('SQLITE_BUSY'));
}

export class SqliteBase {
  private readonly statements = new Map<string, Database.Statement>();
  protected readonly sleep: (ms: number) => Promise<void>;
  protected readonly now: () => number;
  protected readonly lockDeadlineMs: number;

  constructor(
    readonly db: Database.Database,
    opts: SqliteOptions = {},
  ) {
    this.sleep = opts.sleep ?? realSleep;
    this.now = opts.now ?? Date.now;
    this.lockDeadlineMs = opts.lockDeadlineMs ?? LOCK_DEADLINE_MS;
  }

  /** Prepared once, reused (preparing on every call was a measurable share of SNS latency). */
  protected sql(text: string): Database.Statement {
    let st = this.statements.get(text);
    if (!st) {
      st = this.db.prepare(text);
      this.statements.set(text, st);
    }
    return st;
  }

  /** A write transaction that takes the write lock up front (no deadlock on lock upgrade). */
  protected tx<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  /**
   * Runs `fn` (one statement or one transaction: atomic, so safe to repeat after SQLITE_BUSY);
   * while another connection holds the lock, waits asynchronously and tries again.
   */
  protected async run<T>(fn: () => T): Promise<T> {
    const deadline = this.now() + this.lockDeadlineMs;
    for (let attempt = 0; ; attempt++) {
      try {
        return fn();
      } catch (err) {
        if (isBusy(err) && this.now() < deadline) {
          await this.sleep(LOCK_BACKOFF_MS[Math.min(attempt, LOCK_BACKOFF_MS.length - 1)]!);
          continue;
        }
        throw new AppError('store_unavailable', 'the state store failed', { cause: err });
      }
    }
  }
}
