/**
 * The incident lifecycle as a pure state machine:
 *
 *   open ──Take it / assign──▶ acknowledged ──contain──▶ contained ──close──▶ resolved
 *     │                            │   ▲                    │
 *     │                            │   └──release───────────┘
 *     └──contain─────────────────────────────────────────▶ contained
 *   open | acknowledged | contained ──false positive──▶ false_positive
 *
 * Rules worth stating:
 * - Closing (resolved or false positive) needs a reason.
 * - Resolving needs someone to have taken the incident first; a false positive can be called
 *   straight from `open` (triage).
 * - Any first response (take, assign, contain, false positive) stamps `acknowledgedAt`, so the
 *   time to acknowledge measures how long nobody reacted, whichever button came first.
 * - `containedAt` is the first containment; releasing isolation moves the state back to
 *   acknowledged but keeps the stamp (time to contain is a historical measure).
 * - A transition that would change nothing is an error with code `no_change`, so callers can
 *   answer "you already have it" instead of writing a duplicate event.
 *
 * `transition` returns the next incident and the timeline events to append; it never touches
 * version/updatedAt (the store's conditional put does).
 */
import { truncate } from '../cards/limits.js';
import type { Clock } from '../util/clock.js';
import { isClosed, STATE_LABEL, type Incident, type IncidentState, type NewTimelineEvent } from './model.js';

export type IncidentEvent =
  /** "Take it": the actor becomes the assignee. */
  | { type: 'acknowledge'; by: string }
  | { type: 'assign'; by: string; assignee: string }
  /** A containing step succeeded (isolation, stop and pin…); `via` names it for the timeline. */
  | { type: 'contain'; by: string; via?: string }
  /** Containment was undone (isolation released). */
  | { type: 'release'; by: string; via?: string }
  | { type: 'resolve'; by: string; reason: string }
  | { type: 'mark_false_positive'; by: string; reason: string };

export type IncidentErrorCode = 'incident_not_found' | 'incident_closed' | 'invalid_transition' | 'no_change' | 'reason_required' | 'incident_conflict';

export class IncidentError extends Error {
  readonly code: IncidentErrorCode;
  readonly context: Record<string, unknown>;

  constructor(code: IncidentErrorCode, message: string, context: Record<string, unknown> = {}) {
    super(message);
    this.name = 'IncidentError';
    this.code = code;
    this.context = context;
  }
}

export function isIncidentError(err: unknown, code?: IncidentErrorCode): err is IncidentError {
  return err instanceof IncidentError && (code === undefined || err.code === code);
}

export interface TransitionResult {
  incident: Incident;
  /** To append to the timeline, in order. */
  events: NewTimelineEvent[];
  /** Set when the state changed (followers get a DM, App Home is refreshed). */
  stateChange?: { from: IncidentState; to: IncidentState };
}

/** Longest close reason kept (it is also sent to GuardDuty as feedback comment). */
export const MAX_REASON_LENGTH = 500;

export function transition(incident: Incident, event: IncidentEvent, clock: Pick<Clock, 'now'>): TransitionResult {
  const now = clock.now();
  const from = incident.state;
  const label = STATE_LABEL[from].toLowerCase();
  if (isClosed(from)) {
    if (event.type === 'release') {
      throw new IncidentError('no_change', `${incident.id} is already ${label}; releasing containment does not change its state`, {
        id: incident.id,
        state: from,
      });
    }
    throw new IncidentError('incident_closed', `${incident.id} is already ${label} (closed); it cannot be changed any more`, {
      id: incident.id,
      state: from,
      event: event.type,
    });
  }
  const ack = incident.acknowledgedAt ?? now;

  switch (event.type) {
    case 'acknowledge':
    case 'assign': {
      const assignee = event.type === 'acknowledge' ? event.by : event.assignee;
      if (incident.assignee === assignee) {
        const who = assignee === event.by ? 'you are' : 'that responder is';
        throw new IncidentError('no_change', `${who} already the assignee of ${incident.id}`, { id: incident.id, assignee });
      }
      const to: IncidentState = from === 'open' ? 'acknowledged' : from;
      const next: Incident = { ...incident, state: to, assignee, acknowledgedAt: ack };
      const events: NewTimelineEvent[] = [];
      if (to !== from) events.push({ kind: 'status_changed', from, to, at: now, actor: event.by });
      events.push({ kind: 'assigned', assignee, ...(incident.assignee ? { previous: incident.assignee } : {}), at: now, actor: event.by });
      return result(next, events, from);
    }
    case 'contain': {
      if (from === 'contained') throw new IncidentError('no_change', `${incident.id} is already contained`, { id: incident.id });
      const next: Incident = { ...incident, state: 'contained', acknowledgedAt: ack, containedAt: incident.containedAt ?? now };
      return result(next, [{ kind: 'status_changed', from, to: 'contained', ...(event.via ? { reason: event.via } : {}), at: now, actor: event.by }], from);
    }
    case 'release': {
      if (from !== 'contained')
        throw new IncidentError('no_change', `${incident.id} is ${label}, not contained; releasing changes nothing`, { id: incident.id, state: from });
      const next: Incident = { ...incident, state: 'acknowledged', acknowledgedAt: ack };
      return result(next, [{ kind: 'status_changed', from, to: 'acknowledged', reason: event.via ?? 'containment released', at: now, actor: event.by }], from);
    }
    case 'resolve':
    case 'mark_false_positive': {
      const reason = cleanReason(event.reason);
      const to: IncidentState = event.type === 'resolve' ? 'resolved' : 'false_positive';
      if (!reason) throw new IncidentError('reason_required', `closing ${incident.id} as ${STATE_LABEL[to].toLowerCase()} needs a reason`, { id: incident.id });
      if (to === 'resolved' && from === 'open') {
        throw new IncidentError(
          'invalid_transition',
          `nobody has taken ${incident.id} yet: press Take it (or assign someone) before resolving it, or mark it a false positive`,
          { id: incident.id, state: from },
        );
      }
      const next: Incident = { ...incident, state: to, acknowledgedAt: ack, closedAt: now, closeReason: reason, closedBy: event.by };
      return result(next, [{ kind: 'status_changed', from, to, reason, at: now, actor: event.by }], from);
    }
  }
}

function result(incident: Incident, events: NewTimelineEvent[], from: IncidentState): TransitionResult {
  return { incident, events, ...(incident.state !== from ? { stateChange: { from, to: incident.state } } : {}) };
}

/** Trimmed, whitespace collapsed, at most MAX_REASON_LENGTH characters; empty → undefined. */
export function cleanReason(reason: string | undefined): string | undefined {
  const r = (reason ?? '').replace(/\s+/g, ' ').trim();
  if (r === '') return undefined;
  return truncate(r, MAX_REASON_LENGTH);
}
