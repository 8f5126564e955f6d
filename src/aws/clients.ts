/**
 * The AWS client factory: the only place SDK clients are constructed (STYLE §1). Adapters take
 * the ready clients in, so tests hand them aws-sdk-client-mock'ed clients and end-to-end tests
 * point the same factory at a loopback double with `endpointUrl` (or AWS_ENDPOINT_URL).
 */
import { ECSClient, type ECSClientConfig } from '@aws-sdk/client-ecs';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECRClient } from '@aws-sdk/client-ecr';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { GuardDutyClient } from '@aws-sdk/client-guardduty';
import { SSMClient } from '@aws-sdk/client-ssm';
import { EKSClient } from '@aws-sdk/client-eks';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { AppError } from '../errors.js';
import type { Logger } from '../log.js';
import { addRateLimiting, DEFAULT_RATE_LIMITS, RateLimiter, systemClock, type Clock, type RateLimit } from './rate-limit.js';
import { addElbv2RateLimiting, ELBV2_RATE_LIMITS } from './elbv2/rate-limit.js';
import { NoQuotaRetryStrategy } from './ecr/retry-strategy.js';

export interface AwsClients {
  ecs: ECSClient;
  ec2: EC2Client;
  ecr: ECRClient;
  autoscaling: AutoScalingClient;
  elbv2: ElasticLoadBalancingV2Client;
  guardduty: GuardDutyClient;
  ssm: SSMClient;
  eks: EKSClient;
}

export interface AwsTarget {
  accountId: string;
  /** Defaults to the factory's `defaultRegion`. */
  region?: string;
}

export type AwsCredentials = AwsCredentialIdentity | AwsCredentialIdentityProvider;

export interface AwsClientFactoryOptions {
  defaultRegion?: string;
  /** Loopback double / LocalStack. Unset = the SDK's own resolution (which honours AWS_ENDPOINT_URL). */
  endpointUrl?: string;
  /** Unset = the SDK's default credential chain. */
  credentials?: AwsCredentials;
  /**
   * Seam for cross-account access: return the credentials to use for a target account, e.g.
   * `fromTemporaryCredentials({ params: { RoleArn: `arn:aws:iam::${accountId}:role/…` } })`.
   * Returning undefined falls back to `credentials` / the default chain.
   */
  credentialsFor?: (target: { accountId: string; region: string }) => AwsCredentials | undefined;
  /** Total attempts per call, first one included (SDK `maxAttempts`, retryMode 'standard'). */
  maxAttempts?: number;
  logger?: Logger;
  /** Override bucket sizes (tests, or an account with raised quotas). */
  rateLimits?: Readonly<Record<string, RateLimit>>;
  clock?: Clock;
  /** Called once per AWS API call with its final outcome (after retries): the audit trail. */
  onCall?: (call: AwsCallRecord) => void;
  /** Transport override (tests drive the real SDK stack through it without a network). */
  requestHandler?: ECSClientConfig['requestHandler'];
}

export interface AwsCallRecord {
  service: string;
  operation: string;
  accountId: string;
  region: string;
  requestId?: string;
  /** AWS error name when the call failed. */
  error?: string;
}

export interface AwsClientFactory {
  forTarget(target: AwsTarget): AwsClients;
  /** Destroys every cached client (closes sockets); for shutdown and tests. */
  destroy(): void;
}

export const DEFAULT_MAX_ATTEMPTS = 5;
export const RETRY_MODE = 'standard';

const ACCOUNT_RE = /^\d{12}$/;
const REGION_RE = /^[a-z]{2}(?:-[a-z]+)+-\d$/;

/** The SDK logs every call at info; keep that at debug so our logs stay about our actions. */
function sdkLogger(logger: Logger) {
  const child = logger.child({ component: 'aws-sdk' });
  return {
    trace: (...content: unknown[]) => child.trace({ sdk: content }),
    debug: (...content: unknown[]) => child.debug({ sdk: content }),
    info: (...content: unknown[]) => child.debug({ sdk: content }),
    warn: (...content: unknown[]) => child.warn({ sdk: content }),
    error: (...content: unknown[]) => child.error({ sdk: content }),
  };
}

