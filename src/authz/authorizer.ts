import type { Clock } from '../util/clock.js';
import { allowedPrincipals, type Policy } from './policy.js';

/** How long a user group's member list is trusted before asking Slack again. */
export const USERGROUP_CACHE_MS = 60_000;

export type Decision = { allowed: true; via: string } | { allowed: false; reason: string };

export interface Authorizer {
  /** Checked when the action executes (and, for a fast answer, when the button is clicked). */
  check(userId: string, action: { id: string; changes: boolean }): Promise<Decision>;
  requiresApproval(action: { id: string; destructive: boolean }): boolean;
}

/** The one Slack call authorization needs (SlackGateway.usergroupMembers). */
export interface UsergroupDirectory {
  usergroupMembers(usergroupId: string): Promise<string[]>;
}

export function createAuthorizer(policy: Policy, deps: { slack: UsergroupDirectory; clock: Clock }): Authorizer {
  const cache = new Map<string, { at: number; members: Set<string> }>();

  async function members(groupId: string): Promise<Set<string>> {
    const hit = cache.get(groupId);
    if (hit && deps.clock.now() - hit.at < USERGROUP_CACHE_MS) return hit.members;
    const set = new Set(await deps.slack.usergroupMembers(groupId));
    cache.set(groupId, { at: deps.clock.now(), members: set });
    return set;
  }

  return {
    async check(userId, action) {
      if (!action.changes && policy.readOnlyActions === 'anyone') return { allowed: true, via: 'read-only action' };
      const who = allowedPrincipals(policy, action.id);
      if (who.users.includes(userId)) return { allowed: true, via: 'user list' };
      for (const group of who.usergroups) {
        try {
          if ((await members(group)).has(userId)) return { allowed: true, via: `user group ${group}` };
        } catch {
          // Fail closed: an unverifiable membership is a refusal, with a reason the user can act on.
          return { allowed: false, reason: `your membership of user group ${group} could not be checked with Slack just now; try again in a minute` };
        }
      }
      if (who.users.length === 0 && who.usergroups.length === 0) {
        return {
          allowed: false,
          reason: action.changes
            ? 'no responders are configured, so changing actions are disabled (set RESPONDER_USER_IDS or RESPONDER_USERGROUP_IDS, or AUTHZ_POLICY_FILE)'
            : 'read-only actions are limited to responders and none are configured',
        };
      }
      return { allowed: false, reason: `you are not on the list of people allowed to run "${action.id}" (ask your security lead to add you)` };
    },
    requiresApproval(action) {
      return action.destructive && policy.actions[action.id]?.requireApproval === true;
    },
  };
}
