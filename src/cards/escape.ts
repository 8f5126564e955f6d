/**
 * Making attacker-influenced finding text (process names, command lines, tags, container names…)
 * safe to put in Slack text.
 *
 * Slack's rule: `&`, `<` and `>` are its control characters. `<!channel>`, `<@U…>`, `<#C…>`,
 * `<!subteam^…>`, `<!date…>` and `<https://x|label>` are only special when sent with literal
 * angle brackets, so escaping those three characters (and nothing else: Slack decodes only these
 * entities) is what prevents mention and link injection. Apply it to every string from a finding,
 * in mrkdwn and plain_text alike.
 *
 * Escaping does not stop Slack's other preprocessing: with the default `verbatim: false` a bare
 * `https://…` is auto-linked and channel names are linkified. Card text objects therefore set
 * `verbatim: true` (see ./blocks.ts), which keeps `&lt;…&gt;` etc. inert and stops auto-linking.
 *
 * Mrkdwn formatting (`*bold*`, `_it_`, `~s~`, `` ` ``, leading `>`) has no escape in Slack. It cannot
 * create a mention or a link, so free text (title, description) is left as is. Identifiers are
 * shown in code spans, where formatting is off — except that a backtick in the value would close
 * the span early and let the rest be formatted, so inside code spans a backtick is replaced by a
 * look-alike (U+02CB ˋ). That is the only place where displayed data differs from the finding.
 * Separately, line breaks and other control characters become spaces in one-line values (a value
 * must not be able to start a new line that looks like ours, e.g. "\n*Status:* Resolved"), and
 * bidirectional-override characters become U+FFFD so text cannot display reversed.
 */

/** Slack's escaping rule: `&`→`&amp;`, `<`→`&lt;`, `>`→`&gt;`. Nothing else. */
export function escapeMrkdwn(s: string): string {
  return s.replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
}

/** Escaped length of one character, without building the string. */
function escapedLength(ch: string): number {
  return ch === '&' ? 5 : ch === '<' || ch === '>' ? 4 : ch.length;
}

const ELLIPSIS = '…';
// C0 controls (incl. newline, tab), DEL and C1 controls.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matches control characters to strip them from finding text
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
// Bidi embeddings/overrides/isolates (LRE…RLO, LRI…PDI) and the line/paragraph separators.
const BIDI = /[\u202a-\u202e\u2066-\u2069]/g;
const SEPARATORS = /[\u2028\u2029]/g;

/** One-line, display-safe raw text (not yet escaped). */
export function flatten(s: string): string {
  return s.replace(CONTROL, ' ').replace(SEPARATORS, ' ').replace(BIDI, '\ufffd');
}

/**
 * Escapes `s` and cuts it so the ESCAPED result is at most `max` characters, ending with "…" when
 * cut. Cutting the raw text before escaping means an entity (`&amp;`) is never split and a
 * surrogate pair is never halved.
 */
export function escapeTruncate(s: string, max: number): string {
  if (max <= 0) return '';
  let total = 0;
  for (const ch of s) total += escapedLength(ch);
  if (total <= max) return escapeMrkdwn(s);
  let out = '';
  let used = 0;
  const budget = max - ELLIPSIS.length;
  for (const ch of s) {
    const n = escapedLength(ch);
    if (used + n > budget) break;
    out += ch;
    used += n;
  }
  return escapeMrkdwn(out) + ELLIPSIS;
}

/** A one-line free-text value: flattened, escaped, at most `max` characters. */
export function safeText(s: string, max: number): string {
  return escapeTruncate(flatten(s), max);
}

const BACKTICK_LOOKALIKE = '\u02cb';

/**
 * An identifier in an inline code span: `` `value` ``, at most `max` characters in all.
 * Empty values render as an em dash so a field is never blank (Slack rejects empty text).
 */
export function code(s: string, max: number): string {
  const inner = flatten(s).replace(/`/g, BACKTICK_LOOKALIKE);
  if (inner.trim() === '') return '—';
  return `\`${escapeTruncate(inner, Math.max(1, max - 2))}\``;
}

/**
 * Multi-line text (a command line) in a code block. Line breaks are kept (they are inside the
 * block); backticks are replaced so the block cannot be closed early.
 */
export function codeBlock(s: string, max: number): string {
  const inner = s
    .replace(/\r\n?/g, '\n')
    // biome-ignore lint/suspicious/noControlCharactersInRegex: matches control characters (except newline) to strip them from finding text
    .replace(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/g, ' ')
    .replace(SEPARATORS, ' ')
    .replace(BIDI, '\ufffd')
    .replace(/`/g, BACKTICK_LOOKALIKE);
  if (inner.trim() === '') return '—';
  return `\`\`\`${escapeTruncate(inner, Math.max(1, max - 6))}\`\`\``;
}
