/**
 * A stateful loopback double of the AWS APIs the responder calls (ECS, ECR, EC2, Auto Scaling,
 * ELBv2, SSM, GuardDuty), speaking their real wire protocols so the real AWS SDK v3 clients can
 * be pointed at it:
 *
 *   const aws = await startAwsDouble();
 *   const ecs = new ECSClient(aws.clientConfig());          // or AWS_ENDPOINT_URL=aws.endpoint
 *   const t = aws.seed.fargateTask({ cluster: 'prod', service: 'web', image, digest });
 *   await ecs.send(new StopTaskCommand({ cluster: 'prod', task: t.taskArn, reason: 'GuardDuty' }));
 *   assert.equal(aws.ecs.task(t.taskArn)?.lastStatus, 'STOPPED');
 *   await aws.close();
 *
 * To add a service: write `<service>/state.ts` + `<service>/service.ts` exporting a
 * ServiceDefinition (see service.ts) and add it to `services` below.
 */
import { FaultController, type FaultSpec, type Limits } from './faults.js';
import { startServer, type CallRecord } from './http-server.js';
import { IdGenerator } from './ids.js';
import { EcsState } from './ecs/state.js';
import { ecsService } from './ecs/service.js';
import { EcrState } from './ecr/state.js';
import { ecrService } from './ecr/service.js';
import { Ec2State } from './ec2/state.js';
import { ec2Service } from './ec2/service.js';
import { AutoScalingState } from './autoscaling/state.js';
import { autoScalingService } from './autoscaling/service.js';
import { Elbv2State } from './elbv2/state.js';
import { elbv2Service } from './elbv2/service.js';
import { SsmState } from './ssm/state.js';
import { ssmService } from './ssm/service.js';
import { GuardDutyState } from './guardduty/state.js';
import { guardDutyService } from './guardduty/service.js';
import { EksState, eksService } from './eks/service.js';
import { stsService } from './sts/service.js';
import { seedBuilders, type SeedBuilders } from './seed.js';
import { wireInstanceServices } from './seed-instance.js';
import { startServiceScheduler } from './scheduler.js';

export { AWS_DEFAULT_LIMITS, type FaultSpec, type Limits, type LimitSpec } from './faults.js';
export type { CallRecord } from './http-server.js';
export { AwsServiceError } from './service.js';
export { REQUESTER_MANAGED_ERROR } from './ec2/network-ops.js';
export { ECS_LIMITS } from './ecs/service.js';
export { ECR_LIMITS } from './ecr/service.js';
export type { EcsState } from './ecs/state.js';
export type { EcrState } from './ecr/state.js';
export type { Ec2State } from './ec2/state.js';
export type { SeedBuilders, SeededTask, ManyTasksResult } from './seed.js';
export type { SeededInstance, InstanceSeedInput } from './seed-instance.js';
export type { AutoScalingState } from './autoscaling/state.js';
export type { Elbv2State } from './elbv2/state.js';
export type { SsmState, CommandOutcome } from './ssm/state.js';
export type { GuardDutyState, ScanOutcome } from './guardduty/state.js';
export type { EksState, EksCluster, PodIdentity } from './eks/service.js';

export interface AwsDoubleOptions {
  region?: string;
  accountId?: string;
  /** Token buckets per operation group, e.g. AWS_DEFAULT_LIMITS. None by default. */
  limits?: Limits;
  /** Milliseconds since the epoch; drives rate-limit refill, call timestamps and resource dates. */
  now?: () => number;
  /** Stopping a service's task starts a replacement from the service's task definition. */
  serviceScheduler?: boolean;
  /** DescribeImageScanFindings reports COMPLETE on this poll (default 2: first poll IN_PROGRESS). */
  scanCompletesAfterPolls?: number;
  /** ECR basic scanning allows one scan per image per 24 h (default true, like ECR). */
  enforceScanQuota?: boolean;
  /** The caller named in AccessDenied / UnauthorizedOperation messages. */
  principal?: string;
  /** GuardDuty has a detector in this account and Region (default true). */
  guardDutyEnabled?: boolean;
}

