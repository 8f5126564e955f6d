/**
 * Fetching and caching SNS signing certificates.
 *
 * Only call `get` with a URL that validateCertUrl accepted. Every way a fetch can fail (network,
 * timeout, any non-2xx such as 404, an HTML page, garbage, an expired certificate) is reported
 * as `sns_cert_unavailable` → 503: a broken or unreachable certificate host does not prove a
 * message forged, and a 4xx would make SNS drop a genuine finding for good. Only a signature
 * that does not verify against a good certificate proves forgery (signature.ts, 403).
 *
 * The URL comes from an unverified message, so fetches are bounded: a failure is remembered for
 * CERT_FAILURE_CACHE_MS (forged messages naming one URL cost one fetch), and at most
 * MAX_CERT_FETCHES_PER_HOST different URLs are fetched from one host at a time — a flood of
 * random URLs gets an immediate 503 instead of one outbound request each.
 */
import { X509Certificate } from 'node:crypto';
import { AppError } from '../errors.js';
import { BodyTooLargeError, discardBody, readCappedBody, type FetchLike } from './http.js';

/** SNS gives us 15 s per delivery; a certificate host that needs more is down for our purposes. */
export const CERT_FETCH_TIMEOUT_MS = 2_500;

/** A failed fetch is answered from memory for this long (then tried again: SNS retries 20 s apart). */
export const CERT_FAILURE_CACHE_MS = 60_000;

/** Different certificate URLs fetched from one host at the same time; more get an immediate 503. */
export const MAX_CERT_FETCHES_PER_HOST = 2;

/** An SNS signing certificate PEM is under 2 KiB; anything far bigger is not one. */
export const MAX_CERT_BYTES = 64 * 1024;

/** SNS uses a handful of certificates per region; 100 covers every region with room to rotate. */
export const CERT_CACHE_MAX_ENTRIES = 100;

export interface CertificateFetcher {
  /** The certificate at `url`, from cache when still valid; concurrent calls share one fetch. */
  get(url: URL): Promise<X509Certificate>;
}

export interface CertificateFetcherOptions {
  fetch?: FetchLike;
  now?: () => number;
  timeoutMs?: number;
  /** Builds the abort signal for one fetch (tests abort it by hand instead of waiting). */
  timeoutSignal?: (ms: number) => AbortSignal;
  failureCacheMs?: number;
  maxFetchesPerHost?: number;
  maxBytes?: number;
  maxEntries?: number;
}

export function createCertificateFetcher(options: CertificateFetcherOptions = {}): CertificateFetcher {
  const fetchImpl: FetchLike = options.fetch ?? ((input, init) => fetch(input, init));
  const now = options.now ?? Date.now;
  const timeoutMs = options.timeoutMs ?? CERT_FETCH_TIMEOUT_MS;
  const timeoutSignal = options.timeoutSignal ?? ((ms: number) => AbortSignal.timeout(ms));
  const failureCacheMs = options.failureCacheMs ?? CERT_FAILURE_CACHE_MS;
  const maxPerHost = options.maxFetchesPerHost ?? MAX_CERT_FETCHES_PER_HOST;
  const maxBytes = options.maxBytes ?? MAX_CERT_BYTES;
  const maxEntries = options.maxEntries ?? CERT_CACHE_MAX_ENTRIES;

  // Map iteration order is insertion order: re-inserting on hit makes the first key the LRU.
  const cache = new Map<string, X509Certificate>();
  const failures = new Map<string, { until: number; error: AppError }>();
  const inflight = new Map<string, Promise<X509Certificate>>();
  const perHost = new Map<string, number>();

  function remember<V>(map: Map<string, V>, key: string, value: V): void {
    map.delete(key);
    map.set(key, value);
    while (map.size > maxEntries) {
      const oldest = map.keys().next().value;
      if (oldest === undefined) break;
      map.delete(oldest);
    }
  }

  async function download(key: string): Promise<X509Certificate> {
    let res: Response;
    try {
      // No redirects: the URL was validated, wherever it might redirect to was not.
      res = await fetchImpl(key, { redirect: 'error', signal: timeoutSignal(timeoutMs) });
    } catch (err) {
      throw unavailable('SNS signing certificate could not be fetched', key, err);
    }
    if (!res.ok) {
      await discardBody(res);
      throw unavailable(`SNS signing certificate fetch returned HTTP ${res.status}`, key);
    }
    let body: Buffer;
    try {
      body = await readCappedBody(res, maxBytes);
    } catch (err) {
      if (err instanceof BodyTooLargeError) throw unavailable(`SNS signing certificate exceeds ${maxBytes} bytes`, key);
      throw unavailable('SNS signing certificate could not be read', key, err);
    }
    const cert = parsePem(body.toString('utf8'), key);
    if (!isValidAt(cert, now())) throw unavailable('SNS signing certificate is expired or not yet valid', key);
    return cert;
  }

  return {
    get(url: URL): Promise<X509Certificate> {
      const key = url.href;
      const hit = cache.get(key);
      if (hit !== undefined) {
        if (isValidAt(hit, now())) {
          remember(cache, key, hit);
          return Promise.resolve(hit);
        }
        cache.delete(key);
      }
      const failed = failures.get(key);
      if (failed !== undefined) {
        if (now() < failed.until) return Promise.reject(failed.error);
        failures.delete(key);
      }
      const pending = inflight.get(key);
      if (pending !== undefined) return pending;
      const host = url.host;
      const busy = perHost.get(host) ?? 0;
      if (busy >= maxPerHost) {
        return Promise.reject(unavailable('too many SNS certificate fetches in flight for this host', key));
      }
      perHost.set(host, busy + 1);
      const fetched = download(key)
        .then(
          (cert) => {
            remember(cache, key, cert);
            return cert;
          },
          (err: unknown) => {
            const error = err instanceof AppError ? err : unavailable('SNS signing certificate could not be fetched', key, err);
            remember(failures, key, { until: now() + failureCacheMs, error });
            throw error;
          },
        )
        .finally(() => {
          inflight.delete(key);
          const left = (perHost.get(host) ?? 1) - 1;
          if (left <= 0) perHost.delete(host);
          else perHost.set(host, left);
        });
      inflight.set(key, fetched);
      return fetched;
    },
  };
}

/** SNS serves PEM; X509Certificate would also take DER, which SNS never sends. */
function parsePem(text: string, key: string): X509Certificate {
  if (!/^\s*-----BEGIN CERTIFICATE-----/.test(text)) throw unavailable('SNS signing certificate is not a PEM certificate', key);
  try {
    return new X509Certificate(text);
  } catch (err) {
    throw unavailable('SNS signing certificate is not a valid X.509 certificate', key, err);
  }
}

function isValidAt(cert: X509Certificate, at: number): boolean {
  const from = Date.parse(cert.validFrom);
  const to = Date.parse(cert.validTo);
  return Number.isFinite(from) && Number.isFinite(to) && from <= at && at <= to;
}

function unavailable(message: string, certUrl: string, cause?: unknown): AppError {
  return new AppError('sns_cert_unavailable', message, { context: { certUrl }, cause });
}
