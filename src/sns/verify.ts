/**
 * The whole SNS message check, cheapest and least trusting first: nothing from the body is
 * fetched until the topic, the timestamp and the certificate URL have been accepted.
 */
import type { CertificateFetcher } from './certificates.js';
import { validateCertUrl } from './cert-url.js';
import { parseEnvelope, type SnsEnvelope } from './envelope.js';
import { verifySignature } from './signature.js';
import { checkTimestamp } from './timestamp.js';
import { assertTopicAllowed } from './topic.js';

export { httpStatusFor } from './http-status.js';

export interface SnsVerifyOptions {
  /** Config `sns.topicArns`: the only topics we accept messages from. */
  topicArns: readonly string[];
  /** Config `sns.certUrlPattern`: replaces the strict SigningCertURL rule (tests only). */
  certUrlPattern?: RegExp;
  certificates: CertificateFetcher;
  now: () => number;
}

/**
 * Parses and authenticates an SNS POST body. Resolves to the typed envelope, or rejects with an
 * AppError whose code maps to the HTTP answer through `httpStatusFor`.
 */
export async function verifySnsMessage(rawBody: string, opts: SnsVerifyOptions): Promise<SnsEnvelope> {
  const env = parseEnvelope(rawBody); // size, JSON, Type supported, required fields
  assertTopicAllowed(env.TopicArn, opts.topicArns); // before any network: foreign topics cost nothing
  checkTimestamp(env.Timestamp, opts.now());
  const certUrl = validateCertUrl(env.SigningCertURL, opts.certUrlPattern);
  const cert = await opts.certificates.get(certUrl);
  verifySignature(env, cert);
  return env;
}
