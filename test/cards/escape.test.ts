import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { code, codeBlock, escapeMrkdwn, escapeTruncate, flatten, safeText } from '../../src/cards/escape.js';

describe('escapeMrkdwn (Slack: escape & < > and nothing else)', () => {
  test('mentions, channel links, dates and links cannot survive', () => {
    assert.equal(escapeMrkdwn('<!channel>'), '&lt;!channel&gt;');
    assert.equal(escapeMrkdwn('<@U123>'), '&lt;@U123&gt;');
    assert.equal(escapeMrkdwn('<#C0123|general>'), '&lt;#C0123|general&gt;');
    assert.equal(escapeMrkdwn('<https://evil|click>'), '&lt;https://evil|click&gt;');
    assert.equal(escapeMrkdwn('<!date^1700000000^{date}|x>'), '&lt;!date^1700000000^{date}|x&gt;');
  });

  test('& is escaped first-class, so an entity in the data shows literally', () => {
    assert.equal(escapeMrkdwn('a & b'), 'a &amp; b');
    assert.equal(escapeMrkdwn('&lt;!channel&gt;'), '&amp;lt;!channel&amp;gt;');
  });

  test('other characters, including quotes and formatting, are untouched', () => {
    assert.equal(escapeMrkdwn(`"quotes" 'single' *bold* _it_ ~s~ \`c\` é 🚨`), `"quotes" 'single' *bold* _it_ ~s~ \`c\` é 🚨`);
  });
});

describe('escapeTruncate', () => {
  test('the escaped result fits and never ends in a broken entity', () => {
    for (let max = 1; max <= 40; max++) {
      const out = escapeTruncate('&<>&<>&<>&<>&<>&<>&<>', max);
      assert.ok(out.length <= max, `max ${max}: ${out}`);
      assert.doesNotMatch(out, /&[a-z]*…$/, `max ${max}: ${out}`);
      assert.doesNotMatch(out.replace(/&(amp|lt|gt);/g, ''), /[&<>]/, `max ${max}: ${out}`);
    }
  });

  test('never halves a surrogate pair', () => {
    const out = escapeTruncate('🚨'.repeat(10), 6);
    assert.equal(out, '🚨🚨…');
  });

  test('short input is returned escaped and uncut', () => {
    assert.equal(escapeTruncate('a<b', 10), 'a&lt;b');
    assert.equal(escapeTruncate('abc', 0), '');
  });
});

describe('one-line values', () => {
  test('line breaks and control characters become spaces; bidi overrides become U+FFFD', () => {
    assert.equal(flatten('a\nb\r\nc\td\u0000e\u2028f'), 'a b  c d e f');
    assert.equal(flatten('invoice\u202Efdp.exe'), 'invoice\ufffdfdp.exe');
    assert.equal(safeText('line1\n*Status:* <@U1>', 100), 'line1 *Status:* &lt;@U1&gt;');
  });
});

describe('code spans', () => {
  test('a backtick cannot close the span early', () => {
    assert.equal(code('a`b', 20), '`aˋb`');
    assert.equal(code('```x```', 20), '`ˋˋˋxˋˋˋ`');
  });

  test('escaped, one line, within max including the backticks', () => {
    assert.equal(code('<!here>\nx', 100), '`&lt;!here&gt; x`');
    const long = code('&'.repeat(100), 30);
    assert.ok(long.length <= 30);
    assert.match(long, /^`(&amp;)+…`$/);
  });

  test('empty values render as a dash (Slack rejects empty text)', () => {
    assert.equal(code('', 10), '—');
    assert.equal(code('  ', 10), '—');
  });

  test('code blocks keep line breaks, replace backticks, fit max', () => {
    assert.equal(codeBlock('a\nb ``` c', 100), '```a\nb ˋˋˋ c```');
    const long = codeBlock('x'.repeat(500), 100);
    assert.ok(long.length <= 100);
    assert.ok(long.endsWith('…```'));
  });
});
