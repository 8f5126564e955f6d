/**
 * The whole SNS message check, cheapest and least trusting first: nothing from the body is
 * fetched until the topic, the timestamp, the shape of the signature and the certificate URL
 * (including its Region) have been accepted.
 */
import { AppError } from '../errors.js';
import type { CertificateFetcher } from './certificates.js';
import { assertCertUrlMatchesTopic, validateCertUrl } from './cert-url.js';
import { parseEnvelope, type SnsEnvelope } from './envelope.js';
import { verifySignature } from './signature.js';
import { assertSignatureShape } from './signature-shape.js';
import { checkTimestamp } from './timestamp.js';
import { assertTopicAllowed } from './topic.js';

export { httpStatusFor } from './http-status.js';

export interface SnsVerifyOptions {
  /** Config `sns.topicArns`: the only topics we accept messages from. */
  topicArns: readonly string[];
  /** Config `sns.certUrlPattern`: replaces the strict SigningCertURL rule (tests only). */
  certUrlPattern?: RegExp;
  /** Config `sns.requireSignatureV2` (default true): SignatureVersion 1 (SHA1) is refused. */
  requireSignatureV2?: boolean;
  certificates: CertificateFetcher;
  now: () => number;
}

/**
 * Parses and authenticates an SNS POST body. Resolves to the typed envelope, or rejects with an
 * AppError whose code maps to the HTTP answer through `httpStatusFor`.
 */
export async function verifySnsMessage(rawBody: string, opts: SnsVerifyOptions): Promise<SnsEnvelope> {
  return verifyEnvelope(parseEnvelope(rawBody), opts); // size, JSON, Type supported, required fields
}

/** Authenticates an already parsed envelope (the route parses first to compare the type header). */
export async function verifyEnvelope(env: SnsEnvelope, opts: SnsVerifyOptions): Promise<SnsEnvelope> {
  assertTopicAllowed(env.TopicArn, opts.topicArns); // before any network: foreign topics cost nothing
  checkTimestamp(env.Timestamp, opts.now());
  assertSignatureShape(env, opts.requireSignatureV2 === undefined ? {} : { requireSignatureV2: opts.requireSignatureV2 });
  const certUrl = validateCertUrl(env.SigningCertURL, opts.certUrlPattern);
  assertCertUrlMatchesTopic(certUrl, env.TopicArn, opts.certUrlPattern);
  const cert = await opts.certificates.get(certUrl);
  verifySignature(env, cert);
  return env;
}

/**
 * SNS names the message type twice: in the `x-amz-sns-message-type` header and in the body's
 * Type (the signed one). A disagreement is not something SNS sends: refuse it (400).
 */
export function assertTypeHeaderMatches(header: string | undefined, env: SnsEnvelope): void {
  if (header === undefined || header === env.Type) return;
  throw new AppError('sns_body_invalid', 'x-amz-sns-message-type header disagrees with the body Type', {
    context: { header: header.slice(0, 64), type: env.Type, messageId: env.MessageId },
  });
}
