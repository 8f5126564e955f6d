/**
 * The incident's top line, shown on its card and in every incident message: state, severity,
 * assignee, time open, time to acknowledge, time to contain. One context-block mrkdwn string,
 * a pure function of (incident, timeline, now), so re-rendering the card with a later clock
 * simply moves the numbers on.
 */
import type { ContextBlock } from '@slack/types';
import { context, SEVERITY_BADGE } from '../../cards/blocks.js';
import { severityLevel } from '../../findings/severity.js';
import { SLACK_USER_ID } from '../../incidents/lines.js';
import { STATE_LABEL, type Incident, type IncidentState, type TimelineEvent } from '../../incidents/model.js';
import { computeTimings, formatDuration } from '../../incidents/timings.js';

export const INCIDENT_TOP_LINE_BLOCK_ID = 'gd_incident_top';

export const STATE_BADGE: Readonly<Record<IncidentState, string>> = {
  open: ':rotating_light: Open',
  acknowledged: ':eyes: Acknowledged',
  contained: ':shield: Contained',
  resolved: ':white_check_mark: Resolved',
  false_positive: ':heavy_minus_sign: False positive',
};

/** `<@U…>` for a valid user id; anything else is not rendered as markup. */
export function mention(userId: string | undefined): string | undefined {
  return userId && SLACK_USER_ID.test(userId) ? `<@${userId}>` : undefined;
}

/** "🟠 HIGH 8.0" */
export function severityText(score: number): string {
  const b = SEVERITY_BADGE[severityLevel(score)];
  return `${b.emoji} ${b.word} ${Number.isFinite(score) ? score.toFixed(1) : '?'}`;
}

/**
 * Only Slack permalinks (https, a *.slack.com host, no characters that could end the link
 * early) become links; anything else is dropped rather than rendered.
 */
export function safePermalink(url: string | undefined): string | undefined {
  if (!url) return undefined;
  return /^https:\/\/[a-z0-9-]+(?:\.[a-z0-9-]+)*\.slack\.com\/[^\s<>|]*$/i.test(url) && url.length <= 1000 ? url : undefined;
}

/** `<permalink|label>` when the permalink is safe, else the label alone. `label` must be escaped. */
export function linkOr(url: string | undefined, label: string): string {
  const safe = safePermalink(url);
  return safe ? `<${safe}|${label}>` : label;
}

export function incidentTopLine(incident: Incident, timeline: readonly TimelineEvent[], now: number): string {
  const t = computeTimings(incident, timeline, now);
  return [
    `*${incident.id}*`,
    STATE_BADGE[incident.state],
    severityText(incident.severity),
    mention(incident.assignee) ? `Assignee ${mention(incident.assignee)}` : '_No assignee_',
    `Open ${formatDuration(t.open)}`,
    `To acknowledge ${t.toAcknowledge !== undefined ? formatDuration(t.toAcknowledge) : `— (waiting ${formatDuration(t.waitingForAcknowledge ?? 0)})`}`,
    `To contain ${t.toContain !== undefined ? formatDuration(t.toContain) : t.waitingForContain !== undefined ? `— (waiting ${formatDuration(t.waitingForContain)})` : '—'}`,
  ].join(' · ');
}

export function incidentTopLineBlock(incident: Incident, timeline: readonly TimelineEvent[], now: number, blockId = INCIDENT_TOP_LINE_BLOCK_ID): ContextBlock {
  return context(blockId, [incidentTopLine(incident, timeline, now)]);
}

export { STATE_LABEL };
