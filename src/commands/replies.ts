/**
 * Ephemeral answers to a command that cannot run: what was wrong, the verb's usage, and where to
 * find the examples. The problem quotes user input, so it is escaped; nothing was executed.
 */
import { section, context } from '../cards/blocks.js';
import { safeText } from '../cards/escape.js';
import type { SlackMessage } from '../cards/finding-card.js';
import { COMMAND_NAME, HELP_TEXT } from './grammar.js';
import type { CommandError } from './parse.js';

export function commandErrorMessage(err: CommandError): SlackMessage {
  const problem = safeText(err.problem, 600);
  return {
    text: `Nothing was done: ${problem}`,
    blocks: [
      section('gd_cmd_problem', `:warning: *Nothing was done:* ${problem}`),
      section('gd_cmd_usage', `*Usage:* \`${safeText(err.usage, 300)}\``),
      context('gd_cmd_help', [`Type \`${COMMAND_NAME} help\` for every verb, with examples.`]),
    ],
  };
}

export function helpMessage(): SlackMessage {
  return { text: `${COMMAND_NAME} help`, blocks: [section('gd_cmd_help_text', HELP_TEXT)] };
}
