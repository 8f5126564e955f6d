/**
 * Blast-radius sweep and stop-all benchmarks against the loopback AWS double limited to ECS's
 * published rates (ListTasks+DescribeTasks: burst 100, 20/s; StopTask: burst 100, 40/s), with the
 * app's own client factory (SDK retries + client-side token buckets).
 *
 * Figures: API calls made vs the minimum the page sizes allow, and wall time vs the rate-limit
 * floor (the time the token bucket alone forces: (calls − burst) / rate).
 */
import { createAwsClientFactory } from '../src/aws/clients.js';
import { findTasksUsingImage, minimumCalls, stopTasks } from '../src/aws/ecs/index.js';
import { createLogger } from '../src/log.js';
import { startAwsDouble, AWS_DEFAULT_LIMITS } from '../test/doubles/aws/index.js';

export const CLUSTERS = 50;
export const TASKS = 10_000;
export const STOP_COUNT = 500;
const READ = AWS_DEFAULT_LIMITS['ecs:read']!;
const STOP = AWS_DEFAULT_LIMITS['ecs:StopTask']!;

const floorSeconds = (calls: number, limit: { burst: number; perSecond: number }) => Math.max(0, calls - limit.burst) / limit.perSecond;

export interface SweepBench {
  calls: number;
  minimum: number;
  seconds: number;
  floorSeconds: number;
  matches: number;
  throttled: number;
  stop: { tasks: number; seconds: number; floorSeconds: number; failures: number; throttled: number };
}

export async function runSweepBench(): Promise<SweepBench> {
  const aws = await startAwsDouble({ limits: AWS_DEFAULT_LIMITS });
  try {
    const digest = `sha256:${'ab'.repeat(32)}`;
    const seeded = aws.seed.manyTasks({
      clusters: CLUSTERS,
      tasks: TASKS,
      image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/web:1.0',
      digest,
      fraction: STOP_COUNT / TASKS,
    });
    const factory = createAwsClientFactory({
      endpointUrl: aws.endpoint,
      defaultRegion: aws.region,
      credentials: { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench' },
      logger: createLogger('silent'),
    });
    const clients = factory.forTarget({ accountId: aws.accountId, region: aws.region });
    const perCluster = Array.from({ length: CLUSTERS }, () => TASKS / CLUSTERS);

    const t0 = performance.now();
    const sweep = await findTasksUsingImage(clients, { digest });
    const seconds = (performance.now() - t0) / 1000;
    const calls = sweep.calls.listClusters + sweep.calls.listTasks + sweep.calls.describeTasks;
    const min = minimumCalls(perCluster);
    const readCalls = sweep.calls.listTasks + sweep.calls.describeTasks;
    const throttledSweep = aws.calls.filter((c) => c.error === 'ThrottlingException').length;

    const refs = sweep.matches.slice(0, STOP_COUNT);
    const t1 = performance.now();
    const stopped = await stopTasks(clients, refs, 'benchmark');
    const stopSeconds = (performance.now() - t1) / 1000;
    const throttledStop = aws.calls.filter((c) => c.error === 'ThrottlingException').length - throttledSweep;
    factory.destroy();
    if (seeded.matchingTaskArns.length < STOP_COUNT) throw new Error('seed produced too few matching tasks');
    return {
      calls,
      minimum: min.total,
      seconds,
      floorSeconds: floorSeconds(readCalls, READ),
      matches: sweep.matches.length,
      throttled: throttledSweep,
      stop: {
        tasks: stopped.length,
        seconds: stopSeconds,
        floorSeconds: floorSeconds(stopped.length, STOP),
        failures: stopped.filter((s) => !s.ok).length,
        throttled: throttledStop,
      },
    };
  } finally {
    await aws.close();
  }
}
