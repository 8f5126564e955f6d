/**
 * Freshness of an SNS message. A genuine, signed message stays valid forever, so without a
 * window anyone who once saw one (a log, a proxy) could replay it at will.
 */
import { AppError } from '../errors.js';

/**
 * Oldest message we accept. SNS keeps the original Timestamp on every retry and an HTTP(S)
 * delivery policy can stretch retries over up to 3600 s; the extra 5 minutes absorb clock skew
 * and our own queueing. Anything older cannot be a live delivery.
 */
export const MAX_MESSAGE_AGE_MS = 60 * 60 * 1000 + 5 * 60 * 1000;

/** How far in the future a Timestamp may be: clock skew only, SNS never post-dates messages. */
export const MAX_FUTURE_SKEW_MS = 5 * 60 * 1000;

/** SNS writes ISO-8601 UTC with milliseconds (2012-04-26T20:45:04.751Z); allow an offset too. */
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;

/** Returns the message time in epoch ms, or throws `sns_timestamp_invalid`. */
export function checkTimestamp(timestamp: string, now: number): number {
  const at = ISO_8601.test(timestamp) ? Date.parse(timestamp) : Number.NaN;
  if (!Number.isFinite(at)) {
    throw new AppError('sns_timestamp_invalid', 'SNS Timestamp is not an ISO-8601 time', {
      context: { timestamp: timestamp.slice(0, 64) },
    });
  }
  const ageMs = now - at;
  if (ageMs > MAX_MESSAGE_AGE_MS) {
    throw new AppError('sns_timestamp_invalid', 'SNS message is too old', { context: { timestamp, ageMs } });
  }
  if (-ageMs > MAX_FUTURE_SKEW_MS) {
    throw new AppError('sns_timestamp_invalid', 'SNS message is dated in the future', { context: { timestamp, ageMs } });
  }
  return at;
}
