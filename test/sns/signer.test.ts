// The test signer is shared with the end-to-end tests and the benchmark: check it end to end
// with the real global fetch, the way they use it.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config.js';
import { confirmSubscription } from '../../src/sns/confirm.js';
import { createCertificateFetcher } from '../../src/sns/certificates.js';
import { verifySnsMessage } from '../../src/sns/verify.js';
import { createSnsSigner } from '../helpers/sns-signer.js';
import { TOPIC } from './support.js';

describe('createSnsSigner + serveCertificate', () => {
  test('a signed message verifies through SNS_CERT_URL_PATTERN and the loopback certificate', async () => {
    const signer = createSnsSigner();
    const sns = await signer.serveCertificate();
    try {
      assert.match(sns.certUrl, /^http:\/\/127\.0\.0\.1:\d+\/SimpleNotificationService-[0-9a-f]{32}\.pem$/);
      const config = loadConfig({
        SLACK_BOT_TOKEN: 'xoxb-test',
        SLACK_SIGNING_SECRET: 'test-signing-secret',
        SLACK_CHANNEL_ID: 'C0123456789',
        SNS_TOPIC_ARNS: TOPIC,
        SNS_CERT_URL_PATTERN: sns.pattern,
      });
      assert.ok(config.sns.certUrlPattern?.test(sns.certUrl));
      assert.equal(config.sns.certUrlPattern?.source, sns.certUrlPattern.source);

      const opts = { ...config.sns, requireSignatureV2: false, certificates: createCertificateFetcher(), now: Date.now };
      for (const version of [1, 2] as const) {
        const env = signer.notification({ topicArn: TOPIC, message: { detail: { id: 'x' } }, certUrl: sns.certUrl, version });
        assert.equal((await verifySnsMessage(JSON.stringify(env), opts)).MessageId, env.MessageId);
      }
      assert.equal(sns.certificateRequests, 1);

      const conf = signer.subscriptionConfirmation({ topicArn: TOPIC, certUrl: sns.certUrl });
      const verified = await verifySnsMessage(JSON.stringify(conf), opts);
      await confirmSubscription(verified, config.sns);
      assert.equal(sns.confirmations.length, 1);
      assert.equal(new URL(sns.confirmations[0] ?? '').searchParams.get('TopicArn'), TOPIC);
    } finally {
      await sns.close();
    }
  });

  test('sign() adds SignatureVersion and Signature and leaves its input alone', () => {
    const signer = createSnsSigner({ now: () => Date.parse('2026-01-01T00:00:00Z') });
    const env = signer.notification({ topicArn: TOPIC, message: 'm', certUrl: 'https://x/y.pem', messageId: 'id-1' });
    assert.equal(env.Timestamp, '2026-01-01T00:00:00.000Z');
    assert.equal(env.SignatureVersion, '2');
    const { Signature: _s, SignatureVersion: _v, ...unsigned } = env;
    const v1 = signer.sign(unsigned, { version: 1 });
    assert.equal(v1.SignatureVersion, '1');
    assert.notEqual(v1.Signature, env.Signature);
    assert.ok(!('Signature' in unsigned));
  });
});
