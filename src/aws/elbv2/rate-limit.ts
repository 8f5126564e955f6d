/**
 * Client-side pacing for ELBv2 reads. Finding an instance's registrations costs one
 * DescribeTargetHealth per target group (there is no "which groups is this target in" call), so
 * an account with hundreds of groups would drain ELB's bucket in one click. ELB throttles per
 * account and Region with token buckets; its user guide ("Request throttling for the ELB API")
 * gives the non-mutating Describe* bucket as 40 tokens refilled at 10 per second. The bucket is
 * shared with every other caller in the account (the console, other tools), which is one more
 * reason to stay under it rather than lean on ThrottlingException retries.
 */
import type { MetadataBearer, MiddlewareStack } from '@smithy/types';
import { addRateLimiting, type RateLimit, type RateLimiter, type RateLimitWaitListener } from '../rate-limit.js';

/** ELBv2 Describe* bucket: 40 tokens, refilled at 10/s. */
export const ELBV2_DESCRIBE_LIMIT: RateLimit = Object.freeze({ burst: 40, perSecond: 10 });
export const ELBV2_DESCRIBE_GROUP = 'elbv2:describe';
export const ELBV2_RATE_LIMITS: Readonly<Record<string, RateLimit>> = Object.freeze({ [ELBV2_DESCRIBE_GROUP]: ELBV2_DESCRIBE_LIMIT });

export function elbv2OperationGroup(operation: string): string | undefined {
  return operation.startsWith('Describe') ? ELBV2_DESCRIBE_GROUP : undefined;
}

/** The same middleware as the ECS/EC2 limiter, at the same place (inside the retry loop, before signing). */
export function addElbv2RateLimiting<I extends object, O extends MetadataBearer>(
  client: { middlewareStack: MiddlewareStack<I, O> },
  limiter: RateLimiter,
  onWait?: RateLimitWaitListener,
): void {
  addRateLimiting(client, limiter, elbv2OperationGroup, onWait);
}
