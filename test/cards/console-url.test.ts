import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { consoleUrl } from '../../src/cards/finding-card.js';

const id = 'c2c6f0b7e1a94d0f8a5f2e6d4b3a1c90';

describe('consoleUrl', () => {
  test('commercial partition: regional console host', () => {
    assert.equal(
      consoleUrl({ id, region: 'eu-west-1', partition: 'aws' }),
      `https://eu-west-1.console.aws.amazon.com/guardduty/home?region=eu-west-1#/findings?macros=current&fId=${id}`,
    );
  });

  test('China: the amazonaws.cn console', () => {
    assert.equal(
      consoleUrl({ id, region: 'cn-northwest-1', partition: 'aws-cn' }),
      `https://console.amazonaws.cn/guardduty/home?region=cn-northwest-1#/findings?macros=current&fId=${id}`,
    );
  });

  test('GovCloud: the amazonaws-us-gov.com console', () => {
    assert.equal(
      consoleUrl({ id, region: 'us-gov-west-1', partition: 'aws-us-gov' }),
      `https://console.amazonaws-us-gov.com/guardduty/home?region=us-gov-west-1#/findings?macros=current&fId=${id}`,
    );
  });

  test('an absurdly long id falls back to the findings list (button url ≤ 3000)', () => {
    const url = consoleUrl({ id: 'a'.repeat(5000), region: 'us-east-1', partition: 'aws' });
    assert.equal(url, 'https://us-east-1.console.aws.amazon.com/guardduty/home?region=us-east-1#/findings?macros=current');
  });
});
