/**
 * Everything the responder needs to know about one task before acting on it: where it runs,
 * how it is networked (which decides what isolation can do), what it runs (image digests)
 * and who owns it (service).
 */
import { DescribeContainerInstancesCommand, DescribeTaskDefinitionCommand, DescribeTasksCommand, type Task } from '@aws-sdk/client-ecs';
import { AppError } from '../../errors.js';
import { parseTaskArn, serviceNameFromGroup } from '../arn.js';
import { awsCall } from '../errors.js';
import { ECS_FAILURE_MISSING, tagsToRecord, type EcsClients } from './types.js';

export type NetworkMode = 'awsvpc' | 'bridge' | 'host' | 'none';

export interface TaskContainer {
  name?: string;
  image?: string;
  imageDigest?: string;
  runtimeId?: string;
  lastStatus?: string;
}

export interface TaskContext {
  clusterArn: string;
  taskArn: string;
  taskDefinitionArn: string;
  launchType?: string;
  capacityProviderName?: string;
  networkMode: NetworkMode;
  group?: string;
  serviceName?: string;
  lastStatus?: string;
  desiredStatus?: string;
  availabilityZone?: string;
  /** awsvpc only: the task's own ENI. */
  eniId?: string;
  subnetId?: string;
  privateIps: string[];
  ipv6Addresses: string[];
  /** EC2 launch type: the container instance and its EC2 instance. */
  containerInstanceArn?: string;
  ec2InstanceId?: string;
  containers: TaskContainer[];
  tags: Record<string, string>;
  startedAt?: string;
  requestIds: string[];
}

function attachmentDetail(task: Task, name: string): string | undefined {
  for (const a of task.attachments ?? []) {
    if (a.type !== 'ElasticNetworkInterface') continue;
    const d = a.details?.find((x) => x.name === name);
    if (d?.value) return d.value;
  }
  return undefined;
}

function uniq(values: (string | undefined)[]): string[] {
  return [...new Set(values.filter((v): v is string => typeof v === 'string' && v !== ''))];
}

function networkModeOf(declared: string | undefined, task: Task): NetworkMode {
  if (declared === 'awsvpc' || declared === 'bridge' || declared === 'host' || declared === 'none') return declared;
  // Unset in the task definition: Fargate is always awsvpc; on EC2 the Linux default is bridge.
  if (task.launchType === 'FARGATE' || attachmentDetail(task, 'networkInterfaceId')) return 'awsvpc';
  return 'bridge';
}

export async function describeTaskContext(clients: EcsClients, input: { cluster?: string; taskArn: string }): Promise<TaskContext> {
  const cluster = input.cluster ?? parseTaskArn(input.taskArn)?.clusterName;
  const requestIds: string[] = [];
  const resource = input.taskArn;

  const described = await awsCall({ action: 'ecs:DescribeTasks', resource }, requestIds, () =>
    clients.ecs.send(new DescribeTasksCommand({ ...(cluster !== undefined ? { cluster } : {}), tasks: [input.taskArn], include: ['TAGS'] })),
  );
  const task = described.tasks?.[0];
  if (!task) {
    const failure = described.failures?.[0];
    const missing = failure?.reason === ECS_FAILURE_MISSING || failure === undefined;
    throw new AppError(
      missing ? 'aws_not_found' : 'aws_error',
      missing
        ? `Task ${input.taskArn} was not found in cluster ${cluster ?? 'default'}: it may have stopped more than an hour ago, or live in another account or Region.`
        : `ECS could not describe task ${input.taskArn}: ${failure?.reason ?? 'unknown reason'}.`,
      { context: { action: 'ecs:DescribeTasks', resource, requestIds, failure } },
    );
  }
  const taskDefinitionArn = task.taskDefinitionArn ?? '';
  const clusterArn = task.clusterArn ?? cluster ?? '';

  const td = await awsCall({ action: 'ecs:DescribeTaskDefinition', resource: taskDefinitionArn }, requestIds, () =>
    clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: taskDefinitionArn })),
  );
  const networkMode = networkModeOf(td.taskDefinition?.networkMode, task);

  let ec2InstanceId: string | undefined;
  if (task.containerInstanceArn) {
    const ci = await awsCall({ action: 'ecs:DescribeContainerInstances', resource: task.containerInstanceArn }, requestIds, () =>
      clients.ecs.send(new DescribeContainerInstancesCommand({ cluster: clusterArn, containerInstances: [task.containerInstanceArn!] })),
    );
    ec2InstanceId = ci.containerInstances?.[0]?.ec2InstanceId;
  }

  const containerIps = (task.containers ?? []).flatMap((c) => c.networkInterfaces ?? []);
  const group = task.group;
  const serviceName = serviceNameFromGroup(group);
  const eniId = attachmentDetail(task, 'networkInterfaceId');
  const subnetId = attachmentDetail(task, 'subnetId');
  return {
    clusterArn,
    taskArn: task.taskArn ?? input.taskArn,
    taskDefinitionArn,
    ...(task.launchType !== undefined ? { launchType: task.launchType } : {}),
    ...(task.capacityProviderName !== undefined ? { capacityProviderName: task.capacityProviderName } : {}),
    networkMode,
    ...(group !== undefined ? { group } : {}),
    ...(serviceName !== undefined ? { serviceName } : {}),
    ...(task.lastStatus !== undefined ? { lastStatus: task.lastStatus } : {}),
    ...(task.desiredStatus !== undefined ? { desiredStatus: task.desiredStatus } : {}),
    ...(task.availabilityZone !== undefined ? { availabilityZone: task.availabilityZone } : {}),
    ...(eniId !== undefined ? { eniId } : {}),
    ...(subnetId !== undefined ? { subnetId } : {}),
    privateIps: uniq([attachmentDetail(task, 'privateIPv4Address'), ...containerIps.map((n) => n.privateIpv4Address)]),
    ipv6Addresses: uniq([attachmentDetail(task, 'ipv6Address'), ...containerIps.map((n) => n.ipv6Address)]),
    ...(task.containerInstanceArn !== undefined ? { containerInstanceArn: task.containerInstanceArn } : {}),
    ...(ec2InstanceId !== undefined ? { ec2InstanceId } : {}),
    containers: (task.containers ?? []).map((c) => ({
      ...(c.name !== undefined ? { name: c.name } : {}),
      ...(c.image !== undefined ? { image: c.image } : {}),
      ...(c.imageDigest !== undefined ? { imageDigest: c.imageDigest } : {}),
      ...(c.runtimeId !== undefined ? { runtimeId: c.runtimeId } : {}),
      ...(c.lastStatus !== undefined ? { lastStatus: c.lastStatus } : {}),
    })),
    tags: tagsToRecord(task.tags),
    ...(task.startedAt !== undefined ? { startedAt: task.startedAt.toISOString() } : {}),
    requestIds,
  };
}
