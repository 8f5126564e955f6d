/**
 * An end-to-end world for the instance and standalone-container steps: the app (real Bolt, real
 * AWS SDK clients through the real client factory) against the loopback AWS double, and helpers
 * that turn the Instance / Container finding fixtures into findings about a seeded instance.
 *
 * Time is the harness clock everywhere: the double's clock (drain delays, the one-scan-per-hour
 * rule) reads it, the app polls on it, the client-side rate limiter waits on it, and the SDK's
 * retry backoff is recorded and moved onto it
 * instead of waited for in wall time (see `instantSdkBackoff`), so throttling tests are fast and
 * deterministic while the SDK's own retry decisions stay untouched.
 */
import { readFileSync } from 'node:fs';
import type { AwsClients } from '../../src/aws/clients.js';
import { createLogger } from '../../src/log.js';
import { startAwsDouble, type AwsDouble, type AwsDoubleOptions } from '../doubles/aws/index.js';
import { startHarness, type Harness } from './harness.js';
import { RESPONDER, SECOND_RESPONDER } from './ecs-world.js';
import type { EditableJson } from '../fixtures/findings/load.js';

export { OUTSIDER, RESPONDER, SECOND_RESPONDER, publishFinding, writePolicyFile, callIndexes } from './ecs-world.js';

/** What the SDK's retry strategy asked for: one entry per retry, by client. */
export interface SdkBackoff {
  client: keyof AwsClients;
  /** 1 000 ms for THROTTLING errors, 50 ms for transient ones (the SDK's delay bases). */
  delayBase: number;
  /** The delay the SDK computed (random jitter), moved onto the harness clock. */
  delayMs: number;
}

export interface InstanceWorld {
  h: Harness;
  aws: AwsDouble;
  /** Every SDK retry backoff since the world started. */
  backoffs: SdkBackoff[];
  close(): Promise<void>;
}

export async function startInstanceWorld(opts: { env?: Record<string, string>; aws?: AwsDoubleOptions } = {}): Promise<InstanceWorld> {
  // The harness (and its clock) starts after the factory it is given: read the clock lazily.
  let clock: Harness['clock'] | undefined;
  const now = () => (clock ? clock.now() : Date.now());
  const aws = await startAwsDouble({ now, ...opts.aws });
  const awsOptions = {
    endpointUrl: aws.endpoint,
    defaultRegion: aws.region,
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' },
    maxAttempts: 3,
    logger: createLogger('silent'),
    // The client-side rate limiter (EC2 mutating calls: burst 10, then 5/s) waits on the app clock.
    clock: { now, sleep: (ms: number) => (clock ? clock.sleep(ms) : Promise.reject(new Error('no harness clock yet'))) },
  };
  const h = await startHarness({
    env: { RESPONDER_USER_IDS: `${RESPONDER},${SECOND_RESPONDER}`, ...opts.env },
    // The app's own factory (its calls are audited), pointed at the double.
    overrides: { awsOptions },
  });
  clock = h.clock;
  // The findings name the double's account and Region: these are the clients the app will use.
  const backoffs = await instantSdkBackoff(h.responder.aws.forTarget({ accountId: aws.accountId, region: aws.region }), h.clock);
  return {
    h,
    aws,
    backoffs,
    async close() {
      await h.close();
      await aws.close();
    },
  };
}

interface BackoffStrategy {
  computeNextBackoffDelay(i: number): number;
  setDelayBase(delay: number): void;
}

/**
 * The SDK's standard retry strategy waits its computed backoff with a real setTimeout inside
 * refreshRetryTokenForRetry (up to 1 s, then 2 s, for throttling). Keep the strategy — which
 * errors it retries, how many attempts, its retry quota — and swap only its backoff for one that
 * records the delay, advances the harness clock by it and returns 0.
 */
async function instantSdkBackoff(clients: AwsClients, clock: { advance(ms: number): void }): Promise<SdkBackoff[]> {
  const log: SdkBackoff[] = [];
  // ECR is left out: its strategy is re-wrapped per call (no retry on quota refusals) and no
  // instance step uses it.
  for (const name of ['ec2', 'autoscaling', 'elbv2', 'ssm', 'guardduty', 'ecs'] as const) {
    const config = clients[name].config as unknown as { retryStrategy: () => Promise<{ retryBackoffStrategy?: BackoffStrategy }> };
    const strategy = await config.retryStrategy();
    const real = strategy.retryBackoffStrategy;
    if (!real) throw new Error(`instantSdkBackoff: the ${name} client's retry strategy has no backoff strategy (SDK changed?)`);
    let base = 0;
    strategy.retryBackoffStrategy = {
      setDelayBase(delay) {
        base = delay;
        real.setDelayBase(delay);
      },
      computeNextBackoffDelay(i) {
        const delayMs = real.computeNextBackoffDelay(i);
        log.push({ client: name, delayBase: base, delayMs });
        clock.advance(delayMs);
        return 0;
      },
    };
  }
  return log;
}

