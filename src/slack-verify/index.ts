/** Builds the Slack installation guard from config (one call from the composition root). */
import type { SlackWhoAmI } from '../slack/client.js';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/store.js';
import type { Clock } from '../util/clock.js';
import { foreignRequestGuard } from './guard.js';
import { createIdentitySource } from './identity.js';

export function buildSlackGuard(
  config: Pick<Config, 'slack'>,
  deps: { slack: { whoAmI(): Promise<SlackWhoAmI> }; store: Pick<Store, 'appendAudit' | 'hasCardInChannel'>; clock: Clock; logger: Logger },
) {
  const s = config.slack;
  const identity = createIdentitySource({
    configured: {
      ...(s.teamId ? { teamId: s.teamId } : {}),
      ...(s.enterpriseId ? { enterpriseId: s.enterpriseId } : {}),
      ...(s.appId ? { appId: s.appId } : {}),
    },
    slack: deps.slack,
    now: deps.clock.now,
    logger: deps.logger,
  });
  // Learned on the first Slack request, not at start: start-up must not depend on Slack (SNS
  // intake comes first), and main.ts already checks the token once at start.
  return foreignRequestGuard({
    identity,
    channels: [s.defaultChannel, ...Object.values(s.channelBySeverity), ...s.allowedChannelIds],
    hasCardIn: (id) => deps.store.hasCardInChannel(id),
    store: deps.store,
    now: deps.clock.now,
    logger: deps.logger,
  });
}
