import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { migrate } from './sqlite-schema.js';
import { BUSY_TIMEOUT_MS, type SqliteOptions } from './sqlite-db.js';
import { SqliteReplicaStore } from './sqlite-replicas.js';
import { inboxPriority } from '../findings/priority.js';
import { DEAD_LETTER as DEAD } from './sqlite-rows.js';
import { json, toFinding, toInbox, toRun, type Row } from './sqlite-rows.js';
import { isNewer, type ActionRun, type AuditEntry, type ClaimResult, type RunState, type Store } from './store.js';

/**
 * SQLite store (better-sqlite3: synchronous, so every statement is atomic in this process).
 *
 * Durability: WAL mode. Accepting an SNS message is the one write that must survive power loss
 * before we answer 200, so it commits with synchronous=FULL (fsync); concurrent arrivals are
 * grouped into one transaction (group commit) so one fsync covers them all. Every other write
 * (finding state, card ids, runs) uses synchronous=NORMAL: durable across a process crash, and on
 * power loss at worst the last few are redone from the inbox, which is idempotent.
 */
export function openSqliteStore(url: string, opts: SqliteOptions = {}): SqliteStore {
  const path = url.replace(/^sqlite:/, '');
  if (path !== ':memory:' && path !== '') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path === '' ? ':memory:' : path);
  // At start nothing is served yet: waiting inside the driver for a lock is fine here.
  db.pragma('busy_timeout = 5000');
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  migrate(db);
  // Serving: never block the event loop long on a lock (see SqliteBase.run).
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  return new SqliteStore(db, opts);
}

interface PendingAccept {
  entry: { messageId: string; topicArn: string; receivedAt: number; payload: string; reqId?: string; priority?: number };
  resolve: (v: 'accepted' | 'duplicate') => void;
  reject: (err: unknown) => void;
}

export class SqliteStore extends SqliteReplicaStore implements Store {
  private acceptQueue: PendingAccept[] = [];
  private flushScheduled = false;

  /** One fsync'd transaction for every message that arrived in this turn of the event loop. */
  private async flushAccepts(): Promise<void> {
    this.flushScheduled = false;
    const batch = this.acceptQueue;
    this.acceptQueue = [];
    try {
      const results = await this.run(() => {
        const insert = this.sql('INSERT OR IGNORE INTO inbox (message_id, topic_arn, received_at, payload, req_id, priority) VALUES (?, ?, ?, ?, ?, ?)');
        this.db.pragma('synchronous = FULL');
        try {
          return this.tx(() =>
            batch.map(({ entry: e }) =>
              insert.run(e.messageId, e.topicArn, e.receivedAt, e.payload, e.reqId ?? null, e.priority ?? inboxPriority(e.payload)).changes === 1
                ? ('accepted' as const)
                : ('duplicate' as const),
            ),
          );
        } finally {
          if (this.db.open) this.db.pragma('synchronous = NORMAL');
        }
      });
      batch.forEach((b, i) => {
        b.resolve(results[i]!);
      });
    } catch (err) {
      for (const b of batch) b.reject(err);
    }
  }

  acceptMessage(e: {
    messageId: string;
    topicArn: string;
    receivedAt: number;
    payload: string;
    reqId?: string;
    priority?: number;
  }): Promise<'accepted' | 'duplicate'> {
    return new Promise((resolve, reject) => {
      this.acceptQueue.push({ entry: e, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => void this.flushAccepts());
      }
    });
  }

