/**
 * The `/guardduty` use cases and the incident buttons, as "text in, effects out": the Slack
 * handler acks, calls one of these, then carries out the returned effects (./effects.ts). No
 * Slack or AWS call happens here, so each use case is tested with a store and a clock alone.
 */
import { section } from '../cards/blocks.js';
import { safeText } from '../cards/escape.js';
import type { SlackMessage } from '../cards/finding-card.js';
import { isIncidentError, type IncidentEvent } from '../incidents/lifecycle.js';
import { timelineMarkdown } from '../incidents/markdown.js';
import type { Incident } from '../incidents/model.js';
import type { ApplyResult, IncidentService } from '../incidents/service.js';
import { closeIncidentModal, parseCloseModalMetadata, type CloseKind } from '../slack/messages/incident-controls.js';
import { postedToThreadNotice } from '../slack/messages/incident-notices.js';
import { incidentSummaryMessage, openIncidentsMessage } from '../slack/messages/incident-summary.js';
import type { Store } from '../store/store.js';
import type { Clock } from '../util/clock.js';
import type { Requester } from '../notify/requester.js';
import { changeEffects, type Effect } from './effects.js';
import { isCommandError, isStepCommand, parseCommand, type CommandError, type ParsedCommand, type ParsedStepCommand } from './parse.js';
import { inboxCommand } from './inbox.js';
import { commandErrorMessage, helpMessage } from './replies.js';
import { resolveActionCommand, resolveIncident, resolveStatusSubject, type Coverage } from './resolve.js';

export type ChangingVerb = 'assign' | 'close' | 'false-positive' | 'take' | 'sample' | 'inbox';

export interface CommandDeps {
  store: Store;
  incidents: IncidentService;
  clock: Pick<Clock, 'now'>;
  /** Permalink of an incident's thread (chat.getPermalink, cached by the caller). */
  permalinkOf: (incident: Incident) => Promise<string | undefined>;
  coverage?: Coverage;
  labelOf?: (action: string) => string;
  /**
   * Who may change an incident's state (the authorization policy). Absent: everyone may.
   * Read-only verbs (status, follow, timeline) are never refused.
   */
  authorize?: (userId: string, verb: ChangingVerb) => Promise<{ allowed: true } | { allowed: false; reason: string }>;
  /** Wakes the inbox worker (a retried dead letter). */
  kickInbox?: () => void;
}

export type { Requester } from '../notify/requester.js';

/** Open incidents get a thread link in the list only for the first ones shown (one API call each). */
export const LIST_PERMALINKS = 60;

const reply = (message: SlackMessage, visibility: 'ephemeral' | 'in_channel' = 'ephemeral'): Effect => ({ kind: 'reply', message, visibility });
const notice = (text: string): SlackMessage => ({ text, blocks: [section('gd_cmd_notice', text)] });

export async function handleCommand(deps: CommandDeps, text: string, who: Requester): Promise<Effect[]> {
  const cmd = parseCommand(text);
  if (isCommandError(cmd)) return [reply(commandErrorMessage(cmd))];
  if (isStepCommand(cmd)) return stepCommand(deps, cmd, who);
  switch (cmd.verb) {
    case 'help':
      return [reply(helpMessage())];
    case 'status':
      return status(deps, cmd, who);
    case 'show':
      return [{ kind: 'show_card', findingId: cmd.findingId }];
    case 'assign':
    case 'close':
    case 'false-positive': {
      const incident = await resolveIncident(deps.store, cmd, who);
      if (isCommandError(incident)) return [reply(commandErrorMessage(incident))];
      const event: IncidentEvent =
        cmd.verb === 'assign'
          ? { type: 'assign', by: who.userId, assignee: cmd.assignee.kind === 'self' ? who.userId : cmd.assignee.userId }
          : cmd.verb === 'close'
            ? { type: 'resolve', by: who.userId, reason: cmd.reason }
            : { type: 'mark_false_positive', by: who.userId, reason: cmd.reason };
      return change(deps, incident, event, cmd.verb, who, { proposeSuppression: false });
    }
    case 'sample': {
      // Creates findings (and cards) for everyone: authorized like a changing verb.
      const denied = await refused(deps, who, 'sample');
      return denied ?? [{ kind: 'guardduty_sample', ...(cmd.region ? { region: cmd.region } : {}) }];
    }
    case 'inbox': {
      // Dead letters hold finding payloads and retry/discard changes what gets posted: authorized.
      const denied = await refused(deps, who, 'inbox');
      return denied ?? inboxCommand(deps, cmd, who);
    }
    case 'follow':
    case 'unfollow': {
      const incident = await resolveIncident(deps.store, cmd, who);
      if (isCommandError(incident)) return [reply(commandErrorMessage(incident))];
      return follow(deps, incident, who, cmd.verb === 'follow' ? 'follow' : 'unfollow');
    }
    case 'timeline': {
      const incident = await resolveIncident(deps.store, cmd, who);
      if (isCommandError(incident)) return [reply(commandErrorMessage(incident))];
      return exportTimeline(deps, incident, who);
    }
  }
}

