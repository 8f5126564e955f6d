import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../../src/config.js';
import { isAppError } from '../../src/errors.js';

const good = {
  SLACK_BOT_TOKEN: 'xoxb-1-2-3',
  SLACK_SIGNING_SECRET: 'abcdefghijkl',
  SLACK_CHANNEL_ID: 'C0123456789',
  SNS_TOPIC_ARNS: 'arn:aws:sns:us-east-1:123456789012:gd',
};

test('SNS_REQUIRE_SIGNATURE_V2 defaults to true; false accepts SignatureVersion 1', () => {
  assert.equal((loadConfig(good).sns as { requireSignatureV2?: boolean }).requireSignatureV2, true);
  assert.equal((loadConfig({ ...good, SNS_REQUIRE_SIGNATURE_V2: 'false' }).sns as { requireSignatureV2?: boolean }).requireSignatureV2, false);
  assert.equal((loadConfig({ ...good, SNS_REQUIRE_SIGNATURE_V2: 'true' }).sns as { requireSignatureV2?: boolean }).requireSignatureV2, true);
});

test('SNS_REQUIRE_SIGNATURE_V2 other than true/false fails at start', () => {
  assert.throws(
    () => loadConfig({ ...good, SNS_REQUIRE_SIGNATURE_V2: 'yes' }),
    (e: unknown) => isAppError(e, 'config_invalid') && /SNS_REQUIRE_SIGNATURE_V2/.test(e.message),
  );
});
