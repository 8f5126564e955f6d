import type { SlackMessage } from '../cards/finding-card.js';
import type { SlackGateway } from '../slack/client.js';
import type { Clock } from '../util/clock.js';

/** Long steps update their progress message at most this often (chat.update is ~50/min/workspace). */
export const PROGRESS_UPDATE_MS = 10_000;

/**
 * One progress message in the thread for a long step: posted at the first line, then updated at
 * most every PROGRESS_UPDATE_MS (and once more at the end), so a 500-task stop never exceeds
 * Slack's chat.update budget. Calls are chained so updates never overtake each other.
 */
export function progressReporter(deps: {
  clock: Clock;
  slack: SlackGateway;
  channel?: string;
  post: (message: SlackMessage) => Promise<{ ts: string } | undefined>;
  render: (lines: readonly string[]) => SlackMessage;
}) {
  const lines: string[] = [];
  let ts: string | undefined;
  let lastUpdate = 0;
  let chain: Promise<void> = Promise.resolve();
  const publish = (force: boolean) => {
    chain = chain.then(async () => {
      if (!deps.channel || lines.length === 0) return;
      const now = deps.clock.now();
      if (!ts) {
        ts = (await deps.post(deps.render(lines)).catch(() => undefined))?.ts;
        lastUpdate = now;
      } else if (force || now - lastUpdate >= PROGRESS_UPDATE_MS) {
        lastUpdate = now;
        await deps.slack.updateMessage(deps.channel, ts, deps.render(lines)).catch(() => undefined);
      }
    });
  };
  return {
    push: (line: string) => {
      lines.push(line);
      publish(false);
    },
    flush: async () => {
      if (ts) publish(true);
      await chain;
    },
  };
}
