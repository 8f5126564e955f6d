/**
 * Incident use cases over the store: a finding opens or joins an incident, responders move it
 * through its lifecycle, remediation runs land on its timeline. Every write is a conditional put
 * on the incident's version, re-read and re-applied on conflict (two responders clicking at once,
 * a finding arriving while someone closes it), so no update is lost and none is applied twice.
 *
 * Returns what changed; the Slack layer decides what to post (thread reply, follower DMs, App
 * Home refresh). Time comes from the injected clock.
 */
import type { Finding } from '../findings/model.js';
import { findingVersion, type Store, findingOf } from '../store/store.js';
import type { Clock } from '../util/clock.js';
import { actionLabel, containmentEffect, timelineEntryFor, type RunPhase } from './action-events.js';
import { chooseIncident, DEFAULT_GROUPING_WINDOW_MS, incidentKeysFor, mergeKeys } from './grouping.js';
import { IncidentError, isIncidentError, transition, type IncidentEvent } from './lifecycle.js';
import { SYSTEM_ACTOR, type Incident, type IncidentState, type NewTimelineEvent, type TimelineEvent, currentIncident, openIncident } from './model.js';

/** Conditional writes retried this many times before giving up with `incident_conflict`. */
export const MAX_UPDATE_ATTEMPTS = 5;

export interface IncidentServiceDeps {
  store: Store;
  clock: Pick<Clock, 'now'>;
  /** Grouping window (default 24 h). */
  windowMs?: number;
  /** Labels of action ids for the timeline (e.g. from the catalog); defaults to ACTION_LABELS. */
  labelOf?: (action: string) => string | undefined;
}

export type RecordFindingOutcome =
  /** A new incident was opened for this finding: post its card as the incident's first card. */
  | 'opened'
  /** The finding joined an existing incident: post its card in the incident's thread. */
  | 'joined'
  /** A newer version of a finding already in the incident (GuardDuty re-published it). */
  | 'updated'
  /** This exact version was recorded before (a redelivery): nothing changed. */
  | 'unchanged'
  /** An archived finding matching no active incident: already judged, no incident opened. */
  | 'ignored';

export interface RecordFindingResult {
  outcome: RecordFindingOutcome;
  incident?: Incident;
  event?: TimelineEvent;
}

export interface ApplyResult {
  incident: Incident;
  events: TimelineEvent[];
  stateChange?: { from: IncidentState; to: IncidentState; by: string };
}

export interface IncidentView {
  incident: Incident;
  timeline: TimelineEvent[];
  findings: Finding[];
  followers: string[];
}

export class IncidentService {
  private readonly windowMs: number;

  constructor(private readonly d: IncidentServiceDeps) {
    this.windowMs = d.windowMs ?? DEFAULT_GROUPING_WINDOW_MS;
  }

  /**
   * Call for every processed finding (idempotent: a redelivery of the same version is
   * 'unchanged'). A finding already in an active incident stays there whatever the window.
   */
  async recordFinding(f: Finding): Promise<RecordFindingResult> {
    const { store } = this.d;
    const now = this.d.clock.now();
    const keys = incidentKeysFor(f);
    const version = findingVersion(f);

    let incident = openIncident(await store.incidentsForFinding(f.id));
    if (!incident) {
      const seen = new Map<string, Incident>();
      for (const k of keys) for (const i of await store.findIncidentsByKey(k)) seen.set(i.id, i);
      incident = chooseIncident([...seen.values()], keys, now, this.windowMs);
    }
    let opened = false;
    if (!incident) {
      if (f.archived) return { outcome: 'ignored' };
      incident = await store.createIncident({
        state: 'open',
        severity: f.severity,
        title: f.title,
        accountId: f.accountId,
        region: f.region,
        openedAt: now,
        lastSeenAt: now,
        keys,
      });
      opened = true;
    }
    const link = await store.addIncidentFinding(incident.id, f.id, version, now);
    if (link === 'unchanged' && !opened) return { outcome: 'unchanged', incident };
    if (!opened) {
      incident = await this.update(incident.id, (cur) => ({
        ...cur,
        severity: Math.max(cur.severity, f.severity),
        lastSeenAt: Math.max(cur.lastSeenAt, now),
        keys: mergeKeys(cur.keys, keys),
      }));
    }
    const event = await store.appendIncidentEvent(incident.id, {
      kind: 'finding_seen',
      findingId: f.id,
      title: f.title,
      severity: f.severity,
      findingType: f.type,
      count: f.count,
      ...(link === 'updated' ? { repeat: true } : {}),
      at: now,
      actor: SYSTEM_ACTOR,
    });
    return { outcome: opened ? 'opened' : link === 'updated' ? 'updated' : 'joined', incident, event };
  }

