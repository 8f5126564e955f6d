/**
 * Slack surface for incidents and the `/guardduty` command: the slash command, the incident
 * buttons on cards (Take it, Follow, Close…, False positive…), the close modal, the suppression
 * rule confirmation, and App Home. Thin: ack, hand off to src/commands/handle.ts, carry out the
 * returned effects.
 */
import type { BlockAction, ButtonAction, ViewSubmitAction } from '@slack/bolt';
import { handleCloseSubmission, handleCommand, handleIncidentButton, type CommandDeps } from '../commands/handle.js';
import { describeError } from '../errors.js';
import type { GuardDutyCloseOut } from '../incidents/close-out.js';
import type { Logger } from '../log.js';
import type { BoltApp } from '../server.js';
import type { Store } from '../store/store.js';
import type { Clock } from '../util/clock.js';
import type { Authorizer } from '../authz/authorizer.js';
import type { EffectRunner } from '../notify/effects.js';
import { commandReplier } from '../notify/command-reply.js';
import type { SlackGateway } from '../slack/client.js';
import { refusalText, noticeMessage } from '../slack/messages/action-messages.js';
import { CLOSE_MODAL_CALLBACK_ID, CLOSE_REASON_BLOCK_ID, INCIDENT_ACTION_IDS, INPUT_ACTION_ID, parseCloseModalMetadata, SUPPRESS_BLOCK_ID } from '../slack/messages/incident-controls.js';
import { CREATE_SUPPRESSION_ACTION_ID } from '../slack/messages/suppression.js';

import { COMMAND_NAME } from '../commands/grammar.js';

export const SLASH_COMMAND = COMMAND_NAME;

export function registerIncidentHandlers(
  app: BoltApp,
  deps: { commands: CommandDeps; effects: EffectRunner; slack: Pick<SlackGateway, 'postEphemeral' | 'postDirectMessage' | 'postMessage'>; store: Store; clock: Clock; logger: Logger; closeOut: GuardDutyCloseOut; authorizer: Authorizer; track: (p: Promise<void>) => Promise<void> },
): void {
  const log = deps.logger.child({ component: 'slack-incidents' });
  const safely = (what: string, fn: () => Promise<void>) => deps.track(fn().catch((err) => log.error({ err: describeError(err), what }, 'slack handler failed')));

  app.command(SLASH_COMMAND, async ({ ack, command, respond }) => {
    await ack();
    await safely('command', async () => {
      const who = { userId: command.user_id, channelId: command.channel_id };
      const effects = await handleCommand(deps.commands, command.text ?? '', who);
      // response_url first; past Slack's 5 uses / 30 min, the bot token (notify/command-reply.ts).
      const reply = commandReplier({ ...who, slack: deps.slack, now: () => deps.clock.now(), logger: log, respond: (m, visibility = 'ephemeral') => respond({ ...m, response_type: visibility, replace_original: false }) });
      await deps.effects.run(effects, { ...who, triggerId: command.trigger_id, respond: reply });
    });
  });

  const buttons = [
    [INCIDENT_ACTION_IDS.take, 'take'],
    [INCIDENT_ACTION_IDS.follow, 'follow'],
    [INCIDENT_ACTION_IDS.close, 'close'],
    [INCIDENT_ACTION_IDS.falsePositive, 'false_positive'],
  ] as const;
  for (const [actionId, button] of buttons) {
    app.action<BlockAction<ButtonAction>>(actionId, async ({ ack, body, action }) => {
      await ack();
      await safely(actionId, async () => {
        // A card inside the incident's thread (a joined finding): its thread_ts tells the handler
        // the responder is already in the thread (no "posted in the thread" answer then).
        const threadTs = typeof body.container?.thread_ts === 'string' ? body.container.thread_ts : undefined;
        const who = { userId: body.user.id, ...(body.channel?.id ? { channelId: body.channel.id } : {}), ...(threadTs ? { threadTs } : {}) };
        const effects = await handleIncidentButton(deps.commands, button, action.value ?? '', who);
        await deps.effects.run(effects, { ...who, triggerId: body.trigger_id });
      });
    });
  }

  app.view<ViewSubmitAction>(CLOSE_MODAL_CALLBACK_ID, async ({ ack, body, view }) => {
    const reason = (view.state.values[CLOSE_REASON_BLOCK_ID]?.[INPUT_ACTION_ID]?.value ?? '').trim();
    if (!reason) {
      await ack({ response_action: 'errors', errors: { [CLOSE_REASON_BLOCK_ID]: 'Say why: it goes on the timeline (and to GuardDuty for a false positive).' } });
      return;
    }
    await ack();
    const propose = (view.state.values[SUPPRESS_BLOCK_ID]?.[INPUT_ACTION_ID]?.selected_options ?? []).some((o) => o.value === 'propose');
    await safely('close', async () => {
      // A view submission carries no channel: answer (e.g. "nobody has taken it yet") in the
      // incident's channel, where the Close… button was clicked; else the answer would be dropped.
      const meta = parseCloseModalMetadata(view.private_metadata);
      const incident = meta ? await deps.store.getIncident(meta.incidentId) : undefined;
      const who = { userId: body.user.id, ...(incident?.channel ? { channelId: incident.channel } : {}) };
      const effects = await handleCloseSubmission(deps.commands, { metadata: view.private_metadata, reason, proposeSuppression: propose }, who);
      await deps.effects.run(effects, who);
    });
  });

  app.action<BlockAction<ButtonAction>>(CREATE_SUPPRESSION_ACTION_ID, async ({ ack, body, action }) => {
    await ack();
    await safely('suppression', async () => {
      const incident = await deps.store.getIncident(action.value ?? '');
      const channel = body.channel?.id;
      if (!incident) return;
      const decision = await deps.authorizer.check(body.user.id, { id: 'create_suppression', changes: true });
      if (!decision.allowed) {
        await deps.store.appendIncidentEvent(incident.id, { at: deps.clock.now(), actor: body.user.id, kind: 'note', text: `refused: create suppression rule (${decision.reason})` });
        if (channel) await deps.effects.run([{ kind: 'reply', visibility: 'ephemeral', message: noticeMessage(refusalText({ label: 'create a suppression rule' }, decision.reason)) }], { userId: body.user.id, channelId: channel });
        return;
      }
      const message = await deps.closeOut.createRule(incident, body.user.id);
      await deps.effects.run([{ kind: 'thread', incidentId: incident.id, message }], { userId: body.user.id });
    });
  });

  app.event('app_home_opened', async ({ event }) => {
    if (event.tab !== 'home') return;
    await safely('home', async () => {
      await deps.store.addHomeViewer(event.user, deps.clock.now());
      await deps.effects.publishHome(event.user);
    });
  });
}
