/**
 * The `/guardduty status` answers:
 * - one incident: its top line, then Conditions / Actions / Needs (the form incident responders
 *   use), the latest timeline events, followers and a link to its thread;
 * - no argument: the open incidents grouped by severity (same list as App Home).
 * Pure builders; every string from findings is escaped and every limit holds for any input.
 */
import type { KnownBlock } from '@slack/types';
import { context, header, section } from '../../cards/blocks.js';
import { safeText } from '../../cards/escape.js';
import type { SlackMessage } from '../../cards/finding-card.js';
import { joinWithin, MAX_BLOCKS_PER_MESSAGE, truncate } from '../../cards/limits.js';
import type { Finding } from '../../findings/model.js';
import { describeEvent } from '../../incidents/event-text.js';
import { renderMrkdwn, type SummaryLine } from '../../incidents/lines.js';
import { isClosed, STATE_LABEL, type Incident, type TimelineEvent } from '../../incidents/model.js';
import { buildIncidentSummary } from '../../incidents/summary.js';
import { incidentListBlocks } from './incident-list.js';
import { incidentTopLineBlock, linkOr, severityText } from './incident-top-line.js';

export interface IncidentSummaryInput {
  incident: Incident;
  timeline: readonly TimelineEvent[];
  findings: readonly Finding[];
  now: number;
  followers?: readonly string[];
  /** Permalink of the incident's thread. */
  permalink?: string;
  labelOf?: (action: string) => string;
  /** How many of the latest timeline events to show (default 8). */
  timelineLimit?: number;
}

/** Character budgets per part (their sum stays well under MESSAGE_BLOCKS_TEXT_BUDGET). */
export const SUMMARY_BUDGET = { conditions: 1400, actions: 1800, needs: 1400, timeline: 2000, line: 400 } as const;

/** "14:05" today, else "11-27 14:05" (UTC). */
export function shortTime(at: number, now: number): string {
  const iso = new Date(at).toISOString();
  const sameDay = iso.slice(0, 10) === new Date(now).toISOString().slice(0, 10);
  return sameDay ? iso.slice(11, 16) : `${iso.slice(5, 10)} ${iso.slice(11, 16)}`;
}

function bulletSection(blockId: string, title: string, lines: readonly SummaryLine[], budget: number, now: number, empty: string): KnownBlock {
  const body =
    lines.length === 0
      ? `_${empty}_`
      : joinWithin(lines, (l) => `• ${l.at !== undefined ? `\`${shortTime(l.at, now)}\` ` : ''}${renderMrkdwn(l, SUMMARY_BUDGET.line)}`, { maxChars: budget });
  return section(blockId, `*${title}*\n${body}`);
}

export function incidentSummaryMessage(input: IncidentSummaryInput): SlackMessage {
  const { incident, now } = input;
  const summary = buildIncidentSummary({
    incident,
    timeline: input.timeline,
    findings: input.findings,
    now,
    ...(input.labelOf ? { labelOf: input.labelOf } : {}),
  });
  const ordered = [...input.timeline].sort((a, b) => a.at - b.at || a.id - b.id);
  const limit = Math.max(0, input.timelineLimit ?? 8);
  const latest = limit === 0 ? [] : ordered.slice(-limit).map((e) => describeEvent(e, input.labelOf));
  const followers = input.followers?.length ?? 0;

  const blocks: KnownBlock[] = [
    header('gd_inc_header', `${incident.id} · ${safeText(incident.title, 140)}`),
    incidentTopLineBlock(incident, input.timeline, now),
    bulletSection('gd_inc_conditions', 'Conditions', summary.conditions, SUMMARY_BUDGET.conditions, now, 'no findings recorded'),
    bulletSection('gd_inc_actions', 'Actions', summary.actions, SUMMARY_BUDGET.actions, now, 'nothing done yet'),
    bulletSection(
      'gd_inc_needs',
      'Needs',
      summary.needs,
      SUMMARY_BUDGET.needs,
      now,
      isClosed(incident.state) ? 'nothing' : `nothing pending — close it with /guardduty close ${incident.id} REASON`,
    ),
  ];
  if (latest.length > 0) {
    const title = ordered.length > latest.length ? `Timeline (latest ${latest.length} of ${ordered.length})` : 'Timeline';
    blocks.push(bulletSection('gd_inc_timeline', title, latest, SUMMARY_BUDGET.timeline, now, ''));
  }
  blocks.push(
    context('gd_inc_footer', [
      [
        `${followers} follower${followers === 1 ? '' : 's'}`,
        linkOr(input.permalink, 'Open the thread'),
        `\`/guardduty timeline ${incident.id}\` exports the full timeline as Markdown`,
      ].join(' · '),
    ]),
  );
  const text = truncate(`${incident.id} · ${STATE_LABEL[incident.state]} · ${severityText(incident.severity)} — ${safeText(incident.title, 200)}`, 400);
  return { text, blocks };
}

export interface OpenIncidentsInput {
  incidents: readonly Incident[];
  now: number;
  permalinkOf?: (incident: Incident) => string | undefined;
}

export function openIncidentsMessage(input: OpenIncidentsInput): SlackMessage {
  const n = input.incidents.length;
  const top: KnownBlock[] = [section('gd_open_title', `*Open incidents: ${n}* · \`/guardduty status INC-n\` for one incident's summary`)];
  const list = incidentListBlocks(input.incidents, {
    now: input.now,
    ...(input.permalinkOf ? { permalinkOf: input.permalinkOf } : {}),
    maxBlocks: MAX_BLOCKS_PER_MESSAGE - top.length,
    maxChars: 9000,
    blockIdPrefix: 'gd_open',
  });
  return { text: n === 0 ? 'No open incidents' : `${n} open incident${n === 1 ? '' : 's'}`, blocks: [...top, ...list] };
}
