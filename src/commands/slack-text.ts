/**
 * Undoing Slack's formatting of slash-command text (should_escape on):
 * - `&`, `<`, `>` typed by the user arrive as `&amp;`, `&lt;`, `&gt;`;
 * - mentions arrive as `<@U123|name>` (or `<@U123>`), channels as `<#C123|name>`, user groups as
 *   `<!subteam^S123|@team>`, special mentions as `<!here>`;
 * - anything Slack recognises as a URL or domain arrives as `<http://host/path|host/path>` — an
 *   ECR image URI (`123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1`) is such a domain.
 */

/** Splits command text into tokens; a `<…>` group (which may contain spaces) is one token. */
export function tokenize(text: string): string[] {
  return text.match(/(?:<[^<>]*>|[^\s<>]|[<>])+/g) ?? [];
}

export function decodeEntities(s: string): string {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/**
 * One token as the user typed it: an auto-link becomes its label (what was typed), else its URL;
 * entities are decoded. Mentions are left as they are (see mentionOf).
 */
export function unwrapToken(token: string): string {
  const link = /^<([^@#!][^|>]*)(?:\|([^>]*))?>$/.exec(token);
  if (link) return decodeEntities(link[2] !== undefined && link[2] !== '' ? link[2] : link[1]!);
  return decodeEntities(token);
}

export type Mention = { kind: 'user'; id: string } | { kind: 'usergroup'; id: string } | { kind: 'channel'; id: string } | { kind: 'special'; name: string };

/** The Slack entity a token is, when it is a whole `<@…>`, `<#…>` or `<!…>` group. */
export function mentionOf(token: string): Mention | undefined {
  let m = /^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$/.exec(token);
  if (m) return { kind: 'user', id: m[1]! };
  m = /^<!subteam\^([A-Z0-9]+)(?:\|[^>]*)?>$/.exec(token);
  if (m) return { kind: 'usergroup', id: m[1]! };
  m = /^<#([CG][A-Z0-9]+)(?:\|[^>]*)?>$/.exec(token);
  if (m) return { kind: 'channel', id: m[1]! };
  m = /^<!([a-z]+)(?:\|[^>]*)?>$/.exec(token);
  if (m) return { kind: 'special', name: m[1]! };
  return undefined;
}

/**
 * Free text (a close reason) as a person would read it: mentions become `@name`, links their
 * label, entities decoded, whitespace collapsed. The result is plain text: escape it when shown.
 */
export function plainFromSlack(text: string): string {
  return decodeEntities(
    text.replace(/<([^<>]*)>/g, (_all, inner: string) => {
      const [target = '', label] = inner.split('|', 2);
      if (target.startsWith('@')) return label ? `@${label.replace(/^@/, '')}` : target;
      if (target.startsWith('#')) return label ? `#${label}` : target;
      if (target.startsWith('!subteam^')) return label ?? '@group';
      if (target.startsWith('!')) return label ?? `@${target.slice(1).split('^')[0]}`;
      return label !== undefined && label !== '' ? label : target;
    }),
  )
    .replace(/\s+/g, ' ')
    .trim();
}