export function createAwsClientFactory(options: AwsClientFactoryOptions = {}): AwsClientFactory {
  const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const cache = new Map<string, AwsClients>();
  const log = options.logger?.child({ component: 'aws' });

  function forTarget(target: AwsTarget): AwsClients {
    const region = target.region ?? options.defaultRegion;
    if (!ACCOUNT_RE.test(target.accountId)) {
      throw new AppError('action_invalid', `"${target.accountId}" is not an AWS account id (12 digits).`);
    }
    if (region === undefined || !REGION_RE.test(region)) {
      throw new AppError('action_invalid', `No valid AWS Region for account ${target.accountId} (got "${region ?? ''}").`);
    }
    const key = `${target.accountId}/${region}`;
    const cached = cache.get(key);
    if (cached) return cached;

    const credentials = options.credentialsFor?.({ accountId: target.accountId, region }) ?? options.credentials;
    const config = {
      region,
      maxAttempts,
      retryMode: RETRY_MODE,
      ...(options.endpointUrl !== undefined ? { endpoint: options.endpointUrl } : {}),
      ...(credentials !== undefined ? { credentials } : {}),
      ...(options.logger !== undefined ? { logger: sdkLogger(options.logger) } : {}),
      ...(options.requestHandler !== undefined ? { requestHandler: options.requestHandler } : {}),
    };
    // ECS and EC2 throttle per account and Region: one limiter per target, shared by its clients.
    const limiter = new RateLimiter(options.rateLimits ?? { ...DEFAULT_RATE_LIMITS, ...ELBV2_RATE_LIMITS }, options.clock ?? systemClock);
    const onWait = (info: { operation: string; group: string; waitedMs: number }) =>
      log?.debug({ ...info, accountId: target.accountId, region }, 'rate limiter paused an AWS call');

    const clients: AwsClients = {
      ecs: new ECSClient(config),
      ec2: new EC2Client(config),
      ecr: new ECRClient({ ...config, retryStrategy: new NoQuotaRetryStrategy(maxAttempts) }),
      autoscaling: new AutoScalingClient(config),
      elbv2: new ElasticLoadBalancingV2Client(config),
      guardduty: new GuardDutyClient(config),
      ssm: new SSMClient(config),
      eks: new EKSClient(config),
    };
    if (options.onCall) {
      for (const [service, client] of Object.entries(clients)) addCallRecording(client, service, target.accountId, region, options.onCall);
    }
    addRateLimiting(clients.ecs, limiter, 'ecs', onWait);
    addRateLimiting(clients.ec2, limiter, 'ec2', onWait);
    addRateLimiting(clients.ecr, limiter, 'ecr', onWait);
    addElbv2RateLimiting(clients.elbv2, limiter, onWait);
    cache.set(key, clients);
    return clients;
  }

  function destroy(): void {
    for (const c of cache.values()) {
      c.ecs.destroy();
      c.ec2.destroy();
      c.ecr.destroy();
      c.autoscaling.destroy();
      c.elbv2.destroy();
      c.guardduty.destroy();
      c.ssm.destroy();
      c.eks.destroy();
    }
    cache.clear();
  }

  return { forTarget, destroy };
}

/** Records every call's final outcome (initialize step: outside the retry loop, one record per call). */
function addCallRecording(client: { middlewareStack: { add: (...args: never[]) => unknown } }, service: string, accountId: string, region: string, onCall: (c: AwsCallRecord) => void): void {
  type Next = (args: unknown) => Promise<{ output?: { $metadata?: { requestId?: string } } }>;
  const middleware = (next: Next, context: { commandName?: string }) => async (args: unknown) => {
    const operation = (context.commandName ?? 'Unknown').replace(/Command$/, '');
    try {
      const out = await next(args);
      const requestId = out.output?.$metadata?.requestId;
      onCall({ service, operation, accountId, region, ...(requestId ? { requestId } : {}) });
      return out;
    } catch (err) {
      const e = err as { name?: string; $metadata?: { requestId?: string } };
      onCall({ service, operation, accountId, region, error: e.name ?? 'Error', ...(e.$metadata?.requestId ? { requestId: e.$metadata.requestId } : {}) });
      throw err;
    }
  };
  (client.middlewareStack.add as unknown as (m: unknown, o: unknown) => void)(middleware, { step: 'initialize', name: 'guarddutyResponderCallAudit' });
}
