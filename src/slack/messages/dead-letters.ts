/**
 * `/guardduty inbox`: the inbox messages that could not be processed (dead letters), newest first,
 * each with its reason, attempts and age, and Retry / Discard buttons. Pure.
 */
import type { KnownBlock } from '@slack/types';
import { actions, button, section } from '../../cards/blocks.js';
import { safeText } from '../../cards/escape.js';
import type { SlackMessage } from '../../cards/finding-card.js';
import type { InboxEntry } from '../../store/store.js';

/** At most this many are listed (Slack allows 50 blocks; two per message). */
export const DEAD_LETTER_LIMIT = 20;

export const DEAD_LETTER_ACTION_IDS = { retry: 'gd_inbox_retry', discard: 'gd_inbox_discard' } as const;

function age(ms: number): string {
  const m = Math.max(0, Math.floor(ms / 60_000));
  return m < 60 ? `${m} min` : m < 48 * 60 ? `${Math.floor(m / 60)} h` : `${Math.floor(m / 1440)} d`;
}

export function deadLettersMessage(input: { entries: readonly InboxEntry[]; now: number }): SlackMessage {
  if (input.entries.length === 0) {
    const text = ':white_check_mark: No inbox message is stuck: every finding received was processed.';
    return { text, blocks: [section('gd_inbox_empty', text)] };
  }
  const head = `:mailbox_with_mail: ${input.entries.length} inbox message(s) could not be processed (newest first${input.entries.length >= DEAD_LETTER_LIMIT ? `, first ${DEAD_LETTER_LIMIT}` : ''}):`;
  const blocks: KnownBlock[] = [section('gd_inbox_head', head)];
  input.entries.forEach((e, i) => {
    const state = e.state === 'failed' ? 'failed' : 'waiting for a retry';
    const line = `*${safeText(e.messageId, 100)}* — ${state}, ${e.attempts} attempt(s), received ${age(input.now - e.receivedAt)} ago\nReason: ${safeText(e.lastError ?? 'unknown', 500)}`;
    blocks.push(
      section(`gd_inbox_${i}`, line),
      actions(`gd_inbox_actions_${i}`, [
        button({ actionId: DEAD_LETTER_ACTION_IDS.retry, text: 'Retry', value: e.messageId, style: 'primary' }),
        button({ actionId: DEAD_LETTER_ACTION_IDS.discard, text: 'Discard', value: e.messageId, style: 'danger' }),
      ]),
    );
  });
  return { text: head, blocks };
}
