/**
 * EC2 network operations: network interfaces, instances, subnets, VPCs, network ACL entries and
 * tags. Errors use EC2's codes and wording (`InvalidNetworkInterfaceID.NotFound`,
 * `NetworkAclEntryAlreadyExists`…).
 */
import type { QueryParams } from '../protocols/query-params.js';
import type { XmlObject } from '../protocols/xml.js';
import { AwsServiceError, decodeToken, encodeToken, type Ec2Operation } from '../service.js';
import {
  sortEntries,
  STAR_RULE_NUMBER,
  type Ec2State,
  type Instance,
  type NaclEntry,
  type NetworkAcl,
  type NetworkInterface,
  type Subnet,
  type Tag,
  type Vpc,
} from './state.js';
import { eniXml, filterMatcher, instanceXml, networkAclXml, subnetXml, vpcXml } from './wire.js';

/**
 * What EC2 answers when anything but tags is changed on a requester-managed network interface
 * (Fargate task ENIs, ECS awsvpc task ENIs on EC2, ELB, NAT gateway, VPC endpoint ENIs…):
 * `AuthFailure` "You do not have permission to access the specified resource.", HTTP 400 — the
 * same answer Terraform reports for DetachNetworkInterface on ELB ENIs
 * (hashicorp/terraform-provider-aws issue logs) and that cloud-custodian#3406 hit modifying the
 * security groups of ECS-created ENIs "even when running with admin/root-like credentials". The
 * EC2 user guide (requester-managed-eni) says: "You can add or remove tags, but you can't change
 * other properties of a requester-managed network interface."
 */
export const REQUESTER_MANAGED_ERROR = () => new AwsServiceError('AuthFailure', 'You do not have permission to access the specified resource.', 400);

export const notFound = {
  eni: (id: string) => new AwsServiceError('InvalidNetworkInterfaceID.NotFound', `The networkInterface ID '${id}' does not exist`),
  instance: (id: string) => new AwsServiceError('InvalidInstanceID.NotFound', `The instance ID '${id}' does not exist`),
  subnet: (id: string) => new AwsServiceError('InvalidSubnetID.NotFound', `The subnet ID '${id}' does not exist`),
  vpc: (id: string) => new AwsServiceError('InvalidVpcID.NotFound', `The vpc ID '${id}' does not exist`),
  acl: (id: string) => new AwsServiceError('InvalidNetworkAclID.NotFound', `The network ACL '${id}' does not exist`),
  group: (id: string) => new AwsServiceError('InvalidGroup.NotFound', `The security group '${id}' does not exist`),
};

/** Offset paging over an already-filtered list, with EC2's MaxResults bounds. */
export function ec2Page<T>(items: T[], p: QueryParams, scope: string, min = 5, max = 1000): { page: T[]; nextToken?: string } {
  const maxResults = p.int('MaxResults');
  if (maxResults !== undefined && (maxResults < min || maxResults > max)) {
    throw new AwsServiceError(
      'InvalidParameterValue',
      `Value ( ${maxResults} ) for parameter maxResults is invalid. Expecting a value between ${min} and ${max}.`,
    );
  }
  const start = decodeToken(p.str('NextToken'), scope, () => new AwsServiceError('InvalidParameterValue', 'The token is invalid.'));
  if (maxResults === undefined) return { page: items.slice(start) };
  const end = start + maxResults;
  return { page: items.slice(start, end), ...(end < items.length ? { nextToken: encodeToken(end, scope) } : {}) };
}

function byIds<T>(ids: string[], get: (id: string) => T | undefined, missing: (id: string) => AwsServiceError): T[] {
  return ids.map((id) => {
    const item = get(id);
    if (!item) throw missing(id);
    return item;
  });
}

