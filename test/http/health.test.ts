import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import express from 'express';
import { healthRouter } from '../../src/http/health.js';
import { createPool } from '../../src/store/postgres-db.js';
import { PostgresStore } from '../../src/store/postgres.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import type { Store } from '../../src/store/store.js';

async function serve(store: Store): Promise<{ url: string; close(): Promise<void> }> {
  const app = express();
  app.use(healthRouter(store));
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((r) => server.close(() => r(undefined))),
  };
}

test('/readyz is 200 while the store answers and 503 once it does not; /healthz stays 200 (liveness)', async () => {
  const store = openSqliteStore('sqlite::memory:');
  const http = await serve(store);
  try {
    assert.equal((await fetch(`${http.url}/readyz`)).status, 200);
    assert.equal((await fetch(`${http.url}/healthz`)).status, 200);
    await store.close();
    const res = await fetch(`${http.url}/readyz`);
    assert.equal(res.status, 503);
    assert.deepEqual(await res.json(), { status: 'unavailable', reason: 'store' });
    assert.equal((await fetch(`${http.url}/healthz`)).status, 200, 'a store outage must not get the process restarted');
  } finally {
    await http.close();
  }
});

test('/readyz is 503 while PostgreSQL is unreachable', async () => {
  // Port 1 on loopback: connection refused, as when the database is down or failing over.
  const store = new PostgresStore(createPool('postgres://u:p@127.0.0.1:1/db'));
  const http = await serve(store);
  try {
    assert.equal((await fetch(`${http.url}/readyz`)).status, 503);
  } finally {
    await http.close();
    await store.close();
  }
});
