/**
 * What one SQS message carries. Three shapes reach a findings queue:
 * - an SNS envelope (subscription without raw delivery): `{Type: "Notification", MessageId, TopicArn, Message}`;
 * - an SNS raw delivery or an EventBridge rule targeting the queue: the EventBridge event itself;
 * - anything else (a test message, a wrong rule): not a finding.
 *
 * Dedupe key (the inbox's messageId): the SNS MessageId for envelopes — the same key POST /sns
 * uses, so a message that reaches both the HTTPS endpoint and the queue is stored once; the
 * EventBridge event `id` for raw events — stable across SQS re-deliveries and across two rules or
 * a raw SNS hop, unlike the SQS MessageId, which is new for every enqueue; the SQS MessageId only
 * for a raw finding or GetFindings body that has no id of its own.
 */
import { isAppError } from '../errors.js';
import type { Finding } from '../findings/model.js';
import { parseFindingsFromText } from '../findings/parse.js';

export type SqsMessageKind =
  | { kind: 'finding'; dedupeId: string; source: string; payload: string; findings: Finding[] }
  | { kind: 'not_finding'; reason: string };

export function classifySqsBody(body: string, sqsMessageId: string, queueArn: string): SqsMessageKind {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return { kind: 'not_finding', reason: 'body is not JSON' };
  }
  let payload = body;
  let dedupeId = `sqs:${sqsMessageId}`;
  let source = queueArn;
  if (isObject(value) && value.Type === 'Notification' && typeof value.Message === 'string' && typeof value.MessageId === 'string') {
    payload = value.Message;
    dedupeId = value.MessageId;
    if (typeof value.TopicArn === 'string') source = value.TopicArn;
  } else if (isObject(value) && typeof value.id === 'string' && 'detail-type' in value) {
    dedupeId = `event:${value.id}`;
  }
  try {
    return { kind: 'finding', dedupeId, source, payload, findings: parseFindingsFromText(payload) };
  } catch (err) {
    if (isAppError(err, 'finding_invalid')) return { kind: 'not_finding', reason: err.message };
    throw err;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
