import type Database from 'better-sqlite3';

/**
 * The SQLite schema as numbered migrations (PRAGMA user_version counts the ones applied). Only
 * ever append: a released migration never changes.
 */
export const MIGRATIONS: string[] = [
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
  // Remediation: runs (one row per requested action), audit trail, per-finding state
  // (isolation records, blast radius…), and an opaque key per card for button values.
  `ALTER TABLE findings ADD COLUMN card_key TEXT;
   CREATE UNIQUE INDEX findings_card_key ON findings(card_key);
   CREATE TABLE action_runs (
     run_id TEXT PRIMARY KEY,
     finding_id TEXT NOT NULL,
     action TEXT NOT NULL,
     state TEXT NOT NULL,
     requested_by TEXT NOT NULL,
     approved_by TEXT,
     reason TEXT,
     input_json TEXT,
     plan_json TEXT,
     result_json TEXT,
     created_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL
   );
   -- Exactly once: at most one run of an action per finding may be running or awaiting approval.
   CREATE UNIQUE INDEX action_runs_active ON action_runs(finding_id, action) WHERE state IN ('running', 'awaiting_approval');
   CREATE INDEX action_runs_state ON action_runs(state);
   CREATE TABLE audit (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     at INTEGER NOT NULL,
     finding_id TEXT,
     run_id TEXT,
     actor TEXT,
     event TEXT NOT NULL,
     detail_json TEXT
   );
   CREATE INDEX audit_finding ON audit(finding_id, id);
   CREATE TABLE finding_state (
     finding_id TEXT NOT NULL,
     key TEXT NOT NULL,
     value_json TEXT NOT NULL,
     updated_at INTEGER NOT NULL,
     PRIMARY KEY (finding_id, key)
   );`,
  // Incidents: one row per incident (conditional update on version), a key index for grouping
  // (one row per resource key, like a DynamoDB key item), findings, timeline and followers.
  `CREATE TABLE incidents (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     id TEXT UNIQUE,
     state TEXT NOT NULL,
     severity REAL NOT NULL,
     title TEXT NOT NULL,
     account_id TEXT,
     region TEXT,
     assignee TEXT,
     channel TEXT,
     thread_ts TEXT,
     opened_at INTEGER NOT NULL,
     acknowledged_at INTEGER,
     contained_at INTEGER,
     closed_at INTEGER,
     close_reason TEXT,
     closed_by TEXT,
     last_seen_at INTEGER NOT NULL,
     keys_json TEXT NOT NULL,
     version INTEGER NOT NULL,
     updated_at INTEGER NOT NULL
   );
   CREATE INDEX incidents_state ON incidents(state, severity);
   CREATE INDEX incidents_thread ON incidents(channel, thread_ts);
   CREATE TABLE incident_keys (
     key TEXT NOT NULL,
     incident_id TEXT NOT NULL,
     PRIMARY KEY (key, incident_id)
   );
   CREATE INDEX incident_keys_incident ON incident_keys(incident_id);
   CREATE TABLE incident_findings (
     incident_id TEXT NOT NULL,
     finding_id TEXT NOT NULL,
     version TEXT NOT NULL,
     added_at INTEGER NOT NULL,
     PRIMARY KEY (incident_id, finding_id)
   );
   CREATE INDEX incident_findings_finding ON incident_findings(finding_id);
   CREATE TABLE incident_events (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     incident_id TEXT NOT NULL,
     at INTEGER NOT NULL,
     actor TEXT,
     kind TEXT NOT NULL,
     detail_json TEXT NOT NULL
   );
   CREATE INDEX incident_events_incident ON incident_events(incident_id, id);
   CREATE TABLE incident_followers (
     incident_id TEXT NOT NULL,
     user_id TEXT NOT NULL,
     followed_at INTEGER NOT NULL,
     PRIMARY KEY (incident_id, user_id)
   );`,
  // Cards of findings that joined an incident are posted in its thread: thread_ts is that
  // thread's root (replies and results go there). home_viewers: who to re-publish App Home for.
  `ALTER TABLE findings ADD COLUMN thread_ts TEXT;
   CREATE TABLE home_viewers (user_id TEXT PRIMARY KEY, seen_at INTEGER NOT NULL);`,
  // The id of the HTTP request that stored a message, so processing logs carry it too.
  `ALTER TABLE inbox ADD COLUMN req_id TEXT;`,
  // Replica primitives (the same contract as PostgreSQL): inbox leases, run owners, replica
  // heartbeats, leadership leases for periodic work, and shared rate slots.
  `ALTER TABLE inbox ADD COLUMN lease_owner TEXT;
   ALTER TABLE inbox ADD COLUMN leased_until INTEGER;
   ALTER TABLE action_runs ADD COLUMN owner TEXT;
   CREATE TABLE replicas (replica_id TEXT PRIMARY KEY, alive_until INTEGER NOT NULL);
   CREATE TABLE leases (name TEXT PRIMARY KEY, owner TEXT NOT NULL, expires_at INTEGER NOT NULL);
   CREATE TABLE rate_slots (key TEXT PRIMARY KEY, next_at INTEGER NOT NULL);`,
  // Alert storms: the inbox serves the most severe message first (2 = high, what an unreadable
  // payload gets; rows accepted before this migration keep arrival order among themselves).
  `ALTER TABLE inbox ADD COLUMN priority INTEGER NOT NULL DEFAULT 2;
   CREATE INDEX inbox_priority ON inbox(state, priority DESC, received_at);`,
];

export function migrate(db: Database.Database): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  for (let v = version; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}
