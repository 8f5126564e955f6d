import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { migrate } from './sqlite-schema.js';
import { json, toFinding, toInbox, toIncident, toRun, type Row } from './sqlite-rows.js';
import { AppError } from '../errors.js';
import {
  findingVersion,
  isNewer,
  type ActionRun,
  type AuditEntry,
  type ClaimResult,
  type RunState,
  type Store,
  type IncidentUpdateResult,
} from './store.js';
import { incidentId, type Incident, type NewIncident, type NewTimelineEvent, type TimelineEvent } from '../incidents/model.js';

/**
 * SQLite store (better-sqlite3: synchronous, so every statement is atomic in this process).
 *
 * Durability: WAL mode. Accepting an SNS message is the one write that must survive power loss
 * before we answer 200, so it commits with synchronous=FULL (fsync); concurrent arrivals are
 * grouped into one transaction (group commit) so one fsync covers them all. Every other write
 * (finding state, card ids, runs) uses synchronous=NORMAL: durable across a process crash, and on
 * power loss at worst the last few are redone from the inbox, which is idempotent.
 */
export function openSqliteStore(url: string): SqliteStore {
  const path = url.replace(/^sqlite:/, '');
  if (path !== ':memory:' && path !== '') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path === '' ? ':memory:' : path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return new SqliteStore(db);
}


interface PendingAccept {
  entry: { messageId: string; topicArn: string; receivedAt: number; payload: string; reqId?: string };
  resolve: (v: 'accepted' | 'duplicate') => void;
  reject: (err: unknown) => void;
}

export class SqliteStore implements Store {
  private acceptQueue: PendingAccept[] = [];
  private flushScheduled = false;

  private readonly statements = new Map<string, Database.Statement>();

  constructor(readonly db: Database.Database) {}

  /** Prepared once, reused (preparing on every call was a measurable share of SNS latency). */
  private sql(text: string): Database.Statement {
    let st = this.statements.get(text);
    if (!st) {
      st = this.db.prepare(text);
      this.statements.set(text, st);
    }
    return st;
  }

  /** One fsync'd transaction for every message that arrived in this turn of the event loop. */
  private flushAccepts(): void {
    this.flushScheduled = false;
    const batch = this.acceptQueue;
    this.acceptQueue = [];
    try {
      const insert = this.sql('INSERT OR IGNORE INTO inbox (message_id, topic_arn, received_at, payload, req_id) VALUES (?, ?, ?, ?, ?)');
      this.db.pragma('synchronous = FULL');
      const results = this.db.transaction(() =>
        batch.map(({ entry: e }) => (insert.run(e.messageId, e.topicArn, e.receivedAt, e.payload, e.reqId ?? null).changes === 1 ? ('accepted' as const) : ('duplicate' as const))),
      )();
      batch.forEach((b, i) => b.resolve(results[i]!));
    } catch (err) {
      const error = new AppError('store_unavailable', 'the state store failed', { cause: err });
      for (const b of batch) b.reject(error);
    } finally {
      try {
        this.db.pragma('synchronous = NORMAL');
      } catch {
        /* closed */
      }
    }
  }

  private run<T>(fn: () => T): Promise<T> {
    try {
      return Promise.resolve(fn());
    } catch (err) {
      return Promise.reject(new AppError('store_unavailable', 'the state store failed', { cause: err }));
    }
  }

  acceptMessage(e: { messageId: string; topicArn: string; receivedAt: number; payload: string; reqId?: string }): Promise<'accepted' | 'duplicate'> {
    return new Promise((resolve, reject) => {
      this.acceptQueue.push({ entry: e, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flushAccepts());
      }
    });
  }

  pendingMessages(limit: number) {
    return this.run(() =>
      (this.sql("SELECT * FROM inbox WHERE state = 'pending' ORDER BY received_at, rowid LIMIT ?").all(limit) as Row[]).map(toInbox),
    );
  }

  getMessage(messageId: string) {
    return this.run(() => {
      const row = this.sql('SELECT * FROM inbox WHERE message_id = ?').get(messageId) as Row | undefined;
      return row ? toInbox(row) : undefined;
    });
  }

