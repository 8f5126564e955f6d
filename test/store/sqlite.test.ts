import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite.js';
import type { Store } from '../../src/store/store.js';
import { storeContract } from './contract.js';

const dir = mkdtempSync(join(tmpdir(), 'store-sqlite-'));
let n = 0;
const urls = new WeakMap<Store, string>();

storeContract('SQLite', {
  async open() {
    const url = `sqlite:${join(dir, `db-${++n}.db`)}`;
    const s = openSqliteStore(url);
    urls.set(s, url);
    return s;
  },
  async replica(of) {
    return openSqliteStore(urls.get(of)!);
  },
  async cleanup() {
    rmSync(dir, { recursive: true, force: true });
  },
});

test('SQLite: messages and incidents survive a reopen (migrations applied once)', async () => {
  const url = `sqlite:${join(dir, 'reopen.db')}`;
  const a = openSqliteStore(url);
  assert.equal(await a.acceptMessage({ messageId: 'm1', topicArn: 't', receivedAt: 1, payload: 'p' }), 'accepted');
  await a.createIncident({ state: 'open', severity: 5, title: 't', openedAt: 1, lastSeenAt: 1, keys: ['k'] });
  await a.close();
  const b = openSqliteStore(url);
  assert.deepEqual(
    (await b.pendingMessages(10)).map((p) => p.messageId),
    ['m1'],
  );
  assert.equal((await b.createIncident({ state: 'open', severity: 5, title: 't', openedAt: 1, lastSeenAt: 1, keys: ['k'] })).id, 'INC-2');
  await b.close();
});

test('SQLite: a write lock held by another connection does not freeze the event loop; the write lands once released', async () => {
  const url = `sqlite:${join(dir, 'locked.db')}`;
  let waits = 0;
  let other: Database.Database | undefined;
  let store: SqliteStore | undefined;
  try {
    // The retry's sleep is injected: it yields to the event loop like a timer would, and lets the
    // test release the lock after a few waits (no wall-clock sleeping).
    store = openSqliteStore(url, {
      sleep: () =>
        new Promise<void>((resolve) => {
          waits++;
          if (waits === 3) other!.exec('COMMIT');
          setImmediate(resolve);
        }),
    });
    other = new Database(url.slice('sqlite:'.length));
    other.exec('BEGIN IMMEDIATE');
    let ticks = 0;
    let ticking = true;
    const tick = () => {
      ticks++;
      if (ticking) setImmediate(tick);
    };
    setImmediate(tick);
    const started = Date.now();
    const write = store.putFindingState('f1', 'isolation', { active: true }, 1);
    // Slack's 3 s ack needs the loop back long before a 5 s busy timeout; one call may block at
    // most the driver's short busy timeout.
    const returnedAfter = Date.now() - started;
    await write;
    ticking = false;
    assert.ok(returnedAfter < 1000, `the call returned after ${returnedAfter} ms`);
    assert.ok(waits >= 3, 'it waited asynchronously for the lock');
    assert.ok(ticks >= 3, 'the event loop kept serving while the database was locked');
    assert.deepEqual(await store.getFindingState('f1', 'isolation'), { active: true });
  } finally {
    if (other?.inTransaction) other.exec('ROLLBACK');
    other?.close();
    await store?.close();
  }
});

test('SQLite: a lock held past the deadline answers store_unavailable instead of hanging', async () => {
  const url = `sqlite:${join(dir, 'stuck.db')}`;
  let now = 0;
  const store = openSqliteStore(url, {
    now: () => now,
    sleep: async (ms) => {
      now += ms;
    },
  });
  const other = new Database(url.slice('sqlite:'.length));
  other.exec('BEGIN IMMEDIATE');
  try {
    await assert.rejects(store.acceptMessage({ messageId: 'm1', topicArn: 't', receivedAt: 1, payload: 'p' }), { code: 'store_unavailable' });
    assert.ok(now >= 5000, 'gave up only after the deadline');
  } finally {
    other.exec('ROLLBACK');
    other.close();
    await store.close();
  }
  const again = openSqliteStore(url);
  assert.equal(await again.acceptMessage({ messageId: 'm1', topicArn: 't', receivedAt: 1, payload: 'p' }), 'accepted', 'nothing half-done');
  await again.close();
});
