/**
 * The EC2 model: VPCs, subnets (with the network ACL each is associated with), network ACLs,
 * security groups (rules held one per peer, like EC2's own security-group-rule ids), network
 * interfaces and instances. Indexes by instance and by private IP keep lookups O(1).
 *
 * Defaults follow EC2: a VPC comes with a default network ACL (rule 100 allow all + the `*` deny,
 * both directions) and a `default` security group; a new security group gets the allow-all IPv4
 * egress rule; a custom network ACL starts with only the `*` deny entries.
 */
import { cidrContains, intToIp, parseCidr } from '../ids.js';
import type {
  Ec2Env,
  EniAttachment,
  Instance,
  NaclEntry,
  NetworkAcl,
  NetworkInterface,
  SecurityGroup,
  SgRule,
  Snapshot,
  Subnet,
  Tag,
  Volume,
  Vpc,
} from './model.js';

export type {
  Ec2Env,
  EniAttachment,
  Instance,
  NaclEntry,
  NetworkAcl,
  NetworkInterface,
  SecurityGroup,
  SgRule,
  Snapshot,
  Subnet,
  Tag,
  Volume,
  Vpc,
} from './model.js';

const ALL_TRAFFIC_ENTRIES = (action: 'allow' | 'deny', rule: number): NaclEntry[] => [
  { ruleNumber: rule, protocol: '-1', ruleAction: action, egress: true, cidrBlock: '0.0.0.0/0' },
  { ruleNumber: rule, protocol: '-1', ruleAction: action, egress: false, cidrBlock: '0.0.0.0/0' },
];

export const STAR_RULE_NUMBER = 32767;

export function sortEntries(entries: NaclEntry[]): void {
  entries.sort((a, b) => (a.egress === b.egress ? a.ruleNumber - b.ruleNumber : a.egress ? -1 : 1));
}

export class Ec2State {
  readonly vpcs = new Map<string, Vpc>();
  readonly subnets = new Map<string, Subnet>();
  readonly networkAcls = new Map<string, NetworkAcl>();
  readonly securityGroups = new Map<string, SecurityGroup>();
  readonly networkInterfaces = new Map<string, NetworkInterface>();
  readonly instances = new Map<string, Instance>();
  readonly volumes = new Map<string, Volume>();
  readonly snapshots = new Map<string, Snapshot>();
  /** DescribeSnapshots reports a snapshot `completed` from this poll on (1 = at once). */
  snapshotCompletesAfterPolls = 2;
  private readonly aclBySubnet = new Map<string, string>();
  private readonly eniByIp = new Map<string, string>();

  constructor(private readonly env: Ec2Env) {}

  get accountId(): string {
    return this.env.accountId;
  }

  get regionName(): string {
    return this.env.region;
  }

  now(): Date {
    return new Date(this.env.now());
  }

  id(prefix: string): string {
    return this.env.ids.resource(prefix);
  }

  // ---- network --------------------------------------------------------------------------------

  addVpc(input: { cidrBlock?: string; isDefault?: boolean; tags?: Tag[] } = {}): Vpc {
    const vpcId = this.id('vpc');
    const vpc: Vpc = {
      vpcId,
      cidrBlock: input.cidrBlock ?? '10.0.0.0/16',
      isDefault: input.isDefault ?? false,
      tags: input.tags ?? [],
      defaultNetworkAclId: '',
      defaultSecurityGroupId: '',
    };
    this.vpcs.set(vpcId, vpc);
    const acl = this.addNetworkAcl({ vpcId, isDefault: true, entries: [...ALL_TRAFFIC_ENTRIES('allow', 100)] });
    vpc.defaultNetworkAclId = acl.networkAclId;
    const sg = this.addSecurityGroup({ vpcId, groupName: 'default', description: 'default VPC security group' });
    sg.rules.push({ securityGroupRuleId: this.id('sgr'), egress: false, ipProtocol: '-1', referencedGroupId: sg.groupId });
    vpc.defaultSecurityGroupId = sg.groupId;
    return vpc;
  }

  addSubnet(input: { vpcId: string; cidrBlock?: string; availabilityZone?: string; networkAclId?: string; tags?: Tag[] }): Subnet {
    const vpc = this.vpcs.get(input.vpcId);
    if (!vpc) throw new Error(`EC2 double: no VPC ${input.vpcId}`);
    const subnetId = this.id('subnet');
    const cidrBlock = input.cidrBlock ?? vpc.cidrBlock.replace(/\/\d+$/, '/24');
    const subnet: Subnet = {
      subnetId,
      vpcId: vpc.vpcId,
      cidrBlock,
      availabilityZone: input.availabilityZone ?? `${this.env.region}a`,
      tags: input.tags ?? [],
      nextHost: 4,
    };
    this.subnets.set(subnetId, subnet);
    this.associateAcl(subnetId, input.networkAclId ?? vpc.defaultNetworkAclId);
    return subnet;
  }

