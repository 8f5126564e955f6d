/**
 * The incident: what responders manage. A finding opens one; later findings on the same resource
 * join it (./grouping.ts). Its lifecycle is a small state machine (./lifecycle.ts) and everything
 * that happens to it is a timeline event with who and when.
 *
 * These types are also the persisted shapes (src/store/store.ts): an incident is one item written
 * with a conditional put on `version`, so it maps onto DynamoDB as it is.
 */

export const INCIDENT_STATES = ['open', 'acknowledged', 'contained', 'resolved', 'false_positive'] as const;
export type IncidentState = (typeof INCIDENT_STATES)[number];

/** States in which an incident is still being worked on (shown in App Home, joinable by findings). */
export const ACTIVE_STATES: readonly IncidentState[] = ['open', 'acknowledged', 'contained'];
export const CLOSED_STATES: readonly IncidentState[] = ['resolved', 'false_positive'];

export function isClosed(state: IncidentState): boolean {
  return CLOSED_STATES.includes(state);
}

export const STATE_LABEL: Readonly<Record<IncidentState, string>> = {
  open: 'Open',
  acknowledged: 'Acknowledged',
  contained: 'Contained',
  resolved: 'Resolved',
  false_positive: 'False positive',
};

export interface Incident {
  /** `INC-<n>`, allocated by the store. */
  readonly id: string;
  readonly state: IncidentState;
  /** Highest GuardDuty severity (1.0–10.0) among its findings. */
  readonly severity: number;
  /** Title of the finding that opened it (attacker-influenced text: escape when shown). */
  readonly title: string;
  readonly accountId?: string;
  readonly region?: string;
  /** Slack user id of the responder who owns it. */
  readonly assignee?: string;
  /** Where its thread lives: the channel and ts of its first card. */
  readonly channel?: string;
  readonly threadTs?: string;
  readonly openedAt: number;
  /** First time anyone responded (Take it, assign, contain, close). Kept when reassigned. */
  readonly acknowledgedAt?: number;
  /** First time it was contained. Kept if containment is later released (the state says so). */
  readonly containedAt?: number;
  readonly closedAt?: number;
  readonly closeReason?: string;
  readonly closedBy?: string;
  /** Last time a finding joined or was re-seen: the grouping window runs from here. */
  readonly lastSeenAt: number;
  /** Resource keys (./grouping.ts) of every finding in it. */
  readonly keys: readonly string[];
  /** Optimistic concurrency: every update is conditional on the version read. */
  readonly version: number;
  readonly updatedAt: number;
}

/** What the store needs to create an incident (it assigns id, version and updatedAt). */
export type NewIncident = Omit<Incident, 'id' | 'version' | 'updatedAt'>;

/** The kinds of timeline events, with the data each carries. */
export type TimelineEntry =
  | { kind: 'finding_seen'; findingId: string; title: string; severity: number; findingType: string; count: number; repeat?: boolean }
  | { kind: 'action_requested'; action: string; runId?: string; target?: string; reason?: string }
  | { kind: 'approved'; action: string; runId?: string }
  | { kind: 'executed'; action: string; runId?: string; status: 'succeeded' | 'partial'; headline: string; findingId?: string }
  | { kind: 'failed'; action: string; runId?: string; headline: string; findingId?: string }
  | { kind: 'status_changed'; from: IncidentState; to: IncidentState; reason?: string }
  | { kind: 'assigned'; assignee: string; previous?: string }
  | { kind: 'note'; text: string };

export type TimelineKind = TimelineEntry['kind'];

/** An event before it is stored: when and by whom (a Slack user id, or 'system'). */
export type NewTimelineEvent = TimelineEntry & { at: number; actor?: string };

/** A stored event: ordered by `id` within its incident. */
export type TimelineEvent = NewTimelineEvent & { id: number; incidentId: string };

export const SYSTEM_ACTOR = 'system';

const INCIDENT_ID_RE = /^INC-([1-9][0-9]{0,9})$/;

export function incidentId(seq: number): string {
  return `INC-${seq}`;
}

/** `INC-12`, `inc-12` → `INC-12`; anything else → undefined. */
export function normaliseIncidentId(value: string): string | undefined {
  const upper = value.trim().toUpperCase();
  return INCIDENT_ID_RE.test(upper) ? upper : undefined;
}

/** The sequence number of an incident id (the store's key), or undefined. */
export function incidentSeq(id: string): number | undefined {
  const m = INCIDENT_ID_RE.exec(id);
  return m ? Number(m[1]) : undefined;
}

/** The incident a finding belongs to now: its open one, else its latest (for status and timeline). */
export function currentIncident(incidents: readonly Incident[]): Incident | undefined {
  return openIncident(incidents) ?? incidents[0];
}

/** A finding's open incident, if any (new findings join only an open one). */
export function openIncident(incidents: readonly Incident[]): Incident | undefined {
  return incidents.find((i) => !isClosed(i.state));
}
