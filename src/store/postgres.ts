import { randomBytes } from 'node:crypto';
import { AppError } from '../errors.js';
import { inboxPriority } from '../findings/priority.js';
import { createPool, isUniqueViolation } from './postgres-db.js';
import { PgReplicaStore } from './postgres-replicas.js';
import { migrate } from './postgres-schema.js';
import { DEAD_LETTER as DEAD } from './sqlite-rows.js';
import { json, toFinding, toInbox, toRun, type Row } from './sqlite-rows.js';
import { isNewer, type ActionRun, type AuditEntry, type ClaimResult, type FindingRecord, type InboxEntry, type RunState, type Store } from './store.js';

/**
 * PostgreSQL store, for several replicas on one database (STORE_URL=postgres://…). Every
 * operation that must hold across replicas is one conditional statement or one transaction
 * with row locks; nothing relies on being the only process.
 */
export async function openPostgresStore(url: string): Promise<PostgresStore> {
  const pool = createPool(url);
  try {
    await migrate(pool);
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw err;
  }
  return new PostgresStore(pool);
}

const ACTIVE_RUN = `('running', 'awaiting_approval')`;

export class PostgresStore extends PgReplicaStore implements Store {
  async acceptMessage(e: {
    messageId: string;
    topicArn: string;
    receivedAt: number;
    payload: string;
    reqId?: string;
    priority?: number;
  }): Promise<'accepted' | 'duplicate'> {
    // One autocommit statement: committed (synchronous_commit) before we answer SNS 200.
    const r = await this.q(
      'INSERT INTO inbox (message_id, topic_arn, received_at, payload, req_id, priority) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (message_id) DO NOTHING',
      [e.messageId, e.topicArn, e.receivedAt, e.payload, e.reqId ?? null, e.priority ?? inboxPriority(e.payload)],
    );
    return r.rowCount === 1 ? 'accepted' : 'duplicate';
  }

  async pendingMessages(limit: number): Promise<InboxEntry[]> {
    return (await this.q("SELECT * FROM inbox WHERE state = 'pending' ORDER BY priority DESC, received_at, seq LIMIT $1", [limit])).rows.map(toInbox);
  }

  async getMessage(messageId: string): Promise<InboxEntry | undefined> {
    const row = (await this.q('SELECT * FROM inbox WHERE message_id = $1', [messageId])).rows[0];
    return row ? toInbox(row) : undefined;
  }

  async finishMessage(messageId: string, state: 'done' | 'failed', error?: string): Promise<void> {
    await this.q('UPDATE inbox SET state = $1, last_error = $2, lease_owner = NULL, leased_until = NULL WHERE message_id = $3', [
      state,
      error ?? null,
      messageId,
    ]);
  }

  async recordAttempt(messageId: string, error: string): Promise<void> {
    await this.q('UPDATE inbox SET attempts = attempts + 1, last_error = $1 WHERE message_id = $2', [error, messageId]);
  }

  async deadLetters(limit: number): Promise<InboxEntry[]> {
    return (await this.q(`SELECT * FROM inbox WHERE ${DEAD} ORDER BY received_at DESC, seq DESC LIMIT $1`, [limit])).rows.map(toInbox);
  }

  async retryMessage(messageId: string): Promise<boolean> {
    const r = await this.q(
      `UPDATE inbox SET state = 'pending', attempts = 0, last_error = NULL, lease_owner = NULL, leased_until = NULL WHERE message_id = $1 AND ${DEAD}`,
      [messageId],
    );
    return r.rowCount === 1;
  }

  async discardMessage(messageId: string, reason: string): Promise<boolean> {
    const r = await this.q(`UPDATE inbox SET state = 'discarded', last_error = $1, lease_owner = NULL, leased_until = NULL WHERE message_id = $2 AND ${DEAD}`, [
      reason,
      messageId,
    ]);
    return r.rowCount === 1;
  }

  async getFinding(findingId: string): Promise<FindingRecord | undefined> {
    const row = (await this.q('SELECT * FROM findings WHERE finding_id = $1', [findingId])).rows[0];
    return row ? toFinding(row) : undefined;
  }

