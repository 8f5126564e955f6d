import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isAppError } from '../../src/errors.js';
import { CONFIRM_TIMEOUT_MS, confirmSubscription, validateSubscribeUrl } from '../../src/sns/confirm.js';
import { httpStatusFor } from '../../src/sns/http-status.js';
import { createSnsSigner, type SnsCertificateServer } from '../helpers/sns-signer.js';
import { CERT_URL, FOREIGN_TOPIC, NOW, TOPIC, listen, recordingFetch } from './support.js';

const signer = createSnsSigner({ now: () => NOW });

async function code(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (err) {
    return isAppError(err) ? err.code : `not-an-app-error: ${String(err)}`;
  }
  return undefined;
}

describe('confirmSubscription against the loopback signer (certUrlPattern mode)', () => {
  let sns: SnsCertificateServer;
  before(async () => {
    sns = await signer.serveCertificate();
  });
  after(async () => {
    await sns.close();
  });
  const opts = () => ({ topicArns: [TOPIC], certUrlPattern: sns.certUrlPattern });

  test('GETs the SubscribeURL of an allowed topic and returns the subscription ARN', async () => {
    const before = sns.confirmations.length;
    const env = signer.subscriptionConfirmation({ topicArn: TOPIC, certUrl: sns.certUrl, subscribeUrl: sns.subscribeUrl('tok-1', TOPIC) });
    const out = await confirmSubscription(env, opts());
    assert.equal(sns.confirmations.length, before + 1);
    assert.equal(new URL(sns.confirmations.at(-1) ?? '').searchParams.get('Token'), 'tok-1');
    assert.match(out.subscriptionArn ?? '', new RegExp(`^${TOPIC}:`));
  });

  test('refuses a foreign topic without any request', async () => {
    const before = sns.confirmations.length;
    const env = signer.subscriptionConfirmation({ topicArn: FOREIGN_TOPIC, certUrl: sns.certUrl, subscribeUrl: sns.subscribeUrl('t') });
    assert.equal(await code(confirmSubscription(env, opts())), 'sns_topic_not_allowed');
    assert.equal(sns.confirmations.length, before);
  });

  test('never acts on an UnsubscribeConfirmation (no re-subscribe)', async () => {
    const before = sns.confirmations.length;
    const env = signer.unsubscribeConfirmation({ topicArn: TOPIC, certUrl: sns.certUrl, subscribeUrl: sns.subscribeUrl('t') });
    assert.equal(await code(confirmSubscription(env, opts())), 'sns_type_unsupported');
    assert.equal(sns.confirmations.length, before);
  });

  test('refuses a SubscribeURL on another host or port than the certificate', async () => {
    const other = await listen((_req, res) => res.writeHead(200).end());
    try {
      for (const subscribeUrl of [
        `${other.origin}/?Action=ConfirmSubscription&Token=t`,
        sns.subscribeUrl('t').replace('127.0.0.1', 'localhost'),
        sns.subscribeUrl('t').replace('http:', 'https:'),
      ]) {
        const env = signer.subscriptionConfirmation({ topicArn: TOPIC, certUrl: sns.certUrl, subscribeUrl });
        const err = await confirmSubscription(env, opts()).catch((e: unknown) => e);
        assert.ok(isAppError(err, 'sns_subscribe_url_invalid'), subscribeUrl);
        assert.equal(httpStatusFor(err), 403);
      }
      assert.deepEqual(other.requests, []);
    } finally {
      await other.close();
    }
  });

  test('refuses a SubscribeURL with userinfo', async () => {
    const subscribeUrl = sns.subscribeUrl('t').replace('http://', 'http://user:pw@');
    const env = signer.subscriptionConfirmation({ topicArn: TOPIC, certUrl: sns.certUrl, subscribeUrl });
    assert.equal(await code(confirmSubscription(env, opts())), 'sns_subscribe_url_invalid');
  });

  test('refuses when the SigningCertURL itself is not acceptable', async () => {
    const env = signer.subscriptionConfirmation({ topicArn: TOPIC, certUrl: 'http://127.0.0.1:1/other.pem', subscribeUrl: sns.subscribeUrl('t') });
    assert.equal(await code(confirmSubscription(env, opts())), 'sns_cert_url_invalid');
  });
});

