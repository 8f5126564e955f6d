import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { AppError } from '../errors.js';
import { SLACK_USER_ID, SLACK_USERGROUP_ID } from '../slack/ids.js';

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
export const INCIDENT_POLICY_ACTIONS = ['take', 'assign', 'close', 'false-positive', 'create_suppression'] as const;

export interface ActionRule {
  users?: readonly string[];
  usergroups?: readonly string[];
  requireApproval?: boolean;
}

export interface Policy {
  readonly responderUserIds: readonly string[];
  readonly responderUsergroupIds: readonly string[];
  readonly readOnlyActions: 'anyone' | 'responders';
  readonly actions: Readonly<Record<string, ActionRule>>;
}

export function buildPolicy(
  base: { responderUserIds: readonly string[]; responderUsergroupIds: readonly string[] },
  file?: unknown,
  knownActions?: readonly string[],
): Policy {
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
  });
}

export function loadPolicyFile(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch (err) {
    throw new AppError('config_invalid', `invalid authorization policy:\n  - AUTHZ_POLICY_FILE ${path} cannot be read as JSON (${(err as Error).message})`, { cause: err });
  }
}

/** Who may run one action: explicit per-action lists replace the responder lists. */
export function allowedPrincipals(policy: Policy, action: string): { users: readonly string[]; usergroups: readonly string[] } {
  const rule = policy.actions[action];
  if (rule && (rule.users || rule.usergroups)) return { users: rule.users ?? [], usergroups: rule.usergroups ?? [] };
  return { users: policy.responderUserIds, usergroups: policy.responderUsergroupIds };
}
