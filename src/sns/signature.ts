/**
 * SNS message signature check: RSA over the canonical string to sign, SHA1 for
 * SignatureVersion "1" and SHA256 for "2". Any other version is refused rather than guessed.
 */
import { verify, type X509Certificate } from 'node:crypto';
import { AppError } from '../errors.js';
import type { SnsEnvelope } from './envelope.js';
import { stringToSign } from './string-to-sign.js';

/** SignatureVersion → digest of the SHA*withRSA scheme SNS uses. */
export const SIGNATURE_DIGESTS: Readonly<Record<string, 'sha1' | 'sha256'>> = Object.freeze({ '1': 'sha1', '2': 'sha256' });

/** Strict base64: Buffer.from(…, 'base64') silently skips junk, which would hide tampering. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
// signature-shape.ts repeats these checks before any fetch; they stay here so this function is
// safe on its own.

/** Throws `sns_signature_invalid` unless `cert` verifies the envelope's Signature. */
export function verifySignature(env: SnsEnvelope, cert: X509Certificate): void {
  // The context names the message, never the Signature (it is redacted from logs anyway).
  const context = { messageId: env.MessageId, topicArn: env.TopicArn, signatureVersion: env.SignatureVersion.slice(0, 16) };
  const digest = Object.hasOwn(SIGNATURE_DIGESTS, env.SignatureVersion) ? SIGNATURE_DIGESTS[env.SignatureVersion] : undefined;
  if (digest === undefined) {
    throw new AppError('sns_signature_invalid', 'SNS SignatureVersion is not supported', { context });
  }
  if (cert.publicKey.asymmetricKeyType !== 'rsa') {
    throw new AppError('sns_signature_invalid', 'SNS signing certificate does not hold an RSA key', { context });
  }
  if (env.Signature.length === 0 || !BASE64.test(env.Signature)) {
    throw new AppError('sns_signature_invalid', 'SNS Signature is not base64', { context });
  }
  let ok: boolean;
  try {
    ok = verify(digest, Buffer.from(stringToSign(env), 'utf8'), cert.publicKey, Buffer.from(env.Signature, 'base64'));
  } catch (err) {
    throw new AppError('sns_signature_invalid', 'SNS signature could not be checked', { context, cause: err });
  }
  if (!ok) throw new AppError('sns_signature_invalid', 'SNS signature does not match', { context });
}
