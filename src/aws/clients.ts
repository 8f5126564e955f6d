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
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { AccountScope, roleArnFor, type OrganizationSettings } from './accounts.js';
import { callerAccountReader } from './sts/identity.js';
import { RoleSessions, type Actor } from './sts/session.js';
import { ACCOUNT_ID_RE, REGION_RE } from './ids.js';

export type { Actor } from './sts/session.js';

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
  /** Who the calls are for: a member account's role session carries them (SourceIdentity). */
  actor?: Actor;
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
  /**
   * Member accounts and allowlists (AWS_MEMBER_ROLE_ARN, AWS_ACCOUNT_IDS, AWS_REGIONS…). The app
   * always passes it (then only allowed places are reachable); unset = no allowlist and the
   * app's credentials everywhere (library use, unit tests).
   */
  organization?: OrganizationSettings;
  /** Times role-session expiry (default `clock`): the app passes its own clock. */
  credentialClock?: Pick<Clock, 'now'>;
  /** Reads the app's own account; default sts:GetCallerIdentity with the app's credentials. */
  ownAccount?: () => Promise<string>;
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
  /**
   * Clients for one account and Region. Throws account_not_allowed / region_not_allowed (no call
   * is made) outside the allowlists; the app's own account uses its own credentials, any other
   * account the member role, as a session of `actor` (or the service identity).
   */
  forTarget(target: AwsTarget): AwsClients;
  /**
   * Clients for the app's own account (the GuardDuty administrator in a delegated set-up) in a
   * Region, for GuardDuty bookkeeping: archive, feedback, suppression rules, sample findings.
   * AWS_ACCOUNT_IDS does not apply (it lists where steps act on workloads; the administrator may
   * be left out of it); AWS_REGIONS does. Throws region_not_allowed before any call.
   */
  forAdministrator(region?: string): Promise<AwsClients>;
  /** Where the app acts (allowlists, own account, account names). */
  readonly scope: AccountScope;
  /** Destroys every cached client (closes sockets); for shutdown and tests. */
  destroy(): void;
}

export const DEFAULT_MAX_ATTEMPTS = 5;
/** Client sets kept for people's sessions (one per account × Region × person × step). */
export const MAX_CACHED_TARGETS = 200;
export const RETRY_MODE = 'standard';

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
  const limiters = new Map<string, RateLimiter>();
  const log = options.logger?.child({ component: 'aws' });
  const clock = options.clock ?? systemClock;
  const org = options.organization ?? {};
  const restricted = options.organization !== undefined;
  const transport = {
    ...(options.endpointUrl !== undefined ? { endpoint: options.endpointUrl } : {}),
    ...(options.requestHandler !== undefined ? { requestHandler: options.requestHandler } : {}),
  };
  // One provider for the app's own credentials (the default chain is resolved once, not per client).
  const appCredentials: AwsCredentials = options.credentials ?? fromNodeProviderChain();
  const scope = new AccountScope(
    restricted ? org : { ...org, unrestricted: true },
    options.ownAccount ?? callerAccountReader({ region: options.defaultRegion ?? 'us-east-1', maxAttempts, credentials: appCredentials, ...transport }),
  );
  const sessions = new RoleSessions({
    roleArnFor: (accountId) => roleArnFor(org.memberRoleArn ?? '', accountId),
    ...(org.externalId ? { externalId: org.externalId } : {}),
    masterCredentials: appCredentials,
    stsConfig: { maxAttempts, ...transport },
    clock: options.credentialClock ?? clock,
  });

  /** Decided per call, after the own account is known: own credentials, or the member role. */
  function credentialsOf(accountId: string, region: string, actor: AwsTarget['actor']): AwsCredentialIdentityProvider {
    return async (props) => {
      const { own } = await scope.check(accountId, region);
      if (!own) return sessions.provider(accountId, region, actor)(props);
      return typeof appCredentials === 'function' ? appCredentials(props) : appCredentials;
    };
  }

  function forTarget(target: AwsTarget): AwsClients {
    return clientsFor(target, false);
  }

  async function forAdministrator(region?: string): Promise<AwsClients> {
    const accountId = await scope.resolveOwn();
    const r = region ?? options.defaultRegion;
    const regions = scope.regions();
    if (restricted && r !== undefined && regions && !regions.includes(r)) {
      throw new AppError('region_not_allowed', `The app does not act in ${r} (AWS_REGIONS: ${regions.join(', ')}). Nothing was called in AWS.`, {
        context: { accountId, region: r },
      });
    }
    return clientsFor({ accountId, ...(r !== undefined ? { region: r } : {}) }, true);
  }

  function clientsFor(target: AwsTarget, administration: boolean): AwsClients {
    const region = target.region ?? options.defaultRegion;
    if (!ACCOUNT_ID_RE.test(target.accountId)) {
      throw new AppError('action_invalid', `"${target.accountId}" is not an AWS account id (12 digits).`);
    }
    if (region === undefined || !REGION_RE.test(region)) {
      throw new AppError('action_invalid', `No valid AWS Region for account ${target.accountId} (got "${region ?? ''}").`);
    }
    // Outside the allowlists: refuse here, before any client exists (no AssumeRole, no call).
    // Administration in the own account was checked by forAdministrator (Regions only).
    if (!administration) scope.decide(target.accountId, region);
    // Own-account calls do not depend on the person; member-account sessions do (SourceIdentity).
    const own = scope.ownAccountId() === target.accountId;
    const actor = own ? undefined : target.actor;
    const key = [target.accountId, region, actor?.requester ?? '', actor?.approver ?? '', actor?.step ?? '', administration ? 'admin' : ''].join('|');
    const cached = cache.get(key);
    if (cached) return cached;

    const custom = options.credentialsFor?.({ accountId: target.accountId, region });
    const credentials =
      custom ??
      (administration
        ? restricted
          ? appCredentials
          : options.credentials
        : restricted
          ? credentialsOf(target.accountId, region, actor)
          : options.credentials);
    const config = {
      region,
      maxAttempts,
      retryMode: RETRY_MODE,
      ...transport,
      ...(credentials !== undefined ? { credentials } : {}),
      ...(options.logger !== undefined ? { logger: sdkLogger(options.logger) } : {}),
    };
    // ECS and EC2 throttle per account and Region: one limiter per account and Region, shared by
    // every client set (and every person's session) there.
    const placeKey = `${target.accountId}/${region}`;
    let limiter = limiters.get(placeKey);
    if (!limiter) {
      limiter = new RateLimiter(options.rateLimits ?? { ...DEFAULT_RATE_LIMITS, ...ELBV2_RATE_LIMITS }, clock);
      limiters.set(placeKey, limiter);
    }
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
    if (cache.size >= MAX_CACHED_TARGETS) {
      const [oldestKey, oldest] = cache.entries().next().value!;
      cache.delete(oldestKey);
      destroyClients(oldest);
    }
    cache.set(key, clients);
    return clients;
  }

  function destroy(): void {
    for (const c of cache.values()) destroyClients(c);
    cache.clear();
  }

  return { forTarget, forAdministrator, destroy, scope };
}

function destroyClients(c: AwsClients): void {
  for (const client of Object.values(c)) client.destroy();
}

/** Records every call's final outcome (initialize step: outside the retry loop, one record per call). */
function addCallRecording(
  client: { middlewareStack: { add: (...args: never[]) => unknown } },
  service: string,
  accountId: string,
  region: string,
  onCall: (c: AwsCallRecord) => void,
): void {
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
