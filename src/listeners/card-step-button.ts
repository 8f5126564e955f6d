/**
 * A remediation button on a finding card (action_id `<prefix><step id>`): ack, then the runner
 * authorizes, opens the confirmation (trigger_id lives 3 s) and fills in the live plan.
 */
import type { BlockAction, ButtonAction } from '@slack/bolt';
import type { ActionRunner } from '../remediation/runner.js';
import type { BoltApp } from '../server.js';
import { CARD_ACTION_PREFIX } from '../slack/messages/action-messages.js';

export function register(
  app: BoltApp,
  deps: { runner: Pick<ActionRunner, 'open'>; handOff: (what: string, work: () => Promise<void>) => Promise<void> },
): void {
  app.action<BlockAction<ButtonAction>>(new RegExp(`^${CARD_ACTION_PREFIX}`), async ({ ack, body, action }) => {
    await ack();
    await deps.handOff('open', async () => {
      await deps.runner.open({
        cardKey: action.value ?? '',
        actionId: action.action_id.slice(CARD_ACTION_PREFIX.length),
        userId: body.user.id,
        triggerId: body.trigger_id,
        ...(body.channel?.id ? { channelId: body.channel.id } : {}),
      });
    });
  });
}
