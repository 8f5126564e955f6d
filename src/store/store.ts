import type { Finding } from '../findings/model.js';
import type { Incident, NewIncident, NewTimelineEvent, TimelineEvent } from '../incidents/model.js';

/**
 * The one interface all state goes through. SQLite implements it today; every operation is a
 * conditional put / update / get / query by key so that a DynamoDB implementation fits later.
 */

/** 'discarded': a dead letter a responder dropped (`/guardduty inbox discard`), with the reason in last_error. */
export type InboxState = 'pending' | 'done' | 'failed' | 'discarded';

export interface InboxEntry {
  readonly messageId: string;
  readonly topicArn: string;
  readonly receivedAt: number;
  /** The verified SNS envelope's Message field (the payload), exactly as received. */
  readonly payload: string;
  readonly state: InboxState;
  readonly attempts: number;
  readonly lastError?: string;
  /** Id of the HTTP request that stored it (log correlation). */
  readonly reqId?: string;
  /** Served first when higher: the payload's severity band at accept time (src/findings/priority.ts). */
  readonly priority: number;
}

export interface FindingRecord {
  readonly findingId: string;
  readonly accountId: string;
  readonly region: string;
  readonly updatedAt: string;
  readonly count: number;
  readonly severity: number;
  /** The normalised finding (JSON of the Finding model). */
  readonly findingJson: string;
  /** Where its card lives, once posted. */
  readonly channel?: string;
  readonly ts?: string;
  /** `updatedAt|count` of the finding the card currently shows. */
  readonly postedVersion?: string;
  /** One-line status the card shows (later actions update it). */
  readonly statusText?: string;
  readonly createdAt: number;
  /** Opaque id put in button values; resolved on the server, never trusted as data. */
  readonly cardKey: string;
  /** Root of the thread the card lives in when it was posted as a reply in its incident's thread. */
  readonly threadTs?: string;
}

export type RunState = 'planned' | 'awaiting_approval' | 'running' | 'succeeded' | 'partial' | 'failed' | 'rejected' | 'interrupted';

export const FINAL_RUN_STATES: readonly RunState[] = ['succeeded', 'partial', 'failed', 'rejected', 'interrupted'];

export interface ActionRun {
  readonly runId: string;
  readonly findingId: string;
  readonly action: string;
  readonly state: RunState;
  readonly requestedBy: string;
  readonly approvedBy?: string;
  readonly reason?: string;
  readonly input?: unknown;
  readonly plan?: unknown;
  readonly result?: unknown;
  readonly createdAt: number;
  readonly updatedAt: number;
  /** Replica that runs it (set on entering running): a survivor interrupts it only once that replica is dead. */
  readonly owner?: string;
}

export type ClaimResult =
  | { ok: true; run: ActionRun }
  /** The run is not in one of the expected states (already submitted, done…). */
  | { ok: false; reason: 'wrong_state'; run?: ActionRun }
  /** Another run of the same action on the same finding is running or awaiting approval. */
  | { ok: false; reason: 'busy'; active: ActionRun };

export interface AuditEntry {
  readonly id: number;
  readonly at: number;
  readonly findingId?: string;
  readonly runId?: string;
  readonly actor?: string;
  readonly event: string;
  readonly detail?: unknown;
}

export interface Store {
  /** Stores a verified message. 'duplicate' when this MessageId was already accepted. */
  acceptMessage(entry: {
    messageId: string;
    topicArn: string;
    receivedAt: number;
    payload: string;
    reqId?: string;
    priority?: number;
  }): Promise<'accepted' | 'duplicate'>;
  /** Most severe first (priority, peeked from the payload when not given), then oldest. */
  pendingMessages(limit: number): Promise<InboxEntry[]>;
  getMessage(messageId: string): Promise<InboxEntry | undefined>;
  finishMessage(messageId: string, state: 'done' | 'failed', error?: string): Promise<void>;
  recordAttempt(messageId: string, error: string): Promise<void>;
  /** Dead letters: failed, or pending after a failed attempt (a channel the bot is not in); newest first. */
  deadLetters(limit: number): Promise<InboxEntry[]>;
  /** A dead letter back to pending with attempts reset (lease ended). False when it is not a dead letter. */
  retryMessage(messageId: string): Promise<boolean>;
  /** A dead letter marked discarded with the reason. False when it is not a dead letter. */
  discardMessage(messageId: string, reason: string): Promise<boolean>;

