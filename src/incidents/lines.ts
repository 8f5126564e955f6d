/**
 * A line of summary text that may mention Slack users, built so that data can never forge a
 * mention: the static parts of the template are ours, every interpolated string is flattened
 * (control characters become spaces), and mentions are placeholders made of a control character
 * that data therefore cannot contain. Renderers escape the text first, then put the mentions in.
 *
 *   line`Assigned to ${user(assignee)}: ${reasonFromUser}`
 */
import { escapeMrkdwn, flatten } from '../cards/escape.js';
import { truncate } from '../cards/limits.js';

export interface SummaryLine {
  /** Raw text (not escaped) with mention placeholders. */
  readonly text: string;
  /** Slack user ids, in placeholder order. */
  readonly mentions: readonly string[];
  /** When it happened, for lines taken from the timeline. */
  readonly at?: number;
}

export interface UserRef {
  readonly user: string;
}

export function user(id: string): UserRef {
  return { user: id };
}

const MARK = '\u0001';
// biome-ignore lint/suspicious/noControlCharactersInRegex: U+0001 marks mention placeholders; flattened data cannot contain it
const PLACEHOLDER = /\u0001(\d+)\u0001/g;
/** A placeholder halved by truncation. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: U+0001 marks mention placeholders; flattened data cannot contain it
const STRAY = /\u0001\d*/g;
import { SLACK_USER_ID } from '../slack/ids.js';
export { SLACK_USER_ID };

export function line(strings: TemplateStringsArray, ...values: (string | number | UserRef)[]): SummaryLine {
  let text = strings[0] ?? '';
  const mentions: string[] = [];
  values.forEach((v, i) => {
    if (typeof v === 'object') {
      text += `${MARK}${mentions.length}${MARK}`;
      mentions.push(v.user);
    } else {
      text += flatten(String(v));
    }
    text += strings[i + 1] ?? '';
  });
  return { text, mentions };
}

export function at(l: SummaryLine, time: number): SummaryLine {
  return { ...l, at: time };
}

/** Slack mrkdwn: escaped text, real mentions for valid user ids, cut to `max` characters. */
export function renderMrkdwn(l: SummaryLine, max = 600): string {
  // Cut before inserting mentions so a mention is never halved; mentions are short (≤ 25 chars).
  const escaped = truncate(escapeMrkdwn(l.text), max);
  return escaped
    .replace(PLACEHOLDER, (_m, i: string) => {
      const id = l.mentions[Number(i)];
      return id && SLACK_USER_ID.test(id) ? `<@${id}>` : id === 'system' ? 'the responder app' : 'someone';
    })
    .replace(STRAY, '');
}

/** Plain text (Markdown export, DM fallbacks): `@name` when known, else `@U…`. */
export function renderPlain(l: SummaryLine, names: Readonly<Record<string, string>> = {}): string {
  return l.text.replace(PLACEHOLDER, (_m, i: string) => {
    const id = l.mentions[Number(i)] ?? 'someone';
    if (id === 'system') return 'the responder app';
    return `@${flatten(names[id] ?? id)}`;
  });
}
