import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_RATE_LIMITS,
  EC2_MUTATING_LIMIT,
  ECS_STOP_TASK_LIMIT,
  ECS_TASK_READ_LIMIT,
  operationGroup,
  RATE_LIMIT_GROUPS,
  RateLimiter,
  TokenBucket,
} from '../../src/aws/rate-limit.js';

/** A fake clock: sleep advances time by exactly the requested amount and records it. */
function fakeClock(start = 1_000_000) {
  let t = start;
  const sleeps: number[] = [];
  return {
    now: () => t,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      t += ms;
    },
    advance: (ms: number) => {
      t += ms;
    },
    sleeps,
  };
}

describe('published rates', () => {
  test('named constants match the ECS and EC2 buckets', () => {
    assert.deepEqual(ECS_TASK_READ_LIMIT, { burst: 100, perSecond: 20 });
    assert.deepEqual(ECS_STOP_TASK_LIMIT, { burst: 100, perSecond: 40 });
    assert.deepEqual(EC2_MUTATING_LIMIT, { burst: 10, perSecond: 5 });
  });

  test('ListTasks and DescribeTasks share one bucket; StopTask has its own; EC2 mutating calls are grouped', () => {
    assert.equal(operationGroup('ecs', 'ListTasks'), RATE_LIMIT_GROUPS.ecsTaskRead);
    assert.equal(operationGroup('ecs', 'DescribeTasks'), RATE_LIMIT_GROUPS.ecsTaskRead);
    assert.equal(operationGroup('ecs', 'StopTask'), RATE_LIMIT_GROUPS.ecsStopTask);
    assert.equal(operationGroup('ecs', 'ListClusters'), undefined);
    assert.equal(operationGroup('ec2', 'CreateNetworkAclEntry'), RATE_LIMIT_GROUPS.ec2Mutating);
    assert.equal(operationGroup('ec2', 'ModifyNetworkInterfaceAttribute'), RATE_LIMIT_GROUPS.ec2Mutating);
    assert.equal(operationGroup('ec2', 'DescribeNetworkAcls'), undefined);
    assert.equal(operationGroup('ecr', 'BatchDeleteImage'), undefined);
  });
});

describe('TokenBucket (fake clock)', () => {
  test('burst of 100 goes at once, then one every 50 ms at 20/s', () => {
    const clock = fakeClock();
    const b = new TokenBucket(ECS_TASK_READ_LIMIT, clock.now);
    for (let i = 0; i < 100; i++) assert.equal(b.reserve(), 0, `call ${i + 1}`);
    assert.equal(b.reserve(), 50);
    assert.equal(b.reserve(), 100);
    assert.equal(b.reserve(), 150);
  });

  test('refills with time, never above the burst', () => {
    const clock = fakeClock();
    const b = new TokenBucket(EC2_MUTATING_LIMIT, clock.now);
    for (let i = 0; i < 10; i++) b.reserve();
    assert.equal(b.reserve(), 200); // 5/s → 200 ms per token
    clock.advance(600); // pays the reservation (200 ms) and refills 2 tokens
    assert.equal(b.reserve(), 0);
    assert.equal(b.reserve(), 0);
    assert.equal(b.reserve(), 200);
    clock.advance(60_000);
    assert.equal(Math.round(b.available()), 10);
  });

  test('StopTask bucket: 25 ms per call after the burst', () => {
    const clock = fakeClock();
    const b = new TokenBucket(ECS_STOP_TASK_LIMIT, clock.now);
    for (let i = 0; i < 100; i++) b.reserve();
    assert.equal(b.reserve(), 25);
  });

  test('rejects nonsense limits', () => {
    assert.throws(() => new TokenBucket({ burst: 0, perSecond: 1 }, () => 0), RangeError);
    assert.throws(() => new TokenBucket({ burst: 1, perSecond: 0 }, () => 0), RangeError);
  });
});

describe('RateLimiter', () => {
  test('140 task-read calls: 100 at once, then exactly one per 50 ms (20/s)', async () => {
    const clock = fakeClock();
    const limiter = new RateLimiter(DEFAULT_RATE_LIMITS, clock);
    const start = clock.now();
    for (let i = 0; i < 140; i++) await limiter.acquire(RATE_LIMIT_GROUPS.ecsTaskRead);
    // 100 free, then 40 more at 20/s = 2000 ms, in 40 sleeps of 50 ms each.
    assert.equal(clock.sleeps.length, 40);
    assert.ok(clock.sleeps.every((ms) => ms === 50));
    assert.equal(clock.now() - start, 2000);
  });

  test('concurrent callers queue in order with growing waits', async () => {
    const clock = fakeClock();
    const sleeps: number[] = [];
    const limiter = new RateLimiter({ g: { burst: 2, perSecond: 10 } }, { now: clock.now, sleep: async (ms) => void sleeps.push(ms) });
    const waits = await Promise.all([1, 2, 3, 4, 5].map(() => limiter.acquire('g')));
    assert.deepEqual(waits, [0, 0, 100, 200, 300]);
    assert.deepEqual(sleeps, [100, 200, 300]);
  });

  test('groups are independent; unknown groups are not limited', async () => {
    const clock = fakeClock();
    const limiter = new RateLimiter(DEFAULT_RATE_LIMITS, clock);
    for (let i = 0; i < 10; i++) await limiter.acquire(RATE_LIMIT_GROUPS.ec2Mutating);
    assert.equal(await limiter.acquire(RATE_LIMIT_GROUPS.ecsStopTask), 0);
    assert.equal(await limiter.acquire('nope'), 0);
    assert.equal(await limiter.acquire(RATE_LIMIT_GROUPS.ec2Mutating), 200);
  });
});
