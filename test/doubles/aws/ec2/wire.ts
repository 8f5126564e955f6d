/**
 * Model → EC2 XML, with the element names the SDK's ec2Query deserialiser expects (checked against
 * @aws-sdk/client-ec2's schemas: e.g. SecurityGroup.Description is `groupDescription`,
 * NetworkAcl.IsDefault is `default`, Instance.State is `instanceState`, every list is `<item>`s).
 * Also the filter matcher shared by the Describe* operations.
 */
import type { XmlObject } from '../protocols/xml.js';
import type { Filter } from '../protocols/query-params.js';
import { AwsServiceError } from '../service.js';
import type { Ec2State, Instance, NetworkAcl, NetworkInterface, SecurityGroup, SgRule, Subnet, Tag, Vpc } from './state.js';

export const tagSet = (tags: Tag[]) => tags.map((t) => ({ key: t.key, value: t.value }));

const groupSet = (state: Ec2State, ids: string[]) => ids.map((id) => ({ groupId: id, groupName: state.securityGroups.get(id)?.groupName }));

export function eniXml(state: Ec2State, eni: NetworkInterface): XmlObject {
  const a = eni.attachment;
  const dns = `ip-${eni.privateIpAddress.replace(/\./g, '-')}.ec2.internal`;
  return {
    ...(a
      ? {
          attachment: {
            attachTime: a.attachTime,
            attachmentId: a.attachmentId,
            deleteOnTermination: a.deleteOnTermination,
            deviceIndex: a.deviceIndex,
            networkCardIndex: 0,
            instanceId: a.instanceId,
            instanceOwnerId: a.instanceOwnerId,
            status: a.status,
          },
        }
      : {}),
    availabilityZone: eni.availabilityZone,
    description: eni.description,
    groupSet: groupSet(state, eni.groupIds),
    interfaceType: eni.interfaceType,
    ipv6AddressesSet: [],
    macAddress: eni.macAddress,
    networkInterfaceId: eni.networkInterfaceId,
    ownerId: state.accountId,
    privateDnsName: dns,
    privateIpAddress: eni.privateIpAddress,
    privateIpAddressesSet: [
      { primary: true, privateDnsName: dns, privateIpAddress: eni.privateIpAddress },
      ...eni.secondaryPrivateIps.map((ip) => ({ primary: false, privateIpAddress: ip })),
    ],
    requesterId: eni.requesterId,
    requesterManaged: eni.requesterManaged,
    sourceDestCheck: eni.sourceDestCheck,
    status: eni.status,
    subnetId: eni.subnetId,
    tagSet: tagSet(eni.tags),
    vpcId: eni.vpcId,
  };
}

export function instanceXml(state: Ec2State, inst: Instance): XmlObject {
  const enis = inst.eniIds.map((id) => state.networkInterfaces.get(id)).filter((e): e is NetworkInterface => e !== undefined);
  const primary = enis.find((e) => e.attachment?.deviceIndex === 0) ?? enis[0];
  return {
    instanceId: inst.instanceId,
    imageId: inst.imageId,
    instanceState: { code: inst.state.code, name: inst.state.name },
    privateDnsName: `ip-${inst.privateIpAddress.replace(/\./g, '-')}.ec2.internal`,
    dnsName: '',
    reason: '',
    amiLaunchIndex: 0,
    productCodes: [],
    instanceType: inst.instanceType,
    launchTime: inst.launchTime,
    placement: { availabilityZone: inst.availabilityZone, groupName: '', tenancy: 'default' },
    monitoring: { state: 'disabled' },
    subnetId: inst.subnetId,
    vpcId: inst.vpcId,
    privateIpAddress: inst.privateIpAddress,
    sourceDestCheck: true,
    groupSet: groupSet(state, primary?.groupIds ?? []),
    architecture: 'x86_64',
    rootDeviceType: inst.rootDeviceType,
    rootDeviceName: inst.rootDeviceName,
    instanceLifecycle: inst.instanceLifecycle,
    blockDeviceMapping: inst.blockDevices.map((b) => {
      const v = state.volumes.get(b.volumeId);
      return {
        deviceName: b.deviceName,
        ebs: {
          volumeId: b.volumeId,
          status: 'attached',
          attachTime: v?.attachment?.attachTime,
          deleteOnTermination: v?.attachment?.deleteOnTermination ?? true,
        },
      };
    }),
    virtualizationType: 'hvm',
    tagSet: tagSet(inst.tags),
    hypervisor: 'xen',
    ...(inst.iamInstanceProfileArn ? { iamInstanceProfile: { arn: inst.iamInstanceProfileArn, id: `AIPA${inst.instanceId.slice(2, 19).toUpperCase()}` } } : {}),
    networkInterfaceSet: enis.map((e) => ({
      attachment: e.attachment
        ? {
            attachTime: e.attachment.attachTime,
            attachmentId: e.attachment.attachmentId,
            deleteOnTermination: e.attachment.deleteOnTermination,
            deviceIndex: e.attachment.deviceIndex,
            networkCardIndex: 0,
            status: e.attachment.status,
          }
        : undefined,
      description: e.description,
      groupSet: groupSet(state, e.groupIds),
      macAddress: e.macAddress,
      networkInterfaceId: e.networkInterfaceId,
      ownerId: state.accountId,
      privateIpAddress: e.privateIpAddress,
      privateIpAddressesSet: [{ primary: true, privateIpAddress: e.privateIpAddress }],
      sourceDestCheck: e.sourceDestCheck,
      status: e.status,
      subnetId: e.subnetId,
      vpcId: e.vpcId,
      interfaceType: e.interfaceType,
    })),
    ebsOptimized: false,
    enaSupport: true,
  };
}