  pendingMessages(limit: number) {
    return this.run(() =>
      (this.sql("SELECT * FROM inbox WHERE state = 'pending' ORDER BY priority DESC, received_at, rowid LIMIT ?").all(limit) as Row[]).map(toInbox),
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
      this.sql('UPDATE inbox SET state = ?, last_error = ?, lease_owner = NULL, leased_until = NULL WHERE message_id = ?').run(state, error ?? null, messageId);
    });
  }

  recordAttempt(messageId: string, error: string) {
    return this.run(() => {
      this.sql('UPDATE inbox SET attempts = attempts + 1, last_error = ? WHERE message_id = ?').run(error, messageId);
    });
  }

  deadLetters(limit: number) {
    return this.run(() => (this.sql(`SELECT * FROM inbox WHERE ${DEAD} ORDER BY received_at DESC, rowid DESC LIMIT ?`).all(limit) as Row[]).map(toInbox));
  }

  retryMessage(messageId: string) {
    return this.run(
      () =>
        this.sql(
          `UPDATE inbox SET state = 'pending', attempts = 0, last_error = NULL, lease_owner = NULL, leased_until = NULL WHERE message_id = ? AND ${DEAD}`,
        ).run(messageId).changes === 1,
    );
  }

  discardMessage(messageId: string, reason: string) {
    return this.run(
      () =>
        this.sql(`UPDATE inbox SET state = 'discarded', last_error = ?, lease_owner = NULL, leased_until = NULL WHERE message_id = ? AND ${DEAD}`).run(
          reason,
          messageId,
        ).changes === 1,
    );
  }

  getFinding(findingId: string) {
    return this.run(() => {
      const row = this.sql('SELECT * FROM findings WHERE finding_id = ?').get(findingId) as Row | undefined;
      return row ? toFinding(row) : undefined;
    });
  }

  upsertFinding(rec: Parameters<Store['upsertFinding']>[0]) {
    return this.run(() =>
      this.tx(() => {
        const row = this.sql('SELECT * FROM findings WHERE finding_id = ?').get(rec.findingId) as Row | undefined;
        if (row) {
          const existing = toFinding(row);
          if (!isNewer(rec, existing)) return { record: existing, changed: false };
          this.sql('UPDATE findings SET updated_at = ?, count = ?, severity = ?, finding_json = ? WHERE finding_id = ?').run(
            rec.updatedAt,
            rec.count,
            rec.severity,
            rec.findingJson,
            rec.findingId,
          );
        } else {
          this.sql(
            `INSERT INTO findings (finding_id, account_id, region, updated_at, count, severity, finding_json, created_at, card_key)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          ).run(
            rec.findingId,
            rec.accountId,
            rec.region,
            rec.updatedAt,
            rec.count,
            rec.severity,
            rec.findingJson,
            rec.createdAt,
            randomBytes(12).toString('base64url'),
          );
        }
        const stored = toFinding(this.sql('SELECT * FROM findings WHERE finding_id = ?').get(rec.findingId) as Row);
        return { record: stored, changed: true };
      }),
    );
  }

  setFindingCard(findingId: string, card: { channel: string; ts: string; postedVersion: string; threadTs?: string }) {
    return this.run(() => {
      this.sql('UPDATE findings SET channel = ?, ts = ?, posted_version = ?, thread_ts = COALESCE(?, thread_ts) WHERE finding_id = ?').run(
        card.channel,
        card.ts,
        card.postedVersion,
        card.threadTs ?? null,
        findingId,
      );
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
      this.sql(
        `INSERT INTO action_runs (run_id, finding_id, action, state, requested_by, approved_by, reason, input_json, plan_json, result_json, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
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
    patch: Partial<Pick<ActionRun, 'approvedBy' | 'reason' | 'input' | 'plan' | 'result' | 'owner'>> = {},
    at = Date.now(),
  ): Promise<ClaimResult> {
    return this.run(() =>
      this.tx((): ClaimResult => {
        const row = this.sql('SELECT * FROM action_runs WHERE run_id = ?').get(runId) as Row | undefined;
        if (!row) return { ok: false, reason: 'wrong_state' };
        const current = toRun(row);
        if (!from.includes(current.state)) return { ok: false, reason: 'wrong_state', run: current };
        if (to === 'running' || to === 'awaiting_approval') {
          const active = this.sql(
            `SELECT * FROM action_runs WHERE finding_id = ? AND action = ? AND run_id <> ?
               AND state IN ('running', 'awaiting_approval')`,
          ).get(current.findingId, current.action, runId) as Row | undefined;
          if (active) return { ok: false, reason: 'busy', active: toRun(active) };
        }
        this.sql(
          `UPDATE action_runs SET state = ?, updated_at = ?,
               approved_by = COALESCE(?, approved_by), reason = COALESCE(?, reason),
               input_json = COALESCE(?, input_json), plan_json = COALESCE(?, plan_json),
               result_json = COALESCE(?, result_json), owner = COALESCE(?, owner)
             WHERE run_id = ?`,
        ).run(to, at, patch.approvedBy ?? null, patch.reason ?? null, json(patch.input), json(patch.plan), json(patch.result), patch.owner ?? null, runId);
        return { ok: true, run: toRun(this.sql('SELECT * FROM action_runs WHERE run_id = ?').get(runId) as Row) };
      }),
    );
  }

  runsInState(state: RunState) {
    return this.run(() => (this.sql('SELECT * FROM action_runs WHERE state = ? ORDER BY created_at').all(state) as Row[]).map(toRun));
  }

  runsForFinding(findingId: string) {
    return this.run(() => (this.sql('SELECT * FROM action_runs WHERE finding_id = ? ORDER BY created_at, rowid').all(findingId) as Row[]).map(toRun));
  }

  appendAudit(e: Omit<AuditEntry, 'id'>) {
    return this.run(() => {
      this.sql('INSERT INTO audit (at, finding_id, run_id, actor, event, detail_json) VALUES (?, ?, ?, ?, ?, ?)').run(
        e.at,
        e.findingId ?? null,
        e.runId ?? null,
        e.actor ?? null,
        e.event,
        json(e.detail),
      );
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
      this.sql(
        `INSERT INTO finding_state (finding_id, key, value_json, updated_at) VALUES (?, ?, ?, ?)
           ON CONFLICT(finding_id, key) DO UPDATE SET value_json = excluded.value_json, updated_at = excluded.updated_at`,
      ).run(findingId, key, JSON.stringify(value ?? null), at);
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
}
