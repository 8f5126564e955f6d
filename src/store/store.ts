/**
 * The one interface all state goes through. SQLite implements it today; every operation is a
 * conditional put / update / get / query by key so that a DynamoDB implementation fits later.
 */

export type InboxState = 'pending' | 'done' | 'failed';

export interface InboxEntry {
  readonly messageId: string;
  readonly topicArn: string;
  readonly receivedAt: number;
  /** The verified SNS envelope's Message field (the payload), exactly as received. */
  readonly payload: string;
  readonly state: InboxState;
  readonly attempts: number;
  readonly lastError?: string;
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
}

export interface Store {
  /** Stores a verified message. 'duplicate' when this MessageId was already accepted. */
  acceptMessage(entry: { messageId: string; topicArn: string; receivedAt: number; payload: string }): Promise<'accepted' | 'duplicate'>;
  /** Oldest first. */
  pendingMessages(limit: number): Promise<InboxEntry[]>;
  getMessage(messageId: string): Promise<InboxEntry | undefined>;
  finishMessage(messageId: string, state: 'done' | 'failed', error?: string): Promise<void>;
  recordAttempt(messageId: string, error: string): Promise<void>;

  getFinding(findingId: string): Promise<FindingRecord | undefined>;
  /**
   * Inserts the finding, or replaces the stored one when `record` is newer (later updatedAt or
   * higher count). Returns the stored record and whether it changed.
   */
  upsertFinding(record: Omit<FindingRecord, 'channel' | 'ts' | 'postedVersion' | 'statusText' | 'createdAt'> & { createdAt: number }): Promise<{ record: FindingRecord; changed: boolean }>;
  /** Records where the card was posted and which version it shows. */
  setFindingCard(findingId: string, card: { channel: string; ts: string; postedVersion: string }): Promise<void>;
  setFindingStatus(findingId: string, statusText: string): Promise<void>;

  /** Cheap liveness probe for /healthz. */
  ping(): Promise<void>;
  close(): Promise<void>;
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
