import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isAccountId, isRegion, REGION_PATTERN } from '../../src/aws/ids.js';

test("Region names: every partition's shape, nothing that could smuggle a host name", () => {
  for (const r of ['us-east-1', 'eu-central-2', 'us-gov-west-1', 'cn-northwest-1', 'ap-southeast-10', 'il-central-1']) assert.ok(isRegion(r), r);
  for (const r of ['', 'us-east', 'US-EAST-1', 'us-east-1a', 'us-east-123', 'evil.example/#', 'us-east-1.evil.example', 'x-1']) assert.ok(!isRegion(r), r);
  assert.ok(new RegExp(`^sqs\\.(${REGION_PATTERN})\\.amazonaws\\.com$`).test('sqs.eu-west-3.amazonaws.com'));
});

test('account ids: exactly 12 digits', () => {
  assert.ok(isAccountId('123456789012'));
  for (const a of ['12345678901', '1234567890123', '12345678901a', ' 123456789012']) assert.ok(!isAccountId(a), a);
});
