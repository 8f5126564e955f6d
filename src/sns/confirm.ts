/**
 * Confirming a subscription from a verified SubscriptionConfirmation: first through the SNS API
 * (`ConfirmSubscription`, AuthenticateOnUnsubscribe, see sns-api.ts) when the app has SNS
 * permissions; when that call is denied or fails, by a GET of the SubscribeURL (what SNS
 * documents for HTTP endpoints; the subscription can then be removed with its UnsubscribeURL).
 *
 * The GET is a request our server makes to a URL taken from a message body, so it is
 * restricted to the host whose certificate signed the message (same scheme, host and port as
 * the validated SigningCertURL) and only for allowed topics: otherwise anyone could make us
 * subscribe to their topic, or use us to probe arbitrary URLs. UnsubscribeConfirmation is never
 * acted on (no automatic re-subscribe): verify it, log it, answer 200.
 */
import { AppError } from '../errors.js';
import { isSnsServiceHost, validateCertUrl } from './cert-url.js';
import type { SnsEnvelope } from './envelope.js';
import { BodyTooLargeError, readCappedBody, type FetchLike } from './http.js';
import type { SnsConfirmApi } from './sns-api.js';
import { assertTopicAllowed } from './topic.js';

/** Time allowed for the ConfirmSubscription GET; SNS waits 15 s for our answer in total. */
export const CONFIRM_TIMEOUT_MS = 5_000;

/** The ConfirmSubscription response is a small XML document; we only look for the ARN. */
export const MAX_CONFIRM_RESPONSE_BYTES = 64 * 1024;

/** Longest SubscribeURL we accept (topic ARN + a token of a few hundred characters). */
export const MAX_SUBSCRIBE_URL_LENGTH = 2048;

export interface ConfirmOptions {
  /** Config `sns.topicArns`: confirmation is refused for any other topic. */
  topicArns: readonly string[];
  /** Config `sns.certUrlPattern`; without it the strict AWS rule applies. */
  certUrlPattern?: RegExp;
  fetch?: FetchLike;
  timeoutMs?: number;
  /** The SNS API; without it (or when it fails) the SubscribeURL is fetched. */
  api?: Pick<SnsConfirmApi, 'confirm'>;
  /** Told why the API call failed before the GET fallback (for a log line). */
  onApiFailure?: (err: unknown) => void;
}

export interface ConfirmResult {
  /** From the ConfirmSubscriptionResponse, when SNS sent one we could read. */
  subscriptionArn?: string;
  /** `api`: ConfirmSubscription with AuthenticateOnUnsubscribe; `get`: the SubscribeURL. */
  via: 'api' | 'get';
}

/**
 * Confirms a (signature-verified) SubscriptionConfirmation. Throws `sns_type_unsupported`,
 * `sns_topic_not_allowed`, `sns_cert_url_invalid`, `sns_subscribe_url_invalid` (all 403/400:
 * never retried) or `sns_confirm_failed` (503: SNS may redeliver the confirmation).
 */
export async function confirmSubscription(env: SnsEnvelope, opts: ConfirmOptions): Promise<ConfirmResult> {
  if (env.Type !== 'SubscriptionConfirmation') {
    throw new AppError('sns_type_unsupported', 'only a SubscriptionConfirmation can be confirmed', {
      context: { type: env.Type, messageId: env.MessageId },
    });
  }
  assertTopicAllowed(env.TopicArn, opts.topicArns);
  const certUrl = validateCertUrl(env.SigningCertURL, opts.certUrlPattern);
  const subscribeUrl = validateSubscribeUrl(env.SubscribeURL, certUrl, opts.certUrlPattern !== undefined);

  if (opts.api !== undefined) {
    try {
      return { ...(await opts.api.confirm({ topicArn: env.TopicArn, token: env.Token })), via: 'api' };
    } catch (err) {
      // Denied (no sns:ConfirmSubscription), no credentials, SNS unreachable: the GET still works.
      opts.onApiFailure?.(err);
    }
  }
  const fetchImpl: FetchLike = opts.fetch ?? ((input, init) => fetch(input, init));
  const context = { topicArn: env.TopicArn, messageId: env.MessageId, host: subscribeUrl.host };
  let res: Response;
  try {
    res = await fetchImpl(subscribeUrl, {
      method: 'GET',
      redirect: 'error',
      signal: AbortSignal.timeout(opts.timeoutMs ?? CONFIRM_TIMEOUT_MS),
    });
  } catch (err) {
    throw new AppError('sns_confirm_failed', 'SNS subscription confirmation request failed', { context, cause: err });
  }
  let body = '';
  try {
    body = (await readCappedBody(res, MAX_CONFIRM_RESPONSE_BYTES)).toString('utf8');
  } catch (err) {
    // The status is what matters; an unreadable body only costs us the ARN (unless it failed).
    if (!(err instanceof BodyTooLargeError) && res.ok) {
      throw new AppError('sns_confirm_failed', 'SNS subscription confirmation response could not be read', { context, cause: err });
    }
  }
  if (!res.ok) {
    throw new AppError('sns_confirm_failed', `SNS subscription confirmation returned HTTP ${res.status}`, {
      context: { ...context, status: res.status },
    });
  }
  const arn = /<SubscriptionArn>([^<]{1,512})<\/SubscriptionArn>/.exec(body)?.[1];
  return arn !== undefined ? { subscriptionArn: arn, via: 'get' } : { via: 'get' };
}

/**
 * SubscribeURL must point at the server that signed the message: same origin as the validated
 * SigningCertURL. Under the strict rule that origin is already https://sns.<region>.amazonaws.com
 * [.cn]; it is re-checked here so this rule does not depend on how the cert URL was validated.
 */
export function validateSubscribeUrl(raw: string, certUrl: URL, patternMode: boolean): URL {
  const reject = (reason: string): AppError =>
    new AppError('sns_subscribe_url_invalid', `SNS SubscribeURL rejected: ${reason}`, {
      context: { host: hostOf(raw) },
    });
  if (raw.length > MAX_SUBSCRIBE_URL_LENGTH) throw reject('too long');
  // The URL parser drops tabs and newlines silently; refuse rather than guess.
  if (!/^[\x21-\x7e]+$/.test(raw)) throw reject('contains spaces or control characters');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw reject('not a URL');
  }
  if (url.username !== '' || url.password !== '') throw reject('has userinfo');
  if (url.origin !== certUrl.origin) throw reject('not on the signing certificate host');
  if (!patternMode && (url.protocol !== 'https:' || url.port !== '' || !isSnsServiceHost(url.hostname))) {
    throw reject('not an SNS endpoint');
  }
  return url;
}

/** Host only, for logs: the query string carries the confirmation token. */
function hostOf(raw: string): string {
  try {
    return new URL(raw).host;
  } catch {
    return '(unparseable)';
  }
}
