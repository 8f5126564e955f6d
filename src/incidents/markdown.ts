/**
 * The incident as a Markdown document (GitHub-flavoured): header facts, the summary
 * (Conditions / Actions / Needs), its findings and the full timeline. Attached to the thread as a
 * file by `/guardduty timeline`, or kept for the post-incident review.
 *
 * Finding text is attacker-influenced and Markdown has its own injection surface (links, images,
 * raw HTML, table cells broken by `|`), so free text is backslash-escaped and identifiers go into
 * code spans with backticks replaced and pipes escaped (GFM needs `\|` even inside code in a table).
 */
import { flatten } from '../cards/escape.js';
import { severityLevel } from '../findings/severity.js';
import type { Finding } from '../findings/model.js';
import { actionLabel } from './action-events.js';
import { describeEvent } from './event-text.js';
import { renderPlain, type SummaryLine } from './lines.js';
import { STATE_LABEL, type Incident, type TimelineEvent } from './model.js';
import { buildIncidentSummary, describeResource } from './summary.js';
import { formatDuration } from './timings.js';

export interface MarkdownOptions {
  /** Time the export is made; defaults to when the incident closed or was last updated. */
  now?: number;
  /** Display names of Slack users, by id (else the id is shown). */
  names?: Readonly<Record<string, string>>;
  labelOf?: (action: string) => string;
}

/** Free text: one line, Markdown punctuation that could form links/HTML/emphasis/tables escaped. */
export function mdText(s: string): string {
  return flatten(s).replace(/[\\`*_[\]<>|#~&]/g, (c) => `\\${c}`);
}

/** An identifier in a code span (safe in a table cell too). */
export function mdCode(s: string): string {
  const inner = flatten(s).replace(/`/g, '\u02cb').replace(/\|/g, '\\|');
  return inner.trim() === '' ? '—' : `\`${inner}\``;
}

function utc(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

export function timelineMarkdown(incident: Incident, timeline: readonly TimelineEvent[], findings: readonly Finding[], opts: MarkdownOptions = {}): string {
  const now = opts.now ?? incident.closedAt ?? incident.updatedAt;
  const names = opts.names ?? {};
  const labelOf = opts.labelOf ?? actionLabel;
  const summary = buildIncidentSummary({ incident, timeline, findings, now, labelOf });
  const t = summary.timings;
  const who = (id: string | undefined) => (id ? mdText(`@${names[id] ?? id}`) : '—');
  const plain = (l: SummaryLine) => mdText(renderPlain(l, names));

  const rows: [string, string][] = [
    ['State', STATE_LABEL[incident.state]],
    ['Severity', `${severityLevel(incident.severity).toUpperCase()} ${incident.severity.toFixed(1)}`],
    ['Assignee', who(incident.assignee)],
    ['Account / region', `${mdCode(incident.accountId ?? '')} / ${mdCode(incident.region ?? '')}`],
    ['Opened', utc(incident.openedAt)],
    ['Time open', formatDuration(t.open)],
    ['Time to acknowledge', t.toAcknowledge !== undefined ? formatDuration(t.toAcknowledge) : 'not acknowledged'],
    ['Time to contain', t.toContain !== undefined ? formatDuration(t.toContain) : 'not contained'],
  ];
  if (incident.closedAt !== undefined) {
    rows.push(['Closed', `${utc(incident.closedAt)} by ${who(incident.closedBy)}${incident.closeReason ? ` — ${mdText(incident.closeReason)}` : ''}`]);
  }

  const out: string[] = [`# ${incident.id} — ${mdText(incident.title)}`, '', '| | |', '| --- | --- |', ...rows.map(([k, v]) => `| ${k} | ${v} |`), ''];
  const list = (title: string, lines: readonly SummaryLine[]) => {
    out.push(`## ${title}`, '');
    out.push(...(lines.length > 0 ? lines.map((l) => `- ${plain(l)}`) : ['- —']), '');
  };
  list('Conditions', summary.conditions);
  list('Actions', summary.actions);
  list('Needs', summary.needs);

  out.push('## Findings', '', '| Finding | Type | Severity | Count | Resource |', '| --- | --- | --- | --- | --- |');
  for (const f of [...findings].sort((a, b) => b.severity - a.severity)) {
    out.push(`| ${mdCode(f.id)} | ${mdCode(f.type)} | ${f.severity.toFixed(1)} | ${f.count} | ${mdText(describeResource(f))} |`);
  }
  if (findings.length === 0) out.push('| — | | | | |');
  out.push('', '## Timeline', '', '| Time | Who | Event |', '| --- | --- | --- |');
  for (const e of [...timeline].sort((a, b) => a.at - b.at || a.id - b.id)) {
    out.push(`| ${utc(e.at)} | ${e.actor && e.actor !== 'system' ? who(e.actor) : 'system'} | ${plain(describeEvent(e, labelOf))} |`);
  }
  if (timeline.length === 0) out.push('| — | | |');
  out.push('', `_Exported ${utc(now)}._`, '');
  return out.join('\n');
}
