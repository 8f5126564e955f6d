import { PgIncidentStore } from './postgres-incidents.js';
import { toInbox, toRun } from './sqlite-rows.js';
import type { ActionRun, InboxEntry } from './store.js';

/** The replica primitives on PostgreSQL: each is one statement, so it is atomic across replicas. */
export class PgReplicaStore extends PgIncidentStore {
  async claimMessages(owner: string, limit: number, leaseMs: number, now: number): Promise<InboxEntry[]> {
    // SKIP LOCKED: replicas claiming at the same time take disjoint messages without waiting.
    const { rows } = await this.q(
      `UPDATE inbox SET lease_owner = $1, leased_until = $2
       WHERE message_id IN (
         SELECT message_id FROM inbox WHERE state = 'pending' AND (leased_until IS NULL OR leased_until <= $3)
         ORDER BY priority DESC, received_at, seq LIMIT $4 FOR UPDATE SKIP LOCKED)
       RETURNING *`,
      [owner, now + leaseMs, now, limit],
    );
    return rows
      .sort((a, b) => Number(b.priority) - Number(a.priority) || (a.received_at as number) - (b.received_at as number) || (a.seq as number) - (b.seq as number))
      .map(toInbox);
  }

  async releaseMessages(owner: string): Promise<void> {
    await this.q(`UPDATE inbox SET lease_owner = NULL, leased_until = NULL WHERE lease_owner = $1 AND state = 'pending'`, [owner]);
  }

  async heartbeat(replicaId: string, now: number, ttlMs: number): Promise<void> {
    await this.q('INSERT INTO replicas (replica_id, alive_until) VALUES ($1, $2) ON CONFLICT (replica_id) DO UPDATE SET alive_until = EXCLUDED.alive_until', [
      replicaId,
      now + ttlMs,
    ]);
  }

  async interruptOrphanedRuns(now: number): Promise<ActionRun[]> {
    // Two survivors at once: the second waits on the row lock, re-checks state = 'running' and
    // skips the row, so each run is reported once.
    const { rows } = await this.q(
      `UPDATE action_runs SET state = 'interrupted', updated_at = $1
       WHERE state = 'running'
         AND (owner IS NULL OR NOT EXISTS (SELECT 1 FROM replicas r WHERE r.replica_id = action_runs.owner AND r.alive_until > $1))
       RETURNING *`,
      [now],
    );
    return rows.sort((a, b) => (a.seq as number) - (b.seq as number)).map(toRun);
  }

  async tryLeadership(name: string, replicaId: string, ttlMs: number, now: number): Promise<boolean> {
    const r = await this.q(
      `INSERT INTO leases (name, owner, expires_at) VALUES ($1, $2, $3)
       ON CONFLICT (name) DO UPDATE SET owner = EXCLUDED.owner, expires_at = EXCLUDED.expires_at
       WHERE leases.owner = EXCLUDED.owner OR leases.expires_at <= $4`,
      [name, replicaId, now + ttlMs, now],
    );
    return r.rowCount === 1;
  }

  async reserveSlot(key: string, intervalMs: number, now: number): Promise<number> {
    const { rows } = await this.q(
      `INSERT INTO rate_slots (key, next_at) VALUES ($1, $2::bigint + $3::bigint)
       ON CONFLICT (key) DO UPDATE SET next_at = GREATEST(rate_slots.next_at, $2::bigint) + $3::bigint
       RETURNING next_at`,
      [key, now, intervalMs],
    );
    return (rows[0]!.next_at as number) - intervalMs;
  }
}
