import { openPostgresStore } from './postgres.js';
import { openSqliteStore } from './sqlite.js';
import type { Store } from './store.js';

/** True for the URLs that select PostgreSQL (postgres:// or postgresql://). */
export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//.test(url);
}

/**
 * The store STORE_URL names: `sqlite:PATH` (default; one process) or `postgres://…` /
 * `postgresql://…` (several replicas; URL parameters such as sslmode are honoured). Migrations
 * are applied before it returns.
 */
export async function openStore(url: string): Promise<Store> {
  if (isPostgresUrl(url)) return openPostgresStore(url);
  return openSqliteStore(url);
}
