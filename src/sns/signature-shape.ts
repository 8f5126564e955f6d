/**
 * Checks on the Signature and SignatureVersion that need no certificate, run before anything is
 * fetched: a message that cannot possibly carry an SNS signature must not cost an outbound
 * request (forged messages naming random certificate URLs would otherwise make us fetch one
 * each).
 */
import { AppError } from '../errors.js';
import type { SnsEnvelope } from './envelope.js';
import { SIGNATURE_DIGESTS } from './signature.js';

/**
 * Byte lengths of an RSA signature made with a 2048-, 3072- or 4096-bit key (the signature is
 * exactly as long as the modulus). SNS signs with 2048-bit keys today.
 */
export const RSA_SIGNATURE_BYTES: readonly number[] = Object.freeze([256, 384, 512]);

/** Strict base64: Buffer.from(…, 'base64') silently skips junk, which would hide tampering. */
export const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export interface SignatureShapeOptions {
  /** Config `sns.requireSignatureV2` (default true): refuse SignatureVersion 1 (SHA1withRSA). */
  requireSignatureV2?: boolean;
}

/** Throws `sns_signature_invalid` (403) for a version we do not accept or a Signature of the wrong shape. */
export function assertSignatureShape(env: SnsEnvelope, opts: SignatureShapeOptions = {}): void {
  const context = { messageId: env.MessageId, topicArn: env.TopicArn, signatureVersion: env.SignatureVersion.slice(0, 16) };
  if (!Object.hasOwn(SIGNATURE_DIGESTS, env.SignatureVersion)) {
    throw new AppError('sns_signature_invalid', 'SNS SignatureVersion is not supported', { context });
  }
  if ((opts.requireSignatureV2 ?? true) && env.SignatureVersion !== '2') {
    throw new AppError(
      'sns_signature_invalid',
      'SNS SignatureVersion 1 (SHA1) is refused: set the topic to SignatureVersion 2, or SNS_REQUIRE_SIGNATURE_V2=false',
      { context },
    );
  }
  if (env.Signature.length === 0 || !BASE64.test(env.Signature)) {
    throw new AppError('sns_signature_invalid', 'SNS Signature is not base64', { context });
  }
  const bytes = Buffer.byteLength(env.Signature, 'base64');
  if (!RSA_SIGNATURE_BYTES.includes(bytes)) {
    throw new AppError('sns_signature_invalid', 'SNS Signature has the wrong length for an RSA signature', { context: { ...context, bytes } });
  }
}
