import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isAppError } from '../../src/errors.js';
import { MAX_FUTURE_SKEW_MS, MAX_MESSAGE_AGE_MS, checkTimestamp } from '../../src/sns/timestamp.js';

const NOW = Date.parse('2026-03-01T12:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

function code(ts: string): string | undefined {
  try {
    checkTimestamp(ts, NOW);
  } catch (err) {
    return isAppError(err) ? err.code : 'other';
  }
  return undefined;
}

describe('checkTimestamp', () => {
  test('window: SNS retries can span 1 h, plus 5 min of skew; at most 5 min in the future', () => {
    assert.equal(MAX_MESSAGE_AGE_MS, 65 * 60 * 1000);
    assert.equal(MAX_FUTURE_SKEW_MS, 5 * 60 * 1000);
  });

  test('accepts fresh messages and the exact edges of the window', () => {
    assert.equal(checkTimestamp(iso(NOW), NOW), NOW);
    assert.equal(code(iso(NOW - MAX_MESSAGE_AGE_MS)), undefined);
    assert.equal(code(iso(NOW + MAX_FUTURE_SKEW_MS)), undefined);
    assert.equal(code('2026-03-01T11:30:00Z'), undefined);
    assert.equal(code('2026-03-01T12:30:00.000+01:00'), undefined);
  });

  test('rejects stale messages (one ms past the window)', () => {
    assert.equal(code(iso(NOW - MAX_MESSAGE_AGE_MS - 1)), 'sns_timestamp_invalid');
    assert.equal(code('2012-04-26T20:45:04.751Z'), 'sns_timestamp_invalid');
  });

  test('rejects messages dated in the future', () => {
    assert.equal(code(iso(NOW + MAX_FUTURE_SKEW_MS + 1)), 'sns_timestamp_invalid');
    assert.equal(code('2100-01-01T00:00:00.000Z'), 'sns_timestamp_invalid');
  });

  test('rejects unparseable or non-ISO timestamps', () => {
    for (const ts of [
      '',
      'yesterday',
      '1772366400000',
      'Sun, 01 Mar 2026 12:00:00 GMT',
      '2026-03-01',
      '2026-03-01T12:00:00',
      '2026-13-01T12:00:00Z',
      ' 2026-03-01T12:00:00Z',
    ]) {
      assert.equal(code(ts), 'sns_timestamp_invalid', ts);
    }
  });
});
