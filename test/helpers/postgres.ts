import { randomBytes } from 'node:crypto';
import pg from 'pg';
// @ts-expect-error plain JS helper shared with scripts/run-tests.mjs
import { startTestPostgres } from '../../scripts/test-postgres.mjs';

/** Admin URL of the run's PostgreSQL server (scripts/run-tests.mjs starts one per run). */
export const TEST_POSTGRES_ENV = 'TEST_POSTGRES_URL';

let own: Promise<{ url: string; stop(): Promise<void> }> | undefined;

/**
 * The admin URL: the one server the test runner started for this run, or (a file run on its
 * own with `node --test`) a server started for this process; stopPostgres() stops that one.
 */
export async function adminUrl(): Promise<string> {
  const fromRunner = process.env[TEST_POSTGRES_ENV];
  if (fromRunner) return fromRunner;
  own ??= startTestPostgres() as Promise<{ url: string; stop(): Promise<void> }>;
  return (await own).url;
}

export async function stopPostgres(): Promise<void> {
  if (own) await (await own).stop();
  own = undefined;
}

let shared: Promise<string> | undefined;

/** A new, empty database on the test server; returns its URL. */
export async function freshDatabase(prefix = 't'): Promise<string> {
  const admin = await adminUrl();
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * Fresh, empty data for one store: a new schema in this process's database (creating a
 * database takes ~0.5 s; a schema, milliseconds). The URL selects it with search_path.
 */
export async function freshStoreUrl(): Promise<string> {
  shared ??= freshDatabase();
  const db = await shared;
  const schema = `s_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: db });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA ${schema}`);
  } finally {
    await client.end();
  }
  const url = new URL(db);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return url.toString();
}
