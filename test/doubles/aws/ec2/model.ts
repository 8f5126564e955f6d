/** The EC2 model's shapes (what the double stores; wire.ts maps them to EC2's XML). */
import type { IdGenerator } from '../ids.js';

export interface Tag {
  key: string;
  value: string;
}

export interface Vpc {
  vpcId: string;
  cidrBlock: string;
  isDefault: boolean;
  tags: Tag[];
  defaultNetworkAclId: string;
  defaultSecurityGroupId: string;
}

export interface Subnet {
  subnetId: string;
  vpcId: string;
  cidrBlock: string;
  availabilityZone: string;
  tags: Tag[];
  /** Next host offset to hand out; AWS reserves the first four addresses and the last. */
  nextHost: number;
}

export interface NaclEntry {
  ruleNumber: number;
  /** `-1` (all) or an IP protocol number as a string (`6` tcp, `17` udp, `1` icmp). */
  protocol: string;
  ruleAction: 'allow' | 'deny';
  egress: boolean;
  cidrBlock?: string;
  ipv6CidrBlock?: string;
  portRange?: { from: number; to: number };
  icmpTypeCode?: { code: number; type: number };
}

export interface NetworkAcl {
  networkAclId: string;
  vpcId: string;
  isDefault: boolean;
  entries: NaclEntry[];
  associations: { networkAclAssociationId: string; subnetId: string }[];
  tags: Tag[];
}

export interface SgRule {
  securityGroupRuleId: string;
  egress: boolean;
  /** Normalised: `-1`, `tcp`, `udp`, `icmp`, or a protocol number. */
  ipProtocol: string;
  fromPort?: number;
  toPort?: number;
  cidrIpv4?: string;
  cidrIpv6?: string;
  referencedGroupId?: string;
  prefixListId?: string;
  description?: string;
}

export interface SecurityGroup {
  groupId: string;
  groupName: string;
  description: string;
  vpcId: string;
  rules: SgRule[];
  tags: Tag[];
}

export interface EniAttachment {
  attachmentId: string;
  /** Absent for Fargate task ENIs: they are attached to AWS-owned hosts, not your instances. */
  instanceId?: string;
  instanceOwnerId: string;
  deviceIndex: number;
  status: 'attached' | 'detached';
  attachTime: Date;
  deleteOnTermination: boolean;
}

export interface NetworkInterface {
  networkInterfaceId: string;
  subnetId: string;
  vpcId: string;
  availabilityZone: string;
  privateIpAddress: string;
  secondaryPrivateIps: string[];
  macAddress: string;
  groupIds: string[];
  /** True for ENIs an AWS service created and manages (Fargate / ECS awsvpc tasks, ELB, NAT…). */
  requesterManaged: boolean;
  requesterId?: string;
  interfaceType: string;
  description: string;
  status: 'in-use' | 'available';
  sourceDestCheck: boolean;
  attachment?: EniAttachment;
  tags: Tag[];
}

export interface Instance {
  instanceId: string;
  imageId: string;
  instanceType: string;
  state: { code: number; name: string };
  subnetId: string;
  vpcId: string;
  availabilityZone: string;
  privateIpAddress: string;
  /** Attached ENIs, primary (device index 0) first. */
  eniIds: string[];
  tags: Tag[];
  launchTime: Date;
  reservationId: string;
  iamInstanceProfileArn?: string;
  /** Set while a profile is associated (DescribeIamInstanceProfileAssociations). */
  iamAssociationId?: string;
  rootDeviceName: string;
  rootDeviceType: 'ebs' | 'instance-store';
  /** EBS block device mapping, root first. */
  blockDevices: { deviceName: string; volumeId: string }[];
  disableApiTermination: boolean;
  /** EC2's default is `stop`; launch templates often say `terminate`. */
  shutdownBehavior: 'stop' | 'terminate';
  instanceLifecycle?: 'spot';
}

export interface Volume {
  volumeId: string;
  size: number;
  volumeType: string;
  availabilityZone: string;
  encrypted: boolean;
  createTime: Date;
  state: 'available' | 'in-use';
  attachment?: { instanceId: string; device: string; deleteOnTermination: boolean; attachTime: Date };
  tags: Tag[];
}

export interface Snapshot {
  snapshotId: string;
  volumeId: string;
  volumeSize: number;
  description: string;
  state: 'pending' | 'completed' | 'error';
  startTime: Date;
  encrypted: boolean;
  tags: Tag[];
  /** DescribeSnapshots calls that have seen it; it completes after `snapshotCompletesAfterPolls`. */
  polls: number;
}

export interface Ec2Env {
  readonly region: string;
  readonly accountId: string;
  readonly ids: IdGenerator;
  readonly now: () => number;
}
