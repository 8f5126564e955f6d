/**
 * EC2 security-group operations. Rules are stored one per peer (a CIDR, a group, a prefix list)
 * and regrouped into IpPermissions when described, which is what EC2 does with rule ids.
 * Security groups only allow — there are no deny rules — and, on real EC2, changing them does
 * not cut connections already tracked; the double records rules, it does not model traffic.
 */
import type { QueryParams } from '../protocols/query-params.js';
import { AwsServiceError, type Ec2Operation } from '../service.js';
import type { Ec2State, SecurityGroup, SgRule, Tag } from './state.js';
import { ec2Page, notFound } from './network-ops.js';
import { filterMatcher, permissionsXml, ruleXml, securityGroupXml, tagSet } from './wire.js';

type RuleInput = Omit<SgRule, 'securityGroupRuleId'>;

const PROTOCOL_NAMES: Record<string, string> = { all: '-1', '-1': '-1', '6': 'tcp', '17': 'udp', '1': 'icmp', '58': 'icmpv6' };
const normProtocol = (p: string) => PROTOCOL_NAMES[p.toLowerCase()] ?? p.toLowerCase();

function parsePermissions(p: QueryParams, egress: boolean): RuleInput[] {
  const out: RuleInput[] = [];
  const add = (perm: QueryParams, base: RuleInput, peers: { list: string; field: string; to: keyof RuleInput }[]) => {
    for (const { list, field, to } of peers) {
      for (const r of perm.structs(list)) {
        const value = r.str(field);
        if (value !== undefined) out.push({ ...base, [to]: value, ...(r.str('Description') !== undefined ? { description: r.str('Description') } : {}) });
      }
    }
  };
  for (const perm of p.structs('IpPermissions')) {
    const ipProtocol = normProtocol(perm.str('IpProtocol') ?? '');
    if (ipProtocol === '') throw new AwsServiceError('MissingParameter', 'The request must contain the parameter ipProtocol');
    const ports = ipProtocol === '-1' ? {} : { fromPort: perm.int('FromPort'), toPort: perm.int('ToPort') };
    if ((ipProtocol === 'tcp' || ipProtocol === 'udp') && (ports.fromPort === undefined || ports.toPort === undefined)) {
      throw new AwsServiceError('InvalidParameterValue', `Invalid value 'Must specify both from and to ports with TCP/UDP.' for portRange.`);
    }
    add(perm, { egress, ipProtocol, ...ports }, [
      { list: 'IpRanges', field: 'CidrIp', to: 'cidrIpv4' },
      { list: 'Ipv6Ranges', field: 'CidrIpv6', to: 'cidrIpv6' },
      { list: 'Groups', field: 'GroupId', to: 'referencedGroupId' },
      { list: 'PrefixListIds', field: 'PrefixListId', to: 'prefixListId' },
    ]);
  }
  // The older flat form (CidrIp + IpProtocol + FromPort + ToPort).
  const cidr = p.str('CidrIp');
  if (cidr !== undefined) {
    const ipProtocol = normProtocol(p.str('IpProtocol') ?? '-1');
    out.push({ egress, ipProtocol, ...(ipProtocol === '-1' ? {} : { fromPort: p.int('FromPort'), toPort: p.int('ToPort') }), cidrIpv4: cidr });
  }
  return out;
}

const sameRule = (a: RuleInput, b: RuleInput) =>
  a.egress === b.egress &&
  a.ipProtocol === b.ipProtocol &&
  (a.ipProtocol === '-1' || (a.fromPort === b.fromPort && a.toPort === b.toPort)) &&
  a.cidrIpv4 === b.cidrIpv4 &&
  a.cidrIpv6 === b.cidrIpv6 &&
  a.referencedGroupId === b.referencedGroupId &&
  a.prefixListId === b.prefixListId;

