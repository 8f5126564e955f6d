/**
 * What has to happen in Slack (and GuardDuty) after a command or an incident button, as data: the handler
 * (a button or a slash command) carries the effects out in order. Keeping this a pure function
 * of the change means a button and a command on the same incident produce the same messages.
 */
import type { ModalView } from '@slack/types';
import type { SlackMessage } from '../cards/finding-card.js';
import { followerDm, stateChangeNotice } from '../slack/messages/incident-notices.js';
import type { Incident, TimelineEvent } from '../incidents/model.js';
import type { ApplyResult } from '../incidents/service.js';

export type Effect =
  /** Answer only the requester (ephemeral, or the slash command's response_url). */
  | { kind: 'reply'; message: SlackMessage; visibility: 'ephemeral' | 'in_channel' }
  /** Post in the incident's thread (channel + threadTs of its first card). */
  | { kind: 'thread'; incidentId: string; message: SlackMessage }
  /** DM a follower (conversations.open, then chat.postMessage). */
  | { kind: 'dm'; userId: string; message: SlackMessage }
  /** Re-render the cards of the incident's findings (top line, buttons). */
  | { kind: 'refresh_cards'; incidentId: string }
  /** Re-publish App Home for the users who opened it. */
  | { kind: 'refresh_home' }
  /** The full card of a finding (posted now when it was folded into a storm digest). */
  | { kind: 'show_card'; findingId: string }
  /** Upload a file into the incident's thread. */
  | { kind: 'upload'; incidentId: string; filename: string; title: string; content: string }
  /**
   * False positive: archive the findings in GuardDuty and send NOT_USEFUL feedback with the
   * reason (UpdateFindingsFeedback / ArchiveFindings take at most 50 ids per call, per
   * detector), record each result on the timeline; optionally propose a suppression rule.
   */
  | { kind: 'guardduty_close_out'; incidentId: string; findingIds: string[]; reason: string; proposeSuppression: boolean }
  /**
   * A remediation command: open the runner's confirmation for this finding and action id with
   * the command's trigger_id — the same path as the card's button (plan, confirm, authorize,
   * exactly once, audit, thread).
   */
  | { kind: 'open_action'; findingId: string; cardKey: string; actionId: string; incidentId?: string }
  /**
   * `/guardduty sample` (already authorized): GuardDuty CreateSampleFindings of the runtime types
   * in the app's own account, `region` or the default Region; the requester is told what was asked.
   */
  | { kind: 'guardduty_sample'; region?: string }
  /** Open a modal (views.open with the interaction's trigger_id). */
  | { kind: 'open_modal'; view: ModalView };

export interface ChangeContext {
  incident: Incident;
  timeline: readonly TimelineEvent[];
  followers: readonly string[];
  now: number;
  permalink?: string;
}

/** Effects of a lifecycle change (apply result): thread notice, follower DMs, card and Home refresh. */
export function changeEffects(ctx: ChangeContext, result: ApplyResult, opts: { via?: string } = {}): Effect[] {
  const assigned = result.events.find((e): e is TimelineEvent & { kind: 'assigned' } => e.kind === 'assigned');
  const effects: Effect[] = [
    {
      kind: 'thread',
      incidentId: ctx.incident.id,
      message: stateChangeNotice({
        incident: ctx.incident,
        ...(result.stateChange ? { change: result.stateChange } : {}),
        ...(assigned ? { assigned: { assignee: assigned.assignee, by: assigned.actor ?? 'system' } } : {}),
        ...(opts.via ? { via: opts.via } : {}),
      }),
    },
  ];
  if (result.stateChange) {
    for (const userId of ctx.followers) {
      // The one who made the change does not need a DM about it.
      if (userId === result.stateChange.by) continue;
      effects.push({
        kind: 'dm',
        userId,
        message: followerDm({
          incident: ctx.incident,
          change: result.stateChange,
          timeline: ctx.timeline,
          now: ctx.now,
          ...(ctx.permalink ? { permalink: ctx.permalink } : {}),
          ...(opts.via ? { via: opts.via } : {}),
        }),
      });
    }
  }
  effects.push({ kind: 'refresh_cards', incidentId: ctx.incident.id }, { kind: 'refresh_home' });
  return effects;
}
