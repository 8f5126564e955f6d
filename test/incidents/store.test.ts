import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { draft } from '../store/contract-incidents.js';
import { T0 } from './fixtures.js';

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
