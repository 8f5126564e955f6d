/** The `/guardduty` slash command: ack, parse and decide in src/commands, carry out the effects. */
import { handleCommand, type CommandDeps } from '../commands/handle.js';
import { COMMAND_NAME } from '../commands/grammar.js';
import type { EffectRunner } from '../notify/effects.js';
import type { BoltApp } from '../server.js';

export const SLASH_COMMAND = COMMAND_NAME;

export function register(
  app: BoltApp,
  deps: { commands: CommandDeps; effects: Pick<EffectRunner, 'run'>; handOff: (what: string, work: () => Promise<void>) => Promise<void> },
): void {
  app.command(SLASH_COMMAND, async ({ ack, command, respond }) => {
    await ack();
    await deps.handOff('command', async () => {
      const who = { userId: command.user_id, channelId: command.channel_id };
      const effects = await handleCommand(deps.commands, command.text ?? '', who);
      await deps.effects.run(effects, {
        ...who,
        triggerId: command.trigger_id,
        respond: (m, visibility = 'ephemeral') => respond({ ...m, response_type: visibility, replace_original: false }),
      });
    });
  });
}
