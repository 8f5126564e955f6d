/**
 * One EC2 instance as the containment steps need it: state, EBS volumes, tags, instance profile,
 * and what kind of node it is (EKS, Auto Scaling, Spot). Read with a filter rather than
 * `InstanceIds`, so an instance that is gone (or the fake id of a sample finding, which EC2
 * rejects as InvalidInstanceID.Malformed) is "not found" instead of an obscure error.
 */
import { DescribeInstancesCommand, type Instance } from '@aws-sdk/client-ec2';
import { AppError } from '../../errors.js';
import { awsCall } from '../errors.js';
import type { Ec2Clients } from './types.js';

export interface InstanceVolume {
  deviceName: string;
  volumeId: string;
  deleteOnTermination: boolean;
  /** attaching | attached | detaching | detached */
  status?: string;
  isRoot: boolean;
}

export interface InstanceInfo {
  instanceId: string;
  /** pending | running | shutting-down | terminated | stopping | stopped */
  state: string;
  instanceType?: string;
  /** `spot` for Spot Instances (termination protection cannot be enabled on them). */
  lifecycle?: string;
  /** `ebs`, or `instance-store` (such an instance cannot stop, only terminate). */
  rootDeviceType?: string;
  rootDeviceName?: string;
  /** EBS volumes only: instance store volumes do not appear in the block device mapping. */
  volumes: InstanceVolume[];
  tags: Record<string, string>;
  iamInstanceProfileArn?: string;
  vpcId?: string;
  subnetId?: string;
  availabilityZone?: string;
  privateIps: string[];
  enis: string[];
  platform?: string;
  launchTime?: string;
}

export const INSTANCE_ID_RE = /^i-[0-9a-f]{8}(?:[0-9a-f]{9})?$/;

export function toInstanceInfo(i: Instance): InstanceInfo {
  const tags: Record<string, string> = {};
  for (const t of i.Tags ?? []) if (t.Key !== undefined) tags[t.Key] = t.Value ?? '';
  const volumes: InstanceVolume[] = (i.BlockDeviceMappings ?? [])
    .filter((b) => b.Ebs?.VolumeId !== undefined && b.DeviceName !== undefined)
    .map((b) => ({
      deviceName: b.DeviceName!,
      volumeId: b.Ebs!.VolumeId!,
      // The API default is true when the flag is absent.
      deleteOnTermination: b.Ebs!.DeleteOnTermination !== false,
      ...(b.Ebs!.Status !== undefined ? { status: b.Ebs!.Status } : {}),
      isRoot: b.DeviceName === i.RootDeviceName,
    }));
  const privateIps = [
    ...new Set(
      [i.PrivateIpAddress, ...(i.NetworkInterfaces ?? []).flatMap((n) => (n.PrivateIpAddresses ?? []).map((p) => p.PrivateIpAddress))].filter(
        (x): x is string => !!x,
      ),
    ),
  ];
  return {
    instanceId: i.InstanceId ?? '',
    state: i.State?.Name ?? 'unknown',
    ...(i.InstanceType !== undefined ? { instanceType: i.InstanceType } : {}),
    ...(i.InstanceLifecycle !== undefined ? { lifecycle: i.InstanceLifecycle } : {}),
    ...(i.RootDeviceType !== undefined ? { rootDeviceType: i.RootDeviceType } : {}),
    ...(i.RootDeviceName !== undefined ? { rootDeviceName: i.RootDeviceName } : {}),
    volumes,
    tags,
    ...(i.IamInstanceProfile?.Arn !== undefined ? { iamInstanceProfileArn: i.IamInstanceProfile.Arn } : {}),
    ...(i.VpcId !== undefined ? { vpcId: i.VpcId } : {}),
    ...(i.SubnetId !== undefined ? { subnetId: i.SubnetId } : {}),
    ...(i.Placement?.AvailabilityZone !== undefined ? { availabilityZone: i.Placement.AvailabilityZone } : {}),
    privateIps,
    enis: (i.NetworkInterfaces ?? []).map((n) => n.NetworkInterfaceId).filter((x): x is string => !!x),
    ...(i.PlatformDetails !== undefined ? { platform: i.PlatformDetails } : {}),
    ...(i.LaunchTime !== undefined ? { launchTime: i.LaunchTime.toISOString() } : {}),
  };
}

/** DescribeInstances for one instance; `aws_not_found` when it does not exist (any more). */
export async function describeInstance(clients: Ec2Clients, instanceId: string, requestIds: string[]): Promise<InstanceInfo> {
  const out = await awsCall({ action: 'ec2:DescribeInstances', resource: instanceId }, requestIds, () =>
    clients.ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'instance-id', Values: [instanceId] }] })),
  );
  const found = (out.Reservations ?? []).flatMap((r) => r.Instances ?? []).find((i) => i.InstanceId === instanceId);
  if (!found) {
    throw new AppError(
      'aws_not_found',
      `Instance ${instanceId} was not found in this account and Region: it may have been terminated a while ago${INSTANCE_ID_RE.test(instanceId) ? '' : ', or this is a sample finding with a fake instance id'}.`,
      { context: { action: 'ec2:DescribeInstances', resource: instanceId, requestIds: [...requestIds] } },
    );
  }
  return toInstanceInfo(found);
}

// ------------------------------------------------------------------------------------ EKS nodes

export interface EksNode {
  clusterName: string;
  /** The tag the name came from. */
  source: string;
  nodegroupName?: string;
}

const KUBERNETES_CLUSTER_TAG = 'kubernetes.io/cluster/';

/**
 * Which EKS cluster an instance is a node of, from its tags. Managed node groups tag their
 * instances `eks:cluster-name` and `eks:nodegroup-name`; EKS-owned resources use
 * `aws:eks:cluster-name`; self-managed nodes and Karpenter use `kubernetes.io/cluster/<name>`
 * (value `owned` or `shared`); eksctl adds `alpha.eksctl.io/cluster-name`. Tags are set by
 * whoever launched the instance, so this is a strong hint, not proof.
 */
export function eksClusterOfInstance(tags: Readonly<Record<string, string>>): EksNode | undefined {
  const nodegroupName = tags['eks:nodegroup-name'];
  const withGroup = (n: EksNode): EksNode => (nodegroupName ? { ...n, nodegroupName } : n);
  for (const key of ['eks:cluster-name', 'aws:eks:cluster-name', 'alpha.eksctl.io/cluster-name']) {
    const v = tags[key]?.trim();
    if (v) return withGroup({ clusterName: v, source: key });
  }
  const k8s = Object.keys(tags)
    .filter((k) => k.startsWith(KUBERNETES_CLUSTER_TAG) && k.length > KUBERNETES_CLUSTER_TAG.length)
    .sort();
  const owned = k8s.find((k) => tags[k] === 'owned') ?? k8s[0];
  if (owned) return withGroup({ clusterName: owned.slice(KUBERNETES_CLUSTER_TAG.length), source: owned });
  return undefined;
}

/** `arn:aws:ec2:<region>:<account>:instance/<id>` (partition `aws-cn` in China, `aws-us-gov` in GovCloud). */
export function instanceArn(input: { region: string; accountId: string; instanceId: string; partition?: string }): string {
  const partition = input.partition ?? (input.region.startsWith('cn-') ? 'aws-cn' : input.region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws');
  return `arn:${partition}:ec2:${input.region}:${input.accountId}:instance/${input.instanceId}`;
}
