import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import pg from 'pg';
import { openPostgresStore, type PostgresStore } from '../../src/store/postgres.js';
import { MIGRATIONS } from '../../src/store/postgres-schema.js';
import { openStore } from '../../src/store/open.js';
import { freshDatabase, freshStoreUrl, stopPostgres } from '../helpers/postgres.js';
import { storeContract } from './contract.js';

const urls = new WeakMap<object, string>();

storeContract('PostgreSQL', {
  async open() {
    const url = await freshStoreUrl();
    const s = await openPostgresStore(url);
    urls.set(s, url);
    return s;
  },
  replica: (of) => openPostgresStore(urls.get(of)!),
});

after(() => stopPostgres());

test('PostgreSQL: replicas starting together apply each migration once (advisory lock)', async () => {
  const url = await freshDatabase();
  const stores = await Promise.all([1, 2, 3, 4].map(() => openPostgresStore(url)));
  try {
    const { rows } = await stores[0]!.pool.query('SELECT version FROM schema_migrations ORDER BY version');
    assert.deepEqual(
      rows.map((r: { version: number }) => r.version),
      MIGRATIONS.map((_, i) => i + 1),
    );
    assert.equal(await stores[1]!.acceptMessage({ messageId: 'm', topicArn: 't', receivedAt: 1, payload: 'p' }), 'accepted');
  } finally {
    for (const s of stores) await s.close();
  }
});

test('PostgreSQL: openStore picks it from postgres:// and postgresql:// URLs, parameters honoured', async () => {
  const url = await freshStoreUrl();
  const s = (await openStore(`${url.replace(/^postgres:/, 'postgresql:')}&sslmode=disable&application_name=responder-test`)) as PostgresStore;
  try {
    const { rows } = await s.pool.query('SHOW application_name');
    assert.equal(rows[0].application_name, 'responder-test');
    // sslmode=require against a server without TLS is refused: the parameter is not ignored.
    await assert.rejects(openStore(`${url}&sslmode=require`));
  } finally {
    await s.close();
  }
});

test('PostgreSQL: an unreachable server answers store_unavailable (readiness fails, no hang)', async () => {
  const url = await freshStoreUrl();
  const s = await openPostgresStore(url);
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await s.ping();
  // Point a store at a port nobody listens on: ping rejects with the app's typed error.
  const dead = new URL(url);
  dead.port = '1';
  const { PostgresStore: Ctor } = await import('../../src/store/postgres.js');
  const { createPool } = await import('../../src/store/postgres-db.js');
  const unreachable = new Ctor(createPool(dead.toString()));
  try {
    await assert.rejects(unreachable.ping(), { code: 'store_unavailable' });
  } finally {
    await unreachable.close();
    await admin.end();
    await s.close();
  }
});