/** A remediation step typed as a command: the same confirmation as the card's button, on the target's finding. */
async function stepCommand(deps: CommandDeps, cmd: ParsedStepCommand, who: Requester): Promise<Effect[]> {
  const r = await resolveActionCommand(deps.store, cmd, deps.coverage);
  if (isCommandError(r)) return [reply(commandErrorMessage(r))];
  const effects: Effect[] = [
    {
      kind: 'open_action',
      findingId: r.record.findingId,
      cardKey: r.record.cardKey,
      actionId: r.actionId,
      ...(r.incident ? { incidentId: r.incident.id } : {}),
    },
  ];
  if (r.incident && !inThread(r.incident, who)) {
    const permalink = await deps.permalinkOf(r.incident);
    effects.push(
      reply(postedToThreadNotice({ incident: r.incident, what: `${cmd.verb}: progress and the result`, future: true, ...(permalink ? { permalink } : {}) })),
    );
  }
  return effects;
}

/** "Take it" and "Follow" buttons; "Close…"/"False positive…" open the reason modal. */
export async function handleIncidentButton(
  deps: CommandDeps,
  button: 'take' | 'follow' | 'close' | 'false_positive',
  incidentId: string,
  who: Requester,
): Promise<Effect[]> {
  const incident = await deps.store.getIncident(incidentId);
  if (!incident) return [reply(notice(':grey_question: This incident is no longer known to the responder. Nothing was changed.'))];
  switch (button) {
    case 'take':
      return change(deps, incident, { type: 'acknowledge', by: who.userId }, 'take', who, { proposeSuppression: false });
    case 'follow':
      return follow(deps, incident, who, (await deps.store.incidentFollowers(incident.id)).includes(who.userId) ? 'unfollow' : 'follow');
    case 'close':
    case 'false_positive': {
      const kind: CloseKind = button === 'close' ? 'resolve' : 'false_positive';
      const denied = await refused(deps, who, kind === 'resolve' ? 'close' : 'false-positive');
      return denied ?? [{ kind: 'open_modal', view: closeIncidentModal(incident, kind) }];
    }
  }
}

/** The close modal was submitted (reason, and for a false positive the suppression checkbox). */
export async function handleCloseSubmission(
  deps: CommandDeps,
  input: { metadata: string; reason: string; proposeSuppression?: boolean },
  who: Requester,
): Promise<Effect[]> {
  const meta = parseCloseModalMetadata(input.metadata);
  const incident = meta ? await deps.store.getIncident(meta.incidentId) : undefined;
  if (!meta || !incident) return [reply(notice(':grey_question: This incident is no longer known to the responder. Nothing was changed.'))];
  const event: IncidentEvent =
    meta.kind === 'resolve' ? { type: 'resolve', by: who.userId, reason: input.reason } : { type: 'mark_false_positive', by: who.userId, reason: input.reason };
  return change(deps, incident, event, meta.kind === 'resolve' ? 'close' : 'false-positive', who, { proposeSuppression: input.proposeSuppression ?? false });
}

function inThread(incident: Incident, who: Requester): boolean {
  return !!who.threadTs && who.channelId === incident.channel && who.threadTs === incident.threadTs;
}

async function refused(deps: CommandDeps, who: Requester, verb: ChangingVerb): Promise<Effect[] | undefined> {
  if (!deps.authorize) return undefined;
  const d = await deps.authorize(who.userId, verb);
  const what = verb === 'sample' ? 'create GuardDuty sample findings' : verb === 'inbox' ? 'manage the inbox' : `${verb} incidents`;
  return d.allowed ? undefined : [reply(notice(`:lock: You may not ${what}: ${safeText(d.reason, 300)}. Nothing was changed.`))];
}

