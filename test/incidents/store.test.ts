import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openSqliteStore } from '../../src/store/sqlite.js';
import type { NewIncident } from '../../src/incidents/model.js';
import { T0 } from './fixtures.js';

const draft = (over: Partial<NewIncident> = {}): NewIncident => ({
  state: 'open',
  severity: 8,
  title: 'Reverse shell',
  accountId: '123456789012',
  region: 'us-east-1',
  openedAt: T0,
  lastSeenAt: T0,
  keys: ['finding:f1', 'ecs-task:T1'],
  ...over,
});

// The incident store's behaviour is in the store contract (test/store/contract-incidents.ts), run on
// SQLite and PostgreSQL alike; what stays here is SQLite-only: the data survives a reopen.

test('incidents survive a reopen of the database (migration applied once)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'inc-store-'));
  try {
    const url = `sqlite:${join(dir, 'x.db')}`;
    const a = openSqliteStore(url);
    const inc = await a.createIncident(draft());
    await a.appendIncidentEvent(inc.id, { kind: 'note', text: 'hi', at: T0 });
    await a.close();
    const b = openSqliteStore(url);
    assert.equal((await b.getIncident('INC-1'))?.title, 'Reverse shell');
    assert.equal((await b.incidentEvents('INC-1')).length, 1);
    assert.equal((await b.createIncident(draft())).id, 'INC-2');
    await b.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
