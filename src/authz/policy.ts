import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { AppError } from '../errors.js';
import { SLACK_USER_ID, SLACK_USERGROUP_ID } from '../slack/ids.js';
import type { RateLimit } from './rate-limit.js';

/**
 * Who may run what. Base: RESPONDER_USER_IDS / RESPONDER_USERGROUP_IDS may run every action.
 * AUTHZ_POLICY_FILE (JSON) refines it per action:
 *
 *   {
 *     "readOnlyActions": "anyone",            // or "responders"
 *     "actions": {
 *       "stop_task":        { "usergroups": ["S0ONCALL"] },            // replaces the base list
 *       "quarantine_image": { "requireApproval": true },               // base list + 2nd person
 *       "stop_all_pin":     { "users": ["U0LEAD"], "requireApproval": true }
 *     }
 *   }
 *
 * With no responders and no per-action lists, every changing action is refused (secure by default).
 */
const actionRule = z
  .object({
    users: z.array(z.string().regex(SLACK_USER_ID, 'must be Slack user ids')).optional(),
    usergroups: z.array(z.string().regex(SLACK_USERGROUP_ID, 'must be Slack user-group ids')).optional(),
    requireApproval: z.boolean().optional(),
  })
  .strict();

const policyFile = z
  .object({
    readOnlyActions: z.enum(['anyone', 'responders']).default('anyone'),
    actions: z.record(z.string(), actionRule).default({}),
  })
  .strict();

/** Incident changes that the policy can name like remediation steps (responders by default). */
export const INCIDENT_POLICY_ACTIONS = ['take', 'assign', 'close', 'false-positive', 'create_suppression', 'sample', 'inbox'] as const;

export interface ActionRule {
  users?: readonly string[];
  usergroups?: readonly string[];
  requireApproval?: boolean;
}

/** `REQUIRE_APPROVAL`: which steps need a second person without a policy file. */
export const REQUIRE_APPROVAL_MODES = ['none', 'destructive', 'all'] as const;
export type RequireApprovalMode = (typeof REQUIRE_APPROVAL_MODES)[number];

/** `APPROVAL_TTL_MINUTES` default: a request nobody approved within 30 min must be asked again. */
export const DEFAULT_APPROVAL_TTL_MS = 30 * 60_000;

export interface Policy {
  readonly responderUserIds: readonly string[];
  readonly responderUsergroupIds: readonly string[];
  readonly readOnlyActions: 'anyone' | 'responders';
  readonly actions: Readonly<Record<string, ActionRule>>;
  readonly requireApproval: RequireApprovalMode;
  /** Changing-step confirmations per user (ACTION_RATE_LIMIT); undefined: unlimited. */
  readonly actionRateLimit?: RateLimit;
  readonly approvalTtlMs: number;
}

export interface PolicyBase {
  responderUserIds: readonly string[];
  responderUsergroupIds: readonly string[];
  requireApproval?: RequireApprovalMode;
  actionRateLimit?: RateLimit;
  approvalTtlMs?: number;
}

export function buildPolicy(base: PolicyBase, file?: unknown, knownActions?: readonly string[]): Policy {
  const parsed = policyFile.safeParse(file ?? {});
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `AUTHZ_POLICY_FILE ${i.path.join('.')}: ${i.message}`);
    throw new AppError('config_invalid', `invalid authorization policy:\n  - ${problems.join('\n  - ')}`, { context: { problems } });
  }
  if (knownActions) {
    const unknown = Object.keys(parsed.data.actions).filter((a) => !knownActions.includes(a));
    if (unknown.length > 0) {
      throw new AppError('config_invalid', `invalid authorization policy:\n  - unknown actions: ${unknown.join(', ')} (known: ${knownActions.join(', ')})`);
    }
  }
  return Object.freeze({
    responderUserIds: base.responderUserIds,
    responderUsergroupIds: base.responderUsergroupIds,
    readOnlyActions: parsed.data.readOnlyActions,
    actions: parsed.data.actions,
    requireApproval: base.requireApproval ?? 'none',
    ...(base.actionRateLimit ? { actionRateLimit: base.actionRateLimit } : {}),
    approvalTtlMs: base.approvalTtlMs ?? DEFAULT_APPROVAL_TTL_MS,
  });
}

/**
 * Whether a step waits for a second authorized person: a per-action `requireApproval` in the
 * policy file (destructive steps), or the REQUIRE_APPROVAL setting. Read-only steps never wait.
 */
export function needsApproval(policy: Policy, action: { id: string; destructive: boolean; changes?: boolean }): boolean {
  if (action.destructive && policy.actions[action.id]?.requireApproval === true) return true;
  if (policy.requireApproval === 'destructive') return action.destructive;
  if (policy.requireApproval === 'all') return action.destructive || action.changes === true;
  return false;
}

/** An approval request older than the TTL may no longer be approved (ask again, with a fresh plan). */
export function approvalExpired(requestedAt: number, now: number, ttlMs: number = DEFAULT_APPROVAL_TTL_MS): boolean {
  return now - requestedAt > ttlMs;
}

export function loadPolicyFile(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch (err) {
    throw new AppError('config_invalid', `invalid authorization policy:\n  - AUTHZ_POLICY_FILE ${path} cannot be read as JSON (${(err as Error).message})`, {
      cause: err,
    });
  }
}

/** Who may run one action: explicit per-action lists replace the responder lists. */
export function allowedPrincipals(policy: Policy, action: string): { users: readonly string[]; usergroups: readonly string[] } {
  const rule = policy.actions[action];
  if (rule && (rule.users || rule.usergroups)) return { users: rule.users ?? [], usergroups: rule.usergroups ?? [] };
  return { users: policy.responderUserIds, usergroups: policy.responderUsergroupIds };
}