  getFinding(findingId: string): Promise<FindingRecord | undefined>;
  /**
   * Inserts the finding, or replaces the stored one when `record` is newer (later updatedAt or
   * higher count). Returns the stored record and whether it changed.
   */
  upsertFinding(
    record: Omit<FindingRecord, 'channel' | 'ts' | 'postedVersion' | 'statusText' | 'createdAt' | 'cardKey'> & { createdAt: number },
  ): Promise<{ record: FindingRecord; changed: boolean }>;
  getFindingByCardKey(cardKey: string): Promise<FindingRecord | undefined>;
  /** Whether any finding card was posted in this channel (Slack requests from other channels are refused). */
  hasCardInChannel(channel: string): Promise<boolean>;
  /** Records where the card was posted and which version it shows. */
  setFindingCard(findingId: string, card: { channel: string; ts: string; postedVersion: string; threadTs?: string }): Promise<void>;
  /** Users who opened App Home (their Home is re-published when incidents change). */
  addHomeViewer(userId: string, at: number): Promise<void>;
  homeViewers(): Promise<string[]>;
  setFindingStatus(findingId: string, statusText: string): Promise<void>;

  createRun(run: Omit<ActionRun, 'updatedAt'>): Promise<void>;
  getRun(runId: string): Promise<ActionRun | undefined>;
  /**
   * Conditional transition: moves the run from one of `from` to `to` (and applies `patch`) only
   * if it is still in one of `from`. Entering running/awaiting_approval fails with 'busy' when
   * another run of the same action on the same finding is already there.
   */
  transitionRun(
    runId: string,
    from: readonly RunState[],
    to: RunState,
    patch?: Partial<Pick<ActionRun, 'approvedBy' | 'reason' | 'input' | 'plan' | 'result' | 'owner'>>,
    at?: number,
  ): Promise<ClaimResult>;
  runsInState(state: RunState): Promise<ActionRun[]>;
  runsForFinding(findingId: string): Promise<ActionRun[]>;

  appendAudit(entry: Omit<AuditEntry, 'id'>): Promise<void>;
  auditFor(findingId: string): Promise<AuditEntry[]>;

  /** Small per-finding documents: isolation record, blast radius, evidence… */
  getFindingState<T>(findingId: string, key: string): Promise<T | undefined>;
  putFindingState(findingId: string, key: string, value: unknown, at: number): Promise<void>;

  // Replicas (several processes on one PostgreSQL; on SQLite one process, so trivially true).

  /**
   * Leases up to `limit` pending inbox messages to `owner` until `now + leaseMs`, most severe
   * first, then oldest.
   * A message leased to a live replica is skipped; once its lease expires (the replica died)
   * another replica claims it. finishMessage ends the lease.
   */
  claimMessages(owner: string, limit: number, leaseMs: number, now: number): Promise<InboxEntry[]>;
  /** Ends `owner`'s leases on messages still pending (an outage, or shutdown mid-batch): any replica may claim them again at once. */
  releaseMessages(owner: string): Promise<void>;
  /** Records that `replicaId` is alive until `now + ttlMs` (call every ttl/3). */
  heartbeat(replicaId: string, now: number, ttlMs: number): Promise<void>;
  /**
   * Moves to 'interrupted', in one conditional update, every running run whose owner has no live
   * heartbeat at `now` (or that has no owner) and returns them: exactly one caller gets each run,
   * so a survivor reports it once; runs of live replicas are left alone.
   */
  interruptOrphanedRuns(now: number): Promise<ActionRun[]>;
  /**
   * Takes or renews the lease `name` for `replicaId` until `now + ttlMs`; false while another
   * replica holds an unexpired one. For periodic work that must run on one replica at a time.
   */
  tryLeadership(name: string, replicaId: string, ttlMs: number, now: number): Promise<boolean>;
  /**
   * A rate budget shared by every replica: reserves the next slot of `key` (one call per
   * `intervalMs`) and returns the time at which the caller may act (>= now).
   */
  reserveSlot(key: string, intervalMs: number, now: number): Promise<number>;

