import { PgBase } from './postgres-db.js';
import { incidentColumns, toIncident, type Row } from './sqlite-rows.js';
import type { IncidentUpdateResult } from './store.js';
import { incidentId, type Incident, type NewIncident, type NewTimelineEvent, type TimelineEvent } from '../incidents/model.js';

const ACTIVE = `('open', 'acknowledged', 'contained')`;
const COLUMNS = `state, severity, title, account_id, region, assignee, channel, thread_ts, opened_at, acknowledged_at,
  contained_at, closed_at, close_reason, closed_by, last_seen_at, keys_json`;

type Q = (text: string, params?: unknown[]) => Promise<{ rows: Row[]; rowCount: number }>;

/** The PostgreSQL store's incident half (see Store for each method's contract). */
export class PgIncidentStore extends PgBase {
  createIncident(draft: NewIncident): Promise<Incident> {
    return this.tx(async (q) => {
      const seq = Number((await q(`SELECT nextval(pg_get_serial_sequence('incidents', 'seq')) AS seq`)).rows[0]!.seq);
      const { rows } = await q(
        `INSERT INTO incidents (seq, id, ${COLUMNS}, version, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, 1, $19) RETURNING *`,
        [seq, incidentId(seq), ...incidentColumns(draft), draft.openedAt],
      );
      await writeKeys(q, incidentId(seq), draft.keys);
      return toIncident(rows[0]!);
    });
  }

  async getIncident(id: string): Promise<Incident | undefined> {
    const row = (await this.q('SELECT * FROM incidents WHERE id = $1', [id])).rows[0];
    return row ? toIncident(row) : undefined;
  }

  async getIncidentByThread(channel: string, threadTs: string): Promise<Incident | undefined> {
    const row = (await this.q('SELECT * FROM incidents WHERE channel = $1 AND thread_ts = $2 ORDER BY seq LIMIT 1', [channel, threadTs])).rows[0];
    return row ? toIncident(row) : undefined;
  }

  updateIncident(next: Incident, expectedVersion: number, at: number): Promise<IncidentUpdateResult> {
    return this.tx(async (q): Promise<IncidentUpdateResult> => {
      // Concurrent updates of one version: the second waits for the first's row lock, then
      // re-checks `version` and matches nothing (conflict).
      const { rows } = await q(
        `UPDATE incidents SET state = $1, severity = $2, title = $3, account_id = $4, region = $5, assignee = $6, channel = $7,
           thread_ts = $8, opened_at = $9, acknowledged_at = $10, contained_at = $11, closed_at = $12, close_reason = $13,
           closed_by = $14, last_seen_at = $15, keys_json = $16, version = version + 1, updated_at = $17
         WHERE id = $18 AND version = $19 RETURNING *`,
        [...incidentColumns(next), at, next.id, expectedVersion],
      );
      if (rows[0]) {
        await writeKeys(q, next.id, next.keys);
        return { ok: true, incident: toIncident(rows[0]) };
      }
      const current = (await q('SELECT * FROM incidents WHERE id = $1', [next.id])).rows[0];
      return current ? { ok: false, reason: 'conflict', current: toIncident(current) } : { ok: false, reason: 'not_found' };
    });
  }

  async findIncidentsByKey(key: string, opts: { includeClosed?: boolean } = {}): Promise<Incident[]> {
    const { rows } = await this.q(
      `SELECT i.* FROM incident_keys k JOIN incidents i ON i.id = k.incident_id
       WHERE k.key = $1 AND ($2::boolean OR i.state IN ${ACTIVE})
       ORDER BY i.last_seen_at DESC, i.seq DESC`,
      [key, opts.includeClosed === true],
    );
    return rows.map(toIncident);
  }

  async listOpenIncidents(limit = 1000): Promise<Incident[]> {
    const { rows } = await this.q(`SELECT * FROM incidents WHERE state IN ${ACTIVE} ORDER BY severity DESC, opened_at, seq LIMIT $1`, [limit]);
    return rows.map(toIncident);
  }

  async addIncidentFinding(incidentId: string, findingId: string, version: string, at: number): Promise<'added' | 'updated' | 'unchanged'> {
    const ins = await this.q('INSERT INTO incident_findings (incident_id, finding_id, version, added_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING', [
      incidentId,
      findingId,
      version,
      at,
    ]);
    if (ins.rowCount === 1) return 'added';
    const upd = await this.q('UPDATE incident_findings SET version = $3 WHERE incident_id = $1 AND finding_id = $2 AND version <> $3', [
      incidentId,
      findingId,
      version,
    ]);
    return upd.rowCount === 1 ? 'updated' : 'unchanged';
  }

  async incidentFindingIds(incidentId: string): Promise<string[]> {
    const { rows } = await this.q('SELECT finding_id FROM incident_findings WHERE incident_id = $1 ORDER BY added_at, seq', [incidentId]);
    return rows.map((r) => r.finding_id as string);
  }

  async incidentsForFinding(findingId: string): Promise<Incident[]> {
    const { rows } = await this.q(
      'SELECT i.* FROM incident_findings f JOIN incidents i ON i.id = f.incident_id WHERE f.finding_id = $1 ORDER BY i.opened_at DESC, i.seq DESC',
      [findingId],
    );
    return rows.map(toIncident);
  }

  async appendIncidentEvent(incidentId: string, event: NewTimelineEvent): Promise<TimelineEvent> {
    const { kind, at, actor, ...detail } = event;
    const { rows } = await this.q('INSERT INTO incident_events (incident_id, at, actor, kind, detail_json) VALUES ($1, $2, $3, $4, $5) RETURNING id', [
      incidentId,
      at,
      actor ?? null,
      kind,
      JSON.stringify(detail),
    ]);
    return { ...event, id: rows[0]!.id as number, incidentId };
  }

  async incidentEvents(incidentId: string): Promise<TimelineEvent[]> {
    const { rows } = await this.q('SELECT * FROM incident_events WHERE incident_id = $1 ORDER BY id', [incidentId]);
    return rows.map(
      (r) =>
        ({
          ...(JSON.parse(r.detail_json as string) as object),
          kind: r.kind,
          at: r.at as number,
          ...(r.actor != null ? { actor: r.actor as string } : {}),
          id: r.id as number,
          incidentId: r.incident_id as string,
        }) as TimelineEvent,
    );
  }

  async followIncident(incidentId: string, userId: string, at: number): Promise<boolean> {
    const r = await this.q('INSERT INTO incident_followers (incident_id, user_id, followed_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [
      incidentId,
      userId,
      at,
    ]);
    return r.rowCount === 1;
  }

  async unfollowIncident(incidentId: string, userId: string): Promise<boolean> {
    return (await this.q('DELETE FROM incident_followers WHERE incident_id = $1 AND user_id = $2', [incidentId, userId])).rowCount === 1;
  }

  async incidentFollowers(incidentId: string): Promise<string[]> {
    const { rows } = await this.q('SELECT user_id FROM incident_followers WHERE incident_id = $1 ORDER BY followed_at, seq', [incidentId]);
    return rows.map((r) => r.user_id as string);
  }
}

async function writeKeys(q: Q, id: string, keys: readonly string[]): Promise<void> {
  await q('DELETE FROM incident_keys WHERE incident_id = $1', [id]);
  await q('INSERT INTO incident_keys (key, incident_id) SELECT DISTINCT k, $2 FROM unnest($1::text[]) AS k ON CONFLICT DO NOTHING', [keys, id]);
}
