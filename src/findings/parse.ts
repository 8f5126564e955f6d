/**
 * Turns whatever carries GuardDuty findings into normalised `Finding`s:
 * - one finding, camelCase (EventBridge `detail`, REST API) or PascalCase (SDK/CLI output);
 * - an EventBridge event (`detail-type: "GuardDuty Finding"`, finding in `detail`);
 * - an SNS Notification body (`Type: "Notification"`, one of these as a JSON string in `Message`);
 * - a GetFindings response (`{Findings: […]}` / `{findings: […]}`), or a bare array of findings
 *   (what `aws guardduty get-findings --query Findings` prints).
 * Anything else throws `AppError('finding_invalid')` with a one-line reason.
 */
import { AppError } from '../errors.js';
import { camelizeKeys } from './camel-case.js';
import type { Finding } from './model.js';
import { toFinding } from './normalise.js';
import { FindingWire } from './wire.js';

export const EVENTBRIDGE_DETAIL_TYPE = 'GuardDuty Finding';

/** SNS → EventBridge → … wrappers nest a little; anything deeper is not a real delivery. */
const MAX_ENVELOPE_DEPTH = 4;

export function parseFindings(input: unknown): Finding[] {
  return unwrap(input, 0);
}

/** JSON text (a file, an SNS body) → findings. */
export function parseFindingsFromText(text: string): Finding[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw invalid(`input is not JSON (${err instanceof Error ? err.message : String(err)})`, err);
  }
  return parseFindings(value);
}

function unwrap(input: unknown, depth: number): Finding[] {
  if (depth > MAX_ENVELOPE_DEPTH) throw invalid('too many nested envelopes');
  if (Array.isArray(input)) return parseList(input, 'findings');
  if (!isObject(input)) throw invalid(`expected a JSON object, got ${describe(input)}`);

  // SNS message body (the HTTPS endpoint receives this). The finding is a JSON string in Message.
  if (typeof input.Type === 'string' && ('TopicArn' in input || 'Message' in input)) {
    if (input.Type !== 'Notification') throw invalid(`SNS ${input.Type} message carries no finding`);
    if (typeof input.Message !== 'string') throw invalid('SNS Notification has no Message string');
    let message: unknown;
    try {
      message = JSON.parse(input.Message);
    } catch {
      throw invalid('SNS Notification Message is not JSON');
    }
    return unwrap(message, depth + 1);
  }

  // EventBridge event (possibly delivered as-is by an SNS target).
  if ('detail-type' in input || ('detail' in input && 'source' in input)) {
    const detailType = input['detail-type'];
    if (detailType !== EVENTBRIDGE_DETAIL_TYPE) {
      throw invalid(`EventBridge event "${oneLine(String(detailType))}" is not a ${EVENTBRIDGE_DETAIL_TYPE}`);
    }
    if (!isObject(input.detail)) throw invalid('EventBridge event has no detail object');
    return [parseOne(input.detail, 'detail')];
  }

  // GetFindings response.
  const list = input.Findings ?? input.findings;
  if (list !== undefined) {
    if (!Array.isArray(list)) throw invalid('Findings is not an array');
    return parseList(list, 'Findings');
  }

  return [parseOne(input, undefined)];
}

function parseList(list: unknown[], where: string): Finding[] {
  if (list.length === 0) throw invalid(`${where} is empty: no finding in input`);
  return list.map((item, i) => parseOne(item, `${where}[${i}]`));
}

function parseOne(value: unknown, where: string | undefined): Finding {
  const at = where ? `${where}: ` : '';
  if (!isObject(value)) throw invalid(`${at}expected a finding object, got ${describe(value)}`);
  const raw = camelizeKeys(value) as Record<string, unknown>;
  const parsed = FindingWire.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path.map(String).join('.') || '(root)';
    const looksLikeFinding = 'type' in raw || 'resource' in raw || 'severity' in raw;
    const what = looksLikeFinding ? 'not a valid GuardDuty finding' : 'not a GuardDuty finding';
    const missing = /received undefined/.test(issue?.message ?? '');
    throw invalid(`${at}${what}: ${missing ? `missing ${path}` : `field ${path}: ${oneLine(issue?.message ?? 'invalid')}`}`);
  }
  return toFinding(parsed.data, raw);
}

function invalid(reason: string, cause?: unknown): AppError {
  return new AppError('finding_invalid', oneLine(reason), cause === undefined ? {} : { cause });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return `a ${typeof v}`;
}

/** Reasons end up in logs and on a terminal: one short line, never the input's own newlines. */
function oneLine(s: string, max = 300): string {
  const flat = s.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
