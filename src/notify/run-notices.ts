/**
 * Everything the remediation runner tells Slack: the confirmation modal, private answers to the
 * requester, the thread messages of a run (approval, started, progress, result, interrupted) and
 * the card's re-render. The runner decides; this builds the messages and sends them through the
 * gateway, so the runner never touches Slack or a message builder.
 */
import type { ActionDefinition, Outcome, Plan } from '../actions/types.js';
import { describeError } from '../errors.js';
import type { Logger } from '../log.js';
import type { SlackGateway } from '../slack/client.js';
import {
  approvalDecidedMessage,
  approvalRequestMessage,
  approvalExpiredMessage,
  loadingModal,
  noticeMessage,
  planModal,
  progressMessage,
  refusalText,
  resultMessage,
  startedMessage,
} from '../slack/messages/action-messages.js';
import { threadRootOf, type FindingRecord } from '../store/store.js';
import type { Clock } from '../util/clock.js';
import type { CardNotifier } from './cards.js';
import { progressReporter } from './progress.js';
import type { Requester } from './requester.js';

export interface RunNotifierDeps {
  slack: SlackGateway;
  clock: Clock;
  logger: Logger;
  cards: Pick<CardNotifier, 'refresh'>;
}

export type RunNotifier = ReturnType<typeof createRunNotifier>;

export function createRunNotifier(d: RunNotifierDeps) {
  const thread = async (record: FindingRecord, message: ReturnType<typeof noticeMessage>): Promise<{ ts: string } | undefined> => {
    if (!record.channel || !record.ts) return undefined;
    return d.slack.postMessage(record.channel, message, { threadTs: threadRootOf(record) ?? record.ts });
  };
  const quietly = (what: string) => (err: unknown) => d.logger.warn({ err: describeError(err) }, `${what} failed`);

  const notifier = {
    /** A private answer to the requester (response_url for commands, else an ephemeral message). */
    async tell(req: Requester, record: FindingRecord | undefined, text: string): Promise<void> {
      if (req.respond) {
        await req.respond(noticeMessage(text)).then(() => undefined, quietly('answer to the command'));
        return;
      }
      const channel = req.channelId ?? record?.channel;
      if (!channel) return;
      const inThread = record?.ts && channel === record.channel ? { threadTs: threadRootOf(record) ?? record.ts } : {};
      await d.slack.postEphemeral(channel, req.userId, noticeMessage(text), inThread).catch(quietly('ephemeral answer'));
    },

    refused(req: Requester, record: FindingRecord | undefined, what: { label: string }, reason: string): Promise<void> {
      return notifier.tell(req, record, refusalText(what, reason));
    },

    /** Opens the confirmation at once (trigger_id lives 3 s); the plan fills it in later. Throws when Slack refuses. */
    async openConfirmation(triggerId: string, def: ActionDefinition, findingTitle: string): Promise<string | undefined> {
      return (await d.slack.openView(triggerId, loadingModal(def, findingTitle))).viewId;
    },

    async showPlan(viewId: string, def: ActionDefinition, plan: Plan, runId: string, opts: { needsApproval: boolean; findingTitle: string }): Promise<void> {
      await d.slack.updateView(viewId, planModal(def, plan, runId, opts));
    },

    async approvalRequested(
      record: FindingRecord,
      def: ActionDefinition,
      plan: Plan,
      meta: { requester: string; runId: string; reason?: string; expiresAt?: number },
    ): Promise<void> {
      await thread(record, approvalRequestMessage(def, plan, meta));
    },

    async approvalExpired(record: FindingRecord, def: ActionDefinition, meta: { requester: string; clickedBy: string; minutes: number }): Promise<void> {
      await thread(record, approvalExpiredMessage(def, meta));
    },

    async approvalDecided(record: FindingRecord, def: ActionDefinition, meta: { decidedBy: string; approved: boolean; requester: string }): Promise<void> {
      await thread(record, approvalDecidedMessage(def, meta));
    },

    async started(record: FindingRecord, def: ActionDefinition, actor: string, opts: { reason?: string; approvedBy?: string }): Promise<void> {
      await thread(record, startedMessage(def, actor, opts)).catch(() => undefined);
    },

    /** One paced, updated progress message in the thread for a long step. */
    progress(record: FindingRecord, def: ActionDefinition) {
      return progressReporter({
        clock: d.clock,
        slack: d.slack,
        ...(record.channel && record.ts ? { channel: record.channel } : {}),
        post: (m) => thread(record, m),
        render: (lines) => progressMessage(def, lines),
      });
    },

    /** The result in the thread, with a long result attached as a file. */
    async result(record: FindingRecord, def: ActionDefinition, outcome: Outcome, meta: { actor: string; runId: string }): Promise<void> {
      await thread(record, resultMessage(def, outcome, { ...meta, at: d.clock.now() })).catch((err) =>
        d.logger.error({ err: describeError(err), runId: meta.runId }, 'result could not be posted to the thread'),
      );
      if (outcome.attachment && record.channel && record.ts) {
        const a = outcome.attachment;
        await d.slack
          .uploadText({ channel: record.channel, threadTs: threadRootOf(record) ?? record.ts, filename: a.filename, title: a.title, content: a.content })
          .catch(quietly('attachment upload'));
      }
    },

    async interrupted(record: FindingRecord, def: ActionDefinition, requestedBy: string): Promise<void> {
      const text =
        `:warning: *${def.label}* (requested by <@${requestedBy}>) was interrupted by a restart of the responder before it finished. ` +
        'Some of its AWS calls may have been made. It was not re-run: check the resources, then run it again if needed.';
      await thread(record, noticeMessage(text)).catch(() => undefined);
    },

    /** Re-renders the finding's card (status line, buttons, facts). */
    async refreshCard(findingId: string): Promise<void> {
      await d.cards.refresh(findingId).catch(quietly('card refresh'));
    },
  };
  return notifier;
}
