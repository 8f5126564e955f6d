/**
 * Fault injection and rate limits. Operations are addressed as `service:Op` (`ecs:StopTask`,
 * `ec2:ModifyNetworkInterfaceAttribute`) because names collide across services
 * (`DescribeImages` is both EC2 and ECR). `*` matches every operation.
 *
 * The rate limits are token buckets, like AWS's own: each group starts full (`burst`) and refills
 * continuously at `perSecond`, measured on the injected clock. A request finding its bucket empty
 * is refused (ThrottlingException / RequestLimitExceeded) and consumes nothing.
 */
import { AwsServiceError } from './service.js';

export interface LimitSpec {
  burst: number;
  perSecond: number;
  /** Operations sharing this bucket; plain names take the service from the group key. When
   *  omitted, the group key itself names the one operation (`'ecs:StopTask'`). */
  ops?: readonly string[];
}
export type Limits = Readonly<Record<string, LimitSpec>>;

/**
 * The account-level limits the design notes quote (per account and region): ECS ListTasks and
 * DescribeTasks share one bucket of burst 100 at 20/s, StopTask has burst 100 at 40/s; EC2
 * mutating calls sustain about 5/s (EC2's "non-mutating / mutating" request token buckets; the
 * burst here is an approximation). Opt-in: the double has no limits unless given some.
 */
export const AWS_DEFAULT_LIMITS: Limits = {
  'ecs:read': { burst: 100, perSecond: 20, ops: ['ListTasks', 'DescribeTasks'] },
  'ecs:StopTask': { burst: 100, perSecond: 40 },
  'ec2:mutating': {
    burst: 50,
    perSecond: 5,
    ops: [
      'ModifyNetworkInterfaceAttribute',
      'CreateSecurityGroup',
      'DeleteSecurityGroup',
      'RevokeSecurityGroupEgress',
      'RevokeSecurityGroupIngress',
      'AuthorizeSecurityGroupEgress',
      'AuthorizeSecurityGroupIngress',
      'CreateNetworkAclEntry',
      'DeleteNetworkAclEntry',
      'CreateTags',
    ],
  },
};

/** What a fault may be: an error code (status inferred), a full error, or a dropped connection. */
export type FaultSpec = string | { code: string; message?: string; status?: number } | { reset: true };

/** Decided before the handler runs; the server turns it into the protocol's own error shape. */
export type FaultOutcome =
  | { kind: 'error'; error: AwsServiceError }
  | { kind: 'reset' }
  | { kind: 'deny'; principal: string }
  | { kind: 'throttle'; group: string };

const STATUS_BY_CODE: Readonly<Record<string, number>> = {
  ServerException: 500,
  InternalFailure: 500,
  InternalError: 500,
  InternalServerError: 500,
  ServiceUnavailable: 503,
  ServiceUnavailableException: 503,
  Unavailable: 503,
  RequestLimitExceeded: 503,
  UnauthorizedOperation: 403,
};

export function statusForCode(code: string): number {
  return STATUS_BY_CODE[code] ?? 400;
}

const DEFAULT_MESSAGES: Readonly<Record<string, string>> = {
  ThrottlingException: 'Rate exceeded',
  RequestLimitExceeded: 'Request limit exceeded.',
  ServerException: 'Service encountered an internal error.',
  InternalError: 'An internal error has occurred',
};

interface Bucket {
  readonly name: string;
  readonly spec: LimitSpec;
  tokens: number;
  at: number;
}

export class FaultController {
  private readonly pending = new Map<string, { spec: FaultSpec; left: number }[]>();
  private readonly denied = new Map<string, string>();
  private readonly latency = new Map<string, number>();
  private buckets = new Map<string, Bucket>();

  constructor(
    private readonly now: () => number,
    private readonly defaultPrincipal: string,
    limits: Limits = {},
  ) {
    this.setLimits(limits);
  }

  /** The next `times` calls of `op` fail with `fault` (queued after earlier failNext calls). */
  failNext(op: string, fault: FaultSpec, times = 1): void {
    const q = this.pending.get(op) ?? [];
    q.push({ spec: fault, left: times });
    this.pending.set(op, q);
  }

  /** Every call of `op` is refused as an IAM deny until allowOperation(op). */
  denyOperation(op: string, principal = this.defaultPrincipal): void {
    this.denied.set(op, principal);
  }

  allowOperation(op: string): void {
    this.denied.delete(op);
  }

  /** Adds real (wall-clock) latency to `op`, or `*` for all, to make benchmarks honest. */
  setLatency(op: string, ms: number): void {
    if (ms <= 0) this.latency.delete(op);
    else this.latency.set(op, ms);
  }

  latencyFor(op: string): number {
    return this.latency.get(op) ?? this.latency.get('*') ?? 0;
  }

  /** Replaces every bucket; each starts full. */
  setLimits(limits: Limits): void {
    const buckets = new Map<string, Bucket>();
    const t = this.now();
    for (const [name, spec] of Object.entries(limits)) {
      const colon = name.indexOf(':');
      const service = colon === -1 ? '' : name.slice(0, colon);
      const ops = spec.ops ?? [name];
      const bucket: Bucket = { name, spec, tokens: spec.burst, at: t };
      for (const op of ops) {
        const qualified = op.includes(':') ? op : `${service}:${op}`;
        if (buckets.has(qualified)) throw new Error(`${qualified} is in two rate-limit groups`);
        buckets.set(qualified, bucket);
      }
    }
    this.buckets = buckets;
  }

  /** Tokens left in the bucket that limits `op` (after refill), for assertions. */
  tokens(op: string): number | undefined {
    const b = this.buckets.get(op);
    if (!b) return undefined;
    this.refill(b);
    return b.tokens;
  }

  reset(): void {
    this.pending.clear();
    this.denied.clear();
    this.latency.clear();
    for (const b of new Set(this.buckets.values())) {
      b.tokens = b.spec.burst;
      b.at = this.now();
    }
  }

  /** Order: injected failure, then IAM deny, then throttling — as a caller would meet them. */
  check(op: string): FaultOutcome | undefined {
    const injected = this.take(op) ?? this.take('*');
    if (injected) {
      if (typeof injected === 'object' && 'reset' in injected) return { kind: 'reset' };
      const code = typeof injected === 'string' ? injected : injected.code;
      const message = (typeof injected === 'object' ? injected.message : undefined) ?? DEFAULT_MESSAGES[code] ?? `Injected ${code}`;
      const status = (typeof injected === 'object' ? injected.status : undefined) ?? statusForCode(code);
      return { kind: 'error', error: new AwsServiceError(code, message, status) };
    }
    const principal = this.denied.get(op) ?? this.denied.get('*');
    if (principal !== undefined) return { kind: 'deny', principal };
    const bucket = this.buckets.get(op);
    if (bucket) {
      this.refill(bucket);
      if (bucket.tokens < 1) return { kind: 'throttle', group: bucket.name };
      bucket.tokens -= 1;
    }
    return undefined;
  }

  private take(op: string): FaultSpec | undefined {
    const q = this.pending.get(op);
    const head = q?.[0];
    if (!q || !head) return undefined;
    head.left -= 1;
    if (head.left <= 0) q.shift();
    if (q.length === 0) this.pending.delete(op);
    return head.spec;
  }

  private refill(b: Bucket): void {
    const t = this.now();
    if (t > b.at) {
      b.tokens = Math.min(b.spec.burst, b.tokens + ((t - b.at) / 1000) * b.spec.perSecond);
    }
    b.at = t;
  }
}
