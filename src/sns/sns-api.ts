/**
 * Confirming a subscription through the SNS API (`ConfirmSubscription` with
 * `AuthenticateOnUnsubscribe=true`) instead of a GET of the SubscribeURL: a subscription
 * confirmed this way can only be removed by a signed Unsubscribe call from someone with SNS
 * permissions, so a leaked UnsubscribeURL (it travels in every Notification) cannot cut us off.
 *
 * The client is built without an explicit endpoint unless one is configured, so the SDK's own
 * `AWS_ENDPOINT_URL_SNS` / `AWS_ENDPOINT_URL` resolution applies. The Region is the topic's:
 * ConfirmSubscription must go to the topic's Region.
 */
import { ConfirmSubscriptionCommand, SNSClient } from '@aws-sdk/client-sns';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { AppError } from '../errors.js';
import { topicRegion } from './cert-url.js';

/** ConfirmSubscription is one small call; give up early enough to fall back to the GET. */
export const SNS_API_MAX_ATTEMPTS = 2;

export interface SnsConfirmApi {
  confirm(req: { topicArn: string; token: string }): Promise<{ subscriptionArn?: string }>;
  destroy(): void;
}

export interface SnsConfirmApiOptions {
  /** Loopback double / LocalStack; unset = the SDK's own endpoint resolution. */
  endpointUrl?: string;
  /** Unset = the SDK's default credential chain. */
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
}

export function createSnsConfirmApi(options: SnsConfirmApiOptions = {}): SnsConfirmApi {
  const clients = new Map<string, SNSClient>();
  function clientFor(region: string): SNSClient {
    let c = clients.get(region);
    if (c === undefined) {
      c = new SNSClient({
        region,
        maxAttempts: SNS_API_MAX_ATTEMPTS,
        ...(options.endpointUrl !== undefined ? { endpoint: options.endpointUrl } : {}),
        ...(options.credentials !== undefined ? { credentials: options.credentials } : {}),
      });
      clients.set(region, c);
    }
    return c;
  }
  return {
    async confirm({ topicArn, token }) {
      const region = topicRegion(topicArn);
      if (region === undefined) {
        throw new AppError('sns_confirm_failed', 'SNS topic ARN has no Region', { context: { topicArn: topicArn.slice(0, 300) } });
      }
      const out = await clientFor(region).send(new ConfirmSubscriptionCommand({ TopicArn: topicArn, Token: token, AuthenticateOnUnsubscribe: 'true' }));
      return out.SubscriptionArn !== undefined ? { subscriptionArn: out.SubscriptionArn } : {};
    },
    destroy() {
      for (const c of clients.values()) c.destroy();
      clients.clear();
    },
  };
}
