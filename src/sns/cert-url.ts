/**
 * Which SigningCertURL we are willing to fetch. The URL comes from the (not yet verified)
 * message, so it decides whose public key checks the signature: if an attacker can point it at
 * a certificate they control, every signature "verifies". We therefore accept only SNS's own
 * certificate location, checked on the raw string before any URL normalisation.
 *
 * The published npm validators accept hosts such as `sns.s3-us-east-1.amazonaws.com` (an S3
 * bucket anyone can name "sns"), hence this hand-written rule.
 */
import { AppError } from '../errors.js';
import { REGION_PATTERN } from '../aws/ids.js';

/** An AWS commercial / GovCloud / China region name: us-east-1, us-gov-west-1, cn-north-1. */
const REGION = REGION_PATTERN;

/** `sns.<region>.amazonaws.com`, or `sns.<region>.amazonaws.com.cn` for China regions. */
const SNS_HOST = new RegExp(`^sns\\.(${REGION})\\.amazonaws\\.com(\\.cn)?$`);

/**
 * The whole strict rule in one anchored expression: https, that host, no port, no userinfo,
 * path `/SimpleNotificationService-<hex>.pem`, no query, no fragment. Lower-case scheme and host
 * only: the URL parser would fold `HTTPS://SNS.…` or `%2e` tricks into something that looks fine.
 */
const STRICT_CERT_URL = new RegExp(`^https://sns\\.(${REGION})\\.amazonaws\\.com(\\.cn)?/SimpleNotificationService-[0-9a-fA-F]{1,128}\\.pem$`);

/** Longest SigningCertURL we look at; real ones are about 100 characters. */
export const MAX_CERT_URL_LENGTH = 1024;

/** Printable ASCII without spaces: the URL parser silently drops tabs and newlines. */
const PLAIN_URL_CHARS = /^[\x21-\x7e]+$/;

function reject(reason: string, url: string, cause?: unknown): AppError {
  return new AppError('sns_cert_url_invalid', `SNS SigningCertURL rejected: ${reason}`, {
    context: { certUrl: url.slice(0, 200) },
    cause,
  });
}

/**
 * True for an SNS service host (`sns.<region>.amazonaws.com[.cn]`), with `.cn` required for,
 * and only for, China regions.
 */
export function isSnsServiceHost(hostname: string): boolean {
  const m = SNS_HOST.exec(hostname);
  if (!m) return false;
  const region = m[1] ?? '';
  return region.startsWith('cn-') === (m[2] !== undefined);
}

/**
 * Returns the parsed URL when `raw` is an acceptable SigningCertURL, or throws
 * `sns_cert_url_invalid`.
 *
 * `pattern` (config `SNS_CERT_URL_PATTERN`) REPLACES the strict AWS rule; it exists only so
 * tests can point at a loopback signer. It must match the whole URL; http(s) without userinfo
 * is still required.
 */
export function validateCertUrl(raw: string, pattern?: RegExp): URL {
  if (raw.length > MAX_CERT_URL_LENGTH) throw reject('too long', raw);
  if (!PLAIN_URL_CHARS.test(raw)) throw reject('contains spaces or control characters', raw);

  if (pattern !== undefined) {
    // Re-anchor (idempotent for config's ^(?:…)$) and drop g/y so `test` is stateless.
    const whole = new RegExp(`^(?:${pattern.source})$`, pattern.flags.replace(/[gy]/g, ''));
    if (!whole.test(raw)) throw reject('does not match SNS_CERT_URL_PATTERN', raw);
    const url = parse(raw);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw reject('not http(s)', raw);
    if (url.username !== '' || url.password !== '') throw reject('has userinfo', raw);
    return url;
  }

  const m = STRICT_CERT_URL.exec(raw);
  if (!m) throw reject('not an SNS certificate URL', raw);
  const url = parse(raw);
  // Belt and braces: the regex already implies all of this; keep it true if the regex changes.
  if (
    url.href !== raw ||
    url.protocol !== 'https:' ||
    url.port !== '' ||
    url.username !== '' ||
    url.password !== '' ||
    url.search !== '' ||
    url.hash !== '' ||
    !isSnsServiceHost(url.hostname)
  ) {
    throw reject('not an SNS certificate URL', raw);
  }
  return url;
}

/** The Region of an SNS topic ARN (`arn:aws:sns:<region>:<account>:<name>`), or undefined. */
export function topicRegion(topicArn: string): string | undefined {
  const region = topicArn.split(':')[3];
  return region !== undefined && new RegExp(`^${REGION}$`).test(region) ? region : undefined;
}

/**
 * SNS signs a topic's messages with its own Region's certificate, served from
 * `sns.<that region>.amazonaws.com`. A certificate from another Region's host proves the message
 * was not sent by SNS for this topic: refuse it before fetching anything. Only under the strict
 * rule; a test pattern (loopback signer) has no Region in its host.
 */
export function assertCertUrlMatchesTopic(certUrl: URL, topicArn: string, pattern?: RegExp): void {
  if (pattern !== undefined) return;
  const hostRegion = SNS_HOST.exec(certUrl.hostname)?.[1];
  if (hostRegion === undefined || hostRegion !== topicRegion(topicArn)) {
    throw reject(`certificate host is not the SNS endpoint of the topic's Region`, certUrl.href);
  }
}

function parse(raw: string): URL {
  try {
    return new URL(raw);
  } catch (err) {
    throw reject('not a URL', raw, err);
  }
}
