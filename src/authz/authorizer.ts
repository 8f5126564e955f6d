import type { Clock } from '../util/clock.js';
import { allowedPrincipals, approvalExpired, needsApproval, type Policy } from './policy.js';
import { createRateLimiter, windowText } from './rate-limit.js';

/**
 * How long a user group's member list is trusted for a click-time check. Execution-time checks
 * (`{ fresh: true }`) never use it: someone removed from the group is refused at once.
 */
export const USERGROUP_CACHE_MS = 10_000;

export type Decision = { allowed: true; via: string } | { allowed: false; reason: string; code?: 'rate_limited' };

export interface CheckOptions {
  /**
   * Execution time (a confirmation submitted, an approval given): read user-group membership
   * from Slack now, and do not count the check against the rate limit (the confirmation it
   * belongs to was counted when it was opened).
   */
  fresh?: boolean;
}

export interface AuthorizedAction {
  id: string;
  changes: boolean;
  /** Present on remediation steps (catalog definitions): only those count against the rate limit. */
  destructive?: boolean;
}

export interface Authorizer {
  /** Checked when the button is clicked (fast answer, rate limit) and again, fresh, when the action executes. */
  check(userId: string, action: AuthorizedAction, opts?: CheckOptions): Promise<Decision>;
  requiresApproval(action: { id: string; destructive: boolean; changes?: boolean }): boolean;
  /** True when an approval requested at `requestedAt` may no longer be given (APPROVAL_TTL_MINUTES). */
  approvalExpired(requestedAt: number, now: number): boolean;
  readonly approvalTtlMs: number;
}

/** The one Slack call authorization needs (SlackGateway.usergroupMembers). */
export interface UsergroupDirectory {
  usergroupMembers(usergroupId: string): Promise<string[]>;
}

export function createAuthorizer(policy: Policy, deps: { slack: UsergroupDirectory; clock: Clock }): Authorizer {
  const cache = new Map<string, { at: number; members: Set<string> }>();
  const limiter = policy.actionRateLimit ? createRateLimiter(policy.actionRateLimit, deps.clock.now) : undefined;

  async function members(groupId: string, fresh: boolean): Promise<Set<string>> {
    const hit = cache.get(groupId);
    if (!fresh && hit && deps.clock.now() - hit.at < USERGROUP_CACHE_MS) return hit.members;
    const set = new Set(await deps.slack.usergroupMembers(groupId));
    cache.set(groupId, { at: deps.clock.now(), members: set });
    return set;
  }

  async function who(userId: string, action: AuthorizedAction, fresh: boolean): Promise<Decision> {
    if (!action.changes && policy.readOnlyActions === 'anyone') return { allowed: true, via: 'read-only action' };
    const allowed = allowedPrincipals(policy, action.id);
    if (allowed.users.includes(userId)) return { allowed: true, via: 'user list' };
    for (const group of allowed.usergroups) {
      try {
        if ((await members(group, fresh)).has(userId)) return { allowed: true, via: `user group ${group}` };
      } catch {
        // Fail closed: an unverifiable membership is a refusal, with a reason the user can act on.
        return { allowed: false, reason: `your membership of user group ${group} could not be checked with Slack just now; try again in a minute` };
      }
    }
    if (allowed.users.length === 0 && allowed.usergroups.length === 0) {
      return {
        allowed: false,
        reason: action.changes
          ? 'no responders are configured, so changing actions are disabled (set RESPONDER_USER_IDS or RESPONDER_USERGROUP_IDS, or AUTHZ_POLICY_FILE)'
          : 'read-only actions are limited to responders and none are configured',
      };
    }
    return { allowed: false, reason: `you are not on the list of people allowed to run "${action.id}" (ask your security lead to add you)` };
  }

  return {
    async check(userId, action, opts = {}) {
      const decision = await who(userId, action, opts.fresh === true);
      // Only an authorized click on a changing remediation step opens a confirmation: count those.
      if (!decision.allowed || !limiter || opts.fresh || !action.changes || action.destructive === undefined) return decision;
      const taken = limiter.take(userId);
      if (taken.ok) return decision;
      return {
        allowed: false,
        code: 'rate_limited',
        reason: `slow down: you already opened ${policy.actionRateLimit!.count} changing steps in the last ${windowText(policy.actionRateLimit!)}, the most allowed per person (ACTION_RATE_LIMIT); try again in ${Math.ceil(taken.retryInMs / 1000)} s`,
      };
    },
    requiresApproval(action) {
      return needsApproval(policy, action);
    },
    approvalExpired(requestedAt, now) {
      return approvalExpired(requestedAt, now, policy.approvalTtlMs);
    },
    approvalTtlMs: policy.approvalTtlMs,
  };
}
