/** The `/guardduty` slash command: ack, parse and decide in src/commands, carry out the effects. */
import { handleCommand, type CommandDeps } from '../commands/handle.js';
import { COMMAND_NAME } from '../commands/grammar.js';
import { commandReplier } from '../notify/command-reply.js';
import type { EffectRunner } from '../notify/effects.js';
import type { SlackGateway } from '../slack/client.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../log.js';
import type { BoltApp } from '../server.js';

export const SLASH_COMMAND = COMMAND_NAME;

export function register(
  app: BoltApp,
  deps: {
    commands: CommandDeps;
    effects: Pick<EffectRunner, 'run'>;
    slack: Pick<SlackGateway, 'postEphemeral' | 'postDirectMessage' | 'postMessage'>;
    clock: Clock;
    logger: Logger;
    handOff: (what: string, work: () => Promise<void>) => Promise<void>;
  },
): void {
  app.command(SLASH_COMMAND, async ({ ack, command, respond }) => {
    await ack();
    await deps.handOff('command', async () => {
      const who = { userId: command.user_id, channelId: command.channel_id };
      const effects = await handleCommand(deps.commands, command.text ?? '', who);
      // response_url first; past Slack's 5 uses / 30 min, the bot token (notify/command-reply.ts).
      const reply = commandReplier({
        ...who,
        slack: deps.slack,
        now: () => deps.clock.now(),
        logger: deps.logger,
        respond: (m, visibility = 'ephemeral') => respond({ ...m, response_type: visibility, replace_original: false }),
      });
      await deps.effects.run(effects, { ...who, triggerId: command.trigger_id, respond: reply });
    });
  });
}
