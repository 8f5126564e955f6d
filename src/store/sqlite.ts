import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { AppError } from '../errors.js';
import { findingVersion, isNewer, type FindingRecord, type InboxEntry, type Store } from './store.js';

/**
 * SQLite store (better-sqlite3: synchronous, so every statement is atomic in this process).
 * WAL mode + synchronous=FULL: a message is on disk before POST /sns answers 200.
 */
export function openSqliteStore(url: string): SqliteStore {
  const path = url.replace(/^sqlite:/, '');
  if (path !== ':memory:' && path !== '') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path === '' ? ':memory:' : path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return new SqliteStore(db);
}

const MIGRATIONS: string[] = [
  `CREATE TABLE inbox (
     message_id TEXT PRIMARY KEY,
     topic_arn TEXT NOT NULL,
     received_at INTEGER NOT NULL,
     payload TEXT NOT NULL,
     state TEXT NOT NULL DEFAULT 'pending',
     attempts INTEGER NOT NULL DEFAULT 0,
     last_error TEXT
   );
   CREATE INDEX inbox_pending ON inbox(state, received_at);
   CREATE TABLE findings (
     finding_id TEXT PRIMARY KEY,
     account_id TEXT NOT NULL,
     region TEXT NOT NULL,
     updated_at TEXT NOT NULL,
     count INTEGER NOT NULL,
     severity REAL NOT NULL,
     finding_json TEXT NOT NULL,
     channel TEXT,
     ts TEXT,
     posted_version TEXT,
     status_text TEXT,
     created_at INTEGER NOT NULL
   );`,
];

function migrate(db: Database.Database): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  for (let v = version; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}

type Row = Record<string, unknown>;

export class SqliteStore implements Store {
  constructor(readonly db: Database.Database) {}

  private run<T>(fn: () => T): Promise<T> {
    try {
      return Promise.resolve(fn());
    } catch (err) {
      return Promise.reject(new AppError('store_unavailable', 'the state store failed', { cause: err }));
    }
  }

  acceptMessage(e: { messageId: string; topicArn: string; receivedAt: number; payload: string }) {
    return this.run(() => {
      const r = this.db
        .prepare('INSERT OR IGNORE INTO inbox (message_id, topic_arn, received_at, payload) VALUES (?, ?, ?, ?)')
        .run(e.messageId, e.topicArn, e.receivedAt, e.payload);
      return r.changes === 1 ? ('accepted' as const) : ('duplicate' as const);
    });
  }

  pendingMessages(limit: number) {
    return this.run(() =>
      (this.db.prepare("SELECT * FROM inbox WHERE state = 'pending' ORDER BY received_at, rowid LIMIT ?").all(limit) as Row[]).map(toInbox),
    );
  }

  getMessage(messageId: string) {
    return this.run(() => {
      const row = this.db.prepare('SELECT * FROM inbox WHERE message_id = ?').get(messageId) as Row | undefined;
      return row ? toInbox(row) : undefined;
    });
  }

  finishMessage(messageId: string, state: 'done' | 'failed', error?: string) {
    return this.run(() => {
      this.db.prepare('UPDATE inbox SET state = ?, last_error = ? WHERE message_id = ?').run(state, error ?? null, messageId);
    });
  }

  recordAttempt(messageId: string, error: string) {
    return this.run(() => {
      this.db.prepare('UPDATE inbox SET attempts = attempts + 1, last_error = ? WHERE message_id = ?').run(error, messageId);
    });
  }

  getFinding(findingId: string) {
    return this.run(() => {
      const row = this.db.prepare('SELECT * FROM findings WHERE finding_id = ?').get(findingId) as Row | undefined;
      return row ? toFinding(row) : undefined;
    });
  }

  upsertFinding(rec: Parameters<Store['upsertFinding']>[0]) {
    return this.run(() =>
      this.db.transaction(() => {
        const row = this.db.prepare('SELECT * FROM findings WHERE finding_id = ?').get(rec.findingId) as Row | undefined;
        if (row) {
          const existing = toFinding(row);
          if (!isNewer(rec, existing)) return { record: existing, changed: false };
          this.db
            .prepare('UPDATE findings SET updated_at = ?, count = ?, severity = ?, finding_json = ? WHERE finding_id = ?')
            .run(rec.updatedAt, rec.count, rec.severity, rec.findingJson, rec.findingId);
        } else {
          this.db
            .prepare(
              `INSERT INTO findings (finding_id, account_id, region, updated_at, count, severity, finding_json, created_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
            )
            .run(rec.findingId, rec.accountId, rec.region, rec.updatedAt, rec.count, rec.severity, rec.findingJson, rec.createdAt);
        }
        const stored = toFinding(this.db.prepare('SELECT * FROM findings WHERE finding_id = ?').get(rec.findingId) as Row);
        return { record: stored, changed: true };
      })(),
    );
  }

  setFindingCard(findingId: string, card: { channel: string; ts: string; postedVersion: string }) {
    return this.run(() => {
      this.db
        .prepare('UPDATE findings SET channel = ?, ts = ?, posted_version = ? WHERE finding_id = ?')
        .run(card.channel, card.ts, card.postedVersion, findingId);
    });
  }

  setFindingStatus(findingId: string, statusText: string) {
    return this.run(() => {
      this.db.prepare('UPDATE findings SET status_text = ? WHERE finding_id = ?').run(statusText, findingId);
    });
  }

  ping() {
    return this.run(() => {
      this.db.prepare('SELECT 1').get();
    });
  }

  close() {
    return this.run(() => {
      if (this.db.open) this.db.close();
    });
  }
}

function toInbox(r: Row): InboxEntry {
  return {
    messageId: r.message_id as string,
    topicArn: r.topic_arn as string,
    receivedAt: r.received_at as number,
    payload: r.payload as string,
    state: r.state as InboxEntry['state'],
    attempts: r.attempts as number,
    ...(r.last_error != null ? { lastError: r.last_error as string } : {}),
  };
}

function toFinding(r: Row): FindingRecord {
  return {
    findingId: r.finding_id as string,
    accountId: r.account_id as string,
    region: r.region as string,
    updatedAt: r.updated_at as string,
    count: r.count as number,
    severity: r.severity as number,
    findingJson: r.finding_json as string,
    ...(r.channel != null ? { channel: r.channel as string } : {}),
    ...(r.ts != null ? { ts: r.ts as string } : {}),
    ...(r.posted_version != null ? { postedVersion: r.posted_version as string } : {}),
    ...(r.status_text != null ? { statusText: r.status_text as string } : {}),
    createdAt: r.created_at as number,
  };
}

export { findingVersion };
