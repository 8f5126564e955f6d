/**
 * Fetching and caching SNS signing certificates.
 *
 * Only call `get` with a URL that validateCertUrl accepted. A fetch that fails (network, 5xx,
 * timeout) is our outage and is reported as retryable (`sns_cert_unavailable` → 503, SNS will
 * redeliver); a response that is not a current X.509 certificate is treated as forged
 * (`sns_cert_invalid` → 403). Only good certificates are cached, so one bad answer never
 * poisons later messages.
 */
import { X509Certificate } from 'node:crypto';
import { AppError } from '../errors.js';
import { BodyTooLargeError, discardBody, readCappedBody, type FetchLike } from './http.js';

/** SNS gives us 15 s per delivery; the certificate fetch must leave time for the rest. */
export const CERT_FETCH_TIMEOUT_MS = 5_000;

/** An SNS signing certificate PEM is under 2 KiB; anything far bigger is not one. */
export const MAX_CERT_BYTES = 64 * 1024;

/** SNS uses a handful of certificates per region; 100 covers every region with room to rotate. */
export const CERT_CACHE_MAX_ENTRIES = 100;

/** HTTP statuses that mean "try again later" rather than "there is no such certificate". */
const RETRYABLE_STATUS = new Set([408, 425, 429]);

export interface CertificateFetcher {
  /** The certificate at `url`, from cache when still valid; concurrent calls share one fetch. */
  get(url: URL): Promise<X509Certificate>;
}

export interface CertificateFetcherOptions {
  fetch?: FetchLike;
  now?: () => number;
  timeoutMs?: number;
  maxBytes?: number;
  maxEntries?: number;
}

export function createCertificateFetcher(options: CertificateFetcherOptions = {}): CertificateFetcher {
  const fetchImpl: FetchLike = options.fetch ?? ((input, init) => fetch(input, init));
  const now = options.now ?? Date.now;
  const timeoutMs = options.timeoutMs ?? CERT_FETCH_TIMEOUT_MS;
  const maxBytes = options.maxBytes ?? MAX_CERT_BYTES;
  const maxEntries = options.maxEntries ?? CERT_CACHE_MAX_ENTRIES;

  // Map iteration order is insertion order: re-inserting on hit makes the first key the LRU.
  const cache = new Map<string, X509Certificate>();
  const inflight = new Map<string, Promise<X509Certificate>>();

  function remember(key: string, cert: X509Certificate): void {
    cache.delete(key);
    cache.set(key, cert);
    while (cache.size > maxEntries) {
      const oldest = cache.keys().next().value;
      if (oldest === undefined) break;
      cache.delete(oldest);
    }
  }

  async function download(key: string): Promise<X509Certificate> {
    let res: Response;
    try {
      // No redirects: the URL was validated, wherever it might redirect to was not.
      res = await fetchImpl(key, { redirect: 'error', signal: AbortSignal.timeout(timeoutMs) });
    } catch (err) {
      throw unavailable('SNS signing certificate could not be fetched', key, err);
    }
    if (!res.ok) {
      await discardBody(res);
      if (res.status >= 500 || RETRYABLE_STATUS.has(res.status)) {
        throw unavailable(`SNS signing certificate fetch failed with HTTP ${res.status}`, key);
      }
      throw invalid(`SNS signing certificate fetch returned HTTP ${res.status}`, key);
    }
    let body: Buffer;
    try {
      body = await readCappedBody(res, maxBytes);
    } catch (err) {
      if (err instanceof BodyTooLargeError) throw invalid(`SNS signing certificate exceeds ${maxBytes} bytes`, key);
      throw unavailable('SNS signing certificate could not be read', key, err);
    }
    const cert = parsePem(body.toString('utf8'), key);
    if (!isValidAt(cert, now())) throw invalid('SNS signing certificate is expired or not yet valid', key);
    return cert;
  }

  return {
    get(url: URL): Promise<X509Certificate> {
      const key = url.href;
      const hit = cache.get(key);
      if (hit !== undefined) {
        if (isValidAt(hit, now())) {
          remember(key, hit);
          return Promise.resolve(hit);
        }
        cache.delete(key);
      }
      const pending = inflight.get(key);
      if (pending !== undefined) return pending;
      const fetched = download(key)
        .then((cert) => {
          remember(key, cert);
          return cert;
        })
        .finally(() => inflight.delete(key));
      inflight.set(key, fetched);
      return fetched;
    },
  };
}

/** SNS serves PEM; X509Certificate would also take DER, which SNS never sends. */
function parsePem(text: string, key: string): X509Certificate {
  if (!/^\s*-----BEGIN CERTIFICATE-----/.test(text)) throw invalid('SNS signing certificate is not a PEM certificate', key);
  try {
    return new X509Certificate(text);
  } catch (err) {
    throw invalid('SNS signing certificate is not a valid X.509 certificate', key, err);
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

function invalid(message: string, certUrl: string, cause?: unknown): AppError {
  return new AppError('sns_cert_invalid', message, { context: { certUrl }, cause });
}