/** Rules grouped back into EC2's IpPermission shape: one per (protocol, port range). */
export function permissionsXml(rules: SgRule[]): XmlObject[] {
  const byKey = new Map<
    string,
    { ipProtocol: string; fromPort?: number; toPort?: number; groups: XmlObject[]; ipRanges: XmlObject[]; ipv6Ranges: XmlObject[]; prefixListIds: XmlObject[] }
  >();
  for (const r of rules) {
    const key = `${r.ipProtocol}|${r.fromPort ?? ''}|${r.toPort ?? ''}`;
    let p = byKey.get(key);
    if (!p) {
      p = { ipProtocol: r.ipProtocol, fromPort: r.fromPort, toPort: r.toPort, groups: [], ipRanges: [], ipv6Ranges: [], prefixListIds: [] };
      byKey.set(key, p);
    }
    if (r.cidrIpv4) p.ipRanges.push({ cidrIp: r.cidrIpv4, description: r.description });
    if (r.cidrIpv6) p.ipv6Ranges.push({ cidrIpv6: r.cidrIpv6, description: r.description });
    if (r.referencedGroupId) p.groups.push({ groupId: r.referencedGroupId, userId: undefined, description: r.description });
    if (r.prefixListId) p.prefixListIds.push({ prefixListId: r.prefixListId, description: r.description });
  }
  return [...byKey.values()].map((p) => ({ ...p }));
}

export function securityGroupXml(state: Ec2State, sg: SecurityGroup): XmlObject {
  return {
    ownerId: state.accountId,
    groupId: sg.groupId,
    groupName: sg.groupName,
    groupDescription: sg.description,
    ipPermissions: permissionsXml(sg.rules.filter((r) => !r.egress)).map((p) => ({
      ...p,
      groups: (p.groups as XmlObject[]).map((g) => ({ ...g, userId: state.accountId })),
    })),
    ipPermissionsEgress: permissionsXml(sg.rules.filter((r) => r.egress)).map((p) => ({
      ...p,
      groups: (p.groups as XmlObject[]).map((g) => ({ ...g, userId: state.accountId })),
    })),
    vpcId: sg.vpcId,
    securityGroupArn: `arn:aws:ec2:${state.regionName}:${state.accountId}:security-group/${sg.groupId}`,
    tagSet: tagSet(sg.tags),
  };
}

export function ruleXml(sg: SecurityGroup, r: SgRule, accountId: string): XmlObject {
  return {
    securityGroupRuleId: r.securityGroupRuleId,
    groupId: sg.groupId,
    groupOwnerId: accountId,
    isEgress: r.egress,
    ipProtocol: r.ipProtocol,
    fromPort: r.fromPort ?? -1,
    toPort: r.toPort ?? -1,
    cidrIpv4: r.cidrIpv4,
    cidrIpv6: r.cidrIpv6,
    prefixListId: r.prefixListId,
    referencedGroupInfo: r.referencedGroupId ? { groupId: r.referencedGroupId, userId: accountId } : undefined,
    description: r.description,
  };
}

