import type { SlackMessage } from '../cards/finding-card.js';

/**
 * Who asked for something (a button click, a slash command, a modal submission) and how to
 * answer them privately. The one requester type of the use cases: commands, incident buttons and
 * the remediation runner all take it.
 */
export interface Requester {
  userId: string;
  /** Where the request was made (absent for a modal submission). */
  channelId?: string;
  /** The thread the click came from (a card inside an incident's thread). */
  threadTs?: string;
  /** Lets us open a modal; Slack's trigger_id lives 3 s. */
  triggerId?: string;
  /**
   * A slash command's response_url: answers go there, since the bot need not be a member of the
   * channel the command was typed in (chat.postEphemeral would fail there). Ephemeral by default.
   */
  respond?: (message: SlackMessage, visibility?: 'ephemeral' | 'in_channel') => Promise<unknown>;
}
