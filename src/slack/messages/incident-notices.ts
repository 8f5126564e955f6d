/**
 * Short messages about an incident changing: the DM each follower gets on a state change, the
 * notice posted in the incident's thread (who took it, who closed it and why), and the ephemeral
 * answer to a command run outside the thread (its result went to the thread: here is the link).
 */
import { context, section } from '../../cards/blocks.js';
import { safeText } from '../../cards/escape.js';
import type { SlackMessage } from '../../cards/finding-card.js';
import { truncate } from '../../cards/limits.js';
import { STATE_LABEL, type Incident, type IncidentState, type TimelineEvent } from '../../incidents/model.js';
import { incidentTopLineBlock, linkOr, mention, severityText } from './incident-top-line.js';

export interface StateChange {
  from: IncidentState;
  to: IncidentState;
  /** Slack user id, or 'system'. */
  by: string;
}

function who(by: string): string {
  return mention(by) ?? (by === 'system' ? 'the responder app' : 'someone');
}

/** Why, when the change carries a reason (close reason, containing step). Escaped. */
function why(incident: Incident, change: StateChange, via?: string): string {
  const reason = change.to === 'resolved' || change.to === 'false_positive' ? incident.closeReason : via;
  return reason ? ` — ${safeText(reason, 300)}` : '';
}

/** The DM a follower gets on every state change. */
export function followerDm(input: {
  incident: Incident;
  change: StateChange;
  timeline: readonly TimelineEvent[];
  now: number;
  permalink?: string;
  via?: string;
}): SlackMessage {
  const { incident, change } = input;
  const line =
    `:bell: *${linkOr(input.permalink, incident.id)}* (${severityText(incident.severity)}) is now *${STATE_LABEL[change.to]}* ` +
    `(was ${STATE_LABEL[change.from]}) — by ${who(change.by)}${why(incident, change, input.via)}`;
  return {
    text: truncate(`${incident.id} is now ${STATE_LABEL[change.to]} (was ${STATE_LABEL[change.from]}): ${safeText(incident.title, 150)}`, 400),
    blocks: [
      section('gd_dm_change', line),
      section('gd_dm_title', `_${safeText(incident.title, 300)}_`),
      incidentTopLineBlock(incident, input.timeline, input.now),
      context('gd_dm_footer', [`You follow ${incident.id}. \`/guardduty unfollow ${incident.id}\` to stop these messages.`]),
    ],
  };
}

/** Posted in the incident's thread when someone takes, assigns, contains or closes it. */
export function stateChangeNotice(input: {
  incident: Incident;
  change?: StateChange;
  assigned?: { assignee: string; by: string };
  via?: string;
}): SlackMessage {
  const { incident, change } = input;
  const parts: string[] = [];
  if (input.assigned) {
    parts.push(
      input.assigned.assignee === input.assigned.by
        ? `:raising_hand: ${who(input.assigned.by)} took ${incident.id}`
        : `:busts_in_silhouette: ${who(input.assigned.by)} assigned ${incident.id} to ${who(input.assigned.assignee)}`,
    );
  }
  if (change && !(input.assigned && change.from === 'open' && change.to === 'acknowledged')) {
    parts.push(
      `*${incident.id}* is now *${STATE_LABEL[change.to]}* (was ${STATE_LABEL[change.from]}) — by ${who(change.by)}${why(incident, change, input.via)}`,
    );
  }
  const body = parts.length > 0 ? parts.join('\n') : `*${incident.id}* is ${STATE_LABEL[incident.state]}`;
  return { text: truncate(body.replace(/<@([A-Z0-9]+)>/g, '@$1'), 400), blocks: [section('gd_inc_notice', body)] };
}

/** Ephemeral answer to a command run outside the incident's thread. `what` is our own text. */
export function postedToThreadNotice(input: { incident: Incident; what: string; permalink?: string; future?: boolean }): SlackMessage {
  const where = linkOr(input.permalink, `${input.incident.id}'s thread`);
  const verb = input.future ? 'will be posted in' : 'posted in';
  const text = `${safeText(input.what, 300)} — ${verb} ${where}.`;
  return {
    text: truncate(`${safeText(input.what, 300)} — ${verb} ${input.incident.id}'s thread`, 400),
    blocks: [section('gd_posted', `:speech_balloon: ${text}`)],
  };
}