describe('confirmSubscription with the strict AWS rule', () => {
  const ok = () =>
    recordingFetch(
      () =>
        new Response(
          '<ConfirmSubscriptionResponse><ConfirmSubscriptionResult><SubscriptionArn>arn:aws:sns:us-east-1:123456789012:guardduty-findings:abc</SubscriptionArn></ConfirmSubscriptionResult></ConfirmSubscriptionResponse>',
        ),
    );

  test(`GETs an https SNS SubscribeURL with redirect "error" and a ${CONFIRM_TIMEOUT_MS} ms timeout`, async () => {
    assert.equal(CONFIRM_TIMEOUT_MS, 5_000);
    const f = ok();
    const env = signer.subscriptionConfirmation({ topicArn: TOPIC, certUrl: CERT_URL, token: 'abc' });
    const out = await confirmSubscription(env, { topicArns: [TOPIC], fetch: f.fetch });
    assert.equal(out.subscriptionArn, 'arn:aws:sns:us-east-1:123456789012:guardduty-findings:abc');
    assert.equal(f.calls.length, 1);
    assert.equal(f.calls[0]?.url, env.SubscribeURL);
    assert.ok(f.calls[0]?.url.startsWith('https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription'));
    assert.equal(f.calls[0]?.init?.redirect, 'error');
    assert.equal(f.calls[0]?.init?.method, 'GET');
    assert.ok(f.calls[0]?.init?.signal instanceof AbortSignal);
  });

  test('refuses SubscribeURLs off the validated SNS host', async () => {
    for (const subscribeUrl of [
      'http://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&Token=t',
      'https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription&Token=t',
      'https://sns.us-east-1.amazonaws.com:8443/?Action=ConfirmSubscription&Token=t',
      'https://sns.us-east-1.amazonaws.com.evil.com/?Action=ConfirmSubscription&Token=t',
      'https://user@sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&Token=t',
      'https://sns.us-east-1.amazonaws.com@evil.com/?Action=ConfirmSubscription&Token=t',
      'https://evil.com/?https://sns.us-east-1.amazonaws.com/',
      'https://169.254.169.254/latest/meta-data/',
      'not a url',
    ]) {
      const f = ok();
      const env = signer.subscriptionConfirmation({ topicArn: TOPIC, certUrl: CERT_URL, subscribeUrl });
      assert.equal(await code(confirmSubscription(env, { topicArns: [TOPIC], fetch: f.fetch })), 'sns_subscribe_url_invalid', subscribeUrl);
      assert.equal(f.calls.length, 0);
    }
  });

  test('validateSubscribeUrl re-checks the SNS host even if handed a non-SNS cert URL', () => {
    assert.throws(
      () => validateSubscribeUrl('https://evil.com/?x', new URL('https://evil.com/SimpleNotificationService-a.pem'), false),
      (e: unknown) => isAppError(e, 'sns_subscribe_url_invalid'),
    );
  });

  test('the error does not echo the token-bearing URL', async () => {
    const env = signer.subscriptionConfirmation({
      topicArn: TOPIC,
      certUrl: CERT_URL,
      subscribeUrl: 'https://evil.com/?Action=ConfirmSubscription&Token=secret-token',
    });
    const err = await confirmSubscription(env, { topicArns: [TOPIC], fetch: ok().fetch }).catch((e: unknown) => e);
    assert.ok(isAppError(err));
    assert.doesNotMatch(err.message + JSON.stringify(err.context), /secret-token/);
  });

  test('a failed or refused GET is sns_confirm_failed (503, SNS may redeliver)', async () => {
    const env = signer.subscriptionConfirmation({ topicArn: TOPIC, certUrl: CERT_URL });
    const down = recordingFetch(() => Promise.reject(new DOMException('timed out', 'TimeoutError')));
    const err = await confirmSubscription(env, { topicArns: [TOPIC], fetch: down.fetch }).catch((e: unknown) => e);
    assert.ok(isAppError(err, 'sns_confirm_failed'));
    assert.equal(httpStatusFor(err), 503);
    const refused = recordingFetch(() => new Response('<Error/>', { status: 403 }));
    assert.equal(await code(confirmSubscription(env, { topicArns: [TOPIC], fetch: refused.fetch })), 'sns_confirm_failed');
  });

  test('an oversize confirmation response still counts by status, without an ARN', async () => {
    const env = signer.subscriptionConfirmation({ topicArn: TOPIC, certUrl: CERT_URL });
    const big = recordingFetch(() => new Response('x'.repeat(200 * 1024)));
    assert.deepEqual(await confirmSubscription(env, { topicArns: [TOPIC], fetch: big.fetch }), { via: 'get' });
  });
});
