/**
 * Client-side rate limiting (STYLE §8: retry and throttling live in the clients).
 *
 * ECS and EC2 throttle per account and Region with token buckets (ECS API Reference, "Request
 * throttling for the Amazon ECS API": the bucket's maximum capacity is the burst, its refill
 * rate the sustained rate). We mirror those buckets on our side so a blast-radius sweep or a
 * mass StopTask paces itself instead of hitting ThrottlingException and leaning on retries.
 * The middleware sits inside the SDK's retry loop, so every attempt (retries included) takes
 * a token.
 */
import type {
  FinalizeHandler,
  FinalizeHandlerArguments,
  FinalizeRequestMiddleware,
  HandlerExecutionContext,
  MetadataBearer,
  MiddlewareStack,
} from '@smithy/types';

export interface RateLimit {
  /** Bucket capacity: calls allowed at once after a quiet period. */
  burst: number;
  /** Refill rate: sustained calls per second. */
  perSecond: number;
}

/** ECS "task read" bucket: ListTasks and DescribeTasks share it (burst 100, 20/s). */
export const ECS_TASK_READ_LIMIT: RateLimit = Object.freeze({ burst: 100, perSecond: 20 });
/** ECS StopTask bucket (burst 100, 40/s). */
export const ECS_STOP_TASK_LIMIT: RateLimit = Object.freeze({ burst: 100, perSecond: 40 });
/** EC2 mutating calls: about 5/s sustained; a small burst of 10 keeps us well inside it. */
export const EC2_MUTATING_LIMIT: RateLimit = Object.freeze({ burst: 10, perSecond: 5 });

export const RATE_LIMIT_GROUPS = {
  ecsTaskRead: 'ecs:task-read',
  ecsStopTask: 'ecs:stop-task',
  ec2Mutating: 'ec2:mutating',
} as const;
export type RateLimitGroup = (typeof RATE_LIMIT_GROUPS)[keyof typeof RATE_LIMIT_GROUPS];

export const DEFAULT_RATE_LIMITS: Readonly<Record<RateLimitGroup, RateLimit>> = Object.freeze({
  [RATE_LIMIT_GROUPS.ecsTaskRead]: ECS_TASK_READ_LIMIT,
  [RATE_LIMIT_GROUPS.ecsStopTask]: ECS_STOP_TASK_LIMIT,
  [RATE_LIMIT_GROUPS.ec2Mutating]: EC2_MUTATING_LIMIT,
});

/** Which bucket an operation draws from; `undefined` = not limited on our side. */
export function operationGroup(service: 'ecs' | 'ec2' | 'ecr', operation: string): RateLimitGroup | undefined {
  if (service === 'ecs') {
    if (operation === 'ListTasks' || operation === 'DescribeTasks') return RATE_LIMIT_GROUPS.ecsTaskRead;
    if (operation === 'StopTask') return RATE_LIMIT_GROUPS.ecsStopTask;
    return undefined;
  }
  if (service === 'ec2') {
    // EC2 sorts actions into non-mutating (Describe*, Get*, List*…) and mutating (the rest).
    return /^(Describe|Get|List|Search)/.test(operation) ? undefined : RATE_LIMIT_GROUPS.ec2Mutating;
  }
  return undefined;
}

import type { Clock } from '../util/clock.js';

export type { Clock } from '../util/clock.js';

/** Like util/clock's systemClock, but its timers keep the process alive (a CLI run waits for its retries). */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** Float noise guard so 1 token at 20/s waits exactly 50 ms, not 51. */
const EPSILON = 1e-9;

