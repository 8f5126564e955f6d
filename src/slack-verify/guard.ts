/**
 * Bolt global middleware: refuse a signed Slack request from another workspace, enterprise, app
 * or channel before any listener runs (issue 9, item 4). Refusals are acknowledged (an ephemeral
 * answer for a slash command; Slack shows nothing for a click) and audited as
 * `refused_foreign_request`. Nothing else runs: no modal, no AWS call.
 */
import type { AnyMiddlewareArgs, Middleware } from '@slack/bolt';
import { describeError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/store.js';
import type { IdentitySource } from './identity.js';
import { judgeOrigin } from './judge.js';
import { originOf } from './origin.js';

export const REFUSED_FOREIGN_REQUEST = 'refused_foreign_request';

export interface ForeignRequestGuardDeps {
  identity: IdentitySource;
  /** Channels configured for cards (SLACK_CHANNEL_ID, the severity map, SLACK_ALLOWED_CHANNEL_IDS). */
  channels: readonly string[];
  /** A channel where the app has posted a card (cards stay actionable after a routing change). */
  hasCardIn?: (channelId: string) => Promise<boolean>;
  store: Pick<Store, 'appendAudit'>;
  now: () => number;
  logger: Logger;
}

export function foreignRequestGuard(deps: ForeignRequestGuardDeps): Middleware<AnyMiddlewareArgs> {
  const configured = new Set(deps.channels);
  const seen = new Set<string>();
  const channelAllowed = async (id: string): Promise<boolean> => {
    if (configured.has(id) || seen.has(id)) return true;
    const has = await (deps.hasCardIn?.(id) ?? Promise.resolve(false)).catch(() => false);
    if (has) seen.add(id);
    return has;
  };
  return async (args) => {
    const origin = originOf(args.body);
    const verdict = await judgeOrigin(origin, await deps.identity.get(), channelAllowed);
    if (verdict.ok) return args.next();
    deps.logger.warn({ code: verdict.code, origin }, 'Slack request refused: not from this installation');
    await deps.store
      .appendAudit({
        at: deps.now(),
        actor: origin.userId ?? 'unknown',
        event: REFUSED_FOREIGN_REQUEST,
        detail: { code: verdict.code, reason: verdict.reason, ...origin },
      })
      .catch((err) => deps.logger.error({ err: describeError(err) }, 'refusal could not be audited'));
    const ack = (args as { ack?: (response?: unknown) => Promise<void> }).ack;
    if (!ack) return; // Events API: Bolt has acknowledged already.
    const text = `:no_entry: Refused: ${verdict.reason}. Nothing was done.`;
    await (origin.kind === 'command' ? ack({ response_type: 'ephemeral', text }) : ack()).catch(() => undefined);
  };
}
