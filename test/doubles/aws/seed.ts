/**
 * Builders that seed ECS, EC2 and ECR consistently (a task's ENI exists in EC2, in the subnet its
 * attachment names, with the IP its containers report).
 *
 * How ECS task ENIs look on real AWS (see the report in test/doubles/aws/README.md):
 * - Fargate: `requesterManaged: true`, `requesterId` an AWS-owned account, `interfaceType:
 *   interface`, description `arn:aws:ecs:<region>:<account>:attachment/<attachment id>`, attachment
 *   at device index 1 with `instanceOwnerId` an AWS account and NO `instanceId` (the host is not
 *   yours) — as captured in public DescribeNetworkInterfaces fixtures.
 * - EC2 launch type, awsvpc: ECS creates the ENI and attaches it to your container instance
 *   (device index ≥ 1, same description form); it is requester-managed too — ModifyNetworkInterface
 *   Attribute on it is refused (aws/containers-roadmap#2842: "ECS task ENIs (created in awsvpc
 *   networking mode) are RequesterManaged"; cloud-custodian#3406). With ENI trunking the instance
 *   carries a `trunk` interface and each task gets a `branch` interface (modelled here the same
 *   way: requester-managed, not modifiable).
 * - EC2 launch type, bridge/host: no task ENI; the task shares the instance's own primary ENI,
 *   which is a normal ENI (requesterManaged false) that you may re-group — affecting every task
 *   on that instance.
 */
import type { Task } from '@aws-sdk/client-ecs';
import type { EcrImage, EcrState } from './ecr/state.js';
import type { Ec2State, Instance, NetworkAcl, NetworkInterface, Subnet, Vpc } from './ec2/state.js';
import type { ClusterRecord, EcsState } from './ecs/state.js';
import type { IdGenerator } from './ids.js';
import { seedInstance, type InstanceSeedContext, type InstanceSeedInput, type SeededInstance } from './seed-instance.js';

/** Placeholder for the AWS-owned principal that creates ECS task ENIs (a 12-digit account id on AWS). */
export const ECS_ENI_REQUESTER_ID = '578734482556';
/** Placeholder for the AWS-owned account that owns Fargate hosts (`attachment.instanceOwnerId`). */
export const FARGATE_HOST_OWNER_ID = '843547988961';

export interface SeedContext extends InstanceSeedContext {
  ecs: EcsState;
  ecr: EcrState;
  ec2: Ec2State;
  ids: IdGenerator;
  region: string;
  accountId: string;
}

export interface SeededNetwork {
  vpc: Vpc;
  subnet: Subnet;
  networkAcl: NetworkAcl;
}

interface TaskCommon {
  cluster: string;
  /** The task joins service NAME (group `service:NAME`); otherwise group `family:FAMILY`. */
  service?: string;
  /** Defaults to the service name, else `app`. A new revision is registered if the image changed. */
  family?: string;
  image: string;
  digest: string;
  containerName?: string;
}

export interface AwsvpcTaskInput extends TaskCommon {
  ip?: string;
  subnetId?: string;
  securityGroupIds?: string[];
}

export interface SeededTask {
  task: Task;
  taskArn: string;
  clusterArn: string;
  /** The task ENI (awsvpc) or, for bridge tasks, the host instance's primary ENI. */
  eni: NetworkInterface;
  eniId: string;
  ip: string;
  subnetId: string;
  vpcId: string;
  networkAclId: string;
  instance?: Instance;
}

export interface ManyTasksInput {
  clusters: number;
  tasks: number;
  image: string;
  digest: string;
  /** Share of tasks running `image@digest`, spread evenly (0..1). */
  fraction: number;
  otherImage?: string;
  otherDigest?: string;
  /** Put matching tasks in service `web` and the others in `worker` (default true). */
  services?: boolean;
  clusterPrefix?: string;
}

export interface ManyTasksResult {
  clusterArns: string[];
  matchingTaskArns: string[];
  otherTaskArns: string[];
}