  /** Cheap liveness probe for /healthz. */
  ping(): Promise<void>;
  close(): Promise<void>;

  // Incidents (src/incidents). An incident is one item written with a conditional put on its
  // version; keys, findings, timeline events and followers are items under the incident id
  // (DynamoDB: a key-index item per resource key, queried by key).

  /** Allocates the next `INC-<n>` id and stores the incident at version 1. */
  createIncident(draft: NewIncident): Promise<Incident>;
  getIncident(id: string): Promise<Incident | undefined>;
  /** The incident whose first card is this Slack message (thread parent). */
  getIncidentByThread(channel: string, threadTs: string): Promise<Incident | undefined>;
  /**
   * Conditional put: stores `next` (as version expectedVersion + 1) only if the stored version is
   * still `expectedVersion`; otherwise 'conflict' with the current item. Rewrites the key index.
   */
  updateIncident(next: Incident, expectedVersion: number, at: number): Promise<IncidentUpdateResult>;
  /** Incidents that hold `key`, most recently active first; active ones only unless includeClosed. */
  findIncidentsByKey(key: string, opts?: { includeClosed?: boolean }): Promise<Incident[]>;
  /** Active incidents (open, acknowledged, contained): highest severity first, then oldest. */
  listOpenIncidents(limit?: number): Promise<Incident[]>;
  /**
   * Links a finding to an incident, idempotently: 'added' the first time, 'updated' when
   * `version` (findingVersion) differs from the recorded one, 'unchanged' otherwise.
   */
  addIncidentFinding(incidentId: string, findingId: string, version: string, at: number): Promise<'added' | 'updated' | 'unchanged'>;
  incidentFindingIds(incidentId: string): Promise<string[]>;
  /** Incidents holding the finding, most recently opened first. */
  incidentsForFinding(findingId: string): Promise<Incident[]>;
  appendIncidentEvent(incidentId: string, event: NewTimelineEvent): Promise<TimelineEvent>;
  /** Oldest first. */
  incidentEvents(incidentId: string): Promise<TimelineEvent[]>;
  /** True when the user was not following yet. */
  followIncident(incidentId: string, userId: string, at: number): Promise<boolean>;
  /** True when the user was following. */
  unfollowIncident(incidentId: string, userId: string): Promise<boolean>;
  incidentFollowers(incidentId: string): Promise<string[]>;
}

export type IncidentUpdateResult =
  | { ok: true; incident: Incident }
  | { ok: false; reason: 'not_found' }
  /** Someone else updated it since it was read: re-read, re-apply, retry. */
  | { ok: false; reason: 'conflict'; current: Incident };

/** The normalised finding a record stores. */
export function findingOf(r: Pick<FindingRecord, 'findingJson'>): Finding {
  return JSON.parse(r.findingJson) as Finding;
}

/** The row upsertFinding stores for a normalised finding (the inverse of findingOf). */
export function findingRow(f: Finding, createdAt: number): Parameters<Store['upsertFinding']>[0] {
  return {
    findingId: f.id,
    accountId: f.accountId,
    region: f.region,
    updatedAt: f.updatedAt,
    count: f.count,
    severity: f.severity,
    findingJson: JSON.stringify(f),
    createdAt,
  };
}

/** Where replies about a finding go: its incident thread's root, or its own card. */
export function threadRootOf(r: Pick<FindingRecord, 'ts' | 'threadTs'>): string | undefined {
  return r.threadTs ?? r.ts;
}

export function findingVersion(f: { updatedAt: string; count: number }): string {
  return `${f.updatedAt}|${f.count}`;
}

/** True when `a` is strictly newer than `b`: later updatedAt, or same time and higher count. */
export function isNewer(a: { updatedAt: string; count: number }, b: { updatedAt: string; count: number }): boolean {
  const ta = Date.parse(a.updatedAt);
  const tb = Date.parse(b.updatedAt);
  if (Number.isFinite(ta) && Number.isFinite(tb) && ta !== tb) return ta > tb;
  return a.count > b.count;
}
