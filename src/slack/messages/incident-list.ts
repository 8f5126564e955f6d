/**
 * A list of incidents grouped by severity — one line each: id (linked to its thread), title,
 * state, assignee, age. Shared by the App Home tab and `/guardduty status` without argument.
 *
 * Built to stay within Block Kit for any number of incidents: lines are packed into as few
 * sections as the 3000-character section limit allows, the whole list keeps to a character and
 * block budget, and every severity group keeps its header, its count and its first few lines,
 * ending with "…and N more" when its lines do not all fit. Higher severities get the rest first.
 */
import type { KnownBlock } from '@slack/types';
import { section, SEVERITY_BADGE } from '../../cards/blocks.js';
import { safeText } from '../../cards/escape.js';
import { andMore, MAX_SECTION_TEXT } from '../../cards/limits.js';
import { SEVERITY_LEVELS, severityLevel, type SeverityLevel } from '../../findings/severity.js';
import type { Incident } from '../../incidents/model.js';
import { formatDuration } from '../../incidents/timings.js';
import { linkOr, mention, STATE_BADGE } from './incident-top-line.js';

export interface IncidentListOptions {
  now: number;
  /** Permalink of the incident's thread (the caller resolves them; chat.getPermalink). */
  permalinkOf?: (incident: Incident) => string | undefined;
  /** Blocks the list may use. */
  maxBlocks: number;
  /** Characters of text the list may use in all. */
  maxChars: number;
  blockIdPrefix: string;
}

/** Longest title shown in a list line. */
export const LIST_TITLE_MAX = 70;
/** Room kept per section below the 3000 limit. */
const SECTION_BUDGET = MAX_SECTION_TEXT - 100;

export function incidentLine(incident: Incident, now: number, permalink?: string): string {
  return [
    `*${linkOr(permalink, incident.id)}*`,
    safeText(incident.title, LIST_TITLE_MAX),
    STATE_BADGE[incident.state],
    mention(incident.assignee) ?? '_no assignee_',
    `open ${formatDuration(now - incident.openedAt)}`,
  ].join(' · ');
}

export function groupBySeverity(incidents: readonly Incident[]): { level: SeverityLevel; incidents: Incident[] }[] {
  return [...SEVERITY_LEVELS]
    .reverse()
    .map((level) => ({
      level,
      incidents: incidents.filter((i) => severityLevel(i.severity) === level).sort((a, b) => a.openedAt - b.openedAt || a.id.localeCompare(b.id)),
    }))
    .filter((g) => g.incidents.length > 0);
}

function groupHeader(level: SeverityLevel, count: number): string {
  const b = SEVERITY_BADGE[level];
  return `${b.emoji} *${b.word[0]}${b.word.slice(1).toLowerCase()}* (${count})`;
}

/** Lines each later severity group keeps room for, so a flood of critical incidents cannot hide the rest. */
export const MIN_LINES_PER_GROUP = 3;

export function incidentListBlocks(incidents: readonly Incident[], opts: IncidentListOptions): KnownBlock[] {
  const groups = groupBySeverity(incidents).map((g) => ({
    ...g,
    lines: g.incidents.map((i) => incidentLine(i, opts.now, opts.permalinkOf?.(i))),
  }));
  if (groups.length === 0) return [section(`${opts.blockIdPrefix}_none`, ':sparkles: No open incidents.')];
  // What a later group is guaranteed: its header, its first few lines and "…and N more", one block.
  const minimum = (g: (typeof groups)[number]) =>
    groupHeader(g.level, g.incidents.length).length +
    g.lines.slice(0, MIN_LINES_PER_GROUP).reduce((n, l) => n + 1 + l.length, 0) +
    1 +
    andMore(g.incidents.length).length;
  let charsLeft = opts.maxChars;
  let blocksLeft = opts.maxBlocks;
  const blocks: KnownBlock[] = [];

  groups.forEach((g, gi) => {
    const later = groups.slice(gi + 1);
    const reserveChars = later.reduce((n, x) => n + minimum(x), 0);
    const reserveBlocks = later.length;
    const summary = 1 + andMore(g.incidents.length).length; // room for "…and N more" if we stop
    const chunks: string[][] = [[groupHeader(g.level, g.incidents.length)]];
    let chunkLen = chunks[0]![0]!.length;
    let used = chunkLen;
    let shown = 0;
    for (const l of g.lines) {
      const newChunk = chunkLen + 1 + l.length > SECTION_BUDGET - summary;
      const blocksNeeded = chunks.length + (newChunk ? 1 : 0);
      if (used + 1 + l.length + summary > charsLeft - reserveChars || blocksNeeded > blocksLeft - reserveBlocks) break;
      if (newChunk) {
        chunks.push([l]);
        chunkLen = l.length;
      } else {
        chunks[chunks.length - 1]!.push(l);
        chunkLen += 1 + l.length;
      }
      used += 1 + l.length;
      shown++;
    }
    if (shown < g.incidents.length) {
      const more = andMore(g.incidents.length - shown);
      chunks[chunks.length - 1]!.push(more);
      used += 1 + more.length;
    }
    chunks.forEach((c, ci) => {
      blocks.push(section(`${opts.blockIdPrefix}_${g.level}_${ci}`, c.join('\n')));
    });
    charsLeft -= used;
    blocksLeft -= chunks.length;
  });
  return blocks;
}