  addNetworkAcl(input: { vpcId: string; isDefault?: boolean; entries?: NaclEntry[]; subnetIds?: string[]; tags?: Tag[] }): NetworkAcl {
    const acl: NetworkAcl = {
      networkAclId: this.id('acl'),
      vpcId: input.vpcId,
      isDefault: input.isDefault ?? false,
      entries: [...(input.entries ?? []), ...ALL_TRAFFIC_ENTRIES('deny', STAR_RULE_NUMBER)],
      associations: [],
      tags: input.tags ?? [],
    };
    sortEntries(acl.entries);
    this.networkAcls.set(acl.networkAclId, acl);
    for (const s of input.subnetIds ?? []) this.associateAcl(s, acl.networkAclId);
    return acl;
  }

  /** A subnet is associated with exactly one network ACL; associating moves it. */
  associateAcl(subnetId: string, networkAclId: string): void {
    const previous = this.aclBySubnet.get(subnetId);
    if (previous) {
      const old = this.networkAcls.get(previous);
      if (old) old.associations = old.associations.filter((a) => a.subnetId !== subnetId);
    }
    const acl = this.networkAcls.get(networkAclId);
    if (!acl) throw new Error(`EC2 double: no network ACL ${networkAclId}`);
    acl.associations.push({ networkAclAssociationId: this.id('aclassoc'), subnetId });
    this.aclBySubnet.set(subnetId, networkAclId);
  }

  aclForSubnet(subnetId: string): NetworkAcl | undefined {
    const id = this.aclBySubnet.get(subnetId);
    return id ? this.networkAcls.get(id) : undefined;
  }

  /** The next free private IP in the subnet. */
  allocateIp(subnetId: string): string {
    const subnet = this.subnets.get(subnetId);
    if (!subnet) throw new Error(`EC2 double: no subnet ${subnetId}`);
    const { base, size } = parseCidr(subnet.cidrBlock);
    while (subnet.nextHost < size - 1) {
      const ip = intToIp(base + subnet.nextHost);
      subnet.nextHost += 1;
      if (!this.eniByIp.has(ip)) return ip;
    }
    throw new Error(`EC2 double: subnet ${subnetId} is full`);
  }

  // ---- security groups ------------------------------------------------------------------------

  addSecurityGroup(input: {
    vpcId: string;
    groupName: string;
    description?: string;
    rules?: Omit<SgRule, 'securityGroupRuleId'>[];
    defaultEgress?: boolean;
    tags?: Tag[];
  }): SecurityGroup {
    const sg: SecurityGroup = {
      groupId: this.id('sg'),
      groupName: input.groupName,
      description: input.description ?? input.groupName,
      vpcId: input.vpcId,
      rules: (input.rules ?? []).map((r) => ({ ...r, securityGroupRuleId: this.id('sgr') })),
      tags: input.tags ?? [],
    };
    // Like EC2: every new VPC security group allows all outbound IPv4 traffic until revoked.
    if (input.defaultEgress !== false) sg.rules.push({ securityGroupRuleId: this.id('sgr'), egress: true, ipProtocol: '-1', cidrIpv4: '0.0.0.0/0' });
    this.securityGroups.set(sg.groupId, sg);
    return sg;
  }

  // ---- network interfaces and instances -------------------------------------------------------

  addNetworkInterface(input: {
    subnetId: string;
    privateIpAddress?: string;
    groupIds?: string[];
    requesterManaged?: boolean;
    requesterId?: string;
    interfaceType?: string;
    description?: string;
    attachment?: Partial<EniAttachment> & { instanceOwnerId?: string };
    tags?: Tag[];
  }): NetworkInterface {
    const subnet = this.subnets.get(input.subnetId);
    if (!subnet) throw new Error(`EC2 double: no subnet ${input.subnetId}`);
    const ip = input.privateIpAddress ?? this.allocateIp(subnet.subnetId);
    if (!cidrContains(subnet.cidrBlock, ip)) throw new Error(`EC2 double: ${ip} is outside ${subnet.cidrBlock}`);
    if (this.eniByIp.has(ip)) throw new Error(`EC2 double: ${ip} is already in use`);
    const vpc = this.vpcs.get(subnet.vpcId)!;
    const eni: NetworkInterface = {
      networkInterfaceId: this.id('eni'),
      subnetId: subnet.subnetId,
      vpcId: subnet.vpcId,
      availabilityZone: subnet.availabilityZone,
      privateIpAddress: ip,
      secondaryPrivateIps: [],
      macAddress: `02:${this.env.ids.hex(10).match(/../g)!.join(':')}`,
      groupIds: input.groupIds ?? [vpc.defaultSecurityGroupId],
      requesterManaged: input.requesterManaged ?? false,
      ...(input.requesterId !== undefined ? { requesterId: input.requesterId } : {}),
      interfaceType: input.interfaceType ?? 'interface',
      description: input.description ?? '',
      status: input.attachment ? 'in-use' : 'available',
      sourceDestCheck: true,
      ...(input.attachment
        ? {
            attachment: {
              attachmentId: this.id('eni-attach'),
              instanceOwnerId: this.env.accountId,
              deviceIndex: 0,
              status: 'attached',
              attachTime: this.now(),
              deleteOnTermination: true,
              ...input.attachment,
            },
          }
        : {}),
      tags: input.tags ?? [],
    };
    this.networkInterfaces.set(eni.networkInterfaceId, eni);
    this.eniByIp.set(ip, eni.networkInterfaceId);
    const instanceId = eni.attachment?.instanceId;
    if (instanceId) {
      const inst = this.instances.get(instanceId);
      if (!inst) throw new Error(`EC2 double: no instance ${instanceId}`);
      inst.eniIds.push(eni.networkInterfaceId);
    }
    return eni;
  }

