/**
 * The storm digest: one message per channel that folds lower-severity findings during an alert
 * storm (src/notify/digest.ts decides when), updated in place. Counts by severity, type and
 * resource; a select of the most severe ones opens a finding's full card; the full list goes into
 * the thread as a file. Pure: same state, same message (chat.update can be replayed).
 */
import type { KnownBlock, StaticSelect } from '@slack/types';
import { severityLevel, SEVERITY_LEVELS } from '../findings/severity.js';
import { context, header, plain, section, SEVERITY_BADGE } from './blocks.js';
import { safeText } from './escape.js';
import type { SlackMessage } from './finding-card.js';
import { MAX_BUTTON_TEXT } from './limits.js';

export const DIGEST_OPEN_ACTION_ID = 'gd_digest_open';
/** Slack allows 100 options in a static select; the most severe, newest first. */
export const DIGEST_SELECT_OPTIONS = 50;
/** Lines of types and resources shown in the message (the file has them all). */
export const DIGEST_TOP_LINES = 8;

export interface DigestItem {
  readonly id: string;
  /** Opaque key resolved on the server (button values never carry data that is trusted). */
  readonly cardKey: string;
  readonly type: string;
  readonly severity: number;
  readonly resource: string;
  readonly title: string;
  readonly at: number;
}

export interface DigestState {
  readonly channel: string;
  readonly startedAt: number;
  readonly items: readonly DigestItem[];
}

export function buildDigestMessage(s: DigestState, slashCommand = '/guardduty'): SlackMessage {
  const n = s.items.length;
  const bySeverity = SEVERITY_LEVELS.slice()
    .reverse()
    .map((level) => [level, s.items.filter((i) => severityLevel(i.severity) === level).length] as const)
    .filter(([, c]) => c > 0)
    .map(([level, c]) => `${SEVERITY_BADGE[level].emoji} ${SEVERITY_BADGE[level].word} ${c}`)
    .join('   ');
  const blocks: KnownBlock[] = [
    header('gd_digest_header', `🌩️ Alert storm: ${n} lower-severity finding${n === 1 ? '' : 's'} folded here`),
    section('gd_digest_severity', `*By severity*   ${bySeverity || '—'}`),
    section('gd_digest_types', `*By type*\n${top(s.items, (i) => i.type)}`),
    section('gd_digest_resources', `*By resource*\n${top(s.items, (i) => i.resource)}`),
  ];
  if (n > 0) {
    const select: StaticSelect = {
      type: 'static_select',
      action_id: DIGEST_OPEN_ACTION_ID,
      placeholder: plain('Post a finding’s card…'),
      options: [...s.items]
        .sort((a, b) => b.severity - a.severity || b.at - a.at)
        .slice(0, DIGEST_SELECT_OPTIONS)
        .map((i) => ({ text: plain(optionText(i), MAX_BUTTON_TEXT), value: i.cardKey })),
    };
    blocks.push({ type: 'actions', block_id: 'gd_digest_open', elements: [select] });
  }
  blocks.push(
    context('gd_digest_note', [
      `High and Critical findings still get their own card. Open any folded finding with \`${slashCommand} show FINDING_ID\` or the menu above; the full list is attached in the thread.`,
    ]),
  );
  return { text: `Alert storm: ${n} lower-severity GuardDuty findings folded into one digest`, blocks };
}

/** The attached file: every folded finding, one per line, tab-separated. */
export function digestListText(s: DigestState): string {
  const lines = s.items.map((i) => [severityLevel(i.severity).toUpperCase(), i.severity.toFixed(1), i.type, i.resource, i.id, i.title].join('\t'));
  return `${['severity\tscore\ttype\tresource\tfinding id\ttitle', ...lines].join('\n')}\n`;
}

function optionText(i: DigestItem): string {
  return `${i.severity.toFixed(1)} ${i.type.split('/').pop() ?? i.type} · ${i.resource}`.replace(/\s+/g, ' ');
}

function top(items: readonly DigestItem[], keyOf: (i: DigestItem) => string): string {
  const counts = new Map<string, number>();
  for (const i of items) counts.set(keyOf(i), (counts.get(keyOf(i)) ?? 0) + 1);
  const sorted = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const lines = sorted.slice(0, DIGEST_TOP_LINES).map(([k, c]) => `• ${c} × ${safeText(k, 150)}`);
  if (sorted.length > DIGEST_TOP_LINES) lines.push(`…and ${sorted.length - DIGEST_TOP_LINES} more`);
  return lines.join('\n') || '—';
}
