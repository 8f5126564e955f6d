/** Retry / Discard on the `/guardduty inbox` listing: ack, decide in src/commands/inbox.ts, carry out the effects. */
import type { BlockAction, ButtonAction } from '@slack/bolt';
import type { CommandDeps } from '../commands/handle.js';
import { handleDeadLetterButton } from '../commands/inbox.js';
import type { EffectRunner } from '../notify/effects.js';
import type { BoltApp } from '../server.js';
import { DEAD_LETTER_ACTION_IDS } from '../slack/messages/dead-letters.js';

export function register(
  app: BoltApp,
  deps: { commands: CommandDeps; effects: Pick<EffectRunner, 'run'>; handOff: (what: string, work: () => Promise<void>) => Promise<void> },
): void {
  for (const button of ['retry', 'discard'] as const) {
    const actionId = DEAD_LETTER_ACTION_IDS[button];
    app.action<BlockAction<ButtonAction>>(actionId, async ({ ack, body, action }) => {
      await ack();
      await deps.handOff(actionId, async () => {
        const who = { userId: body.user.id, ...(body.channel?.id ? { channelId: body.channel.id } : {}) };
        const effects = await handleDeadLetterButton(deps.commands, button, action.value ?? '', who);
        await deps.effects.run(effects, { ...who, triggerId: body.trigger_id });
      });
    });
  }
}