  async hasCardInChannel(channel: string): Promise<boolean> {
    return (await this.q('SELECT 1 FROM findings WHERE channel = $1 LIMIT 1', [channel])).rows.length > 0;
  }

  upsertFinding(rec: Parameters<Store['upsertFinding']>[0]): Promise<{ record: FindingRecord; changed: boolean }> {
    return this.tx(async (q) => {
      const inserted = await q(
        `INSERT INTO findings (finding_id, account_id, region, updated_at, count, severity, finding_json, created_at, card_key)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (finding_id) DO NOTHING RETURNING *`,
        [
          rec.findingId,
          rec.accountId,
          rec.region,
          rec.updatedAt,
          rec.count,
          rec.severity,
          rec.findingJson,
          rec.createdAt,
          randomBytes(12).toString('base64url'),
        ],
      );
      if (inserted.rows[0]) return { record: toFinding(inserted.rows[0]), changed: true };
      // Row lock: a concurrent newer version waits here, then compares against what we wrote.
      const existing = toFinding((await q('SELECT * FROM findings WHERE finding_id = $1 FOR UPDATE', [rec.findingId])).rows[0]!);
      if (!isNewer(rec, existing)) return { record: existing, changed: false };
      const { rows } = await q('UPDATE findings SET updated_at = $1, count = $2, severity = $3, finding_json = $4 WHERE finding_id = $5 RETURNING *', [
        rec.updatedAt,
        rec.count,
        rec.severity,
        rec.findingJson,
        rec.findingId,
      ]);
      return { record: toFinding(rows[0]!), changed: true };
    });
  }

  async getFindingByCardKey(cardKey: string): Promise<FindingRecord | undefined> {
    const row = (await this.q('SELECT * FROM findings WHERE card_key = $1', [cardKey])).rows[0];
    return row ? toFinding(row) : undefined;
  }

  async setFindingCard(findingId: string, card: { channel: string; ts: string; postedVersion: string; threadTs?: string }): Promise<void> {
    await this.q('UPDATE findings SET channel = $1, ts = $2, posted_version = $3, thread_ts = COALESCE($4, thread_ts) WHERE finding_id = $5', [
      card.channel,
      card.ts,
      card.postedVersion,
      card.threadTs ?? null,
      findingId,
    ]);
  }

  async addHomeViewer(userId: string, at: number): Promise<void> {
    await this.q('INSERT INTO home_viewers (user_id, seen_at) VALUES ($1, $2) ON CONFLICT (user_id) DO UPDATE SET seen_at = EXCLUDED.seen_at', [userId, at]);
  }

  async homeViewers(): Promise<string[]> {
    return (await this.q('SELECT user_id FROM home_viewers ORDER BY seen_at DESC LIMIT 500')).rows.map((r) => r.user_id as string);
  }

  async setFindingStatus(findingId: string, statusText: string): Promise<void> {
    await this.q('UPDATE findings SET status_text = $1 WHERE finding_id = $2', [statusText, findingId]);
  }

  async createRun(run: Omit<ActionRun, 'updatedAt'>): Promise<void> {
    await this.q(
      `INSERT INTO action_runs (run_id, finding_id, action, state, requested_by, approved_by, reason, input_json, plan_json, result_json, created_at, updated_at, owner)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $12)`,
      [
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
        run.owner ?? null,
      ],
    );
  }

  async getRun(runId: string): Promise<ActionRun | undefined> {
    const row = (await this.q('SELECT * FROM action_runs WHERE run_id = $1', [runId])).rows[0];
    return row ? toRun(row) : undefined;
  }

