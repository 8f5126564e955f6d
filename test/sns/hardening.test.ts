/**
 * Issue 9 items 8–11: what is refused before any certificate fetch, what a broken certificate
 * host is answered with, and how many outbound fetches a flood of forged messages can cause.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { isAppError } from '../../src/errors.js';
import * as certificates from '../../src/sns/certificates.js';
import { createCertificateFetcher } from '../../src/sns/certificates.js';
import { httpStatusFor, verifySnsMessage, type SnsVerifyOptions } from '../../src/sns/verify.js';
import { createSnsSigner } from '../helpers/sns-signer.js';
import { CERT_URL, NOW, TOPIC, certFetch, recordingFetch, type RecordingFetch } from './support.js';

const signer = createSnsSigner({ now: () => NOW });
const certUrl = (region = 'us-east-1', hex = '0123abcd') => `https://sns.${region}.amazonaws.com/SimpleNotificationService-${hex}.pem`;

function options(f: RecordingFetch, extra: Partial<SnsVerifyOptions> = {}, now = () => NOW): SnsVerifyOptions {
  return { topicArns: [TOPIC], certificates: createCertificateFetcher({ fetch: f.fetch, now }), now, ...extra };
}

async function outcome(p: Promise<unknown>): Promise<{ code: string; status: number; message: string } | 'accepted'> {
  try {
    await p;
    return 'accepted';
  } catch (err) {
    assert.ok(isAppError(err), `not an AppError: ${String(err)}`);
    return { code: err.code, status: httpStatusFor(err), message: err.message };
  }
}

describe('item 8: certificate Region must be the topic Region', () => {
  test('a eu-west-1 certificate for a us-east-1 topic is refused (403) before fetching', async () => {
    const f = certFetch();
    const env = signer.notification({ topicArn: TOPIC, message: 'x', certUrl: certUrl('eu-west-1') });
    const r = await outcome(verifySnsMessage(JSON.stringify(env), options(f)));
    assert.notEqual(r, 'accepted');
    assert.equal(r !== 'accepted' && r.status, 403);
    assert.equal(r !== 'accepted' && r.code, 'sns_cert_url_invalid');
    assert.equal(f.calls.length, 0, 'nothing fetched');
  });

  test('the same message with the topic Region certificate is accepted', async () => {
    const env = signer.notification({ topicArn: TOPIC, message: 'x', certUrl: certUrl('us-east-1') });
    assert.equal(await outcome(verifySnsMessage(JSON.stringify(env), options(certFetch()))), 'accepted');
  });

  test('China: a cn-north-1 topic needs sns.cn-north-1.amazonaws.com.cn', async () => {
    const topic = 'arn:aws-cn:sns:cn-north-1:123456789012:findings';
    const f = certFetch();
    const ok = signer.notification({ topicArn: topic, message: 'x', certUrl: 'https://sns.cn-north-1.amazonaws.com.cn/SimpleNotificationService-ab.pem' });
    assert.equal(await outcome(verifySnsMessage(JSON.stringify(ok), options(f, { topicArns: [topic] }))), 'accepted');
    const other = signer.notification({
      topicArn: topic,
      message: 'x',
      certUrl: 'https://sns.cn-northwest-1.amazonaws.com.cn/SimpleNotificationService-ab.pem',
    });
    const r = await outcome(verifySnsMessage(JSON.stringify(other), options(f, { topicArns: [topic] })));
    assert.equal(r !== 'accepted' && r.status, 403);
    assert.equal(f.calls.length, 1);
  });
});

describe('item 9: a broken certificate host is our outage (503), not a forgery (403)', () => {
  const answers: [string, () => Response | Promise<Response>][] = [
    ['404', () => new Response('Not Found', { status: 404 })],
    ['403', () => new Response('<Error>AccessDenied</Error>', { status: 403 })],
    ['an HTML page', () => new Response('<html><body>Captive portal</body></html>', { status: 200, headers: { 'content-type': 'text/html' } })],
    ['garbage', () => new Response(randomBytes(300))],
    ['an unreachable host', () => Promise.reject(new TypeError('fetch failed'))],
  ];
  for (const [name, respond] of answers) {
    test(`${name} → 503 sns_cert_unavailable (SNS retries)`, async () => {
      const env = signer.notification({ topicArn: TOPIC, message: 'x', certUrl: CERT_URL });
      const r = await outcome(verifySnsMessage(JSON.stringify(env), options(recordingFetch(respond))));
      assert.deepEqual(r !== 'accepted' && [r.status, r.code], [503, 'sns_cert_unavailable']);
    });
  }

  test('a hanging certificate host is abandoned after 2.5 s (CERT_FETCH_TIMEOUT_MS), answered 503', async () => {
    assert.equal(certificates.CERT_FETCH_TIMEOUT_MS, 2_500);
    const asked: number[] = [];
    const controller = new AbortController();
    // A host that never answers: the fetch only ends when its signal aborts.
    const f: RecordingFetch = { calls: [], fetch: async () => new Response('') };
    f.fetch = (input, init) =>
      new Promise<Response>((_resolve, reject) => {
        f.calls.push({ url: String(input), init });
        init?.signal?.addEventListener('abort', () => reject(init.signal?.reason ?? new Error('aborted')));
      });
    const certs = createCertificateFetcher({
      fetch: f.fetch,
      now: () => NOW,
      timeoutSignal: (ms: number) => {
        asked.push(ms);
        return controller.signal;
      },
    } as Parameters<typeof createCertificateFetcher>[0]);
    const pending = outcome(certs.get(new URL(CERT_URL)));
    await new Promise((r) => setImmediate(r));
    controller.abort(new DOMException('signal timed out', 'TimeoutError'));
    const r = await pending;
    assert.deepEqual(asked, [2_500]);
    assert.deepEqual(r !== 'accepted' && [r.status, r.code], [503, 'sns_cert_unavailable']);
  });
});

describe('item 10: forged messages cannot make us fetch once each', () => {
  const forgedShapes: [string, (e: Record<string, string>) => Record<string, string>][] = [
    ['bad base64', (e) => ({ ...e, Signature: 'not base64 at all!' })],
    ['a signature too short for RSA-2048', (e) => ({ ...e, Signature: randomBytes(64).toString('base64') })],
    ['a signature of no RSA key size', (e) => ({ ...e, Signature: randomBytes(300).toString('base64') })],
    ['an unknown SignatureVersion', (e) => ({ ...e, SignatureVersion: '3' })],
  ];
  test('40 unsigned-looking messages naming 40 random valid certificate URLs → no fetch, 403', async () => {
    const f = certFetch();
    const opts = options(f);
    for (let i = 0; i < 40; i++) {
      const [, mutate] = forgedShapes[i % forgedShapes.length]!;
      const env = signer.notification({ topicArn: TOPIC, message: `m${i}`, certUrl: certUrl('us-east-1', randomBytes(8).toString('hex')) });
      const r = await outcome(verifySnsMessage(JSON.stringify(mutate(env as unknown as Record<string, string>)), opts));
      assert.deepEqual(r !== 'accepted' && [r.status, r.code], [403, 'sns_signature_invalid'], `message ${i}`);
    }
    assert.equal(f.calls.length, 0);
  });

  test('40 well-shaped forgeries naming one certificate that does not exist → one fetch (failure cached 60 s)', async () => {
    assert.equal(certificates.CERT_FAILURE_CACHE_MS, 60_000);
    let now = NOW;
    const f = recordingFetch(() => new Response('Not Found', { status: 404 }));
    const opts = options(f, {}, () => now);
    const missing = certUrl('us-east-1', 'deadbeef');
    for (let i = 0; i < 40; i++) {
      const env = signer.notification({ topicArn: TOPIC, message: `m${i}`, certUrl: missing });
      const r = await outcome(verifySnsMessage(JSON.stringify(env), opts));
      assert.equal(r !== 'accepted' && r.status, 503);
    }
    assert.equal(f.calls.length, 1);
    now += 60_001;
    await outcome(
      verifySnsMessage(JSON.stringify(signer.notification({ topicArn: TOPIC, message: 'later', certUrl: missing, timestamp: new Date(now) })), opts),
    );
    assert.equal(f.calls.length, 2, 'tried again once the failure expired');
  });

  test('40 concurrent well-shaped forgeries naming 40 random URLs on a hanging host → at most 2 fetches', async () => {
    assert.equal(certificates.MAX_CERT_FETCHES_PER_HOST, 2);
    const release: (() => void)[] = [];
    const f: RecordingFetch = { calls: [], fetch: async () => new Response('x') };
    f.fetch = (input, init) => {
      f.calls.push({ url: String(input), init });
      return new Promise<Response>((resolve) => release.push(() => resolve(new Response('Not Found', { status: 404 }))));
    };
    const opts = options(f);
    const all = Array.from({ length: 40 }, (_, i) =>
      outcome(
        verifySnsMessage(
          JSON.stringify(signer.notification({ topicArn: TOPIC, message: `m${i}`, certUrl: certUrl('us-east-1', randomBytes(8).toString('hex')) })),
          opts,
        ),
      ),
    );
    await new Promise((r) => setImmediate(r));
    assert.ok(f.calls.length <= 2, `${f.calls.length} fetches in flight`);
    for (const r of release) r();
    const results = await Promise.all(all);
    assert.ok(results.every((r) => r !== 'accepted' && r.status === 503));
    assert.ok(f.calls.length <= 2, `${f.calls.length} fetches in total`);
  });
});

describe('item 11: SignatureVersion 1 (SHA1) is refused unless allowed', () => {
  test('by default a genuine v1 message is refused (403) before fetching', async () => {
    const f = certFetch();
    const env = signer.notification({ topicArn: TOPIC, message: 'x', certUrl: CERT_URL, version: 1 });
    const r = await outcome(verifySnsMessage(JSON.stringify(env), options(f)));
    assert.deepEqual(r !== 'accepted' && [r.status, r.code], [403, 'sns_signature_invalid']);
    assert.match(r !== 'accepted' ? r.message : '', /SNS_REQUIRE_SIGNATURE_V2/);
    assert.equal(f.calls.length, 0);
  });

  test('requireSignatureV2: false accepts it; v2 is accepted either way', async () => {
    const v1 = signer.notification({ topicArn: TOPIC, message: 'x', certUrl: CERT_URL, version: 1 });
    assert.equal(
      await outcome(verifySnsMessage(JSON.stringify(v1), options(certFetch(), { requireSignatureV2: false } as Partial<SnsVerifyOptions>))),
      'accepted',
    );
    const v2 = signer.notification({ topicArn: TOPIC, message: 'x', certUrl: CERT_URL, version: 2 });
    assert.equal(
      await outcome(verifySnsMessage(JSON.stringify(v2), options(certFetch(), { requireSignatureV2: true } as Partial<SnsVerifyOptions>))),
      'accepted',
    );
  });
});
