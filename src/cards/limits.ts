/**
 * Block Kit hard limits (docs.slack.dev Block Kit reference). Slack rejects the whole message
 * (`invalid_blocks`) when any one is exceeded, so every card builder cuts to these.
 */
import type { KnownBlock } from '@slack/types';

export const MAX_BLOCKS_PER_MESSAGE = 50;
/** Any text object (section text, context element…): 1 to 3000 characters. */
export const MAX_TEXT_OBJECT = 3000;
export const MAX_SECTION_TEXT = 3000;
export const MAX_SECTION_FIELDS = 10;
export const MAX_FIELD_TEXT = 2000;
export const MAX_HEADER_TEXT = 150;
export const MAX_CONTEXT_ELEMENTS = 10;
export const MAX_ACTIONS_ELEMENTS = 25;
export const MAX_BUTTON_TEXT = 75;
export const MAX_BUTTON_VALUE = 2000;
export const MAX_BUTTON_URL = 3000;
export const MAX_ACTION_ID = 255;
export const MAX_BLOCK_ID = 255;
/** Top-level `text` (notification fallback): Slack truncates at 40,000; it recommends ≤ 4,000. */
export const MAX_MESSAGE_TEXT = 4000;
/**
 * Slack also rejects messages whose blocks carry too much text in total (`msg_blocks_too_long`),
 * a limit it does not document for section blocks; reports put it near 12,000 characters
 * (slackapi/bolt-js#2509, #2867). Cards stay under this conservative budget, counted as the sum
 * of every text object's `text` (see blocksTextLength).
 */
export const MESSAGE_BLOCKS_TEXT_BUDGET = 10_000;

const ELLIPSIS = '…';

/**
 * Cuts `s` to at most `n` characters, ending with "…" when cut. Never halves a surrogate pair,
 * and never leaves a partial entity (`&am…`) when `s` is already escaped.
 */
export function truncate(s: string, n: number): string {
  if (s.length <= n) return s;
  if (n <= 0) return '';
  let cut = s.slice(0, n - ELLIPSIS.length);
  const last = cut.charCodeAt(cut.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut = cut.slice(0, -1);
  const amp = cut.lastIndexOf('&');
  if (amp !== -1 && amp > cut.lastIndexOf(';') && cut.length - amp < 6) cut = cut.slice(0, amp);
  return cut + ELLIPSIS;
}

export function andMore(n: number): string {
  return `…and ${n} more`;
}

/** Renders the first `max` items and, when there are more, a last line "…and N more". */
export function listWithMore<T>(items: readonly T[], max: number, render: (item: T, index: number) => string): string[] {
  const shown = items.slice(0, Math.max(0, max)).map(render);
  const rest = items.length - shown.length;
  return rest > 0 ? [...shown, andMore(rest)] : shown;
}

/**
 * Joins rendered items with `sep`, keeping the result within `maxChars` and showing at most
 * `maxItems`; whatever does not fit is summarised as "…and N more". Each item is expected to be
 * already escaped; over-long single items are truncated.
 */
export function joinWithin<T>(
  items: readonly T[],
  render: (item: T, index: number) => string,
  opts: { maxChars: number; maxItems?: number; sep?: string },
): string {
  const sep = opts.sep ?? '\n';
  const maxItems = Math.min(items.length, opts.maxItems ?? items.length);
  const fit = (budget: number): string[] => {
    const out: string[] = [];
    let used = 0;
    for (let i = 0; i < maxItems; i++) {
      const line = truncate(render(items[i] as T, i), budget);
      const add = (out.length > 0 ? sep.length : 0) + line.length;
      if (used + add > budget) break;
      out.push(line);
      used += add;
    }
    return out;
  };
  const all = fit(opts.maxChars);
  if (all.length === items.length) return all.join(sep);
  // Something is left out: make room for the summary line.
  const reserve = sep.length + andMore(items.length).length;
  const some = fit(Math.max(0, opts.maxChars - reserve));
  const summary = andMore(items.length - some.length);
  return some.length > 0 ? `${some.join(sep)}${sep}${summary}` : summary;
}

/** Sum of the `text` of every text object in the blocks (what MESSAGE_BLOCKS_TEXT_BUDGET bounds). */
export function blocksTextLength(blocks: readonly KnownBlock[]): number {
  let total = 0;
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) {
      v.forEach(visit);
      return;
    }
    if (v === null || typeof v !== 'object') return;
    const o = v as Record<string, unknown>;
    if ((o.type === 'mrkdwn' || o.type === 'plain_text') && typeof o.text === 'string') {
      total += o.text.length;
      return;
    }
    Object.values(o).forEach(visit);
  };
  visit(blocks);
  return total;
}
