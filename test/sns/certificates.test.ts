import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isAppError } from '../../src/errors.js';
import { CERT_CACHE_MAX_ENTRIES, CERT_FAILURE_CACHE_MS, CERT_FETCH_TIMEOUT_MS, MAX_CERT_BYTES, createCertificateFetcher } from '../../src/sns/certificates.js';
import { TEST_SIGNING_CERT_PEM } from '../helpers/sns-signer.js';
import { CERT_URL, NOW, certFetch, listen, recordingFetch } from './support.js';

const url = (hex = '0123abcd') => new URL(`https://sns.us-east-1.amazonaws.com/SimpleNotificationService-${hex}.pem`);

async function code(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (err) {
    return isAppError(err) ? err.code : `not-an-app-error: ${String(err)}`;
  }
  return undefined;
}

describe('createCertificateFetcher', () => {
  test('limits: 2.5 s timeout, 64 KiB body, 100 cached certificates', () => {
    assert.equal(CERT_FETCH_TIMEOUT_MS, 2_500);
    assert.equal(MAX_CERT_BYTES, 64 * 1024);
    assert.equal(CERT_CACHE_MAX_ENTRIES, 100);
  });

  test('fetches with redirect "error" and a timeout signal, and parses the PEM', async () => {
    const f = certFetch();
    const cert = await createCertificateFetcher({ fetch: f.fetch, now: () => NOW }).get(new URL(CERT_URL));
    assert.match(cert.subject, /CN=sns\.test/);
    assert.equal(f.calls.length, 1);
    assert.equal(f.calls[0]?.url, CERT_URL);
    assert.equal(f.calls[0]?.init?.redirect, 'error');
    assert.ok(f.calls[0]?.init?.signal instanceof AbortSignal);
  });

  test('caches good certificates: the second get makes no fetch', async () => {
    const f = certFetch();
    const certs = createCertificateFetcher({ fetch: f.fetch, now: () => NOW });
    const a = await certs.get(url());
    const b = await certs.get(url());
    assert.equal(a, b);
    assert.equal(f.calls.length, 1);
  });

  test('concurrent gets for one URL share a single fetch', async () => {
    const f = certFetch();
    const certs = createCertificateFetcher({ fetch: f.fetch, now: () => NOW });
    const all = await Promise.all([certs.get(url()), certs.get(url()), certs.get(url())]);
    assert.equal(f.calls.length, 1);
    assert.ok(all.every((c) => c === all[0]));
  });

  test('a failure is remembered for CERT_FAILURE_CACHE_MS only: then the URL is fetched again', async () => {
    let good = false;
    let now = NOW;
    const f = recordingFetch(() => new Response(good ? TEST_SIGNING_CERT_PEM : 'not a certificate'));
    const certs = createCertificateFetcher({ fetch: f.fetch, now: () => now });
    assert.equal(await code(certs.get(url())), 'sns_cert_unavailable');
    good = true;
    now += CERT_FAILURE_CACHE_MS - 1;
    assert.equal(await code(certs.get(url())), 'sns_cert_unavailable');
    assert.equal(f.calls.length, 1);
    now += 2;
    assert.equal(await code(certs.get(url())), undefined);
    assert.equal(await code(certs.get(url())), undefined);
    assert.equal(f.calls.length, 2);
  });

  test('network failure, timeout and 5xx are our outage: sns_cert_unavailable (retryable)', async () => {
    const reject = recordingFetch(() => Promise.reject(new TypeError('fetch failed')));
    assert.equal(await code(createCertificateFetcher({ fetch: reject.fetch }).get(url())), 'sns_cert_unavailable');
    const abort = recordingFetch(() => Promise.reject(new DOMException('The operation was aborted', 'AbortError')));
    assert.equal(await code(createCertificateFetcher({ fetch: abort.fetch }).get(url())), 'sns_cert_unavailable');
    for (const status of [500, 502, 503, 429]) {
      const f = recordingFetch(() => new Response('busy', { status }));
      assert.equal(await code(createCertificateFetcher({ fetch: f.fetch }).get(url())), 'sns_cert_unavailable', String(status));
    }
  });

  test('a missing certificate (404) or other 4xx does not prove forgery: sns_cert_unavailable (503)', async () => {
    for (const status of [403, 404]) {
      const f = recordingFetch(() => new Response('nope', { status }));
      assert.equal(await code(createCertificateFetcher({ fetch: f.fetch }).get(url())), 'sns_cert_unavailable');
    }
  });

  test('refuses a body that is not a PEM certificate (garbage, DER, a private key, a broken PEM)', async () => {
    const der = Buffer.from(TEST_SIGNING_CERT_PEM.replace(/-----[^-]+-----|\s/g, ''), 'base64');
    const bodies: ConstructorParameters<typeof Response>[0][] = [
      'hello',
      der,
      '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n',
      '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n',
      '',
    ];
    for (const body of bodies) {
      const f = recordingFetch(() => new Response(body));
      assert.equal(await code(createCertificateFetcher({ fetch: f.fetch, now: () => NOW }).get(url())), 'sns_cert_unavailable');
    }
  });

  test('refuses a certificate that is expired or not yet valid at now()', async () => {
    const f = certFetch();
    const before = createCertificateFetcher({ fetch: f.fetch, now: () => Date.parse('1999-12-31T00:00:00Z') });
    assert.equal(await code(before.get(url())), 'sns_cert_unavailable');
    const after = createCertificateFetcher({ fetch: f.fetch, now: () => Date.parse('2126-01-01T00:00:00Z') });
    assert.equal(await code(after.get(url())), 'sns_cert_unavailable');
  });

  test('a cached certificate that has since expired is dropped and refetched', async () => {
    let now = NOW;
    const f = certFetch();
    const certs = createCertificateFetcher({ fetch: f.fetch, now: () => now });
    await certs.get(url());
    now = Date.parse('2126-01-01T00:00:00Z');
    assert.equal(await code(certs.get(url())), 'sns_cert_unavailable');
    assert.equal(f.calls.length, 2);
  });

  test('refuses oversize bodies: by Content-Length, and by counting when it is absent', async () => {
    const big = `${TEST_SIGNING_CERT_PEM}${' '.repeat(MAX_CERT_BYTES)}`;
    const declared = recordingFetch(() => new Response(big, { headers: { 'content-length': String(big.length) } }));
    assert.equal(await code(createCertificateFetcher({ fetch: declared.fetch, now: () => NOW }).get(url())), 'sns_cert_unavailable');

    // Streamed without Content-Length: the cap stops reading after maxBytes.
    let pulled = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += 1;
        controller.enqueue(new Uint8Array(1024));
      },
    });
    const endless = recordingFetch(() => new Response(stream));
    assert.equal(await code(createCertificateFetcher({ fetch: endless.fetch, now: () => NOW }).get(url())), 'sns_cert_unavailable');
    assert.ok(pulled <= MAX_CERT_BYTES / 1024 + 2, `read ${pulled} chunks`);
  });

  test('refuses oversize bodies from a real server (chunked, no Content-Length)', async () => {
    const server = await listen((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/x-pem-file' });
      res.write(TEST_SIGNING_CERT_PEM);
      res.end(' '.repeat(2048));
    });
    try {
      const certs = createCertificateFetcher({ now: () => NOW, maxBytes: 1500 });
      assert.equal(await code(certs.get(new URL(`${server.origin}/SimpleNotificationService-abc.pem`))), 'sns_cert_unavailable');
    } finally {
      await server.close();
    }
  });

  test('does not follow redirects (real fetch against a loopback server)', async () => {
    const server = await listen((req, res) => {
      if (req.url === '/SimpleNotificationService-abc.pem') {
        res.writeHead(302, { location: '/elsewhere.pem' }).end();
      } else {
        res.writeHead(200).end(TEST_SIGNING_CERT_PEM);
      }
    });
    try {
      const certs = createCertificateFetcher({ now: () => NOW });
      assert.equal(await code(certs.get(new URL(`${server.origin}/SimpleNotificationService-abc.pem`))), 'sns_cert_unavailable');
      assert.deepEqual(server.requests, ['/SimpleNotificationService-abc.pem']);
    } finally {
      await server.close();
    }
  });

  test('times out when the server never answers', async () => {
    const server = await listen(() => {
      /* never respond */
    });
    try {
      const certs = createCertificateFetcher({ now: () => NOW, timeoutMs: 50 });
      const err = await certs.get(new URL(`${server.origin}/SimpleNotificationService-abc.pem`)).catch((e: unknown) => e);
      assert.ok(isAppError(err, 'sns_cert_unavailable'));
      assert.equal((err.cause as Error).name, 'TimeoutError');
    } finally {
      await server.close();
    }
  });

  test('the cache is bounded: the least recently used certificate is evicted', async () => {
    const f = certFetch();
    const certs = createCertificateFetcher({ fetch: f.fetch, now: () => NOW, maxEntries: 2 });
    await certs.get(url('a1'));
    await certs.get(url('b2'));
    await certs.get(url('a1')); // a1 is now the most recently used
    await certs.get(url('c3')); // evicts b2
    assert.equal(f.calls.length, 3);
    await certs.get(url('a1'));
    await certs.get(url('c3'));
    assert.equal(f.calls.length, 3);
    await certs.get(url('b2'));
    assert.equal(f.calls.length, 4);
  });
});
