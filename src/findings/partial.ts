/**
 * The lenient read behind the fallback card: a delivery that carries something GuardDuty-shaped
 * which the strict model refuses (a missing `resource`, `id` or `region`, as in several real
 * public samples) still reaches people with what could be read. Only input that is not a finding
 * at all (a Slack payload, an S3 event, random JSON) is refused, with the strict parser's reason.
 */
import { isAppError } from '../errors.js';
import { camelizeKeys } from './camel-case.js';
import type { Finding } from './model.js';
import { EVENTBRIDGE_DETAIL_TYPE, parseFindings, parseFindingsFromText } from './parse.js';

/** What a fallback card shows; every field may be missing ("unknown" on the card). */
export interface PartialFinding {
  readonly id?: string;
  readonly arn?: string;
  readonly title?: string;
  readonly type?: string;
  readonly severity?: number;
  readonly accountId?: string;
  readonly region?: string;
  readonly resourceType?: string;
  readonly updatedAt?: string;
  /** Why the strict model refused it (one line). */
  readonly problem: string;
  /** The item as received (pretty-printed into the attached file). */
  readonly raw: unknown;
}

export type ReadItem = { kind: 'finding'; finding: Finding } | { kind: 'partial'; partial: PartialFinding };

/** GuardDuty finding types look like `Execution:Runtime/NewBinaryExecuted` (ThreatPurpose:Resource/Name). */
const FINDING_TYPE = /^[A-Za-z0-9_-]+:[A-Za-z0-9_-]+\/[^\s]+$/;
const MAX_DEPTH = 4;

/**
 * Every finding in `text`, each either fully parsed or partial. Throws `finding_invalid` (the
 * strict parser's reason) when the input is not a finding at all.
 */
export function readFindingsLeniently(text: string): ReadItem[] {
  try {
    return parseFindingsFromText(text).map((finding) => ({ kind: 'finding', finding }));
  } catch (strictErr) {
    if (!isAppError(strictErr, 'finding_invalid')) throw strictErr;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw strictErr;
    }
    const items = candidates(value, 0);
    if (!items || items.length === 0) throw strictErr;
    return items.map((item) => readOne(item, strictErr.message));
  }
}

/** The finding-shaped objects a delivery carries, or undefined when it carries none. */
function candidates(v: unknown, depth: number): unknown[] | undefined {
  if (depth > MAX_DEPTH) return undefined;
  if (Array.isArray(v)) return v.every(looksLikeFinding) && v.length > 0 ? v : undefined;
  if (!isObject(v)) return undefined;
  if (typeof v.Type === 'string' && typeof v.Message === 'string') {
    if (v.Type !== 'Notification') return undefined;
    try {
      return candidates(JSON.parse(v.Message), depth + 1);
    } catch {
      return undefined;
    }
  }
  if ('detail-type' in v || ('detail' in v && 'source' in v)) {
    // An EventBridge GuardDuty event is a finding by its envelope, whatever its detail lacks.
    return v['detail-type'] === EVENTBRIDGE_DETAIL_TYPE ? [isObject(v.detail) ? v.detail : {}] : undefined;
  }
  const list = v.Findings ?? v.findings;
  if (list !== undefined) return candidates(list, depth + 1);
  return looksLikeFinding(v) ? [v] : undefined;
}

function looksLikeFinding(v: unknown): boolean {
  if (!isObject(v)) return false;
  const o = camelizeKeys(v) as Record<string, unknown>;
  if ('schemaVersion' in o && ('type' in o || 'severity' in o)) return true;
  return typeof o.type === 'string' && FINDING_TYPE.test(o.type);
}

function readOne(item: unknown, problem: string): ReadItem {
  // A list may mix valid and broken findings: the valid ones get their real card.
  try {
    const [finding] = parseFindings(item);
    if (finding) return { kind: 'finding', finding };
  } catch (err) {
    if (!isAppError(err, 'finding_invalid')) throw err;
    problem = err.message;
  }
  const o = (isObject(item) ? camelizeKeys(item) : {}) as Record<string, unknown>;
  const resource = isObject(o.resource) ? o.resource : {};
  const severity = typeof o.severity === 'number' && Number.isFinite(o.severity) ? o.severity : undefined;
  return {
    kind: 'partial',
    partial: {
      ...str('id', o.id),
      ...str('arn', o.arn),
      ...str('title', o.title),
      ...str('type', o.type),
      ...(severity !== undefined ? { severity } : {}),
      ...str('accountId', o.accountId),
      ...str('region', o.region),
      ...str('resourceType', resource.resourceType),
      ...str('updatedAt', o.updatedAt),
      problem,
      raw: item,
    },
  };
}

function str<K extends string>(key: K, v: unknown): Partial<Record<K, string>> {
  return typeof v === 'string' && v.trim() !== '' ? ({ [key]: v } as Record<K, string>) : {};
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
