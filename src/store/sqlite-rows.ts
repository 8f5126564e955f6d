/** Row ↔ record mapping for the SQLite store. */
import type { Incident, IncidentState, NewIncident } from '../incidents/model.js';
import type { ActionRun, FindingRecord, InboxEntry, RunState } from './store.js';

export type Row = Record<string, unknown>;

export function toIncident(r: Row): Incident {
  const opt = <T>(name: string, v: unknown): Partial<Record<string, T>> => (v != null ? { [name]: v as T } : {});
  return {
    id: r.id as string,
    state: r.state as IncidentState,
    severity: r.severity as number,
    title: r.title as string,
    ...opt('accountId', r.account_id),
    ...opt('region', r.region),
    ...opt('assignee', r.assignee),
    ...opt('channel', r.channel),
    ...opt('threadTs', r.thread_ts),
    openedAt: r.opened_at as number,
    ...opt('acknowledgedAt', r.acknowledged_at),
    ...opt('containedAt', r.contained_at),
    ...opt('closedAt', r.closed_at),
    ...opt('closeReason', r.close_reason),
    ...opt('closedBy', r.closed_by),
    lastSeenAt: r.last_seen_at as number,
    keys: JSON.parse(r.keys_json as string) as string[],
    version: r.version as number,
    updatedAt: r.updated_at as number,
  };
}

export function toInbox(r: Row): InboxEntry {
  return {
    messageId: r.message_id as string,
    topicArn: r.topic_arn as string,
    receivedAt: r.received_at as number,
    payload: r.payload as string,
    state: r.state as InboxEntry['state'],
    attempts: r.attempts as number,
    ...(r.last_error != null ? { lastError: r.last_error as string } : {}),
    ...(r.req_id != null ? { reqId: r.req_id as string } : {}),
    priority: Number(r.priority),
  };
}

export function toFinding(r: Row): FindingRecord {
  return {
    findingId: r.finding_id as string,
    accountId: r.account_id as string,
    region: r.region as string,
    updatedAt: r.updated_at as string,
    count: r.count as number,
    severity: r.severity as number,
    findingJson: r.finding_json as string,
    ...(r.channel != null ? { channel: r.channel as string } : {}),
    ...(r.ts != null ? { ts: r.ts as string } : {}),
    ...(r.posted_version != null ? { postedVersion: r.posted_version as string } : {}),
    ...(r.status_text != null ? { statusText: r.status_text as string } : {}),
    createdAt: r.created_at as number,
    cardKey: r.card_key as string,
    ...(r.thread_ts != null ? { threadTs: r.thread_ts as string } : {}),
  };
}

export function toRun(r: Row): ActionRun {
  const parse = (v: unknown) => (v == null ? undefined : (JSON.parse(v as string) as unknown));
  return {
    runId: r.run_id as string,
    findingId: r.finding_id as string,
    action: r.action as string,
    state: r.state as RunState,
    requestedBy: r.requested_by as string,
    ...(r.approved_by != null ? { approvedBy: r.approved_by as string } : {}),
    ...(r.reason != null ? { reason: r.reason as string } : {}),
    ...(r.input_json != null ? { input: parse(r.input_json) } : {}),
    ...(r.plan_json != null ? { plan: parse(r.plan_json) } : {}),
    ...(r.result_json != null ? { result: parse(r.result_json) } : {}),
    createdAt: r.created_at as number,
    updatedAt: r.updated_at as number,
    ...(r.owner != null ? { owner: r.owner as string } : {}),
  };
}

export function json(v: unknown): string | null {
  return v === undefined ? null : JSON.stringify(v);
}

/** Incident column values in the order of the stores' INSERT/UPDATE statements (after the id). */
export function incidentColumns(i: NewIncident): (string | number | null)[] {
  return [
    i.state,
    i.severity,
    i.title,
    i.accountId ?? null,
    i.region ?? null,
    i.assignee ?? null,
    i.channel ?? null,
    i.threadTs ?? null,
    i.openedAt,
    i.acknowledgedAt ?? null,
    i.containedAt ?? null,
    i.closedAt ?? null,
    i.closeReason ?? null,
    i.closedBy ?? null,
    i.lastSeenAt,
    JSON.stringify(i.keys),
  ];
}

/** Inbox rows that could not be processed (the same SQL in both stores). */
export const DEAD_LETTER = "(state = 'failed' OR (state = 'pending' AND attempts > 0 AND last_error IS NOT NULL))";