export function networkOps(state: Ec2State): Record<string, Ec2Operation> {
  const eniFields = {
    'network-interface-id': (e: NetworkInterface) => e.networkInterfaceId,
    'attachment.instance-id': (e: NetworkInterface) => e.attachment?.instanceId,
    'attachment.attachment-id': (e: NetworkInterface) => e.attachment?.attachmentId,
    'attachment.status': (e: NetworkInterface) => e.attachment?.status,
    'attachment.device-index': (e: NetworkInterface) => e.attachment?.deviceIndex,
    'addresses.private-ip-address': (e: NetworkInterface) => [e.privateIpAddress, ...e.secondaryPrivateIps],
    'private-ip-address': (e: NetworkInterface) => [e.privateIpAddress, ...e.secondaryPrivateIps],
    'vpc-id': (e: NetworkInterface) => e.vpcId,
    'subnet-id': (e: NetworkInterface) => e.subnetId,
    'group-id': (e: NetworkInterface) => e.groupIds,
    'group-name': (e: NetworkInterface) => e.groupIds.map((g) => state.securityGroups.get(g)?.groupName),
    'requester-managed': (e: NetworkInterface) => e.requesterManaged,
    'requester-id': (e: NetworkInterface) => e.requesterId,
    'interface-type': (e: NetworkInterface) => e.interfaceType,
    status: (e: NetworkInterface) => e.status,
    description: (e: NetworkInterface) => e.description,
    'availability-zone': (e: NetworkInterface) => e.availabilityZone,
    'mac-address': (e: NetworkInterface) => e.macAddress,
    'owner-id': () => state.accountId,
  };
  const instanceFields = {
    'instance-id': (i: Instance) => i.instanceId,
    'instance-state-name': (i: Instance) => i.state.name,
    'instance-state-code': (i: Instance) => i.state.code,
    'instance-type': (i: Instance) => i.instanceType,
    'vpc-id': (i: Instance) => i.vpcId,
    'subnet-id': (i: Instance) => i.subnetId,
    'availability-zone': (i: Instance) => i.availabilityZone,
    'private-ip-address': (i: Instance) => i.privateIpAddress,
    'network-interface.network-interface-id': (i: Instance) => i.eniIds,
    'network-interface.addresses.private-ip-address': (i: Instance) => i.eniIds.map((id) => state.networkInterfaces.get(id)?.privateIpAddress),
    'instance.group-id': (i: Instance) => i.eniIds.flatMap((id) => state.networkInterfaces.get(id)?.groupIds ?? []),
    'iam-instance-profile.arn': (i: Instance) => i.iamInstanceProfileArn,
  };
  const acl = (id: string): NetworkAcl => {
    const a = state.networkAcls.get(id);
    if (!a) throw notFound.acl(id);
    return a;
  };
  /** Candidates narrowed through an index when the request allows it; the filters then apply. */
  const eniCandidates = (p: QueryParams): NetworkInterface[] => {
    const ids = p.list('NetworkInterfaceId');
    if (ids.length > 0) return byIds(ids, (id) => state.networkInterfaces.get(id), notFound.eni);
    for (const f of p.filters()) {
      if ((f.name === 'addresses.private-ip-address' || f.name === 'private-ip-address') && f.values.every((v) => !/[*?]/.test(v))) {
        return f.values.map((ip) => state.eniByPrivateIp(ip)).filter((e): e is NetworkInterface => e !== undefined);
      }
      if (f.name === 'attachment.instance-id' && f.values.every((v) => !/[*?]/.test(v))) {
        return f.values.flatMap((id) => state.instances.get(id)?.eniIds ?? []).map((id) => state.networkInterfaces.get(id)!);
      }
    }
    return [...state.networkInterfaces.values()];
  };
  const resourceTags = (id: string): Tag[] => {
    const kind = id.slice(0, id.indexOf('-'));
    const found =
      kind === 'i'
        ? state.instances.get(id)
        : kind === 'eni'
          ? state.networkInterfaces.get(id)
          : kind === 'sg'
            ? state.securityGroups.get(id)
            : kind === 'vpc'
              ? state.vpcs.get(id)
              : kind === 'subnet'
                ? state.subnets.get(id)
                : kind === 'acl'
                  ? state.networkAcls.get(id)
                  : kind === 'vol'
                    ? state.volumes.get(id)
                    : kind === 'snap'
                      ? state.snapshots.get(id)
                      : undefined;
    if (found) return found.tags;
    const miss = {
      i: notFound.instance,
      eni: notFound.eni,
      sg: notFound.group,
      vpc: notFound.vpc,
      subnet: notFound.subnet,
      acl: notFound.acl,
      vol: (v: string) => new AwsServiceError('InvalidVolume.NotFound', `The volume '${v}' does not exist.`),
      snap: (v: string) => new AwsServiceError('InvalidSnapshot.NotFound', `The snapshot '${v}' does not exist.`),
    }[kind];
    throw miss ? miss(id) : new AwsServiceError('InvalidID', `The ID '${id}' is not valid`);
  };
  const entryFrom = (p: QueryParams): NaclEntry => {
    const ruleNumber = p.int('RuleNumber');
    if (ruleNumber === undefined) throw new AwsServiceError('MissingParameter', 'The request must contain the parameter ruleNumber');
    if (ruleNumber < 1 || ruleNumber > STAR_RULE_NUMBER - 1)
      throw new AwsServiceError('InvalidParameterValue', `Value (${ruleNumber}) for parameter ruleNumber is invalid. Not a valid ACL rule number.`);
    const ruleAction = p.required('RuleAction');
    if (ruleAction !== 'allow' && ruleAction !== 'deny')
      throw new AwsServiceError('InvalidParameterValue', `Value (${ruleAction}) for parameter ruleAction is invalid.`);
    const protocol = p.required('Protocol');
    const names: Record<string, string> = { all: '-1', tcp: '6', udp: '17', icmp: '1' };
    const from = p.int('PortRange.From');
    const to = p.int('PortRange.To');
    const code = p.int('Icmp.Code');
    const type = p.int('Icmp.Type');
    const entry: NaclEntry = {
      ruleNumber,
      protocol: names[protocol] ?? protocol,
      ruleAction,
      egress: p.bool('Egress') ?? false,
      ...(p.str('CidrBlock') ? { cidrBlock: p.str('CidrBlock') } : {}),
      ...(p.str('Ipv6CidrBlock') ? { ipv6CidrBlock: p.str('Ipv6CidrBlock') } : {}),
      ...(from !== undefined && to !== undefined ? { portRange: { from, to } } : {}),
      ...(code !== undefined && type !== undefined ? { icmpTypeCode: { code, type } } : {}),
    };
    if (!entry.cidrBlock && !entry.ipv6CidrBlock) throw new AwsServiceError('MissingParameter', 'Either CidrBlock or Ipv6CidrBlock must be specified.');
    if ((entry.protocol === '6' || entry.protocol === '17') && !entry.portRange)
      throw new AwsServiceError('InvalidParameterValue', 'TCP and UDP rules must specify a port range.');
    return entry;
  };

  return {
    DescribeNetworkInterfaces(p) {
      const keep = filterMatcher(p.filters(), eniFields, (e) => e.tags);
      const all = eniCandidates(p).filter(keep);
      const { page, nextToken } = ec2Page(all, p, JSON.stringify(p.raw));
      return { networkInterfaceSet: page.map((e) => eniXml(state, e)), nextToken };
    },

    ModifyNetworkInterfaceAttribute(p) {
      const id = p.required('NetworkInterfaceId');
      const eni = state.networkInterfaces.get(id);
      if (!eni) throw notFound.eni(id);
      const groups = p.list('SecurityGroupId');
      const kinds = [
        groups.length > 0,
        p.str('Description.Value') !== undefined,
        p.str('SourceDestCheck.Value') !== undefined,
        p.struct('Attachment') !== undefined,
      ].filter(Boolean).length;
      if (kinds === 0) throw new AwsServiceError('InvalidParameterCombination', 'No attributes specified.');
      if (kinds > 1) throw new AwsServiceError('InvalidParameterCombination', 'Fields for multiple attribute types specified');
      if (eni.requesterManaged) throw REQUESTER_MANAGED_ERROR();
      if (groups.length > 0) {
        for (const g of groups) {
          const sg = state.securityGroups.get(g);
          if (!sg) throw notFound.group(g);
          if (sg.vpcId !== eni.vpcId) throw new AwsServiceError('InvalidGroup.NotFound', 'You have specified two resources that belong to different networks.');
        }
        eni.groupIds = [...new Set(groups)];
      }
      const description = p.str('Description.Value');
      if (description !== undefined) eni.description = description;
      const sdc = p.str('SourceDestCheck.Value');
      if (sdc !== undefined) eni.sourceDestCheck = sdc === 'true';
      return {};
    },

    DescribeInstances(p) {
      const ids = p.list('InstanceId');
      const keep = filterMatcher(p.filters(), instanceFields, (i) => i.tags);
      const candidates = ids.length > 0 ? byIds(ids, (id) => state.instances.get(id), notFound.instance) : [...state.instances.values()];
      const { page, nextToken } = ec2Page(candidates.filter(keep), p, JSON.stringify(p.raw));
      return {
        reservationSet: page.map((i) => ({ reservationId: i.reservationId, ownerId: state.accountId, groupSet: [], instancesSet: [instanceXml(state, i)] })),
        nextToken,
      };
    },

    DescribeSubnets(p) {
      const ids = p.list('SubnetId');
      const keep = filterMatcher<Subnet>(
        p.filters(),
        {
          'subnet-id': (s) => s.subnetId,
          'vpc-id': (s) => s.vpcId,
          'cidr-block': (s) => s.cidrBlock,
          'availability-zone': (s) => s.availabilityZone,
          state: () => 'available',
        },
        (s) => s.tags,
      );
      const candidates = ids.length > 0 ? byIds(ids, (id) => state.subnets.get(id), notFound.subnet) : [...state.subnets.values()];
      const { page, nextToken } = ec2Page(candidates.filter(keep), p, JSON.stringify(p.raw));
      return { subnetSet: page.map((s) => subnetXml(state, s)), nextToken };
    },

    DescribeVpcs(p) {
      const ids = p.list('VpcId');
      const keep = filterMatcher<Vpc>(
        p.filters(),
        { 'vpc-id': (v) => v.vpcId, 'is-default': (v) => v.isDefault, 'cidr-block': (v) => v.cidrBlock, cidr: (v) => v.cidrBlock, state: () => 'available' },
        (v) => v.tags,
      );
      const candidates = ids.length > 0 ? byIds(ids, (id) => state.vpcs.get(id), notFound.vpc) : [...state.vpcs.values()];
      const { page, nextToken } = ec2Page(candidates.filter(keep), p, JSON.stringify(p.raw));
      return { vpcSet: page.map((v) => vpcXml(state, v)), nextToken };
    },

    DescribeNetworkAcls(p) {
      const ids = p.list('NetworkAclId');
      const keep = filterMatcher<NetworkAcl>(
        p.filters(),
        {
          'network-acl-id': (a) => a.networkAclId,
          'vpc-id': (a) => a.vpcId,
          default: (a) => a.isDefault,
          'association.subnet-id': (a) => a.associations.map((x) => x.subnetId),
          'association.association-id': (a) => a.associations.map((x) => x.networkAclAssociationId),
          'association.network-acl-id': (a) => a.networkAclId,
          'entry.rule-number': (a) => a.entries.map((e) => String(e.ruleNumber)),
          'entry.rule-action': (a) => a.entries.map((e) => e.ruleAction),
          'entry.cidr': (a) => a.entries.map((e) => e.cidrBlock),
          'owner-id': () => state.accountId,
        },
        (a) => a.tags,
      );
      const candidates = ids.length > 0 ? byIds(ids, (id) => state.networkAcls.get(id), notFound.acl) : [...state.networkAcls.values()];
      const { page, nextToken } = ec2Page(candidates.filter(keep), p, JSON.stringify(p.raw));
      return { networkAclSet: page.map((a) => networkAclXml(state, a)), nextToken };
    },

    CreateNetworkAclEntry(p) {
      const a = acl(p.required('NetworkAclId'));
      const entry = entryFrom(p);
      if (a.entries.some((e) => e.egress === entry.egress && e.ruleNumber === entry.ruleNumber)) {
        throw new AwsServiceError('NetworkAclEntryAlreadyExists', `The network acl entry identified by ${entry.ruleNumber} already exists.`);
      }
      a.entries.push(entry);
      sortEntries(a.entries);
      return { return: true };
    },

    ReplaceNetworkAclEntry(p) {
      const a = acl(p.required('NetworkAclId'));
      const entry = entryFrom(p);
      const i = a.entries.findIndex((e) => e.egress === entry.egress && e.ruleNumber === entry.ruleNumber);
      if (i === -1) throw new AwsServiceError('InvalidNetworkAclEntry.NotFound', `The network acl entry identified by ${entry.ruleNumber} does not exist.`);
      a.entries[i] = entry;
      return { return: true };
    },

    DeleteNetworkAclEntry(p) {
      const a = acl(p.required('NetworkAclId'));
      const ruleNumber = p.int('RuleNumber');
      const egress = p.bool('Egress') ?? false;
      const i = a.entries.findIndex((e) => e.egress === egress && e.ruleNumber === ruleNumber);
      if (i === -1 || ruleNumber === STAR_RULE_NUMBER)
        throw new AwsServiceError('InvalidNetworkAclEntry.NotFound', `The network acl entry identified by ${ruleNumber} does not exist.`);
      a.entries.splice(i, 1);
      return { return: true };
    },

    CreateTags(p) {
      const ids = p.list('ResourceId');
      const tags = p.tags('Tag');
      if (ids.length === 0) throw new AwsServiceError('MissingParameter', 'The request must contain the parameter resourceIdSet');
      // Resolve all first: EC2 tags all or none. Requester-managed ENIs may be tagged.
      const targets = ids.map(resourceTags);
      for (const t of targets) state.upsertTags(t, tags);
      return { return: true };
    },

    DeleteTags(p) {
      const ids = p.list('ResourceId');
      const tags = p.structs('Tag').map((t) => ({ key: t.str('Key') ?? '', value: t.str('Value') }));
      for (const target of ids.map(resourceTags)) {
        for (const t of tags) {
          const i = target.findIndex((x) => x.key === t.key && (t.value === undefined || x.value === t.value));
          if (i !== -1) target.splice(i, 1);
        }
      }
      return { return: true } satisfies XmlObject;
    },
  };
}