async function change(
  deps: CommandDeps,
  incident: Incident,
  event: IncidentEvent,
  verb: ChangingVerb,
  who: Requester,
  opts: { proposeSuppression: boolean },
): Promise<Effect[]> {
  const denied = await refused(deps, who, verb);
  if (denied) return denied;
  let result: ApplyResult;
  try {
    result = await deps.incidents.apply(incident.id, event);
  } catch (err) {
    if (!isIncidentError(err)) throw err;
    const icon = err.code === 'no_change' ? ':information_source:' : ':warning:';
    return [reply(notice(`${icon} ${safeText(err.message, 500)}. Nothing was changed.`))];
  }
  const view = await deps.incidents.view(incident.id);
  const current = view?.incident ?? result.incident;
  const permalink = await deps.permalinkOf(current);
  const effects = changeEffects(
    { incident: current, timeline: view?.timeline ?? [], followers: view?.followers ?? [], now: deps.clock.now(), ...(permalink ? { permalink } : {}) },
    result,
  );
  if (current.state === 'false_positive' && result.stateChange) {
    effects.push({
      kind: 'guardduty_close_out',
      incidentId: current.id,
      findingIds: (view?.findings ?? []).filter((f) => !f.sample).map((f) => f.id),
      reason: current.closeReason ?? '',
      proposeSuppression: opts.proposeSuppression,
    });
  }
  if (!inThread(current, who)) {
    const what =
      event.type === 'acknowledge' || (event.type === 'assign' && event.assignee === who.userId)
        ? `You took ${current.id}`
        : event.type === 'assign'
          ? `${current.id} assigned`
          : event.type === 'resolve'
            ? `${current.id} resolved`
            : event.type === 'mark_false_positive'
              ? `${current.id} marked as a false positive`
              : `${current.id} updated`;
    effects.push(reply(postedToThreadNotice({ incident: current, what, ...(permalink ? { permalink } : {}) })));
  }
  return effects;
}

async function follow(deps: CommandDeps, incident: Incident, who: Requester, what: 'follow' | 'unfollow'): Promise<Effect[]> {
  if (what === 'follow') {
    const added = await deps.store.followIncident(incident.id, who.userId, deps.clock.now());
    return [
      reply(
        notice(
          added
            ? `:bell: You follow ${incident.id}: a DM on every state change. \`/guardduty unfollow ${incident.id}\` (or Follow again) to stop.`
            : `:bell: You already follow ${incident.id}.`,
        ),
      ),
    ];
  }
  const removed = await deps.store.unfollowIncident(incident.id, who.userId);
  return [reply(notice(removed ? `:no_bell: You no longer follow ${incident.id}.` : `:no_bell: You were not following ${incident.id}.`))];
}

async function status(deps: CommandDeps, cmd: Extract<ParsedCommand, { verb: 'status' }>, who: Requester): Promise<Effect[]> {
  const now = deps.clock.now();
  if (!cmd.subject) {
    const incidents = await deps.store.listOpenIncidents();
    const links = new Map<string, string>();
    // The list shows the most severe first: resolve links for those only.
    for (const i of incidents.slice(0, LIST_PERMALINKS)) {
      const l = await deps.permalinkOf(i);
      if (l) links.set(i.id, l);
    }
    return [reply(openIncidentsMessage({ incidents, now, permalinkOf: (i) => links.get(i.id) }))];
  }
  const incident = await resolveStatusSubject(deps.store, cmd.subject);
  if (isCommandError(incident)) return [reply(commandErrorMessage(incident as CommandError))];
  const view = await deps.incidents.view(incident.id);
  if (!view) return [];
  const permalink = await deps.permalinkOf(view.incident);
  const message = incidentSummaryMessage({ ...view, now, ...(permalink ? { permalink } : {}), ...(deps.labelOf ? { labelOf: deps.labelOf } : {}) });
  // Visible to the channel only where the incident already lives; elsewhere only to the caller.
  return [reply(message, who.channelId !== undefined && who.channelId === view.incident.channel ? 'in_channel' : 'ephemeral')];
}

async function exportTimeline(deps: CommandDeps, incident: Incident, who: Requester): Promise<Effect[]> {
  const view = await deps.incidents.view(incident.id);
  if (!view) return [];
  const content = timelineMarkdown(view.incident, view.timeline, view.findings, { now: deps.clock.now(), ...(deps.labelOf ? { labelOf: deps.labelOf } : {}) });
  const effects: Effect[] = [{ kind: 'upload', incidentId: incident.id, filename: `${incident.id}-timeline.md`, title: `${incident.id} timeline`, content }];
  if (!inThread(view.incident, who)) {
    const permalink = await deps.permalinkOf(view.incident);
    effects.push(reply(postedToThreadNotice({ incident: view.incident, what: `The ${incident.id} timeline (Markdown)`, ...(permalink ? { permalink } : {}) })));
  }
  return effects;
}