const describeRule = (r: RuleInput) =>
  `peer: ${r.cidrIpv4 ?? r.cidrIpv6 ?? r.referencedGroupId ?? r.prefixListId}, ${r.ipProtocol === '-1' ? 'ALL' : r.ipProtocol.toUpperCase()}${r.fromPort !== undefined ? `, from port: ${r.fromPort}, to port: ${r.toPort}` : ''}, ALLOW`;

export function securityGroupOps(state: Ec2State): Record<string, Ec2Operation> {
  const group = (p: QueryParams): SecurityGroup => {
    const id = p.str('GroupId');
    if (id !== undefined) {
      const sg = state.securityGroups.get(id);
      if (!sg) throw notFound.group(id);
      return sg;
    }
    return byDefaultVpcName(p.required('GroupName'));
  };
  /** GroupName (outside filters) only resolves in the default VPC — a classic EC2 surprise. */
  const byDefaultVpcName = (name: string): SecurityGroup => {
    const vpc = [...state.vpcs.values()].find((v) => v.isDefault);
    const sg = vpc && [...state.securityGroups.values()].find((g) => g.vpcId === vpc.vpcId && g.groupName === name);
    if (!sg) throw new AwsServiceError('InvalidGroup.NotFound', `The security group '${name}' does not exist in default VPC '${vpc?.vpcId ?? 'none'}'`);
    return sg;
  };
  const authorize = (egress: boolean) => (p: QueryParams) => {
    const sg = group(p);
    const rules = parsePermissions(p, egress);
    for (const r of rules) {
      if (r.referencedGroupId && !state.securityGroups.has(r.referencedGroupId)) throw notFound.group(r.referencedGroupId);
      if (sg.rules.some((x) => sameRule(x, r)))
        throw new AwsServiceError('InvalidPermission.Duplicate', `the specified rule "${describeRule(r)}" already exists`);
    }
    const added = rules.map((r) => ({ ...r, securityGroupRuleId: state.id('sgr') }));
    sg.rules.push(...added);
    return { return: true, securityGroupRuleSet: added.map((r) => ruleXml(sg, r, state.accountId)) };
  };
  const revoke = (egress: boolean) => (p: QueryParams) => {
    const sg = group(p);
    const byId = p.list('SecurityGroupRuleId');
    const wanted = parsePermissions(p, egress);
    const removed: SgRule[] = [];
    const unknown: RuleInput[] = [];
    for (const id of byId) {
      const r = sg.rules.find((x) => x.securityGroupRuleId === id && x.egress === egress);
      if (!r) throw new AwsServiceError('InvalidSecurityGroupRuleId.NotFound', `The security group rule ID '${id}' does not exist`);
      removed.push(r);
    }
    for (const w of wanted) {
      const r = sg.rules.find((x) => sameRule(x, w));
      if (r) removed.push(r);
      else unknown.push(w);
    }
    if (removed.length === 0) throw new AwsServiceError('InvalidPermission.NotFound', 'The specified rule does not exist in this security group.');
    const gone = new Set(removed);
    sg.rules = sg.rules.filter((r) => !gone.has(r));
    return {
      return: true,
      ...(unknown.length > 0 ? { unknownIpPermissionSet: permissionsXml(unknown.map((u) => ({ ...u, securityGroupRuleId: '' }))) } : {}),
      revokedSecurityGroupRuleSet: removed.map((r) => ruleXml(sg, r, state.accountId)),
    };
  };

  return {
    DescribeSecurityGroups(p) {
      const ids = p.list('GroupId');
      const names = p.list('GroupName');
      const keep = filterMatcher<SecurityGroup>(
        p.filters(),
        {
          'group-id': (g: SecurityGroup) => g.groupId,
          'group-name': (g) => g.groupName,
          'vpc-id': (g) => g.vpcId,
          description: (g) => g.description,
          'owner-id': () => state.accountId,
          'ip-permission.cidr': (g) => g.rules.filter((r) => !r.egress).map((r) => r.cidrIpv4),
          'ip-permission.group-id': (g) => g.rules.filter((r) => !r.egress).map((r) => r.referencedGroupId),
          'ip-permission.protocol': (g) => g.rules.filter((r) => !r.egress).map((r) => r.ipProtocol),
          'egress.ip-permission.cidr': (g) => g.rules.filter((r) => r.egress).map((r) => r.cidrIpv4),
          'egress.ip-permission.protocol': (g) => g.rules.filter((r) => r.egress).map((r) => r.ipProtocol),
        },
        (g) => g.tags,
      );
      let candidates: SecurityGroup[];
      if (ids.length > 0 || names.length > 0) {
        candidates = ids.map((id) => {
          const sg = state.securityGroups.get(id);
          if (!sg) throw notFound.group(id);
          return sg;
        });
        candidates.push(...names.map(byDefaultVpcName));
      } else candidates = [...state.securityGroups.values()];
      const { page, nextToken } = ec2Page(candidates.filter(keep), p, JSON.stringify(p.raw));
      return { securityGroupInfo: page.map((g) => securityGroupXml(state, g)), nextToken };
    },

    CreateSecurityGroup(p) {
      const groupName = p.required('GroupName');
      const description = p.required('GroupDescription');
      if (groupName.length > 255 || description.length > 255)
        throw new AwsServiceError('InvalidParameterValue', 'Group name and description must be at most 255 characters.');
      if (groupName.startsWith('sg-'))
        throw new AwsServiceError(
          'InvalidParameterValue',
          `Value (${groupName}) for parameter GroupName is invalid. Group names may not be in the format sg-*`,
        );
      const vpcId = p.str('VpcId') ?? [...state.vpcs.values()].find((v) => v.isDefault)?.vpcId;
      if (!vpcId) throw new AwsServiceError('VPCIdNotSpecified', 'No default VPC for this user');
      if (!state.vpcs.has(vpcId)) throw notFound.vpc(vpcId);
      for (const g of state.securityGroups.values()) {
        if (g.vpcId === vpcId && g.groupName === groupName)
          throw new AwsServiceError('InvalidGroup.Duplicate', `The security group '${groupName}' already exists for VPC '${vpcId}'`);
      }
      const tags: Tag[] = p
        .structs('TagSpecification')
        .filter((s) => (s.str('ResourceType') ?? 'security-group') === 'security-group')
        .flatMap((s) => s.tags('Tag'));
      const sg = state.addSecurityGroup({ vpcId, groupName, description, tags });
      return {
        groupId: sg.groupId,
        ...(tags.length > 0 ? { tagSet: tagSet(tags) } : {}),
        securityGroupArn: `arn:aws:ec2:${state.regionName}:${state.accountId}:security-group/${sg.groupId}`,
      };
    },

    DeleteSecurityGroup(p) {
      const sg = group(p);
      if (sg.groupName === 'default')
        throw new AwsServiceError('CannotDelete', `the specified group: "${sg.groupId}" name: "default" cannot be deleted by a user`);
      for (const e of state.networkInterfaces.values()) {
        if (e.groupIds.includes(sg.groupId)) throw new AwsServiceError('DependencyViolation', `resource ${sg.groupId} has a dependent object`);
      }
      for (const g of state.securityGroups.values()) {
        if (g !== sg && g.rules.some((r) => r.referencedGroupId === sg.groupId))
          throw new AwsServiceError('DependencyViolation', `resource ${sg.groupId} has a dependent object`);
      }
      state.securityGroups.delete(sg.groupId);
      return { return: true, groupId: sg.groupId };
    },

    AuthorizeSecurityGroupIngress: authorize(false),
    AuthorizeSecurityGroupEgress: authorize(true),
    RevokeSecurityGroupIngress: revoke(false),
    RevokeSecurityGroupEgress: revoke(true),
  };
}
