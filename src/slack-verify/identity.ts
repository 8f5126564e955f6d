/**
 * The app's own Slack identity: workspace, Enterprise Grid org and app id. From the settings
 * (SLACK_TEAM_ID, SLACK_ENTERPRISE_ID, SLACK_APP_ID) or, when SLACK_TEAM_ID is unset, learned
 * from `auth.test` with the bot token (its team_id, enterprise_id, is_enterprise_install and,
 * when Slack returns it, app_id). Until it is known, Slack requests are refused (fail closed).
 */
import type { SlackWhoAmI } from '../slack/client.js';
import { describeError } from '../errors.js';
import type { Logger } from '../log.js';

export interface SlackIdentity {
  teamId?: string;
  /** null: known not to be in an Enterprise Grid org (auth.test named none); undefined: not checked. */
  enterpriseId?: string | null;
  /** An org-wide (Enterprise Grid) install: requests come from many workspaces of one org. */
  orgWide: boolean;
  /** Unknown (not set, not returned by auth.test): the app id is not checked. */
  appId?: string;
}

/** A failed auth.test is asked again at most this often (each Slack request may trigger it). */
export const IDENTITY_RETRY_MS = 10_000;

export interface IdentitySource {
  get(): Promise<SlackIdentity | undefined>;
}

export function createIdentitySource(deps: {
  configured: { teamId?: string; enterpriseId?: string; appId?: string };
  slack: { whoAmI(): Promise<SlackWhoAmI> };
  now: () => number;
  logger: Logger;
}): IdentitySource {
  const { configured } = deps;
  if (configured.teamId) return { get: async () => ({ ...configured, orgWide: false }) };
  let known: SlackIdentity | undefined;
  let pending: Promise<SlackIdentity | undefined> | undefined;
  let failedAt: number | undefined;
  const learn = async (): Promise<SlackIdentity | undefined> => {
    try {
      const r = await deps.slack.whoAmI();
      const orgWide = r.orgWide;
      const enterpriseId = configured.enterpriseId ?? r.enterpriseId;
      if (!r.teamId && !(orgWide && enterpriseId)) throw new Error('auth.test returned no team_id');
      const appId = configured.appId ?? r.appId;
      known = { ...(r.teamId ? { teamId: r.teamId } : {}), enterpriseId: enterpriseId ?? null, orgWide, ...(appId ? { appId } : {}) };
      deps.logger.info(
        { ...known },
        appId ? 'Slack identity learned from auth.test' : 'Slack identity learned from auth.test (app id unknown: set SLACK_APP_ID to check it)',
      );
      return known;
    } catch (err) {
      failedAt = deps.now();
      deps.logger.error(
        { err: describeError(err) },
        'could not learn the Slack workspace from auth.test: Slack requests are refused until it is known (or set SLACK_TEAM_ID)',
      );
      return undefined;
    } finally {
      pending = undefined;
    }
  };
  return {
    async get() {
      if (known) return known;
      if (pending) return pending;
      if (failedAt !== undefined && deps.now() - failedAt < IDENTITY_RETRY_MS) return undefined;
      pending = learn();
      return pending;
    },
  };
}
