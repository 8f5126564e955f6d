/**
 * Posts the fallback card of an incomplete finding (src/cards/fallback-card.ts) with its raw JSON
 * attached in the thread. Once per inbox message: a retry after a crash or a Slack outage finds
 * the record and does not post a second card.
 */
import { buildFallbackCard, fallbackAttachment } from '../cards/fallback-card.js';
import type { PartialFinding } from '../findings/partial.js';
import type { Logger } from '../log.js';
import type { SlackGateway } from '../slack/client.js';
import type { Store } from '../store/store.js';
import type { Clock } from '../util/clock.js';

/** finding_state key (under a per-message pseudo finding id) recording where the card went. */
export const FALLBACK_STATE_KEY = 'fallback_card';

export interface FallbackNotifier {
  post(p: PartialFinding, ctx: { messageId: string; index: number }, log: Logger): Promise<void>;
}

export function createFallbackNotifier(deps: {
  store: Store;
  slack: Pick<SlackGateway, 'postMessage' | 'uploadText'>;
  clock: Clock;
  /** Channel for a finding of this severity (unknown severity routes as high), or none. */
  channelFor: (severity: number | undefined) => string | undefined;
}): FallbackNotifier {
  return {
    async post(p, ctx, log) {
      const key = `message:${ctx.messageId}#${ctx.index}`;
      const done = await deps.store.getFindingState<{ channel: string; ts: string; uploaded?: boolean }>(key, FALLBACK_STATE_KEY);
      const channel = done?.channel ?? deps.channelFor(p.severity);
      if (!channel) {
        log.info({ problem: p.problem }, 'incomplete finding stored, not posted (routing)');
        return;
      }
      let posted = done;
      if (!posted) {
        const r = await deps.slack.postMessage(channel, buildFallbackCard(p));
        posted = { channel: r.channel, ts: r.ts };
        await deps.store.putFindingState(key, FALLBACK_STATE_KEY, posted, deps.clock.now());
      }
      if (!posted.uploaded) {
        await deps.slack.uploadText({ channel: posted.channel, threadTs: posted.ts, ...fallbackAttachment(p) });
        await deps.store.putFindingState(key, FALLBACK_STATE_KEY, { ...posted, uploaded: true }, deps.clock.now());
      }
      log.warn({ channel: posted.channel, ts: posted.ts, problem: p.problem, findingId: p.id }, 'incomplete finding: fallback card posted');
    },
  };
}
