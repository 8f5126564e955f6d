/**
 * The manager's numbers: time open, time to acknowledge, time to contain. Computed from the
 * timeline (the record of what happened) with an injected `now`, and from the stamps on the
 * incident when the timeline lacks an event (the earlier of the two wins).
 */
import { isClosed, type Incident, type TimelineEvent } from './model.js';

export interface IncidentTimings {
  /** From opening to closing, or to now while it is active. */
  open: number;
  /** Until the first response; undefined while nobody has responded. */
  toAcknowledge?: number;
  /** Until the first containment; undefined while never contained. */
  toContain?: number;
  /** How long it has waited so far for what is still missing (shown as "not yet (12m)"). */
  waitingForAcknowledge?: number;
  waitingForContain?: number;
}

export function computeTimings(incident: Incident, timeline: readonly TimelineEvent[], now: number): IncidentTimings {
  const opened = incident.openedAt;
  let acked: number | undefined;
  let contained: number | undefined;
  let closed: number | undefined;
  for (const e of [...timeline].sort((a, b) => a.at - b.at || a.id - b.id)) {
    if (e.kind !== 'status_changed' && e.kind !== 'assigned') continue;
    acked ??= e.at;
    if (e.kind === 'status_changed') {
      if (e.to === 'contained') contained ??= e.at;
      if (isClosed(e.to)) closed = e.at;
    }
  }
  // Both are "first time" stamps: when the timeline misses an event (a crash between the
  // conditional put and the append), the stamp on the incident is the earlier truth.
  acked = earliest(acked, incident.acknowledgedAt);
  contained = earliest(contained, incident.containedAt);
  if (isClosed(incident.state)) closed ??= incident.closedAt ?? now;
  else closed = undefined;
  const end = closed ?? now;
  const out: IncidentTimings = { open: Math.max(0, end - opened) };
  if (acked !== undefined) out.toAcknowledge = Math.max(0, acked - opened);
  else if (!isClosed(incident.state)) out.waitingForAcknowledge = Math.max(0, now - opened);
  if (contained !== undefined) out.toContain = Math.max(0, contained - opened);
  else if (!isClosed(incident.state)) out.waitingForContain = Math.max(0, now - opened);
  return out;
}

function earliest(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined ? b : b === undefined ? a : Math.min(a, b);
}

/** "45s", "12m", "3h 05m", "2d 4h" — two units at most, never blank. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h ${String(m % 60).padStart(2, '0')}m`;
  const d = Math.floor(h / 24);
  return `${d}d ${h % 24}h`;
}