  /**
   * One conditional UPDATE: a double click landing on two replicas matches `from` once (the
   * second waits on the row lock, re-checks the state and matches nothing). Entering an active
   * state while another run of the action is active violates the partial unique index: 'busy'.
   */
  async transitionRun(
    runId: string,
    from: readonly RunState[],
    to: RunState,
    patch: Partial<Pick<ActionRun, 'approvedBy' | 'reason' | 'input' | 'plan' | 'result' | 'owner'>> = {},
    at = Date.now(),
  ): Promise<ClaimResult> {
    for (let attempt = 0; ; attempt++) {
      let updated: Row | undefined;
      try {
        updated = (
          await this.pool.query(
            `UPDATE action_runs SET state = $1, updated_at = $2, approved_by = COALESCE($3, approved_by), reason = COALESCE($4, reason),
               input_json = COALESCE($5, input_json), plan_json = COALESCE($6, plan_json), result_json = COALESCE($7, result_json),
               owner = COALESCE($8, owner)
             WHERE run_id = $9 AND state = ANY($10::text[]) RETURNING *`,
            [
              to,
              at,
              patch.approvedBy ?? null,
              patch.reason ?? null,
              json(patch.input),
              json(patch.plan),
              json(patch.result),
              patch.owner ?? null,
              runId,
              [...from],
            ],
          )
        ).rows[0] as Row | undefined;
      } catch (err) {
        if (!isUniqueViolation(err)) throw new AppError('store_unavailable', 'the state store failed', { cause: err });
        const { rows } = await this.q(
          `SELECT a.* FROM action_runs a JOIN action_runs me ON me.run_id = $1
           WHERE a.finding_id = me.finding_id AND a.action = me.action AND a.run_id <> $1 AND a.state IN ${ACTIVE_RUN}`,
          [runId],
        );
        if (rows[0]) return { ok: false, reason: 'busy', active: toRun(rows[0]) };
        if (attempt < 3) continue; // the other run finished meanwhile: try again
        throw err;
      }
      if (updated) return { ok: true, run: toRun(updated) };
      const current = (await this.q('SELECT * FROM action_runs WHERE run_id = $1', [runId])).rows[0];
      return current ? { ok: false, reason: 'wrong_state', run: toRun(current) } : { ok: false, reason: 'wrong_state' };
    }
  }

  async runsInState(state: RunState): Promise<ActionRun[]> {
    return (await this.q('SELECT * FROM action_runs WHERE state = $1 ORDER BY created_at, seq', [state])).rows.map(toRun);
  }

  async runsForFinding(findingId: string): Promise<ActionRun[]> {
    return (await this.q('SELECT * FROM action_runs WHERE finding_id = $1 ORDER BY created_at, seq', [findingId])).rows.map(toRun);
  }

  async appendAudit(e: Omit<AuditEntry, 'id'>): Promise<void> {
    await this.q('INSERT INTO audit (at, finding_id, run_id, actor, event, detail_json) VALUES ($1, $2, $3, $4, $5, $6)', [
      e.at,
      e.findingId ?? null,
      e.runId ?? null,
      e.actor ?? null,
      e.event,
      json(e.detail),
    ]);
  }

  async auditFor(findingId: string): Promise<AuditEntry[]> {
    return (await this.q('SELECT * FROM audit WHERE finding_id = $1 ORDER BY id', [findingId])).rows.map(
      (r): AuditEntry => ({
        id: r.id as number,
        at: r.at as number,
        ...(r.finding_id != null ? { findingId: r.finding_id as string } : {}),
        ...(r.run_id != null ? { runId: r.run_id as string } : {}),
        ...(r.actor != null ? { actor: r.actor as string } : {}),
        event: r.event as string,
        ...(r.detail_json != null ? { detail: JSON.parse(r.detail_json as string) as unknown } : {}),
      }),
    );
  }

  async getFindingState<T>(findingId: string, key: string): Promise<T | undefined> {
    const row = (await this.q('SELECT value_json FROM finding_state WHERE finding_id = $1 AND key = $2', [findingId, key])).rows[0];
    return row ? (JSON.parse(row.value_json as string) as T) : undefined;
  }

  async putFindingState(findingId: string, key: string, value: unknown, at: number): Promise<void> {
    await this.q(
      `INSERT INTO finding_state (finding_id, key, value_json, updated_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (finding_id, key) DO UPDATE SET value_json = EXCLUDED.value_json, updated_at = EXCLUDED.updated_at`,
      [findingId, key, JSON.stringify(value ?? null), at],
    );
  }

  async ping(): Promise<void> {
    await this.q('SELECT 1');
  }

  async close(): Promise<void> {
    if (!this.pool.ended) await this.pool.end();
  }
}
