/**
 * The fallback card: a signed delivery from an allowed topic that carries a finding the model
 * cannot read completely (a missing `resource`, `id` or `region`…) is still shown, with what
 * could be read and "unknown" for the rest. It has no action buttons: every step needs the
 * resource, account and region that are missing or unverified. The raw JSON goes into the thread
 * as a file (src/notify/fallback.ts). Pure: same input, same message.
 */
import type { PartialFinding } from '../findings/partial.js';
import { severityLevel } from '../findings/severity.js';
import { context, field, fieldsSection, formatSeverity, formatTime, header, section, SEVERITY_BADGE } from './blocks.js';
import { code, safeText } from './escape.js';
import type { SlackMessage } from './finding-card.js';

export const UNKNOWN = 'unknown';
export const FALLBACK_BLOCK_IDS = {
  header: 'gd_fallback_header',
  facts: 'gd_fallback_facts',
  problem: 'gd_fallback_problem',
  note: 'gd_fallback_note',
} as const;

export function buildFallbackCard(p: PartialFinding): SlackMessage {
  const level = p.severity === undefined ? undefined : severityLevel(p.severity);
  const badge = level ? `${SEVERITY_BADGE[level].emoji} ${SEVERITY_BADGE[level].word} ${formatSeverity(p.severity!)}` : `⚪ severity ${UNKNOWN}`;
  const title = p.title ?? p.type ?? 'GuardDuty finding';
  const text = (s: string | undefined, max: number) => (s === undefined ? UNKNOWN : safeText(s, max));
  const id = (s: string | undefined, max: number) => (s === undefined ? UNKNOWN : code(s, max));
  return {
    text: `${level ? SEVERITY_BADGE[level].word : 'UNKNOWN SEVERITY'} GuardDuty finding (incomplete): ${safeText(title, 200)}`,
    blocks: [
      header(FALLBACK_BLOCK_IDS.header, `⚠️ Incomplete finding: ${title.replace(/\s+/g, ' ')}`),
      fieldsSection(FALLBACK_BLOCK_IDS.facts, [
        field('Severity', badge),
        field('Type', text(p.type, 200)),
        field('Account', id(p.accountId, 40)),
        field('Region', id(p.region, 40)),
        field('Resource type', text(p.resourceType, 80)),
        field('Updated', p.updatedAt ? formatTime(p.updatedAt) : UNKNOWN),
        field('Finding id', id(p.id, 120)),
        field('ARN', id(p.arn, 300)),
      ]),
      section(FALLBACK_BLOCK_IDS.problem, `*Why this is a fallback card:* ${safeText(p.problem, 500)}`),
      context(FALLBACK_BLOCK_IDS.note, [
        'No remediation buttons: they need the resource, account and region this finding does not carry. The raw JSON is attached in the thread.',
      ]),
    ],
  };
}

/** The attached file: the item as received, pretty-printed. */
export function fallbackAttachment(p: PartialFinding): { filename: string; title: string; content: string } {
  const name = (p.id ?? 'finding').replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 80);
  return { filename: `${name}.json`, title: 'Raw finding JSON', content: JSON.stringify(p.raw, null, 2) };
}
