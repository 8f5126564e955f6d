/**
 * `aws.seed.instance(…)`: one EC2 instance with everything instance containment looks at, kept
 * consistent across the services — ENIs and private IPs (EC2), EBS volumes with
 * DeleteOnTermination (EC2), an instance profile association (EC2), Auto Scaling membership,
 * ELBv2 registrations (by the group when it has one, else directly), an SSM managed node, EKS node
 * tags, and what a GuardDuty malware scan of it finds.
 *
 *   const s = aws.seed.instance({ enis: 2, volumes: 2, asg: 'web-asg', targetGroups: 2, ssm: 'online', eksCluster: 'prod' });
 */
import type { AutoScalingState } from './autoscaling/state.js';
import type { Ec2State, Instance, Subnet } from './ec2/state.js';
import type { Elbv2State } from './elbv2/state.js';
import type { GuardDutyState, ScanOutcome } from './guardduty/state.js';
import type { SsmState } from './ssm/state.js';

export interface InstanceSeedContext {
  ec2: Ec2State;
  autoscaling: AutoScalingState;
  elbv2: Elbv2State;
  ssm: SsmState;
  guardduty: GuardDutyState;
  region: string;
  accountId: string;
}

export interface TargetGroupSeed {
  name: string;
  port?: number;
  targetType?: 'instance' | 'ip';
  /** Extra ports the instance is registered on (port overrides), besides the group's port. */
  extraPorts?: number[];
}

export interface InstanceSeedInput {
  subnetId?: string;
  securityGroupIds?: string[];
  /** Network interfaces in all, the primary included (default 1). */
  enis?: number;
  /** EBS volumes in all, the root included (default 1). */
  volumes?: number;
  /** DeleteOnTermination per volume, root first (default true for all, as at launch). */
  deleteOnTermination?: boolean[];
  asg?: string | { name: string; minSize?: number; maxSize?: number; desiredCapacity?: number; protectedFromScaleIn?: boolean };
  /** A count (groups `tg-1`…) or named groups. With `asg`, the group registers the instance. */
  targetGroups?: number | (string | TargetGroupSeed)[];
  /** SSM agent state (default `online`); `none` = not a managed node. */
  ssm?: 'online' | 'lost' | 'none';
  eksCluster?: string;
  /** Instance profile name; `false` for none (default `app-instance-profile`). */
  instanceProfile?: string | false;
  spot?: boolean;
  shutdownBehavior?: 'stop' | 'terminate';
  disableApiTermination?: boolean;
  rootDeviceType?: 'ebs' | 'instance-store';
  name?: string;
  /** What a GuardDuty malware scan of this instance finds (default CLEAN). */
  malwareScan?: ScanOutcome;
}

export interface SeededInstance {
  instance: Instance;
  instanceId: string;
  instanceArn: string;
  vpcId: string;
  subnetId: string;
  eniIds: string[];
  privateIps: string[];
  volumeIds: string[];
  instanceProfileArn?: string;
  asgName?: string;
  targetGroupArns: string[];
  registrations: { targetGroupArn: string; id: string; port: number }[];
}