export interface AwsDouble {
  /** `http://127.0.0.1:PORT` — give it to every client as `endpoint` (or AWS_ENDPOINT_URL). */
  readonly endpoint: string;
  readonly region: string;
  readonly accountId: string;
  /** Every request in arrival order, including refused ones. */
  readonly calls: CallRecord[];
  readonly ecs: EcsState;
  readonly ecr: EcrState;
  readonly ec2: Ec2State;
  readonly autoscaling: AutoScalingState;
  readonly elbv2: Elbv2State;
  readonly ssm: SsmState;
  readonly guardduty: GuardDutyState;
  readonly eks: EksState;
  readonly seed: SeedBuilders;
  readonly faults: FaultController;
  /** Calls to `service:Op`, e.g. callsTo('ecs:ListTasks'). */
  callsTo(op: string): CallRecord[];
  /** The next `times` calls of `service:Op` (or `*`) fail with `fault`. */
  failNext(op: string, fault: FaultSpec, times?: number): void;
  /** IAM-denies `service:Op` (AccessDeniedException / UnauthorizedOperation) until allowed again. */
  denyOperation(op: string): void;
  allowOperation(op: string): void;
  setLimits(limits: Limits): void;
  /** Client config for the real SDK clients: region, endpoint, static fake credentials. */
  clientConfig<T extends object = object>(extra?: T): { region: string; endpoint: string; credentials: { accessKeyId: string; secretAccessKey: string } } & T;
  close(): Promise<void>;
}

export async function startAwsDouble(options: AwsDoubleOptions = {}): Promise<AwsDouble> {
  const region = options.region ?? 'us-east-1';
  const accountId = options.accountId ?? '123456789012';
  const now = options.now ?? (() => Date.now());
  const ids = new IdGenerator();
  const env = { region, accountId, ids, now };
  const ecs = new EcsState(env);
  const ecr = new EcrState(env, options.scanCompletesAfterPolls ?? 2);
  const ec2 = new Ec2State(env);
  const autoscaling = new AutoScalingState(env);
  const elbv2 = new Elbv2State(env);
  const ssm = new SsmState(env);
  const guardduty = new GuardDutyState(env, options.guardDutyEnabled ?? true);
  const eks = new EksState(env);
  const principal = options.principal ?? `arn:aws:sts::${accountId}:assumed-role/GuardDutyResponder/responder`;
  const faults = new FaultController(now, principal, options.limits ?? {});
  const seedCtx = { ecs, ecr, ec2, autoscaling, elbv2, ssm, guardduty, ids, region, accountId };
  wireInstanceServices(seedCtx);
  if (options.serviceScheduler) startServiceScheduler(seedCtx);
  const server = await startServer({
    services: [
      ecsService(ecs),
      ecrService(ecr, { enforceScanQuota: options.enforceScanQuota ?? true }),
      ec2Service(ec2),
      autoScalingService(autoscaling),
      elbv2Service(elbv2),
      ssmService(ssm),
      guardDutyService(guardduty),
      eksService(eks),
      stsService(principal),
    ],
    region,
    accountId,
    now,
    faults,
  });
  return {
    endpoint: server.endpoint,
    region,
    accountId,
    calls: server.calls,
    ecs,
    ecr,
    ec2,
    autoscaling,
    elbv2,
    ssm,
    guardduty,
    eks,
    seed: seedBuilders(seedCtx),
    faults,
    callsTo: (op) => {
      const colon = op.indexOf(':');
      const service = op.slice(0, colon);
      const name = op.slice(colon + 1);
      return server.calls.filter((c) => c.service === service && c.op === name);
    },
    failNext: (op, fault, times) => faults.failNext(op, fault, times),
    denyOperation: (op) => faults.denyOperation(op),
    allowOperation: (op) => faults.allowOperation(op),
    setLimits: (limits) => faults.setLimits(limits),
    clientConfig: <T extends object>(extra?: T) => ({
      region,
      endpoint: server.endpoint,
      credentials: { accessKeyId: 'AKIDLOOPBACKDOUBLE', secretAccessKey: 'loopback-double-secret' },
      ...(extra ?? ({} as T)),
    }),
    close: () => server.close(),
  };
}