  /** A responder's lifecycle event (Take it, assign, close…). Throws IncidentError. */
  async apply(id: string, event: IncidentEvent): Promise<ApplyResult> {
    let pending: NewTimelineEvent[] = [];
    let stateChange: ApplyResult['stateChange'];
    const incident = await this.update(id, (cur) => {
      const r = transition(cur, event, this.d.clock);
      pending = r.events;
      stateChange = r.stateChange ? { ...r.stateChange, by: event.by } : undefined;
      return r.incident;
    });
    const events: TimelineEvent[] = [];
    for (const e of pending) events.push(await this.d.store.appendIncidentEvent(id, e));
    return { incident, events, ...(stateChange ? { stateChange } : {}) };
  }

  /**
   * A phase of a remediation run on a finding: lands on the timeline of the finding's incident
   * (the active one, else the latest), and a containing or releasing result moves its state.
   * Undefined when the finding is in no incident.
   */
  async recordRunPhase(
    findingId: string,
    p: RunPhase & { actor: string; serviceTask?: boolean },
  ): Promise<(ApplyResult & { event: TimelineEvent }) | undefined> {
    const incidents = await this.d.store.incidentsForFinding(findingId);
    const target = currentIncident(incidents);
    if (!target) return undefined;
    const event = await this.d.store.appendIncidentEvent(target.id, { ...timelineEntryFor(p), at: this.d.clock.now(), actor: p.actor });
    const effect =
      p.phase === 'result'
        ? containmentEffect({
            action: p.action,
            status: p.status,
            ...(p.serviceTask !== undefined ? { serviceTask: p.serviceTask } : {}),
            ...(p.containment !== undefined ? { containment: p.containment } : {}),
          })
        : undefined;
    if (effect) {
      try {
        const r = await this.apply(target.id, { type: effect, by: p.actor, via: this.d.labelOf?.(p.action) ?? actionLabel(p.action) });
        return { ...r, event };
      } catch (err) {
        // Already contained, or closed: the result is on the timeline, the state stays.
        if (!isIncidentError(err, 'no_change') && !isIncidentError(err, 'incident_closed')) throw err;
      }
    }
    const incident = (await this.d.store.getIncident(target.id)) ?? target;
    return { incident, events: [event], event };
  }

  /** Records where the incident's first card was posted (its thread); kept if already set. */
  async setThread(id: string, channel: string, threadTs: string): Promise<Incident> {
    return this.update(id, (cur) => (cur.channel && cur.threadTs ? cur : { ...cur, channel, threadTs }));
  }

  async addNote(id: string, actor: string, text: string): Promise<TimelineEvent> {
    if (!(await this.d.store.getIncident(id))) throw new IncidentError('incident_not_found', `${id} is not a known incident`, { id });
    return this.d.store.appendIncidentEvent(id, { kind: 'note', text, at: this.d.clock.now(), actor });
  }

  /** Everything the summary, the top line and the Markdown export need. */
  async view(id: string): Promise<IncidentView | undefined> {
    const { store } = this.d;
    const incident = await store.getIncident(id);
    if (!incident) return undefined;
    const [timeline, ids, followers] = await Promise.all([store.incidentEvents(id), store.incidentFindingIds(id), store.incidentFollowers(id)]);
    const findings: Finding[] = [];
    for (const fid of ids) {
      const rec = await store.getFinding(fid);
      if (rec) findings.push(findingOf(rec));
    }
    return { incident, timeline, findings, followers };
  }

  /** Read → change → conditional put, re-read on conflict. `change` may throw (IncidentError). */
  private async update(id: string, change: (current: Incident) => Incident): Promise<Incident> {
    let current = await this.d.store.getIncident(id);
    for (let attempt = 0; attempt < MAX_UPDATE_ATTEMPTS; attempt++) {
      if (!current) throw new IncidentError('incident_not_found', `${id} is not a known incident`, { id });
      const next = change(current);
      if (next === current) return current;
      const r = await this.d.store.updateIncident(next, current.version, this.d.clock.now());
      if (r.ok) return r.incident;
      if (r.reason === 'not_found') current = undefined;
      else current = r.current;
    }
    throw new IncidentError('incident_conflict', `${id} kept changing while it was being updated; try again`, { id });
  }
}
