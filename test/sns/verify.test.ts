import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AppError, isAppError } from '../../src/errors.js';
import { createCertificateFetcher } from '../../src/sns/certificates.js';
import { MAX_SNS_BODY_BYTES } from '../../src/sns/envelope.js';
import { MAX_FUTURE_SKEW_MS, MAX_MESSAGE_AGE_MS } from '../../src/sns/timestamp.js';
import { httpStatusFor, verifySnsMessage, type SnsVerifyOptions } from '../../src/sns/verify.js';
import { createSnsSigner } from '../helpers/sns-signer.js';
import { CERT_URL, FOREIGN_TOPIC, NOW, TOPIC, certFetch, recordingFetch, type RecordingFetch } from './support.js';

const signer = createSnsSigner({ now: () => NOW });
const finding = { detail: { id: 'f-1', type: 'Execution:Runtime/NewBinaryExecuted' } };

function setup(f: RecordingFetch = certFetch()): { opts: SnsVerifyOptions; fetch: RecordingFetch } {
  return {
    fetch: f,
    opts: { topicArns: [TOPIC], certificates: createCertificateFetcher({ fetch: f.fetch, now: () => NOW }), now: () => NOW },
  };
}

async function failure(body: string, opts: SnsVerifyOptions): Promise<{ code: string; status: number; err: AppError }> {
  try {
    await verifySnsMessage(body, opts);
  } catch (err) {
    assert.ok(isAppError(err), `not an AppError: ${String(err)}`);
    return { code: err.code, status: httpStatusFor(err), err };
  }
  assert.fail('expected verifySnsMessage to reject');
}

