/**
 * An end-to-end world for the remediation steps: the app (real Bolt, real AWS SDK clients) with
 * its AWS client factory pointed at the loopback AWS double, a Slack double, and helpers to seed
 * a task and publish the GuardDuty finding that names it.
 */
import { readFileSync } from 'node:fs';
import { createAwsClientFactory } from '../../src/aws/clients.js';
import { createLogger } from '../../src/log.js';
import { startAwsDouble, type AwsDouble, type AwsDoubleOptions } from '../doubles/aws/index.js';
import { startHarness, type Harness } from './harness.js';

export const RESPONDER = 'U0RESPONDER';
export const SECOND_RESPONDER = 'U0SECOND';
export const OUTSIDER = 'U0OUTSIDER';

export interface EcsWorld {
  h: Harness;
  aws: AwsDouble;
  close(): Promise<void>;
}

export async function startEcsWorld(opts: { env?: Record<string, string>; aws?: AwsDoubleOptions } = {}): Promise<EcsWorld> {
  const aws = await startAwsDouble(opts.aws ?? {});
  const factory = createAwsClientFactory({
    endpointUrl: aws.endpoint,
    defaultRegion: aws.region,
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' },
    maxAttempts: 3,
    logger: createLogger('silent'),
  });
  const h = await startHarness({
    env: { RESPONDER_USER_IDS: `${RESPONDER},${SECOND_RESPONDER}`, ...opts.env },
    overrides: { aws: factory },
  });
  return {
    h,
    aws,
    async close() {
      await h.close();
      await aws.close();
    },
  };
}

let findingSeq = 0;

/** A GuardDuty ECSCluster runtime finding (EventBridge event) naming a seeded task. */
export function ecsFindingEvent(task: { taskArn: string; clusterArn: string; image: string; digest?: string; taskDefinitionArn?: string; group?: string; launchType?: string }, id?: string) {
  const event = JSON.parse(readFileSync(new URL('../fixtures/findings/eventbridge-ecs-fargate.json', import.meta.url), 'utf8')) as Record<string, any>;
  const d = event.detail;
  d.id = id ?? `e2e${String(++findingSeq).padStart(29, '0')}`;
  d.arn = d.arn.replace(/finding\/.*/, `finding/${d.id}`);
  const cluster = d.resource.ecsClusterDetails;
  cluster.arn = task.clusterArn;
  cluster.name = task.clusterArn.split('/').pop();
  const t = cluster.taskDetails;
  t.arn = task.taskArn;
  if (task.taskDefinitionArn) t.definitionArn = task.taskDefinitionArn;
  if (task.group) t.group = task.group;
  if (task.launchType) t.launchType = task.launchType;
  t.containers = [{ containerRuntime: 'containerd', id: 'c1', name: 'app', image: task.digest ? `${task.image.replace(/:[^/:]+$/, '')}@${task.digest}` : task.image }];
  return { event, findingId: d.id as string };
}
