/**
 * Answers to a slash command go to its response_url, which Slack honours only 5 times and for
 * 30 minutes (then 404 `used_url` / `expired_url`): a long sweep, a command that answers in many
 * parts, or a retry after an outage would lose the answer. Past either limit, or when Slack
 * refuses the URL, the answer goes with the bot token instead: an ephemeral message in the
 * command's channel, else (the bot is not in that channel) a direct message.
 */
import type { SlackMessage } from '../cards/finding-card.js';
import { describeError } from '../errors.js';
import type { Logger } from '../log.js';
import type { SlackGateway } from '../slack/client.js';

/** Slack's limits on one response_url. */
export const RESPONSE_URL_MAX_USES = 5;
export const RESPONSE_URL_TTL_MS = 30 * 60_000;
/** Stop using the URL a little before Slack does (clock skew, request time). */
const TTL_MARGIN_MS = 60_000;

type Respond = (message: SlackMessage, visibility?: 'ephemeral' | 'in_channel') => Promise<unknown>;

export function commandReplier(deps: {
  respond: Respond;
  slack: Pick<SlackGateway, 'postEphemeral' | 'postDirectMessage' | 'postMessage'>;
  now: () => number;
  logger: Logger;
  userId: string;
  channelId?: string;
}): Respond {
  const issuedAt = deps.now();
  let uses = 0;
  const fallback = async (message: SlackMessage, visibility: 'ephemeral' | 'in_channel') => {
    if (deps.channelId) {
      try {
        if (visibility === 'in_channel') await deps.slack.postMessage(deps.channelId, message);
        else await deps.slack.postEphemeral(deps.channelId, deps.userId, message);
        return;
      } catch (err) {
        deps.logger.info({ err: describeError(err), channel: deps.channelId }, 'command answer: channel refused, sending a direct message');
      }
    }
    await deps.slack.postDirectMessage(deps.userId, message);
  };
  return async (message, visibility = 'ephemeral') => {
    const fresh = deps.now() - issuedAt < RESPONSE_URL_TTL_MS - TTL_MARGIN_MS;
    if (uses < RESPONSE_URL_MAX_USES && fresh) {
      uses += 1;
      try {
        return await deps.respond(message, visibility);
      } catch (err) {
        // used_url / expired_url (404) or any other refusal: the bot token still reaches the user.
        deps.logger.info({ err: describeError(err) }, 'response_url refused the answer; using the bot token');
      }
    }
    return fallback(message, visibility);
  };
}
