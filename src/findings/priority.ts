/**
 * Inbox priority: a cheap peek at a raw payload's severity, taken when the message is accepted so
 * the inbox can serve the most severe message first. It never validates the finding (that is the
 * full parse's job, later); it only finds the severity wherever a delivery may carry it:
 * an EventBridge event's `detail.severity`, a GetFindings response's `findings[]` (the highest),
 * a bare finding or list, or any of these wrapped in an SNS Notification.
 */
import { severityLevel, severityRank, type SeverityLevel } from './severity.js';

/** Ranks stored in the inbox: higher is served first. */
export const PRIORITY: Readonly<Record<SeverityLevel, number>> = { low: 0, medium: 1, high: 2, critical: 3 };
/**
 * What a payload whose severity cannot be read gets: high, so a malformed finding (which becomes
 * a fallback card) is never buried under a storm of low ones.
 */
export const UNKNOWN_PRIORITY = PRIORITY.high;

const MAX_DEPTH = 4;

export function inboxPriority(payload: string): number {
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch {
    return UNKNOWN_PRIORITY;
  }
  const score = peekSeverity(value, 0);
  return score === undefined ? UNKNOWN_PRIORITY : severityRank(severityLevel(score));
}

/** The priority rank of a severity band name ('low'…'critical'). */
export function priorityOfLevel(level: SeverityLevel): number {
  return PRIORITY[level];
}

function peekSeverity(v: unknown, depth: number): number | undefined {
  if (depth > MAX_DEPTH) return undefined;
  if (Array.isArray(v)) return maxOf(v.map((x) => peekSeverity(x, depth + 1)));
  if (!isObject(v)) return undefined;
  if (typeof v.Type === 'string' && typeof v.Message === 'string') {
    try {
      return peekSeverity(JSON.parse(v.Message), depth + 1);
    } catch {
      return undefined;
    }
  }
  if (isObject(v.detail)) return peekSeverity(v.detail, depth + 1);
  const list = v.findings ?? v.Findings;
  if (Array.isArray(list)) return maxOf(list.map((x) => peekSeverity(x, depth + 1)));
  return scoreOf(v.severity ?? v.Severity);
}

/** A number (GuardDuty's 1.0–10.0 score), a numeric string, or a band name ("HIGH"). */
function scoreOf(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v !== 'string') return undefined;
  const n = Number(v);
  if (v.trim() !== '' && Number.isFinite(n)) return n;
  const band = { low: 1, medium: 4, high: 7, critical: 9 }[v.trim().toLowerCase()];
  return band;
}

function maxOf(xs: (number | undefined)[]): number | undefined {
  const known = xs.filter((x): x is number => x !== undefined);
  // One unreadable finding in a list makes the whole message "unknown" only when none is readable.
  return known.length ? Math.max(...known) : undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
