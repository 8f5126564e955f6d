/** The incident buttons on cards (Take it, Follow, Close…, False positive…): ack, decide in src/commands, carry out the effects. */
import type { BlockAction, ButtonAction } from '@slack/bolt';
import { handleIncidentButton, type CommandDeps } from '../commands/handle.js';
import type { EffectRunner } from '../notify/effects.js';
import type { BoltApp } from '../server.js';
import { INCIDENT_ACTION_IDS } from '../slack/messages/incident-controls.js';

const BUTTONS = [
  [INCIDENT_ACTION_IDS.take, 'take'],
  [INCIDENT_ACTION_IDS.follow, 'follow'],
  [INCIDENT_ACTION_IDS.close, 'close'],
  [INCIDENT_ACTION_IDS.falsePositive, 'false_positive'],
] as const;

export function register(
  app: BoltApp,
  deps: { commands: CommandDeps; effects: Pick<EffectRunner, 'run'>; handOff: (what: string, work: () => Promise<void>) => Promise<void> },
): void {
  for (const [actionId, button] of BUTTONS) {
    app.action<BlockAction<ButtonAction>>(actionId, async ({ ack, body, action }) => {
      await ack();
      await deps.handOff(actionId, async () => {
        // A card inside the incident's thread (a joined finding): its thread_ts tells the handler
        // the responder is already in the thread (no "posted in the thread" answer then).
        const threadTs = typeof body.container?.thread_ts === 'string' ? body.container.thread_ts : undefined;
        const who = { userId: body.user.id, ...(body.channel?.id ? { channelId: body.channel.id } : {}), ...(threadTs ? { threadTs } : {}) };
        const effects = await handleIncidentButton(deps.commands, button, action.value ?? '', who);
        await deps.effects.run(effects, { ...who, triggerId: body.trigger_id });
      });
    });
  }
}
