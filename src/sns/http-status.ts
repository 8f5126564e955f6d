/**
 * HTTP status to answer SNS with for each failure. SNS never retries a 4xx and retries a 5xx,
 * so: 4xx for input that is malformed, forged or not ours; 5xx only for our own outage.
 */
import { isAppError, type ErrorCode } from '../errors.js';

export const SNS_HTTP_STATUS: Readonly<Partial<Record<ErrorCode, number>>> = Object.freeze({
  sns_body_invalid: 400,
  sns_type_unsupported: 400,
  sns_body_too_large: 413,
  sns_topic_not_allowed: 403,
  sns_timestamp_invalid: 403,
  sns_cert_url_invalid: 403,
  sns_cert_invalid: 403,
  sns_signature_invalid: 403,
  sns_subscribe_url_invalid: 403,
  // Our side could not reach SNS: let SNS redeliver later.
  sns_cert_unavailable: 503,
  sns_confirm_failed: 503,
});

/** 400 / 403 / 413 / 503 for SNS errors, 500 for anything else. */
export function httpStatusFor(err: unknown): number {
  if (!isAppError(err)) return 500;
  return SNS_HTTP_STATUS[err.code] ?? 500;
}
