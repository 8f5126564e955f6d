import { SqliteBase } from './sqlite-db.js';
import { incidentColumns, toIncident, type Row } from './sqlite-rows.js';
import type { IncidentUpdateResult } from './store.js';
import { incidentId, type Incident, type NewIncident, type NewTimelineEvent, type TimelineEvent } from '../incidents/model.js';

/** The SQLite store's incident half (see Store for each method's contract). */
export class SqliteIncidentStore extends SqliteBase {
  createIncident(draft: NewIncident) {
    return this.run(() =>
      this.tx((): Incident => {
        const info = this.sql(
          `INSERT INTO incidents (state, severity, title, account_id, region, assignee, channel, thread_ts, opened_at, acknowledged_at,
               contained_at, closed_at, close_reason, closed_by, last_seen_at, keys_json, version, updated_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?)`,
        ).run(...incidentColumns(draft), draft.openedAt);
        const seq = Number(info.lastInsertRowid);
        const id = incidentId(seq);
        this.sql('UPDATE incidents SET id = ? WHERE seq = ?').run(id, seq);
        this.writeIncidentKeys(id, draft.keys);
        return toIncident(this.sql('SELECT * FROM incidents WHERE seq = ?').get(seq) as Row);
      }),
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
      this.tx((): IncidentUpdateResult => {
        const changed = this.sql(
          `UPDATE incidents SET state = ?, severity = ?, title = ?, account_id = ?, region = ?, assignee = ?, channel = ?, thread_ts = ?,
               opened_at = ?, acknowledged_at = ?, contained_at = ?, closed_at = ?, close_reason = ?, closed_by = ?, last_seen_at = ?,
               keys_json = ?, version = version + 1, updated_at = ?
             WHERE id = ? AND version = ?`,
        ).run(...incidentColumns(next), at, next.id, expectedVersion).changes;
        const row = this.sql('SELECT * FROM incidents WHERE id = ?').get(next.id) as Row | undefined;
        if (!row) return { ok: false, reason: 'not_found' };
        if (changed === 0) return { ok: false, reason: 'conflict', current: toIncident(row) };
        this.writeIncidentKeys(next.id, next.keys);
        return { ok: true, incident: toIncident(row) };
      }),
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
        this.sql(
          `SELECT i.* FROM incident_keys k JOIN incidents i ON i.id = k.incident_id
             WHERE k.key = ? AND (? = 1 OR i.state IN ('open', 'acknowledged', 'contained'))
             ORDER BY i.last_seen_at DESC, i.seq DESC`,
        ).all(key, opts.includeClosed ? 1 : 0) as Row[]
      ).map(toIncident),
    );
  }

  listOpenIncidents(limit = 1000) {
    return this.run(() =>
      (
        this.sql(`SELECT * FROM incidents WHERE state IN ('open', 'acknowledged', 'contained') ORDER BY severity DESC, opened_at, seq LIMIT ?`).all(
          limit,
        ) as Row[]
      ).map(toIncident),
    );
  }

  addIncidentFinding(incidentId: string, findingId: string, version: string, at: number) {
    return this.run(() =>
      this.tx((): 'added' | 'updated' | 'unchanged' => {
        const row = this.sql('SELECT version FROM incident_findings WHERE incident_id = ? AND finding_id = ?').get(incidentId, findingId) as Row | undefined;
        if (!row) {
          this.sql('INSERT INTO incident_findings (incident_id, finding_id, version, added_at) VALUES (?, ?, ?, ?)').run(incidentId, findingId, version, at);
          return 'added';
        }
        if (row.version === version) return 'unchanged';
        this.sql('UPDATE incident_findings SET version = ? WHERE incident_id = ? AND finding_id = ?').run(version, incidentId, findingId);
        return 'updated';
      }),
    );
  }

  incidentFindingIds(incidentId: string) {
    return this.run(() =>
      (this.sql('SELECT finding_id FROM incident_findings WHERE incident_id = ? ORDER BY added_at, rowid').all(incidentId) as Row[]).map(
        (r) => r.finding_id as string,
      ),
    );
  }

  incidentsForFinding(findingId: string) {
    return this.run(() =>
      (
        this.sql(
          'SELECT i.* FROM incident_findings f JOIN incidents i ON i.id = f.incident_id WHERE f.finding_id = ? ORDER BY i.opened_at DESC, i.seq DESC',
        ).all(findingId) as Row[]
      ).map(toIncident),
    );
  }

  appendIncidentEvent(incidentId: string, event: NewTimelineEvent) {
    return this.run((): TimelineEvent => {
      const { kind, at, actor, ...detail } = event;
      const info = this.sql('INSERT INTO incident_events (incident_id, at, actor, kind, detail_json) VALUES (?, ?, ?, ?, ?)').run(
        incidentId,
        at,
        actor ?? null,
        kind,
        JSON.stringify(detail),
      );
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
      (this.sql('SELECT user_id FROM incident_followers WHERE incident_id = ? ORDER BY followed_at, rowid').all(incidentId) as Row[]).map(
        (r) => r.user_id as string,
      ),
    );
  }
}
