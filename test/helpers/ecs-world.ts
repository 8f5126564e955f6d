/**
 * An end-to-end world for the remediation steps: the app (real Bolt, real AWS SDK clients) with
 * its AWS client factory pointed at the loopback AWS double, a Slack double, and helpers to seed
 * a task and publish the GuardDuty finding that names it.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../src/log.js';
import { AwsServiceError, startAwsDouble, type AwsDouble, type AwsDoubleOptions } from '../doubles/aws/index.js';
import { startHarness, type Harness } from './harness.js';
import type { EditableJson } from '../fixtures/findings/load.js';

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
  const h = await startHarness({
    env: { RESPONDER_USER_IDS: `${RESPONDER},${SECOND_RESPONDER}`, ...opts.env },
    // The app's own factory (so its calls are audited), pointed at the double.
    overrides: {
      awsOptions: {
        endpointUrl: aws.endpoint,
        defaultRegion: aws.region,
        credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' },
        maxAttempts: 3,
        logger: createLogger('silent'),
      },
    },
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
/**
 * The usual isolation scene: a VPC with the task's subnet and one other subnet (whose ACL gets the
 * deny entries), an ECR image, and a Fargate task of service "checkout" running it at 10.0.1.20.
 */
export function seedCheckoutTask(aws: AwsDouble) {
  const net = aws.seed.network();
  const other = aws.ec2.addSubnet({ vpcId: net.vpc.vpcId, cidrBlock: '10.0.16.0/20' });
  const img = aws.seed.image({ repository: 'checkout', tag: '1.4' });
  const task = aws.seed.fargateTask({
    cluster: 'prod',
    service: 'checkout',
    image: img.uri,
    digest: img.digest,
    subnetId: net.subnet.subnetId,
    ip: '10.0.1.20',
  });
  return { net, other, img, task };
}

export function ecsFindingEvent(
  task: { taskArn: string; clusterArn: string; image: string; digest?: string; taskDefinitionArn?: string; group?: string; launchType?: string },
  id?: string,
) {
  const event = JSON.parse(readFileSync(new URL('../fixtures/findings/eventbridge-ecs-fargate.json', import.meta.url), 'utf8')) as EditableJson;
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
  t.containers = [
    { containerRuntime: 'containerd', id: 'c1', name: 'app', image: task.digest ? `${task.image.replace(/:[^/:]+$/, '')}@${task.digest}` : task.image },
  ];
  return { event, findingId: d.id as string };
}

/** A GuardDuty sample finding (CreateSampleFindings: fake resource ids, additionalInfo sample:true). */
export function sampleEcsFinding(id?: string) {
  const finding = JSON.parse(readFileSync(new URL('../fixtures/findings/sample-ecs.json', import.meta.url), 'utf8')) as EditableJson;
  finding.id = id ?? `smp${String(++findingSeq).padStart(29, '0')}`;
  finding.arn = finding.arn.replace(/finding\/.*/, `finding/${finding.id}`);
  return { finding, findingId: finding.id as string };
}

/** Publishes a finding (or event) over signed SNS and waits until its card is posted. */
export async function publishFinding(h: Harness, message: unknown): Promise<void> {
  const res = await h.publish(message);
  if (res.status !== 200) throw new Error(`SNS publish answered ${res.status}: ${await res.text()}`);
  await h.settle();
}

/** Writes an AUTHZ_POLICY_FILE to a fresh temp directory; returns its path and a cleanup. */
export function writePolicyFile(policy: unknown): { path: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'gd-policy-'));
  const path = join(dir, 'authz.json');
  writeFileSync(path, JSON.stringify(policy));
  return { path, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Every ECS call about one cluster fails with `code` until the returned function is called —
 * a cluster that keeps failing, while the others answer. (The double's `failNext` counts calls
 * of an operation whichever cluster they name, and `denyOperation` is global, so neither can
 * single out one cluster of a concurrent sweep.) Patches the double's state lookup; call after
 * seeding.
 */
export function failEcsCluster(aws: AwsDouble, clusterName: string, code = 'ServerException', status = 500): () => void {
  const state = aws.ecs;
  const original = state.cluster.bind(state);
  const rec = original(clusterName);
  if (!rec) throw new Error(`failEcsCluster: no cluster ${clusterName}`);
  state.cluster = (ref: string) => {
    if (ref === clusterName || ref === rec.cluster.clusterArn) throw new AwsServiceError(code, `Injected ${code} for cluster ${clusterName}`, status);
    return original(ref);
  };
  return () => {
    state.cluster = original;
  };
}

/**
 * StopTask of one task fails with `code` (e.g. an IAM condition on that task's tags) while the
 * other tasks stop normally. Returns a function that removes the fault.
 */
export function failStopTaskFor(aws: AwsDouble, taskArn: string, code = 'AccessDeniedException', message?: string, status = 400): () => void {
  const state = aws.ecs;
  const original = state.stopTask.bind(state);
  state.stopTask = (task, reason) => {
    if (task.taskArn === taskArn) {
      throw new AwsServiceError(
        code,
        message ??
          `User: arn:aws:sts::${aws.accountId}:assumed-role/GuardDutyResponder/responder is not authorized to perform: ecs:StopTask on resource: ${taskArn} because no identity-based policy allows the ecs:StopTask action`,
        status,
      );
    }
    return original(task, reason);
  };
  return () => {
    state.stopTask = original;
  };
}

/** Index of the first / last call of `op` in the double's call log (-1 if none), for ordering checks. */
export function callIndexes(aws: AwsDouble, op: string): number[] {
  const colon = op.indexOf(':');
  const service = op.slice(0, colon);
  const name = op.slice(colon + 1);
  return aws.calls.flatMap((c, i) => (c.service === service && c.op === name ? [i] : []));
}

/** Yields to the event loop until `cond` holds (no timers); fails after `maxMs` of wall time. */
export async function waitUntil(what: string, cond: () => boolean | Promise<boolean>, maxMs = 3000): Promise<void> {
  const start = Date.now();
  while (!(await cond())) {
    if (Date.now() - start > maxMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}