  eniByPrivateIp(ip: string): NetworkInterface | undefined {
    const id = this.eniByIp.get(ip);
    return id ? this.networkInterfaces.get(id) : undefined;
  }

  /** An instance with its primary ENI (device index 0, not requester-managed). */
  addInstance(input: {
    subnetId: string;
    privateIpAddress?: string;
    groupIds?: string[];
    instanceType?: string;
    imageId?: string;
    state?: string;
    tags?: Tag[];
    iamInstanceProfileArn?: string;
    rootDeviceType?: 'ebs' | 'instance-store';
    shutdownBehavior?: 'stop' | 'terminate';
    disableApiTermination?: boolean;
    spot?: boolean;
  }): Instance {
    const subnet = this.subnets.get(input.subnetId);
    if (!subnet) throw new Error(`EC2 double: no subnet ${input.subnetId}`);
    const stateName = input.state ?? 'running';
    const codes: Record<string, number> = { pending: 0, running: 16, 'shutting-down': 32, terminated: 48, stopping: 64, stopped: 80 };
    const inst: Instance = {
      instanceId: this.id('i'),
      imageId: input.imageId ?? 'ami-0abcdef1234567890',
      instanceType: input.instanceType ?? 'm5.large',
      state: { code: codes[stateName] ?? 16, name: stateName },
      subnetId: subnet.subnetId,
      vpcId: subnet.vpcId,
      availabilityZone: subnet.availabilityZone,
      privateIpAddress: '',
      eniIds: [],
      tags: input.tags ?? [],
      launchTime: this.now(),
      reservationId: this.id('r'),
      ...(input.iamInstanceProfileArn ? { iamInstanceProfileArn: input.iamInstanceProfileArn, iamAssociationId: this.id('iip-assoc') } : {}),
      rootDeviceName: '/dev/xvda',
      rootDeviceType: input.rootDeviceType ?? 'ebs',
      blockDevices: [],
      disableApiTermination: input.disableApiTermination ?? false,
      shutdownBehavior: input.shutdownBehavior ?? 'stop',
      ...(input.spot ? { instanceLifecycle: 'spot' as const } : {}),
    };
    this.instances.set(inst.instanceId, inst);
    const eni = this.addNetworkInterface({
      subnetId: subnet.subnetId,
      privateIpAddress: input.privateIpAddress,
      groupIds: input.groupIds,
      description: 'Primary network interface',
      attachment: { instanceId: inst.instanceId, deviceIndex: 0 },
    });
    inst.privateIpAddress = eni.privateIpAddress;
    return inst;
  }

  /** An EBS volume, attached to `instanceId` at `device` when given (the first one becomes the root). */
  addVolume(input: {
    availabilityZone?: string;
    size?: number;
    volumeType?: string;
    encrypted?: boolean;
    instanceId?: string;
    device?: string;
    deleteOnTermination?: boolean;
    tags?: Tag[];
  }): Volume {
    const inst = input.instanceId ? this.instances.get(input.instanceId) : undefined;
    if (input.instanceId && !inst) throw new Error(`EC2 double: no instance ${input.instanceId}`);
    const volume: Volume = {
      volumeId: this.id('vol'),
      size: input.size ?? 8,
      volumeType: input.volumeType ?? 'gp3',
      availabilityZone: input.availabilityZone ?? inst?.availabilityZone ?? `${this.env.region}a`,
      encrypted: input.encrypted ?? false,
      createTime: this.now(),
      state: inst ? 'in-use' : 'available',
      tags: input.tags ?? [],
    };
    if (inst) {
      const device =
        input.device ?? (inst.blockDevices.length === 0 ? inst.rootDeviceName : `/dev/sd${String.fromCharCode(102 + inst.blockDevices.length - 1)}`);
      volume.attachment = { instanceId: inst.instanceId, device, deleteOnTermination: input.deleteOnTermination ?? true, attachTime: this.now() };
      inst.blockDevices.push({ deviceName: device, volumeId: volume.volumeId });
    }
    this.volumes.set(volume.volumeId, volume);
    return volume;
  }

  /** The next free device index on an instance (for attaching task ENIs). */
  nextDeviceIndex(instanceId: string): number {
    const inst = this.instances.get(instanceId);
    return inst ? inst.eniIds.length : 0;
  }

  upsertTags(tags: Tag[], add: Tag[]): void {
    for (const t of add) {
      const existing = tags.find((x) => x.key === t.key);
      if (existing) existing.value = t.value;
      else tags.push({ ...t });
    }
  }
}