export function seedBuilders(ctx: SeedContext) {
  const { ecs, ec2, ecr } = ctx;
  let defaultNetwork: SeededNetwork | undefined;
  const hostPorts = new Map<string, number>();

  const network = (opts: { vpcCidr?: string; subnetCidr?: string; availabilityZone?: string } = {}): SeededNetwork => {
    const vpc = ec2.addVpc({ cidrBlock: opts.vpcCidr ?? '10.0.0.0/16' });
    const subnet = ec2.addSubnet({
      vpcId: vpc.vpcId,
      cidrBlock: opts.subnetCidr ?? vpc.cidrBlock.replace(/\/\d+$/, '/20'),
      availabilityZone: opts.availabilityZone,
    });
    return { vpc, subnet, networkAcl: ec2.aclForSubnet(subnet.subnetId)! };
  };
  const subnetFor = (subnetId: string | undefined): Subnet => {
    if (subnetId) {
      const s = ec2.subnets.get(subnetId);
      if (!s) throw new Error(`seed: no subnet ${subnetId}`);
      return s;
    }
    defaultNetwork ??= network();
    return defaultNetwork.subnet;
  };
  const ensureCluster = (name: string): ClusterRecord => {
    ecs.addCluster(name);
    return ecs.cluster(name)!;
  };
  /** The family's latest revision if it already runs this image, else a new revision. */
  const taskDefinitionFor = (t: TaskCommon, networkMode: 'awsvpc' | 'bridge', compat: 'FARGATE' | 'EC2'): string => {
    const family = t.family ?? t.service ?? 'app';
    const image = t.image;
    const latest = ecs.taskDefinition(family);
    if (latest && latest.networkMode === networkMode && latest.containerDefinitions?.some((c) => c.image === image)) return latest.taskDefinitionArn!;
    return ecs.registerTaskDefinition({
      family,
      networkMode,
      requiresCompatibilities: [compat],
      cpu: '256',
      memory: '512',
      containerDefinitions: [
        {
          name: t.containerName ?? family,
          image,
          essential: true,
          ...(networkMode === 'bridge' ? { portMappings: [{ containerPort: 8080, hostPort: 0, protocol: 'tcp' }] } : {}),
        },
      ],
    }).taskDefinitionArn!;
  };
  const containersOf = (t: TaskCommon, networkBindings?: { containerPort: number; hostPort: number }[]) => [
    { name: t.containerName ?? t.family ?? t.service ?? 'app', image: t.image, imageDigest: t.digest, ...(networkBindings ? { networkBindings } : {}) },
  ];
  const result = (task: Task, eni: NetworkInterface, instance?: Instance): SeededTask => ({
    task,
    taskArn: task.taskArn!,
    clusterArn: task.clusterArn!,
    eni,
    eniId: eni.networkInterfaceId,
    ip: eni.privateIpAddress,
    subnetId: eni.subnetId,
    vpcId: eni.vpcId,
    networkAclId: ec2.aclForSubnet(eni.subnetId)!.networkAclId,
    ...(instance ? { instance } : {}),
  });
  const taskEni = (
    subnet: Subnet,
    input: AwsvpcTaskInput,
    attachment: { instanceId?: string; instanceOwnerId: string; deviceIndex: number },
    interfaceType = 'interface',
  ) => {
    const attachmentId = ctx.ids.uuid();
    const eni = ec2.addNetworkInterface({
      subnetId: subnet.subnetId,
      privateIpAddress: input.ip,
      groupIds: input.securityGroupIds ?? [ec2.vpcs.get(subnet.vpcId)!.defaultSecurityGroupId],
      requesterManaged: true,
      requesterId: ECS_ENI_REQUESTER_ID,
      interfaceType,
      description: `arn:aws:ecs:${ctx.region}:${ctx.accountId}:attachment/${attachmentId}`,
      attachment: { ...attachment, deleteOnTermination: false },
    });
    return { eni, attachmentId };
  };
  const ecsEni = (eni: NetworkInterface, attachmentId: string) => ({
    networkInterfaceId: eni.networkInterfaceId,
    privateIPv4Address: eni.privateIpAddress,
    subnetId: eni.subnetId,
    macAddress: eni.macAddress,
    attachmentId,
  });

  /** Bridge tasks get ephemeral host ports, one per task on the instance. */
  const nextHostPort = (instanceId: string) => {
    const port = hostPorts.get(instanceId) ?? 32768;
    hostPorts.set(instanceId, port + 1);
    return port;
  };

  /** An EC2 instance registered as an ECS container instance. */
  const containerInstance = (input: { cluster: string; subnetId?: string; securityGroupIds?: string[] }) => {
    ensureCluster(input.cluster);
    const subnet = subnetFor(input.subnetId);
    const instance = ec2.addInstance({ subnetId: subnet.subnetId, groupIds: input.securityGroupIds, tags: [{ key: 'Name', value: `ecs-${input.cluster}` }] });
    const ci = ecs.addContainerInstance({ cluster: input.cluster, ec2InstanceId: instance.instanceId });
    return { instance, containerInstance: ci, eni: ec2.networkInterfaces.get(instance.eniIds[0]!)! };
  };
  const hostFor = (input: { cluster: string; instanceId?: string; subnetId?: string }) => {
    const rec = ensureCluster(input.cluster);
    if (input.instanceId) {
      const ci = [...rec.containerInstances.values()].find((c) => c.ec2InstanceId === input.instanceId);
      const instance = ec2.instances.get(input.instanceId);
      if (!ci || !instance) throw new Error(`seed: ${input.instanceId} is not a container instance of ${input.cluster}`);
      return { instance, containerInstance: ci };
    }
    return containerInstance(input);
  };

  return {
    network,
    containerInstance,

    /** An EC2 instance with ENIs, volumes, profile, ASG, target groups, SSM and EKS tags (./seed-instance.ts). */
    instance(input: InstanceSeedInput = {}): SeededInstance {
      return seedInstance(ctx, input, subnetFor);
    },

    /** Pushes an image to ECR and returns the reference tasks would run (`uri:tag` and digest). */
    image(input: { repository: string; tag?: string; digest?: string; findingSeverityCounts?: Record<string, number> }): {
      image: EcrImage;
      uri: string;
      digest: string;
    } {
      const image = ecr.putImage({
        repository: input.repository,
        digest: input.digest,
        tags: input.tag ? [input.tag] : [],
        findingSeverityCounts: input.findingSeverityCounts,
      });
      const repo = ecr.repositories.get(input.repository)!;
      return { image, uri: `${repo.repositoryUri}:${input.tag ?? 'latest'}`, digest: image.imageDigest };
    },

    fargateTask(input: AwsvpcTaskInput): SeededTask {
      ensureCluster(input.cluster);
      const subnet = subnetFor(input.subnetId);
      const td = taskDefinitionFor(input, 'awsvpc', 'FARGATE');
      const { eni, attachmentId } = taskEni(subnet, input, { instanceOwnerId: FARGATE_HOST_OWNER_ID, deviceIndex: 1 });
      const task = ecs.addTask({
        cluster: input.cluster,
        service: input.service,
        taskDefinition: td,
        launchType: 'FARGATE',
        eni: ecsEni(eni, attachmentId),
        containers: containersOf(input),
        availabilityZone: subnet.availabilityZone,
      });
      return result(task, eni);
    },

    ec2AwsvpcTask(input: AwsvpcTaskInput & { instanceId?: string; trunked?: boolean }): SeededTask {
      const subnet = subnetFor(input.subnetId);
      const host = hostFor({ ...input, subnetId: subnet.subnetId });
      const td = taskDefinitionFor(input, 'awsvpc', 'EC2');
      let attached: ReturnType<typeof taskEni>;
      if (input.trunked) {
        const hasTrunk = host.instance.eniIds.some((id) => ec2.networkInterfaces.get(id)?.interfaceType === 'trunk');
        if (!hasTrunk)
          taskEni(
            subnet,
            {} as AwsvpcTaskInput,
            { instanceId: host.instance.instanceId, instanceOwnerId: ctx.accountId, deviceIndex: ec2.nextDeviceIndex(host.instance.instanceId) },
            'trunk',
          );
        attached = taskEni(subnet, input, { instanceOwnerId: ctx.accountId, deviceIndex: 0 }, 'branch');
      } else {
        attached = taskEni(subnet, input, {
          instanceId: host.instance.instanceId,
          instanceOwnerId: ctx.accountId,
          deviceIndex: ec2.nextDeviceIndex(host.instance.instanceId),
        });
      }
      const task = ecs.addTask({
        cluster: input.cluster,
        service: input.service,
        taskDefinition: td,
        launchType: 'EC2',
        containerInstanceArn: host.containerInstance.containerInstanceArn,
        eni: ecsEni(attached.eni, attached.attachmentId),
        containers: containersOf(input),
        availabilityZone: subnet.availabilityZone,
      });
      return result(task, attached.eni, host.instance);
    },

    bridgeTask(input: TaskCommon & { instanceId?: string; subnetId?: string; containerPort?: number; hostPort?: number }): SeededTask {
      const host = hostFor(input);
      const td = taskDefinitionFor(input, 'bridge', 'EC2');
      const task = ecs.addTask({
        cluster: input.cluster,
        service: input.service,
        taskDefinition: td,
        launchType: 'EC2',
        containerInstanceArn: host.containerInstance.containerInstanceArn,
        containers: containersOf(input, [{ containerPort: input.containerPort ?? 8080, hostPort: input.hostPort ?? nextHostPort(host.instance.instanceId) }]),
        availabilityZone: host.instance.availabilityZone,
      });
      return result(task, ec2.networkInterfaces.get(host.instance.eniIds[0]!)!, host.instance);
    },

    /** Many Fargate tasks for benchmarks: one VPC and one big subnet, tasks spread over clusters. */
    manyTasks(input: ManyTasksInput): ManyTasksResult {
      if (input.tasks > 65_000) throw new Error('seed.manyTasks: at most 65000 tasks (one /16 subnet)');
      const net = network({ vpcCidr: '10.128.0.0/16', subnetCidr: '10.128.0.0/16' });
      const prefix = input.clusterPrefix ?? 'bench';
      const otherImage = input.otherImage ?? `${input.image.replace(/[:@].*$/, '')}-other:1.0`;
      const otherDigest = input.otherDigest ?? `sha256:${'0'.repeat(63)}1`;
      const services = input.services ?? true;
      const clusterArns: string[] = [];
      const tds: { match: string; other: string }[] = [];
      for (let c = 0; c < input.clusters; c++) {
        const name = `${prefix}-${c}`;
        clusterArns.push(ecs.addCluster(name).clusterArn!);
        tds.push({
          match: taskDefinitionFor({ cluster: name, family: `${name}-web`, image: input.image, digest: input.digest }, 'awsvpc', 'FARGATE'),
          other: taskDefinitionFor({ cluster: name, family: `${name}-worker`, image: otherImage, digest: otherDigest }, 'awsvpc', 'FARGATE'),
        });
      }
      const matchingTaskArns: string[] = [];
      const otherTaskArns: string[] = [];
      const sgs = [net.vpc.defaultSecurityGroupId];
      for (let i = 0; i < input.tasks; i++) {
        const c = i % input.clusters;
        const cluster = `${prefix}-${c}`;
        // Evenly spread: task i matches when floor((i+1)·f) steps past floor(i·f).
        const matches = Math.floor((i + 1) * input.fraction) > Math.floor(i * input.fraction);
        const { eni, attachmentId } = taskEni(
          net.subnet,
          { cluster, image: '', digest: '', securityGroupIds: sgs },
          { instanceOwnerId: FARGATE_HOST_OWNER_ID, deviceIndex: 1 },
        );
        const task = ecs.addTask({
          cluster,
          ...(services ? { service: matches ? 'web' : 'worker' } : {}),
          taskDefinition: matches ? tds[c]!.match : tds[c]!.other,
          launchType: 'FARGATE',
          eni: ecsEni(eni, attachmentId),
          containers: [{ name: matches ? 'web' : 'worker', image: matches ? input.image : otherImage, imageDigest: matches ? input.digest : otherDigest }],
          availabilityZone: net.subnet.availabilityZone,
        });
        (matches ? matchingTaskArns : otherTaskArns).push(task.taskArn!);
      }
      return { clusterArns, matchingTaskArns, otherTaskArns };
    },
  };
}

export type SeedBuilders = ReturnType<typeof seedBuilders>;
