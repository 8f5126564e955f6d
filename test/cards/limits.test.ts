import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  andMore,
  blocksTextLength,
  joinWithin,
  listWithMore,
  MAX_ACTION_ID,
  MAX_ACTIONS_ELEMENTS,
  MAX_BLOCK_ID,
  MAX_BLOCKS_PER_MESSAGE,
  MAX_BUTTON_TEXT,
  MAX_BUTTON_URL,
  MAX_BUTTON_VALUE,
  MAX_CONTEXT_ELEMENTS,
  MAX_FIELD_TEXT,
  MAX_HEADER_TEXT,
  MAX_MESSAGE_TEXT,
  MAX_SECTION_FIELDS,
  MAX_SECTION_TEXT,
  MAX_TEXT_OBJECT,
  MESSAGE_BLOCKS_TEXT_BUDGET,
  truncate,
} from '../../src/cards/limits.js';

describe('Block Kit limits', () => {
  test('constants are the documented values', () => {
    assert.equal(MAX_BLOCKS_PER_MESSAGE, 50);
    assert.equal(MAX_TEXT_OBJECT, 3000);
    assert.equal(MAX_SECTION_TEXT, 3000);
    assert.equal(MAX_SECTION_FIELDS, 10);
    assert.equal(MAX_FIELD_TEXT, 2000);
    assert.equal(MAX_HEADER_TEXT, 150);
    assert.equal(MAX_CONTEXT_ELEMENTS, 10);
    assert.equal(MAX_ACTIONS_ELEMENTS, 25);
    assert.equal(MAX_BUTTON_TEXT, 75);
    assert.equal(MAX_BUTTON_VALUE, 2000);
    assert.equal(MAX_BUTTON_URL, 3000);
    assert.equal(MAX_ACTION_ID, 255);
    assert.equal(MAX_BLOCK_ID, 255);
    assert.equal(MAX_MESSAGE_TEXT, 4000);
    assert.ok(MESSAGE_BLOCKS_TEXT_BUDGET < 12_000, 'below the ~12k cumulative limit Slack enforces');
  });
});

describe('truncate', () => {
  test('cuts with an ellipsis to exactly n', () => {
    assert.equal(truncate('abcdef', 6), 'abcdef');
    assert.equal(truncate('abcdefg', 6), 'abcde…');
    assert.equal(truncate('abc', 0), '');
  });

  test('does not leave half an entity or half a surrogate pair', () => {
    assert.equal(truncate('ab&amp;cd', 5), 'ab…');
    assert.equal(truncate('ab&lt;cdef', 7), 'ab&lt;…');
    assert.equal(truncate('a🚨b', 3), 'a…');
  });
});

describe('lists with "and N more"', () => {
  test('listWithMore shows max items then the count of the rest', () => {
    assert.deepEqual(
      listWithMore([1, 2, 3, 4, 5], 3, (n) => `#${n}`),
      ['#1', '#2', '#3', andMore(2)],
    );
    assert.deepEqual(
      listWithMore([1, 2], 3, (n) => `#${n}`),
      ['#1', '#2'],
    );
    assert.equal(andMore(7), '…and 7 more');
  });

  test('joinWithin fits any list in the budget and counts what it left out', () => {
    for (const count of [0, 1, 5, 30, 300]) {
      for (const maxChars of [40, 200, 1500]) {
        const items = Array.from({ length: count }, (_, i) => `item-${i} ${'x'.repeat(i % 40)}`);
        const out = joinWithin(items, (s) => s, { maxChars });
        assert.ok(out.length <= maxChars, `${count} items in ${maxChars}: ${out.length}`);
        const lines = out === '' ? [] : out.split('\n');
        const more = /^…and (\d+) more$/.exec(lines.at(-1) ?? '');
        const shown = more ? lines.length - 1 : lines.length;
        assert.equal(shown + (more ? Number(more[1]) : 0), count, `${count} items in ${maxChars}`);
      }
    }
  });

  test('joinWithin honours maxItems even when more would fit', () => {
    assert.equal(
      joinWithin(['a', 'b', 'c', 'd'], (s) => s, { maxChars: 1000, maxItems: 2, sep: ', ' }),
      'a, b, …and 2 more',
    );
  });
});

describe('blocksTextLength', () => {
  test('sums every text object', () => {
    const n = blocksTextLength([
      { type: 'header', text: { type: 'plain_text', text: 'abc' } },
      { type: 'section', text: { type: 'mrkdwn', text: 'de' }, fields: [{ type: 'mrkdwn', text: 'f' }] },
      { type: 'divider' },
    ]);
    assert.equal(n, 6);
  });
});
