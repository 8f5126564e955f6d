import { randomUUID } from 'node:crypto';
import express, { type Request, type Response, type NextFunction, type Router } from 'express';
import { describeError, isAppError } from '../errors.js';
import type { Logger } from '../log.js';
import type { SnsSuspiciousEvent } from '../sns/alerts.js';
import { confirmSubscription } from '../sns/confirm.js';
import type { SnsConfirmApi } from '../sns/sns-api.js';
import { assertTypeHeaderMatches, httpStatusFor, verifyEnvelope, type SnsVerifyOptions } from '../sns/verify.js';
import { MAX_SNS_BODY_BYTES, parseEnvelope, type SnsEnvelope } from '../sns/envelope.js';
import type { Store } from '../store/store.js';
import type { Clock } from '../util/clock.js';

export interface SnsRouteDeps {
  store: Store;
  logger: Logger;
  clock: Clock;
  verify: Omit<SnsVerifyOptions, 'now'>;
  /** Called after a Notification is durably stored. */
  onAccepted: () => void;
  confirm?: typeof confirmSubscription;
  /** Fetch used to GET the SubscribeURL (tests point it at a loopback signer). */
  fetch?: Parameters<typeof confirmSubscription>[1]['fetch'];
  /** SNS ConfirmSubscription (AuthenticateOnUnsubscribe); without it the SubscribeURL is fetched. */
  confirmApi?: Pick<SnsConfirmApi, 'confirm'>;
  /** Foreign-topic messages and unsubscriptions, for the team to see (rate-limited by the callee). */
  onSuspicious?: (event: SnsSuspiciousEvent) => void;
}

/**
 * POST /sns. Status codes follow SNS semantics: 200 only once the message is durably stored,
 * 4xx (final, never retried by SNS) for forged, foreign or malformed input, 5xx only for our own
 * outage so SNS retries.
 */
export function snsRouter(deps: SnsRouteDeps): Router {
  const router = express.Router();
  const confirm = deps.confirm ?? confirmSubscription;
  router.post('/sns', express.text({ type: () => true, limit: MAX_SNS_BODY_BYTES }), async (req: Request, res: Response) => {
    const reqId = randomUUID();
    const log = deps.logger.child({ reqId, route: 'sns', snsMessageId: req.header('x-amz-sns-message-id') });
    const body = typeof req.body === 'string' ? req.body : '';
    let parsed: SnsEnvelope | undefined;
    try {
      parsed = parseEnvelope(body);
      assertTypeHeaderMatches(req.header('x-amz-sns-message-type'), parsed);
      const env = await verifyEnvelope(parsed, { ...deps.verify, now: deps.clock.now });
      const elog = log.child({ topicArn: env.TopicArn, messageId: env.MessageId, type: env.Type });
      if (env.Type === 'Notification') {
        const outcome = await deps.store.acceptMessage({
          messageId: env.MessageId,
          topicArn: env.TopicArn,
          receivedAt: deps.clock.now(),
          payload: env.Message,
          reqId,
        });
        elog.info({ outcome }, outcome === 'accepted' ? 'notification accepted' : 'duplicate notification ignored');
        res.status(200).json({ ok: true, outcome });
        if (outcome === 'accepted') deps.onAccepted();
        return;
      }
      if (env.Type === 'SubscriptionConfirmation') {
        const result = await confirm(env, {
          topicArns: deps.verify.topicArns,
          ...(deps.verify.certUrlPattern ? { certUrlPattern: deps.verify.certUrlPattern } : {}),
          ...(deps.fetch ? { fetch: deps.fetch } : {}),
          ...(deps.confirmApi ? { api: deps.confirmApi } : {}),
          onApiFailure: (err) =>
            elog.warn(
              { err: describeError(err) },
              'SNS ConfirmSubscription API call failed (sns:ConfirmSubscription allowed?); confirming with the SubscribeURL instead',
            ),
        });
        elog.info({ via: result.via, subscriptionArn: result.subscriptionArn }, 'subscription confirmed');
        res.status(200).json({ ok: true, outcome: 'subscription_confirmed' });
        return;
      }
      elog.warn('unsubscribe confirmation received; no action taken (re-subscribe from the SNS console if unexpected)');
      deps.onSuspicious?.({ kind: 'unsubscribed', topicArn: env.TopicArn, messageType: env.Type });
      res.status(200).json({ ok: true, outcome: 'unsubscribe_noted' });
    } catch (err) {
      const status = isAppError(err, 'store_unavailable') ? 503 : httpStatusFor(err);
      const code = isAppError(err) ? err.code : 'internal_error';
      const line = { status, code, err: describeError(err) };
      if (status >= 500) log.error(line, 'sns message not accepted (our side); SNS will retry');
      else log.warn(line, 'sns message refused');
      if (parsed !== undefined && isAppError(err, 'sns_topic_not_allowed')) {
        const kind = parsed.Type === 'Notification' ? 'foreign_topic_notification' : 'foreign_topic_confirmation';
        deps.onSuspicious?.({ kind, topicArn: parsed.TopicArn, messageType: parsed.Type });
      }
      res.status(status).json({ ok: false, error: code });
    }
  });
  // Body-parser errors (too large, bad encoding) answer 4xx without a stack trace.
  router.use('/sns', (err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const e = err as { status?: number; type?: string };
    const status = e.type === 'entity.too.large' ? 413 : (e.status ?? 400);
    deps.logger.warn({ route: 'sns', status, type: e.type }, 'sns request body refused');
    res.status(status).json({ ok: false, error: e.type === 'entity.too.large' ? 'sns_body_too_large' : 'sns_body_invalid' });
  });
  return router;
}