export function seedInstance(ctx: InstanceSeedContext, input: InstanceSeedInput, subnetFor: (subnetId: string | undefined) => Subnet): SeededInstance {
  const { ec2 } = ctx;
  const subnet = subnetFor(input.subnetId);
  const tags = [{ key: 'Name', value: input.name ?? 'app-server' }];
  if (input.eksCluster) {
    tags.push(
      { key: 'eks:cluster-name', value: input.eksCluster },
      { key: 'eks:nodegroup-name', value: `${input.eksCluster}-ng` },
      { key: `kubernetes.io/cluster/${input.eksCluster}`, value: 'owned' },
    );
  }
  const asgName = typeof input.asg === 'string' ? input.asg : input.asg?.name;
  if (asgName) tags.push({ key: 'aws:autoscaling:groupName', value: asgName });
  const profileName = input.instanceProfile === false ? undefined : (input.instanceProfile ?? 'app-instance-profile');
  const instanceProfileArn = profileName ? `arn:aws:iam::${ctx.accountId}:instance-profile/${profileName}` : undefined;

  const instance = ec2.addInstance({
    subnetId: subnet.subnetId,
    groupIds: input.securityGroupIds,
    tags,
    ...(instanceProfileArn ? { iamInstanceProfileArn: instanceProfileArn } : {}),
    ...(input.rootDeviceType ? { rootDeviceType: input.rootDeviceType } : {}),
    shutdownBehavior: input.shutdownBehavior ?? 'terminate',
    ...(input.disableApiTermination !== undefined ? { disableApiTermination: input.disableApiTermination } : {}),
    ...(input.spot ? { spot: true } : {}),
  });
  for (let i = 1; i < (input.enis ?? 1); i++) {
    ec2.addNetworkInterface({
      subnetId: subnet.subnetId,
      groupIds: input.securityGroupIds,
      description: `secondary interface ${i}`,
      attachment: { instanceId: instance.instanceId, deviceIndex: i, deleteOnTermination: false },
    });
  }
  const volumeCount = input.rootDeviceType === 'instance-store' ? Math.max(0, (input.volumes ?? 1) - 1) : (input.volumes ?? 1);
  if (input.rootDeviceType === 'instance-store') instance.rootDeviceName = '/dev/sda1';
  for (let i = 0; i < volumeCount; i++) {
    ec2.addVolume({
      instanceId: instance.instanceId,
      size: i === 0 ? 8 : 100,
      deleteOnTermination: input.deleteOnTermination?.[i] ?? true,
      ...(input.rootDeviceType === 'instance-store' ? { device: `/dev/sd${String.fromCharCode(102 + i)}` } : {}),
    });
  }

  // Load balancer target groups.
  const tgSeeds: TargetGroupSeed[] =
    typeof input.targetGroups === 'number'
      ? Array.from({ length: input.targetGroups }, (_, i) => ({ name: `tg-${i + 1}`, port: 80 + i }))
      : (input.targetGroups ?? []).map((t) => (typeof t === 'string' ? { name: t } : t));
  const registrations: SeededInstance['registrations'] = [];
  const targetGroupArns: string[] = [];
  for (const t of tgSeeds) {
    const existing = [...ctx.elbv2.targetGroups.values()].find((g) => g.name === t.name);
    const tg = existing ?? ctx.elbv2.addTargetGroup({ name: t.name, port: t.port ?? 80, vpcId: subnet.vpcId, targetType: t.targetType ?? 'instance' });
    targetGroupArns.push(tg.arn);
    const id = tg.targetType === 'ip' ? instance.privateIpAddress : instance.instanceId;
    for (const port of [tg.port, ...(t.extraPorts ?? [])]) {
      ctx.elbv2.register(tg.arn, id, port);
      registrations.push({ targetGroupArn: tg.arn, id, port });
    }
  }

  if (asgName) {
    const spec = typeof input.asg === 'object' ? input.asg : { name: asgName };
    const group = ctx.autoscaling.addGroup({
      name: asgName,
      ...(spec.minSize !== undefined ? { minSize: spec.minSize } : {}),
      ...(spec.maxSize !== undefined ? { maxSize: spec.maxSize } : {}),
      ...(spec.desiredCapacity !== undefined ? { desiredCapacity: spec.desiredCapacity } : {}),
      availabilityZones: [subnet.availabilityZone],
    });
    for (const arn of targetGroupArns) if (!group.targetGroupArns.includes(arn)) group.targetGroupArns.push(arn);
    ctx.autoscaling.addInstance(asgName, instance.instanceId, {
      availabilityZone: subnet.availabilityZone,
      instanceType: instance.instanceType,
      ...(spec.protectedFromScaleIn !== undefined ? { protectedFromScaleIn: spec.protectedFromScaleIn } : {}),
    });
  }

  const ssm = input.ssm ?? 'online';
  if (ssm !== 'none') ctx.ssm.addManagedInstance(instance.instanceId, { pingStatus: ssm === 'online' ? 'Online' : 'ConnectionLost' });
  if (input.malwareScan) ctx.guardduty.setScanOutcome(instance.instanceId, input.malwareScan);

  const enis = instance.eniIds.map((id) => ec2.networkInterfaces.get(id)!);
  return {
    instance,
    instanceId: instance.instanceId,
    instanceArn: `arn:aws:ec2:${ctx.region}:${ctx.accountId}:instance/${instance.instanceId}`,
    vpcId: subnet.vpcId,
    subnetId: subnet.subnetId,
    eniIds: [...instance.eniIds],
    privateIps: enis.map((e) => e.privateIpAddress),
    volumeIds: instance.blockDevices.map((b) => b.volumeId),
    ...(instanceProfileArn ? { instanceProfileArn } : {}),
    ...(asgName ? { asgName } : {}),
    targetGroupArns,
    registrations,
  };
}

/** Cross-service effects: Auto Scaling ↔ ELBv2 ↔ EC2, and GuardDuty's view of EC2. */
export function wireInstanceServices(ctx: InstanceSeedContext): void {
  const { ec2, autoscaling, elbv2, guardduty } = ctx;
  elbv2.instanceVpc = (id) => ec2.instances.get(id)?.vpcId;
  guardduty.describeInstance = (id) => {
    const inst = ec2.instances.get(id);
    if (!inst) return undefined;
    return { volumes: inst.blockDevices.map((b) => ({ volumeId: b.volumeId, deviceName: b.deviceName, sizeGb: ec2.volumes.get(b.volumeId)?.size ?? 8 })) };
  };
  autoscaling.hooks = {
    onDetach: (group, instanceId) => {
      for (const arn of group.targetGroupArns) elbv2.deregister(arn, instanceId);
    },
    onAttach: (group, instanceId) => {
      for (const arn of group.targetGroupArns) elbv2.register(arn, instanceId, undefined, { state: 'initial' });
    },
    launchReplacement: (_group, like) => {
      const old = ec2.instances.get(like.instanceId);
      if (!old) return undefined;
      const fresh = ec2.addInstance({ subnetId: old.subnetId, instanceType: old.instanceType, tags: old.tags.map((t) => ({ ...t })) });
      ec2.addVolume({ instanceId: fresh.instanceId });
      return { instanceId: fresh.instanceId, availabilityZone: fresh.availabilityZone };
    },
    describeInstance: (id) => {
      const inst = ec2.instances.get(id);
      return inst ? { state: inst.state.name, availabilityZone: inst.availabilityZone } : undefined;
    },
  };
}
