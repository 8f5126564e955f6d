/**
 * The storm digest's "Post a finding's card…" menu: posts the full card (with its buttons) of a
 * finding that was folded into the digest, in the digest's thread. Thin: ack, resolve the opaque
 * card key on the server, hand off to the card owner (src/notify/cards.ts).
 */
import type { BlockAction, StaticSelectAction } from '@slack/bolt';
import { DIGEST_OPEN_ACTION_ID } from '../cards/digest.js';
import { describeError } from '../errors.js';
import type { Logger } from '../log.js';
import type { CardNotifier } from '../notify/cards.js';
import type { BoltApp } from '../server.js';
import type { SlackGateway } from '../slack/client.js';
import type { Store } from '../store/store.js';

export function registerDigestHandlers(
  app: BoltApp,
  deps: {
    store: Store;
    cards: Pick<CardNotifier, 'show'>;
    slack: Pick<SlackGateway, 'postEphemeral' | 'permalink'>;
    logger: Logger;
    track: (p: Promise<void>) => Promise<void>;
  },
): void {
  const log = deps.logger.child({ component: 'slack-digest' });
  app.action<BlockAction<StaticSelectAction>>(DIGEST_OPEN_ACTION_ID, async ({ ack, body, action }) => {
    await ack();
    await deps.track(
      (async () => {
        const record = await deps.store.getFindingByCardKey(action.selected_option?.value ?? '');
        const channel = body.channel?.id;
        if (!record) {
          if (channel) await deps.slack.postEphemeral(channel, body.user.id, { text: 'That finding is no longer known to the responder.', blocks: [] });
          return;
        }
        const r = await deps.cards.show(record.findingId, log.child({ findingId: record.findingId, userId: body.user.id }));
        if (r.outcome === 'already' && channel && r.channel && r.ts) {
          const link = await deps.slack.permalink(r.channel, r.ts);
          await deps.slack.postEphemeral(channel, body.user.id, { text: `That finding’s card is already posted${link ? `: ${link}` : '.'}`, blocks: [] });
        }
      })().catch((err) => log.error({ err: describeError(err) }, 'digest menu failed')),
    );
  });
}
