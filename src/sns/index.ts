/**
 * SNS-over-HTTPS protocol layer. The `POST /sns` route should:
 *   1. cap the body at MAX_SNS_BODY_BYTES and read it as text;
 *   2. `parseEnvelope(body)`, `assertTypeHeaderMatches(header, env)`, then
 *      `verifyEnvelope(env, { topicArns, certUrlPattern, requireSignatureV2, certificates, now })`
 *      (one `createCertificateFetcher()` per process, so its caches are shared);
 *   3. on error answer `httpStatusFor(err)` (4xx final, 5xx retried by SNS);
 *   4. Notification → store durably (dedupe by MessageId), then 200;
 *      SubscriptionConfirmation → `confirmSubscription(env, { topicArns, certUrlPattern, api })`, 200;
 *      UnsubscribeConfirmation → log and alert (alerts.ts), 200 (never re-subscribe).
 */
export { MAX_SNS_BODY_BYTES, SNS_MESSAGE_TYPES, parseEnvelope } from './envelope.js';
export type {
  SnsConfirmation,
  SnsEnvelope,
  SnsMessageType,
  SnsNotification,
  SnsSubscriptionConfirmation,
  SnsUnsubscribeConfirmation,
} from './envelope.js';
export { stringToSign } from './string-to-sign.js';
export { MAX_FUTURE_SKEW_MS, MAX_MESSAGE_AGE_MS, checkTimestamp } from './timestamp.js';
export { assertTopicAllowed } from './topic.js';
export { assertCertUrlMatchesTopic, isSnsServiceHost, topicRegion, validateCertUrl } from './cert-url.js';
export {
  CERT_CACHE_MAX_ENTRIES,
  CERT_FAILURE_CACHE_MS,
  CERT_FETCH_TIMEOUT_MS,
  MAX_CERT_FETCHES_PER_HOST,
  MAX_CERT_BYTES,
  createCertificateFetcher,
  type CertificateFetcher,
  type CertificateFetcherOptions,
} from './certificates.js';
export { SIGNATURE_DIGESTS, verifySignature } from './signature.js';
export { SNS_HTTP_STATUS, httpStatusFor } from './http-status.js';
export { assertTypeHeaderMatches, verifyEnvelope, verifySnsMessage, type SnsVerifyOptions } from './verify.js';
export { RSA_SIGNATURE_BYTES, assertSignatureShape, type SignatureShapeOptions } from './signature-shape.js';
export { SNS_API_MAX_ATTEMPTS, createSnsConfirmApi, type SnsConfirmApi, type SnsConfirmApiOptions } from './sns-api.js';
export { SNS_ALERT_WINDOW_MS, createSnsAlerter, snsAlertMessage, type SnsSuspiciousEvent, type SnsSuspiciousKind } from './alerts.js';
export { CONFIRM_TIMEOUT_MS, confirmSubscription, validateSubscribeUrl, type ConfirmOptions, type ConfirmResult } from './confirm.js';
export type { FetchLike } from './http.js';