export function networkAclXml(state: Ec2State, acl: NetworkAcl): XmlObject {
  return {
    networkAclId: acl.networkAclId,
    vpcId: acl.vpcId,
    default: acl.isDefault,
    entrySet: acl.entries.map((e) => ({
      ruleNumber: e.ruleNumber,
      protocol: e.protocol,
      ruleAction: e.ruleAction,
      egress: e.egress,
      cidrBlock: e.cidrBlock,
      ipv6CidrBlock: e.ipv6CidrBlock,
      icmpTypeCode: e.icmpTypeCode,
      portRange: e.portRange,
    })),
    associationSet: acl.associations.map((a) => ({ networkAclAssociationId: a.networkAclAssociationId, networkAclId: acl.networkAclId, subnetId: a.subnetId })),
    tagSet: tagSet(acl.tags),
    ownerId: state.accountId,
  };
}

export function subnetXml(state: Ec2State, s: Subnet): XmlObject {
  let used = 0;
  for (const e of state.networkInterfaces.values()) if (e.subnetId === s.subnetId) used += 1;
  const size = 2 ** (32 - Number(s.cidrBlock.split('/')[1]));
  return {
    subnetId: s.subnetId,
    subnetArn: `arn:aws:ec2:${state.regionName}:${state.accountId}:subnet/${s.subnetId}`,
    state: 'available',
    vpcId: s.vpcId,
    cidrBlock: s.cidrBlock,
    availableIpAddressCount: Math.max(0, size - 5 - used),
    availabilityZone: s.availabilityZone,
    defaultForAz: false,
    mapPublicIpOnLaunch: false,
    ownerId: state.accountId,
    tagSet: tagSet(s.tags),
  };
}

export function vpcXml(state: Ec2State, v: Vpc): XmlObject {
  return {
    vpcId: v.vpcId,
    state: 'available',
    cidrBlock: v.cidrBlock,
    cidrBlockAssociationSet: [{ associationId: `vpc-cidr-assoc-${v.vpcId.slice(4)}`, cidrBlock: v.cidrBlock, cidrBlockState: { state: 'associated' } }],
    dhcpOptionsId: 'dopt-0123456789abcdef0',
    instanceTenancy: 'default',
    isDefault: v.isDefault,
    ownerId: state.accountId,
    tagSet: tagSet(v.tags),
  };
}

// ---- filters ------------------------------------------------------------------------------------

type FieldValue = string | number | boolean | undefined | (string | undefined)[];
export type FilterFields<T> = Record<string, (item: T) => FieldValue>;

/** EC2 filter values match exactly, with `*` and `?` wildcards; values within a filter are ORed,
 *  filters are ANDed; `tag:Key` and `tag-key` work on any resource with tags. */
export function filterMatcher<T>(filters: Filter[], fields: FilterFields<T>, tags: (item: T) => Tag[]): (item: T) => boolean {
  const tests = filters.map((f) => {
    const patterns = f.values.map((v) =>
      /[*?]/.test(v)
        ? new RegExp(
            `^${v
              .replace(/[.+^${}()|[\]\\]/g, '\\$&')
              .replace(/\*/g, '.*')
              .replace(/\?/g, '.')}$`,
          )
        : v,
    );
    const matches = (value: string) => patterns.some((p) => (typeof p === 'string' ? p === value : p.test(value)));
    if (f.name.startsWith('tag:')) {
      const key = f.name.slice(4);
      return (item: T) => tags(item).some((t) => t.key === key && matches(t.value));
    }
    if (f.name === 'tag-key') return (item: T) => tags(item).some((t) => matches(t.key));
    const field = fields[f.name];
    if (!field) throw new AwsServiceError('InvalidParameterValue', `The filter '${f.name}' is invalid`);
    return (item: T) => {
      const v = field(item);
      const values = Array.isArray(v) ? v : [v];
      return values.some((x) => x !== undefined && matches(String(x)));
    };
  });
  return (item) => tests.every((t) => t(item));
}