describe('verifySnsMessage', () => {
  for (const version of [1, 2] as const) {
    test(`accepts a signed v${version} Notification from an allowed topic`, async () => {
      const { opts } = setup();
      const env = signer.notification({ topicArn: TOPIC, message: finding, certUrl: CERT_URL, subject: 'GuardDuty', version });
      const out = await verifySnsMessage(JSON.stringify(env), { ...opts, requireSignatureV2: false });
      assert.equal(out.Type, 'Notification');
      assert.equal(out.MessageId, env.MessageId);
      assert.deepEqual(JSON.parse(out.Message), finding);
    });
  }

  test('accepts signed confirmations', async () => {
    const { opts } = setup();
    const sub = signer.subscriptionConfirmation({ topicArn: TOPIC, certUrl: CERT_URL });
    assert.equal((await verifySnsMessage(JSON.stringify(sub), opts)).Type, 'SubscriptionConfirmation');
    const unsub = signer.unsubscribeConfirmation({ topicArn: TOPIC, certUrl: CERT_URL });
    assert.equal((await verifySnsMessage(JSON.stringify(unsub), opts)).Type, 'UnsubscribeConfirmation');
  });

  test('the second message with the same certificate makes no fetch', async () => {
    const { opts, fetch } = setup();
    await verifySnsMessage(JSON.stringify(signer.notification({ topicArn: TOPIC, message: 'a', certUrl: CERT_URL })), opts);
    await verifySnsMessage(JSON.stringify(signer.notification({ topicArn: TOPIC, message: 'b', certUrl: CERT_URL })), opts);
    assert.equal(fetch.calls.length, 1);
  });

  test('a bad certificate is our outage (503), remembered for a minute, then fetched again', async () => {
    let pem = 'garbage';
    let now = NOW;
    const f = recordingFetch(() => new Response(pem));
    const opts = { topicArns: [TOPIC], certificates: createCertificateFetcher({ fetch: f.fetch, now: () => now }), now: () => now };
    const body = JSON.stringify(signer.notification({ topicArn: TOPIC, message: 'a', certUrl: CERT_URL }));
    assert.equal((await failure(body, opts)).status, 503);
    pem = signer.certificatePem;
    assert.equal((await failure(body, opts)).status, 503);
    assert.equal(f.calls.length, 1);
    now += 60_001;
    await verifySnsMessage(body, opts);
    assert.equal(f.calls.length, 2);
  });

  test('a genuinely signed message from a foreign topic is refused (403) before any fetch', async () => {
    const { opts, fetch } = setup();
    const body = JSON.stringify(signer.notification({ topicArn: FOREIGN_TOPIC, message: finding, certUrl: CERT_URL }));
    const f = await failure(body, opts);
    assert.deepEqual([f.code, f.status], ['sns_topic_not_allowed', 403]);
    assert.equal(fetch.calls.length, 0);
  });

  test('foreign subscription confirmations are refused too', async () => {
    const { opts, fetch } = setup();
    const body = JSON.stringify(signer.subscriptionConfirmation({ topicArn: FOREIGN_TOPIC, certUrl: CERT_URL }));
    assert.equal((await failure(body, opts)).code, 'sns_topic_not_allowed');
    assert.equal(fetch.calls.length, 0);
  });

  test('stale and future timestamps are refused (403) before any fetch', async () => {
    const { opts, fetch } = setup();
    for (const ts of [NOW - MAX_MESSAGE_AGE_MS - 1, NOW + MAX_FUTURE_SKEW_MS + 1]) {
      const body = JSON.stringify(signer.notification({ topicArn: TOPIC, message: 'x', certUrl: CERT_URL, timestamp: new Date(ts) }));
      const f = await failure(body, opts);
      assert.deepEqual([f.code, f.status], ['sns_timestamp_invalid', 403]);
    }
    const garbled = JSON.stringify(signer.notification({ topicArn: TOPIC, message: 'x', certUrl: CERT_URL, timestamp: 'soon' }));
    assert.equal((await failure(garbled, opts)).code, 'sns_timestamp_invalid');
    assert.equal(fetch.calls.length, 0);
  });

  test('a bad SigningCertURL is refused (403) without fetching it', async () => {
    const { opts, fetch } = setup();
    const body = JSON.stringify(
      signer.notification({ topicArn: TOPIC, message: 'x', certUrl: 'https://sns.s3-us-east-1.amazonaws.com/SimpleNotificationService-0123abcd.pem' }),
    );
    const f = await failure(body, opts);
    assert.deepEqual([f.code, f.status], ['sns_cert_url_invalid', 403]);
    assert.equal(fetch.calls.length, 0);
  });

  test('with certUrlPattern, the loopback URL is allowed and AWS URLs are not', async () => {
    const f = certFetch();
    const certificates = createCertificateFetcher({ fetch: f.fetch, now: () => NOW });
    const certUrlPattern = /^(?:http:\/\/127\.0\.0\.1:9\/SimpleNotificationService-[0-9a-f]+\.pem)$/;
    const opts: SnsVerifyOptions = { topicArns: [TOPIC], certUrlPattern, certificates, now: () => NOW };
    const local = 'http://127.0.0.1:9/SimpleNotificationService-abc.pem';
    await verifySnsMessage(JSON.stringify(signer.notification({ topicArn: TOPIC, message: 'x', certUrl: local })), opts);
    assert.equal(f.calls[0]?.url, local);
    const aws = JSON.stringify(signer.notification({ topicArn: TOPIC, message: 'x', certUrl: CERT_URL }));
    assert.equal((await failure(aws, opts)).code, 'sns_cert_url_invalid');
  });

  test('tampering and wrong versions are 403 sns_signature_invalid, and errors never carry the Signature', async () => {
    const { opts } = setup();
    const env = signer.notification({ topicArn: TOPIC, message: finding, certUrl: CERT_URL, subject: 'GuardDuty' });
    for (const forged of [
      { ...env, Message: JSON.stringify({ detail: { id: 'f-2' } }) },
      { ...env, Subject: 'Other' },
      { ...env, Timestamp: new Date(NOW - 1000).toISOString() },
      { ...env, SignatureVersion: '3' },
    ]) {
      const f = await failure(JSON.stringify(forged), opts);
      assert.deepEqual([f.code, f.status], ['sns_signature_invalid', 403]);
      assert.ok(!f.err.message.includes(env.Signature));
      assert.ok(!JSON.stringify(f.err.context).includes(env.Signature));
    }
  });

  test('certificate host unreachable is our outage: 503', async () => {
    const { opts } = setup(recordingFetch(() => Promise.reject(new TypeError('fetch failed'))));
    const f = await failure(JSON.stringify(signer.notification({ topicArn: TOPIC, message: 'x', certUrl: CERT_URL })), opts);
    assert.deepEqual([f.code, f.status], ['sns_cert_unavailable', 503]);
  });

  test('malformed bodies are 400, oversize 413, all before any fetch', async () => {
    const { opts, fetch } = setup();
    assert.equal((await failure('{not json', opts)).status, 400);
    const env = signer.notification({ topicArn: TOPIC, message: 'x', certUrl: CERT_URL });
    const { Signature: _s, ...unsigned } = env;
    assert.deepEqual(Object.values(await failure(JSON.stringify(unsigned), opts)).slice(0, 2), ['sns_body_invalid', 400]);
    assert.deepEqual(Object.values(await failure(JSON.stringify({ ...env, Type: 'Nope' }), opts)).slice(0, 2), ['sns_type_unsupported', 400]);
    assert.equal((await failure(' '.repeat(MAX_SNS_BODY_BYTES + 1), opts)).status, 413);
    assert.equal(fetch.calls.length, 0);
  });
});

describe('httpStatusFor', () => {
  test('maps every SNS error code; anything else is 500', () => {
    const expected: [ConstructorParameters<typeof AppError>[0], number][] = [
      ['sns_body_invalid', 400],
      ['sns_type_unsupported', 400],
      ['sns_body_too_large', 413],
      ['sns_topic_not_allowed', 403],
      ['sns_timestamp_invalid', 403],
      ['sns_cert_url_invalid', 403],
      ['sns_cert_invalid', 403],
      ['sns_signature_invalid', 403],
      ['sns_subscribe_url_invalid', 403],
      ['sns_cert_unavailable', 503],
      ['sns_confirm_failed', 503],
      ['store_unavailable', 500],
    ];
    for (const [c, status] of expected) assert.equal(httpStatusFor(new AppError(c, 'x')), status, c);
    assert.equal(httpStatusFor(new Error('boom')), 500);
    assert.equal(httpStatusFor('boom'), 500);
  });
});