/**
 * A token bucket that hands out reservations: a caller that finds it empty takes a token
 * "on credit" (the balance goes negative) and is told how long to wait. Reservations are
 * synchronous, so concurrent callers queue in call order with no race.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    readonly limit: RateLimit,
    private readonly now: () => number,
  ) {
    if (!(limit.burst >= 1) || !(limit.perSecond > 0)) throw new RangeError('rate limit needs burst >= 1 and perSecond > 0');
    this.tokens = limit.burst;
    this.last = now();
  }

  /** Takes one token; returns the milliseconds to wait before using it (0 = go now). */
  reserve(): number {
    const t = this.now();
    const elapsed = Math.max(0, t - this.last);
    this.last = Math.max(this.last, t);
    this.tokens = Math.min(this.limit.burst, this.tokens + (elapsed * this.limit.perSecond) / 1000);
    this.tokens -= 1;
    if (this.tokens >= -EPSILON) return 0;
    return Math.max(0, Math.ceil((-this.tokens * 1000) / this.limit.perSecond - EPSILON));
  }

  /** Tokens available now (negative while reservations are outstanding). */
  available(): number {
    const elapsed = Math.max(0, this.now() - this.last);
    return Math.min(this.limit.burst, this.tokens + (elapsed * this.limit.perSecond) / 1000);
  }
}

export class RateLimiter {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    private readonly limits: Readonly<Record<string, RateLimit>> = DEFAULT_RATE_LIMITS,
    private readonly clock: Clock = systemClock,
  ) {}

  /** Waits until a call in `group` may go; resolves with the milliseconds waited. */
  async acquire(group: string): Promise<number> {
    const bucket = this.bucket(group);
    if (!bucket) return 0;
    const wait = bucket.reserve();
    if (wait > 0) await this.clock.sleep(wait);
    return wait;
  }

  /** The bucket of a group (created on first use); undefined when the group is not limited. */
  bucket(group: string): TokenBucket | undefined {
    let b = this.buckets.get(group);
    if (!b) {
      const limit = this.limits[group];
      if (!limit) return undefined;
      b = new TokenBucket(limit, this.clock.now);
      this.buckets.set(group, b);
    }
    return b;
  }
}

export const RATE_LIMIT_MIDDLEWARE_NAME = 'guarddutyResponderRateLimit';

/** `ListTasksCommand` → `ListTasks`. */
export function operationFromContext(context: HandlerExecutionContext): string | undefined {
  const name = context.commandName;
  return typeof name === 'string' ? name.replace(/Command$/, '') : undefined;
}

export type RateLimitWaitListener = (info: { operation: string; group: string; waitedMs: number }) => void;

/** Which bucket an operation draws from: a service whose groups are defined here, or a service's own rule (elbv2/rate-limit.ts). */
export type OperationGroups = 'ecs' | 'ec2' | 'ecr' | ((operation: string) => string | undefined);

export function rateLimitMiddleware<I extends object, O extends MetadataBearer>(
  limiter: RateLimiter,
  service: OperationGroups,
  onWait?: RateLimitWaitListener,
): FinalizeRequestMiddleware<I, O> {
  const groupOf = typeof service === 'function' ? service : (operation: string) => operationGroup(service, operation);
  return (next: FinalizeHandler<I, O>, context: HandlerExecutionContext) => async (args: FinalizeHandlerArguments<I>) => {
    const operation = operationFromContext(context);
    const group = operation !== undefined ? groupOf(operation) : undefined;
    if (operation !== undefined && group !== undefined) {
      const waitedMs = await limiter.acquire(group);
      if (waitedMs > 0) onWait?.({ operation, group, waitedMs });
    }
    return next(args);
  };
}

/**
 * Adds the limiter inside the retry loop (after `retryMiddleware`, before signing, so a
 * request that waited is signed afterwards with a fresh timestamp).
 */
export function addRateLimiting<I extends object, O extends MetadataBearer>(
  client: { middlewareStack: MiddlewareStack<I, O> },
  limiter: RateLimiter,
  service: OperationGroups,
  onWait?: RateLimitWaitListener,
): void {
  client.middlewareStack.addRelativeTo(rateLimitMiddleware<I, O>(limiter, service, onWait), {
    name: RATE_LIMIT_MIDDLEWARE_NAME,
    relation: 'before',
    toMiddleware: 'httpSigningMiddleware',
    override: true,
  });
}