  finishMessage(messageId: string, state: 'done' | 'failed', error?: string) {
    return this.run(() => {
      this.sql('UPDATE inbox SET state = ?, last_error = ? WHERE message_id = ?').run(state, error ?? null, messageId);
    });
  }

  recordAttempt(messageId: string, error: string) {
    return this.run(() => {
      this.sql('UPDATE inbox SET attempts = attempts + 1, last_error = ? WHERE message_id = ?').run(error, messageId);
    });
  }

  getFinding(findingId: string) {
    return this.run(() => {
      const row = this.sql('SELECT * FROM findings WHERE finding_id = ?').get(findingId) as Row | undefined;
      return row ? toFinding(row) : undefined;
    });
  }

  upsertFinding(rec: Parameters<Store['upsertFinding']>[0]) {
    return this.run(() =>
      this.db.transaction(() => {
        const row = this.sql('SELECT * FROM findings WHERE finding_id = ?').get(rec.findingId) as Row | undefined;
        if (row) {
          const existing = toFinding(row);
          if (!isNewer(rec, existing)) return { record: existing, changed: false };
          this
            .sql('UPDATE findings SET updated_at = ?, count = ?, severity = ?, finding_json = ? WHERE finding_id = ?')
            .run(rec.updatedAt, rec.count, rec.severity, rec.findingJson, rec.findingId);
        } else {
          this
            .sql(
              `INSERT INTO findings (finding_id, account_id, region, updated_at, count, severity, finding_json, created_at, card_key)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
            )
            .run(rec.findingId, rec.accountId, rec.region, rec.updatedAt, rec.count, rec.severity, rec.findingJson, rec.createdAt, randomBytes(12).toString('base64url'));
        }
        const stored = toFinding(this.sql('SELECT * FROM findings WHERE finding_id = ?').get(rec.findingId) as Row);
        return { record: stored, changed: true };
      })(),
    );
  }

  setFindingCard(findingId: string, card: { channel: string; ts: string; postedVersion: string; threadTs?: string }) {
    return this.run(() => {
      this
        .sql('UPDATE findings SET channel = ?, ts = ?, posted_version = ?, thread_ts = COALESCE(?, thread_ts) WHERE finding_id = ?')
        .run(card.channel, card.ts, card.postedVersion, card.threadTs ?? null, findingId);
    });
  }

  addHomeViewer(userId: string, at: number) {
    return this.run(() => {
      this.sql('INSERT INTO home_viewers (user_id, seen_at) VALUES (?, ?) ON CONFLICT(user_id) DO UPDATE SET seen_at = excluded.seen_at').run(userId, at);
    });
  }

  homeViewers() {
    return this.run(() => (this.sql('SELECT user_id FROM home_viewers ORDER BY seen_at DESC LIMIT 500').all() as Row[]).map((r) => r.user_id as string));
  }

  setFindingStatus(findingId: string, statusText: string) {
    return this.run(() => {
      this.sql('UPDATE findings SET status_text = ? WHERE finding_id = ?').run(statusText, findingId);
    });
  }

  hasCardInChannel(channel: string) {
    return this.run(() => this.sql('SELECT 1 FROM findings WHERE channel = ? LIMIT 1').get(channel) !== undefined);
  }

  getFindingByCardKey(cardKey: string) {
    return this.run(() => {
      const row = this.sql('SELECT * FROM findings WHERE card_key = ?').get(cardKey) as Row | undefined;
      return row ? toFinding(row) : undefined;
    });
  }

  createRun(run: Omit<ActionRun, 'updatedAt'>) {
    return this.run(() => {
      this
        .sql(
          `INSERT INTO action_runs (run_id, finding_id, action, state, requested_by, approved_by, reason, input_json, plan_json, result_json, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          run.runId,
          run.findingId,
          run.action,
          run.state,
          run.requestedBy,
          run.approvedBy ?? null,
          run.reason ?? null,
          json(run.input),
          json(run.plan),
          json(run.result),
          run.createdAt,
          run.createdAt,
        );
    });
  }

  getRun(runId: string) {
    return this.run(() => {
      const row = this.sql('SELECT * FROM action_runs WHERE run_id = ?').get(runId) as Row | undefined;
      return row ? toRun(row) : undefined;
    });
  }

  transitionRun(
    runId: string,
    from: readonly RunState[],
    to: RunState,
    patch: Partial<Pick<ActionRun, 'approvedBy' | 'reason' | 'input' | 'plan' | 'result'>> = {},
    at = Date.now(),
  ): Promise<ClaimResult> {
    return this.run(() =>
      this.db.transaction((): ClaimResult => {
        const row = this.sql('SELECT * FROM action_runs WHERE run_id = ?').get(runId) as Row | undefined;
        if (!row) return { ok: false, reason: 'wrong_state' };
        const current = toRun(row);
        if (!from.includes(current.state)) return { ok: false, reason: 'wrong_state', run: current };
        if (to === 'running' || to === 'awaiting_approval') {
          const active = this
            .sql(
              `SELECT * FROM action_runs WHERE finding_id = ? AND action = ? AND run_id <> ?
               AND state IN ('running', 'awaiting_approval')`,
            )
            .get(current.findingId, current.action, runId) as Row | undefined;
          if (active) return { ok: false, reason: 'busy', active: toRun(active) };
        }
        this
          .sql(
            `UPDATE action_runs SET state = ?, updated_at = ?,
               approved_by = COALESCE(?, approved_by), reason = COALESCE(?, reason),
               input_json = COALESCE(?, input_json), plan_json = COALESCE(?, plan_json),
               result_json = COALESCE(?, result_json)
             WHERE run_id = ?`,
          )
          .run(to, at, patch.approvedBy ?? null, patch.reason ?? null, json(patch.input), json(patch.plan), json(patch.result), runId);
        return { ok: true, run: toRun(this.sql('SELECT * FROM action_runs WHERE run_id = ?').get(runId) as Row) };
      })(),
    );
  }

  runsInState(state: RunState) {
    return this.run(() => (this.sql('SELECT * FROM action_runs WHERE state = ? ORDER BY created_at').all(state) as Row[]).map(toRun));
  }

  runsForFinding(findingId: string) {
    return this.run(() =>
      (this.sql('SELECT * FROM action_runs WHERE finding_id = ? ORDER BY created_at, rowid').all(findingId) as Row[]).map(toRun),
    );
  }

  appendAudit(e: Omit<AuditEntry, 'id'>) {
    return this.run(() => {
      this
        .sql('INSERT INTO audit (at, finding_id, run_id, actor, event, detail_json) VALUES (?, ?, ?, ?, ?, ?)')
        .run(e.at, e.findingId ?? null, e.runId ?? null, e.actor ?? null, e.event, json(e.detail));
    });
  }

  auditFor(findingId: string) {
    return this.run(() =>
      (this.sql('SELECT * FROM audit WHERE finding_id = ? ORDER BY id').all(findingId) as Row[]).map(
        (r): AuditEntry => ({
          id: r.id as number,
          at: r.at as number,
          ...(r.finding_id != null ? { findingId: r.finding_id as string } : {}),
          ...(r.run_id != null ? { runId: r.run_id as string } : {}),
          ...(r.actor != null ? { actor: r.actor as string } : {}),
          event: r.event as string,
          ...(r.detail_json != null ? { detail: JSON.parse(r.detail_json as string) as unknown } : {}),
        }),
      ),
    );
  }

  getFindingState<T>(findingId: string, key: string) {
    return this.run(() => {
      const row = this.sql('SELECT value_json FROM finding_state WHERE finding_id = ? AND key = ?').get(findingId, key) as Row | undefined;
      return row ? (JSON.parse(row.value_json as string) as T) : undefined;
    });
  }

  putFindingState(findingId: string, key: string, value: unknown, at: number) {
    return this.run(() => {
      this
        .sql(
          `INSERT INTO finding_state (finding_id, key, value_json, updated_at) VALUES (?, ?, ?, ?)
           ON CONFLICT(finding_id, key) DO UPDATE SET value_json = excluded.value_json, updated_at = excluded.updated_at`,
        )
        .run(findingId, key, JSON.stringify(value ?? null), at);
    });
  }

  ping() {
    return this.run(() => {
      this.sql('SELECT 1').get();
    });
  }

  close() {
    return this.run(() => {
      if (this.db.open) this.db.close();
    });
  }

  // ---------------------------------------------------------------- incidents

  createIncident(draft: NewIncident) {
    return this.run(() =>
      this.db.transaction((): Incident => {
        const info = this
          .sql(
            `INSERT INTO incidents (state, severity, title, account_id, region, assignee, channel, thread_ts, opened_at, acknowledged_at,
               contained_at, closed_at, close_reason, closed_by, last_seen_at, keys_json, version, updated_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?)`,
          )
          .run(...incidentColumns(draft), draft.openedAt);
        const seq = Number(info.lastInsertRowid);
        const id = incidentId(seq);
        this.sql('UPDATE incidents SET id = ? WHERE seq = ?').run(id, seq);
        this.writeIncidentKeys(id, draft.keys);
        return toIncident(this.sql('SELECT * FROM incidents WHERE seq = ?').get(seq) as Row);
      })(),
    );
  }

  getIncident(id: string) {
    return this.run(() => {
      const row = this.sql('SELECT * FROM incidents WHERE id = ?').get(id) as Row | undefined;
      return row ? toIncident(row) : undefined;
    });
  }

  getIncidentByThread(channel: string, threadTs: string) {
    return this.run(() => {
      const row = this.sql('SELECT * FROM incidents WHERE channel = ? AND thread_ts = ? ORDER BY seq LIMIT 1').get(channel, threadTs) as Row | undefined;
      return row ? toIncident(row) : undefined;
    });
  }

  updateIncident(next: Incident, expectedVersion: number, at: number) {
    return this.run(() =>
      this.db.transaction((): IncidentUpdateResult => {
        const changed = this
          .sql(
            `UPDATE incidents SET state = ?, severity = ?, title = ?, account_id = ?, region = ?, assignee = ?, channel = ?, thread_ts = ?,
               opened_at = ?, acknowledged_at = ?, contained_at = ?, closed_at = ?, close_reason = ?, closed_by = ?, last_seen_at = ?,
               keys_json = ?, version = version + 1, updated_at = ?
             WHERE id = ? AND version = ?`,
          )
          .run(...incidentColumns(next), at, next.id, expectedVersion).changes;
        const row = this.sql('SELECT * FROM incidents WHERE id = ?').get(next.id) as Row | undefined;
        if (!row) return { ok: false, reason: 'not_found' };
        if (changed === 0) return { ok: false, reason: 'conflict', current: toIncident(row) };
        this.writeIncidentKeys(next.id, next.keys);
        return { ok: true, incident: toIncident(row) };
      })(),
    );
  }

  private writeIncidentKeys(id: string, keys: readonly string[]): void {
    this.sql('DELETE FROM incident_keys WHERE incident_id = ?').run(id);
    const insert = this.sql('INSERT OR IGNORE INTO incident_keys (key, incident_id) VALUES (?, ?)');
    for (const k of keys) insert.run(k, id);
  }

  findIncidentsByKey(key: string, opts: { includeClosed?: boolean } = {}) {
    return this.run(() =>
      (
        this
          .sql(
            `SELECT i.* FROM incident_keys k JOIN incidents i ON i.id = k.incident_id
             WHERE k.key = ? AND (? = 1 OR i.state IN ('open', 'acknowledged', 'contained'))
             ORDER BY i.last_seen_at DESC, i.seq DESC`,
          )
          .all(key, opts.includeClosed ? 1 : 0) as Row[]
      ).map(toIncident),
    );
  }

  listOpenIncidents(limit = 1000) {
    return this.run(() =>
      (
        this
          .sql(`SELECT * FROM incidents WHERE state IN ('open', 'acknowledged', 'contained') ORDER BY severity DESC, opened_at, seq LIMIT ?`)
          .all(limit) as Row[]
      ).map(toIncident),
    );
  }

  addIncidentFinding(incidentId: string, findingId: string, version: string, at: number) {
    return this.run(() =>
      this.db.transaction((): 'added' | 'updated' | 'unchanged' => {
        const row = this.sql('SELECT version FROM incident_findings WHERE incident_id = ? AND finding_id = ?').get(incidentId, findingId) as Row | undefined;
        if (!row) {
          this.sql('INSERT INTO incident_findings (incident_id, finding_id, version, added_at) VALUES (?, ?, ?, ?)').run(incidentId, findingId, version, at);
          return 'added';
        }
        if (row.version === version) return 'unchanged';
        this.sql('UPDATE incident_findings SET version = ? WHERE incident_id = ? AND finding_id = ?').run(version, incidentId, findingId);
        return 'updated';
      })(),
    );
  }

  incidentFindingIds(incidentId: string) {
    return this.run(() =>
      (this.sql('SELECT finding_id FROM incident_findings WHERE incident_id = ? ORDER BY added_at, rowid').all(incidentId) as Row[]).map((r) => r.finding_id as string),
    );
  }

  incidentsForFinding(findingId: string) {
    return this.run(() =>
      (
        this
          .sql('SELECT i.* FROM incident_findings f JOIN incidents i ON i.id = f.incident_id WHERE f.finding_id = ? ORDER BY i.opened_at DESC, i.seq DESC')
          .all(findingId) as Row[]
      ).map(toIncident),
    );
  }

  appendIncidentEvent(incidentId: string, event: NewTimelineEvent) {
    return this.run((): TimelineEvent => {
      const { kind, at, actor, ...detail } = event;
      const info = this
        .sql('INSERT INTO incident_events (incident_id, at, actor, kind, detail_json) VALUES (?, ?, ?, ?, ?)')
        .run(incidentId, at, actor ?? null, kind, JSON.stringify(detail));
      return { ...event, id: Number(info.lastInsertRowid), incidentId };
    });
  }

  incidentEvents(incidentId: string) {
    return this.run(() =>
      (this.sql('SELECT * FROM incident_events WHERE incident_id = ? ORDER BY id').all(incidentId) as Row[]).map(
        (r) =>
          ({
            ...(JSON.parse(r.detail_json as string) as object),
            kind: r.kind,
            at: r.at as number,
            ...(r.actor != null ? { actor: r.actor as string } : {}),
            id: r.id as number,
            incidentId: r.incident_id as string,
          }) as TimelineEvent,
      ),
    );
  }

  followIncident(incidentId: string, userId: string, at: number) {
    return this.run(
      () => this.sql('INSERT OR IGNORE INTO incident_followers (incident_id, user_id, followed_at) VALUES (?, ?, ?)').run(incidentId, userId, at).changes === 1,
    );
  }

  unfollowIncident(incidentId: string, userId: string) {
    return this.run(() => this.sql('DELETE FROM incident_followers WHERE incident_id = ? AND user_id = ?').run(incidentId, userId).changes === 1);
  }

  incidentFollowers(incidentId: string) {
    return this.run(() =>
      (this.sql('SELECT user_id FROM incident_followers WHERE incident_id = ? ORDER BY followed_at, rowid').all(incidentId) as Row[]).map((r) => r.user_id as string),
    );
  }
}

/** Column values in the order of the INSERT/UPDATE statements above (after the id). */
function incidentColumns(i: NewIncident): (string | number | null)[] {
  return [
    i.state,
    i.severity,
    i.title,
    i.accountId ?? null,
    i.region ?? null,
    i.assignee ?? null,
    i.channel ?? null,
    i.threadTs ?? null,
    i.openedAt,
    i.acknowledgedAt ?? null,
    i.containedAt ?? null,
    i.closedAt ?? null,
    i.closeReason ?? null,
    i.closedBy ?? null,
    i.lastSeenAt,
    JSON.stringify(i.keys),
  ];
}

export { findingVersion };
