/**
 * `/guardduty inbox` (already authorized by the caller): list dead letters, retry one (back to
 * pending, attempts reset, inbox kicked) or discard one with a reason. Both changes are audited.
 */
import { section } from '../cards/blocks.js';
import { safeText } from '../cards/escape.js';
import type { SlackMessage } from '../cards/finding-card.js';
import type { Requester } from '../notify/requester.js';
import { DEAD_LETTER_LIMIT, deadLettersMessage } from '../slack/messages/dead-letters.js';
import type { Effect } from './effects.js';
import type { CommandDeps } from './handle.js';

export type InboxOp = { op: 'list' } | { op: 'retry'; messageId: string } | { op: 'discard'; messageId: string; reason: string };

const notice = (text: string): SlackMessage => ({ text, blocks: [section('gd_inbox_notice', text)] });
const reply = (message: SlackMessage): Effect => ({ kind: 'reply', message, visibility: 'ephemeral' });

/** The finding id in a GuardDuty event payload, so the audit entry shows up with the finding. */
function findingIdOf(payload: string | undefined): string | undefined {
  try {
    const id = (JSON.parse(payload ?? '') as { detail?: { id?: unknown } }).detail?.id;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}

export async function inboxCommand(deps: CommandDeps, cmd: InboxOp, who: Requester): Promise<Effect[]> {
  const now = deps.clock.now();
  if (cmd.op === 'list') return [reply(deadLettersMessage({ entries: await deps.store.deadLetters(DEAD_LETTER_LIMIT), now }))];
  const entry = await deps.store.getMessage(cmd.messageId);
  const id = safeText(cmd.messageId, 128);
  const changed = cmd.op === 'retry' ? await deps.store.retryMessage(cmd.messageId) : await deps.store.discardMessage(cmd.messageId, cmd.reason);
  if (!changed)
    return [reply(notice(`:grey_question: ${id} is not a message waiting in \`/guardduty inbox\` (already retried, discarded or done). Nothing was changed.`))];
  const findingId = findingIdOf(entry?.payload);
  await deps.store.appendAudit({
    at: now,
    actor: who.userId,
    event: cmd.op === 'retry' ? 'inbox_retry' : 'inbox_discard',
    ...(findingId ? { findingId } : {}),
    detail: { messageId: cmd.messageId, ...(cmd.op === 'discard' ? { reason: cmd.reason } : {}), lastError: entry?.lastError },
  });
  if (cmd.op === 'retry') {
    deps.kickInbox?.();
    return [reply(notice(`:repeat: ${id} is back in the inbox and is being processed again.`))];
  }
  return [reply(notice(`:wastebasket: ${id} was discarded: ${safeText(cmd.reason, 300)}.`))];
}

/** A Retry or Discard button on the listing: authorized again here, at execution. */
export async function handleDeadLetterButton(deps: CommandDeps, button: 'retry' | 'discard', messageId: string, who: Requester): Promise<Effect[]> {
  if (deps.authorize) {
    const d = await deps.authorize(who.userId, 'inbox');
    if (!d.allowed) return [reply(notice(`:lock: You may not manage the inbox: ${safeText(d.reason, 300)}. Nothing was changed.`))];
  }
  if (button === 'retry') return inboxCommand(deps, { op: 'retry', messageId }, who);
  // A reason is required: typed, so it lands in the audit log as written.
  return [reply(notice(`To discard ${safeText(messageId, 128)}, give the reason: \`/guardduty inbox discard ${safeText(messageId, 128)} REASON\``))];
}