let findingSeq = 0;

type Fixture = 'instance-ec2-runtime' | 'instance-eks-node' | 'container-standalone';

function loadFixture(name: Fixture): EditableJson {
  return JSON.parse(readFileSync(new URL(`../fixtures/findings/${name}.json`, import.meta.url), 'utf8')) as EditableJson;
}

/**
 * A GuardDuty finding (as an EventBridge event) about a seeded instance: one of the Instance /
 * Container fixtures with its account, Region, instance id, network interfaces (ids, addresses,
 * groups, subnet, VPC), profile and tags rewritten from the double's live state.
 */
export function instanceFindingEvent(input: {
  aws: AwsDouble;
  instanceId: string;
  fixture?: Fixture;
  id?: string;
  /** Container fixture: the container id GuardDuty reports (may be hostile: that is the point). */
  containerId?: string;
  containerName?: string;
}) {
  const { aws, instanceId } = input;
  const fixture = input.fixture ?? 'instance-ec2-runtime';
  const finding = loadFixture(fixture);
  const inst = aws.ec2.instances.get(instanceId);
  if (!inst) throw new Error(`instanceFindingEvent: no instance ${instanceId} in the double`);
  finding.id = input.id ?? `i2e${String(++findingSeq).padStart(29, '0')}`;
  finding.accountId = aws.accountId;
  finding.region = aws.region;
  finding.arn = `arn:aws:guardduty:${aws.region}:${aws.accountId}:detector/0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e/finding/${finding.id}`;
  finding.title = `A process on EC2 instance ${instanceId} is doing something suspicious.`;
  finding.description = finding.title;
  const d = finding.resource.instanceDetails;
  d.instanceId = instanceId;
  d.availabilityZone = inst.availabilityZone;
  d.instanceType = inst.instanceType;
  if (inst.iamInstanceProfileArn) d.iamInstanceProfile = { arn: inst.iamInstanceProfileArn, id: 'AIPAEXAMPLE000000001' };
  else delete d.iamInstanceProfile;
  d.networkInterfaces = inst.eniIds.map((id) => {
    const eni = aws.ec2.networkInterfaces.get(id)!;
    return {
      networkInterfaceId: eni.networkInterfaceId,
      privateIpAddress: eni.privateIpAddress,
      privateIpAddresses: [eni.privateIpAddress, ...eni.secondaryPrivateIps].map((ip) => ({ privateIpAddress: ip })),
      ipv6Addresses: [],
      securityGroups: eni.groupIds.map((g) => ({ groupId: g, groupName: aws.ec2.securityGroups.get(g)?.groupName ?? g })),
      subnetId: eni.subnetId,
      vpcId: eni.vpcId,
    };
  });
  d.tags = inst.tags.map((t) => ({ key: t.key, value: t.value }));
  if (fixture === 'container-standalone') {
    if (input.containerId !== undefined) finding.resource.containerDetails.id = input.containerId;
    if (input.containerName !== undefined) finding.resource.containerDetails.name = input.containerName;
  }
  const event = {
    version: '0',
    id: `evt-${finding.id}`,
    'detail-type': 'GuardDuty Finding',
    source: 'aws.guardduty',
    account: aws.accountId,
    time: '2026-11-28T09:59:00Z',
    region: aws.region,
    resources: [],
    detail: finding,
  };
  return { event, findingId: finding.id as string, containerId: finding.resource.containerDetails?.id as string | undefined };
}

/** Calls since `mark` that change something (not Describe/Get/List), as `service:Op`. */
export function changesSince(aws: AwsDouble, mark: number): string[] {
  return aws.calls
    .slice(mark)
    .filter((c) => !/^(Describe|Get|List|Search)/.test(c.op))
    .map((c) => `${c.service}:${c.op}`);
}

/** An instance's live load balancer registrations as `target-group-name id:port`, sorted; draining ones left out. */
export function liveRegistrations(aws: AwsDouble, id: string): string[] {
  return aws.elbv2
    .registrationsOf(id)
    .filter((r) => r.target.state !== 'draining' && r.target.state !== 'unused')
    .map((r) => `${r.targetGroup.name} ${r.target.id}:${r.target.port}`)
    .sort();
}
