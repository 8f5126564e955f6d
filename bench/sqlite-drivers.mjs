// Issue 10: better-sqlite3 (native addon, compiled at install) vs built-in node:sqlite
// (Node >= 22.13 without a flag). Same workload as the store's hot paths: inbox accepts
// (INSERT OR IGNORE, group commit of 50 per fsync'd transaction) and finding upserts (read +
// write in one transaction). Run it under each Node:  node bench/sqlite-drivers.mjs
// (better-sqlite3 only loads on the Node it was compiled for; node:sqlite needs Node >= 22.13.)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';

const N = Number(process.env.N ?? 5000);
const BATCH = 50;

async function open(driver, path) {
  if (driver === 'node:sqlite') {
    const { DatabaseSync } = await import('node:sqlite');
    const db = new DatabaseSync(path);
    return { exec: (s) => db.exec(s), prepare: (s) => db.prepare(s), close: () => db.close() };
  }
  const Database = createRequire(import.meta.url)('better-sqlite3');
  const db = new Database(path);
  return { exec: (s) => db.exec(s), prepare: (s) => db.prepare(s), close: () => db.close() };
}

async function run(driver) {
  const dir = mkdtempSync(join(tmpdir(), 'sqlite-bench-'));
  const db = await open(driver, join(dir, 'x.db'));
  db.exec('PRAGMA journal_mode = WAL');
  db.exec(`CREATE TABLE inbox (message_id TEXT PRIMARY KEY, payload TEXT NOT NULL, received_at INTEGER NOT NULL);
           CREATE TABLE findings (finding_id TEXT PRIMARY KEY, count INTEGER NOT NULL, finding_json TEXT NOT NULL)`);
  const payload = 'x'.repeat(4000);
  const insert = db.prepare('INSERT OR IGNORE INTO inbox (message_id, payload, received_at) VALUES (?, ?, ?)');
  db.exec('PRAGMA synchronous = FULL');
  let t = performance.now();
  for (let i = 0; i < N; i += BATCH) {
    db.exec('BEGIN IMMEDIATE');
    for (let j = i; j < i + BATCH; j++) insert.run(`m${j % (N * 0.9)}`, payload, j);
    db.exec('COMMIT');
  }
  const acceptPerS = N / ((performance.now() - t) / 1000);
  db.exec('PRAGMA synchronous = NORMAL');
  const get = db.prepare('SELECT count FROM findings WHERE finding_id = ?');
  const ins = db.prepare('INSERT INTO findings (finding_id, count, finding_json) VALUES (?, ?, ?)');
  const upd = db.prepare('UPDATE findings SET count = ?, finding_json = ? WHERE finding_id = ?');
  t = performance.now();
  for (let i = 0; i < N; i++) {
    const id = `f${i % 1000}`;
    db.exec('BEGIN IMMEDIATE');
    const row = get.get(id);
    if (row) upd.run(row.count + 1, payload, id);
    else ins.run(id, 1, payload);
    db.exec('COMMIT');
  }
  const upsertPerS = N / ((performance.now() - t) / 1000);
  db.close();
  rmSync(dir, { recursive: true, force: true });
  return { driver, node: process.version, acceptPerS: Math.round(acceptPerS), upsertPerS: Math.round(upsertPerS) };
}

for (const driver of ['better-sqlite3', 'node:sqlite']) {
  try {
    console.log(JSON.stringify(await run(driver)));
  } catch (err) {
    console.log(JSON.stringify({ driver, node: process.version, unavailable: String(err.message).split('\n')[0] }));
  }
}
