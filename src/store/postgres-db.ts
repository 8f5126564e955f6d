import pg from 'pg';
import { AppError } from '../errors.js';
import type { Row } from './sqlite-rows.js';

/** How long a request waits for a connection before the store counts as unreachable. */
export const CONNECT_TIMEOUT_MS = 2_000;

/** BIGINT columns hold epoch milliseconds: safe as JS numbers (pg returns strings by default). */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

/** The pool for STORE_URL (the URL's parameters, e.g. sslmode, are honoured by pg). */
export function createPool(url: string): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, types, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, max: 10 });
  // An idle connection dropped by the server must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  return pool;
}

export function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: unknown } | undefined)?.code === '23505';
}

function unavailable(err: unknown): AppError {
  return err instanceof AppError ? err : new AppError('store_unavailable', 'the state store failed', { cause: err });
}

export class PgBase {
  constructor(readonly pool: pg.Pool) {}

  protected async q(text: string, params: unknown[] = []): Promise<{ rows: Row[]; rowCount: number }> {
    try {
      const r = await this.pool.query(text, params);
      return { rows: r.rows as Row[], rowCount: r.rowCount ?? 0 };
    } catch (err) {
      throw unavailable(err);
    }
  }

  /** Runs `fn` in one transaction on one connection. */
  protected async tx<T>(fn: (q: (text: string, params?: unknown[]) => Promise<{ rows: Row[]; rowCount: number }>) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw unavailable(err);
    }
    try {
      await client.query('BEGIN');
      const result = await fn(async (text, params = []) => {
        const r = await client.query(text, params);
        return { rows: r.rows as Row[], rowCount: r.rowCount ?? 0 };
      });
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw unavailable(err);
    } finally {
      client.release();
    }
  }
}
