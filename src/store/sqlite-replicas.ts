import { SqliteIncidentStore } from './sqlite-incidents.js';
import { toInbox, toRun, type Row } from './sqlite-rows.js';
import type { ActionRun, InboxEntry } from './store.js';

/**
 * The replica primitives on SQLite. One process owns a SQLite file, so these are trivially
 * right; they exist so callers use one contract whichever store is configured.
 */
export class SqliteReplicaStore extends SqliteIncidentStore {
  claimMessages(owner: string, limit: number, leaseMs: number, now: number): Promise<InboxEntry[]> {
    return this.run(() =>
      this.tx(() => {
        const rows = this.sql(
          `SELECT * FROM inbox WHERE state = 'pending' AND (leased_until IS NULL OR leased_until <= ?)
           ORDER BY priority DESC, received_at, rowid LIMIT ?`,
        ).all(now, limit) as Row[];
        const lease = this.sql('UPDATE inbox SET lease_owner = ?, leased_until = ? WHERE message_id = ?');
        for (const r of rows) lease.run(owner, now + leaseMs, r.message_id);
        return rows.map(toInbox);
      }),
    );
  }

  releaseMessages(owner: string): Promise<void> {
    return this.run(() => {
      this.sql(`UPDATE inbox SET lease_owner = NULL, leased_until = NULL WHERE lease_owner = ? AND state = 'pending'`).run(owner);
    });
  }

  heartbeat(replicaId: string, now: number, ttlMs: number): Promise<void> {
    return this.run(() => {
      this.sql('INSERT INTO replicas (replica_id, alive_until) VALUES (?, ?) ON CONFLICT(replica_id) DO UPDATE SET alive_until = excluded.alive_until').run(
        replicaId,
        now + ttlMs,
      );
    });
  }

  interruptOrphanedRuns(now: number): Promise<ActionRun[]> {
    return this.run(() =>
      (
        this.sql(
          `UPDATE action_runs SET state = 'interrupted', updated_at = ?
           WHERE state = 'running'
             AND (owner IS NULL OR NOT EXISTS (SELECT 1 FROM replicas r WHERE r.replica_id = action_runs.owner AND r.alive_until > ?))
           RETURNING *`,
        ).all(now, now) as Row[]
      )
        .map(toRun)
        .sort((a, b) => a.createdAt - b.createdAt),
    );
  }

  tryLeadership(name: string, replicaId: string, ttlMs: number, now: number): Promise<boolean> {
    return this.run(
      () =>
        this.sql(
          `INSERT INTO leases (name, owner, expires_at) VALUES (?, ?, ?)
           ON CONFLICT(name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
           WHERE leases.owner = excluded.owner OR leases.expires_at <= ?`,
        ).run(name, replicaId, now + ttlMs, now).changes === 1,
    );
  }

  reserveSlot(key: string, intervalMs: number, now: number): Promise<number> {
    return this.run(() => {
      const row = this.sql(
        `INSERT INTO rate_slots (key, next_at) VALUES (?, ? + ?)
         ON CONFLICT(key) DO UPDATE SET next_at = MAX(rate_slots.next_at, ?) + ?
         RETURNING next_at`,
      ).get(key, now, intervalMs, now, intervalMs) as Row;
      return (row.next_at as number) - intervalMs;
    });
  }
}
