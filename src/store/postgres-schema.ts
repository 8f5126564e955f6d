import type pg from 'pg';

/**
 * The PostgreSQL schema as numbered migrations, recorded in schema_migrations. Only ever append:
 * a released migration never changes. Applied at start under an advisory lock, so replicas that
 * start together apply each migration once (the others wait, then find nothing to do).
 */
export const MIGRATIONS: string[] = [
  `CREATE TABLE inbox (
     seq BIGSERIAL NOT NULL,
     message_id TEXT PRIMARY KEY,
     topic_arn TEXT NOT NULL,
     received_at BIGINT NOT NULL,
     payload TEXT NOT NULL,
     state TEXT NOT NULL DEFAULT 'pending',
     attempts INTEGER NOT NULL DEFAULT 0,
     last_error TEXT,
     req_id TEXT,
     lease_owner TEXT,
     leased_until BIGINT
   );
   CREATE INDEX inbox_pending ON inbox(received_at, seq) WHERE state = 'pending';
   CREATE TABLE findings (
     finding_id TEXT PRIMARY KEY,
     account_id TEXT NOT NULL,
     region TEXT NOT NULL,
     updated_at TEXT NOT NULL,
     count INTEGER NOT NULL,
     severity DOUBLE PRECISION NOT NULL,
     finding_json TEXT NOT NULL,
     channel TEXT,
     ts TEXT,
     posted_version TEXT,
     status_text TEXT,
     created_at BIGINT NOT NULL,
     card_key TEXT UNIQUE,
     thread_ts TEXT
   );
   CREATE TABLE home_viewers (user_id TEXT PRIMARY KEY, seen_at BIGINT NOT NULL);
   CREATE TABLE action_runs (
     seq BIGSERIAL NOT NULL,
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
     created_at BIGINT NOT NULL,
     updated_at BIGINT NOT NULL,
     owner TEXT
   );
   -- Exactly once: at most one run of an action per finding may be running or awaiting approval.
   CREATE UNIQUE INDEX action_runs_active ON action_runs(finding_id, action) WHERE state IN ('running', 'awaiting_approval');
   CREATE INDEX action_runs_state ON action_runs(state);
   CREATE INDEX action_runs_finding ON action_runs(finding_id);
   CREATE TABLE audit (
     id BIGSERIAL PRIMARY KEY,
     at BIGINT NOT NULL,
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
     updated_at BIGINT NOT NULL,
     PRIMARY KEY (finding_id, key)
   );
   CREATE TABLE incidents (
     seq BIGSERIAL PRIMARY KEY,
     id TEXT UNIQUE NOT NULL,
     state TEXT NOT NULL,
     severity DOUBLE PRECISION NOT NULL,
     title TEXT NOT NULL,
     account_id TEXT,
     region TEXT,
     assignee TEXT,
     channel TEXT,
     thread_ts TEXT,
     opened_at BIGINT NOT NULL,
     acknowledged_at BIGINT,
     contained_at BIGINT,
     closed_at BIGINT,
     close_reason TEXT,
     closed_by TEXT,
     last_seen_at BIGINT NOT NULL,
     keys_json TEXT NOT NULL,
     version INTEGER NOT NULL,
     updated_at BIGINT NOT NULL
   );
   CREATE INDEX incidents_state ON incidents(state, severity);
   CREATE INDEX incidents_thread ON incidents(channel, thread_ts);
   CREATE TABLE incident_keys (key TEXT NOT NULL, incident_id TEXT NOT NULL, PRIMARY KEY (key, incident_id));
   CREATE INDEX incident_keys_incident ON incident_keys(incident_id);
   CREATE TABLE incident_findings (
     seq BIGSERIAL NOT NULL,
     incident_id TEXT NOT NULL,
     finding_id TEXT NOT NULL,
     version TEXT NOT NULL,
     added_at BIGINT NOT NULL,
     PRIMARY KEY (incident_id, finding_id)
   );
   CREATE INDEX incident_findings_finding ON incident_findings(finding_id);
   CREATE TABLE incident_events (
     id BIGSERIAL PRIMARY KEY,
     incident_id TEXT NOT NULL,
     at BIGINT NOT NULL,
     actor TEXT,
     kind TEXT NOT NULL,
     detail_json TEXT NOT NULL
   );
   CREATE INDEX incident_events_incident ON incident_events(incident_id, id);
   CREATE TABLE incident_followers (
     seq BIGSERIAL NOT NULL,
     incident_id TEXT NOT NULL,
     user_id TEXT NOT NULL,
     followed_at BIGINT NOT NULL,
     PRIMARY KEY (incident_id, user_id)
   );
   CREATE TABLE replicas (replica_id TEXT PRIMARY KEY, alive_until BIGINT NOT NULL);
   CREATE TABLE leases (name TEXT PRIMARY KEY, owner TEXT NOT NULL, expires_at BIGINT NOT NULL);
   CREATE TABLE rate_slots (key TEXT PRIMARY KEY, next_at BIGINT NOT NULL);`,
  // Alert storms: the inbox serves the most severe message first (2 = high, what an unreadable
  // payload gets; rows accepted before this migration keep arrival order among themselves).
  `ALTER TABLE inbox ADD COLUMN priority SMALLINT NOT NULL DEFAULT 2;
   CREATE INDEX inbox_pending_priority ON inbox(priority DESC, received_at, seq) WHERE state = 'pending';`,
];

/** Advisory lock key of the migrator ("GDRR"): one per database, shared by every replica. */
export const MIGRATION_LOCK_KEY = 0x47445252;

/** Applies the migrations not yet applied; returns how many this call applied. */
export async function migrate(pool: pg.Pool): Promise<number> {
  const client = await pool.connect();
  let applied = 0;
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())');
      const { rows } = await client.query<{ v: number }>('SELECT COALESCE(MAX(version), 0)::int AS v FROM schema_migrations');
      for (let v = rows[0]!.v; v < MIGRATIONS.length; v++) {
        await client.query('BEGIN');
        try {
          await client.query(MIGRATIONS[v]!);
          await client.query('INSERT INTO schema_migrations (version) VALUES ($1)', [v + 1]);
          await client.query('COMMIT');
          applied++;
        } catch (err) {
          await client.query('ROLLBACK');
          throw err;
        }
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    client.release();
  }
  return applied;
}
