/**
 * The isolation security group: one per VPC, no inbound and no outbound rules.
 *
 * Security groups only allow (there are no deny rules), so "no rules" is the strongest a group
 * can do. And they are stateful: replacing an interface's groups does not cut connections that
 * are already tracked (EC2 User Guide, "Security group connection tracking": changing rules
 * does not immediately interrupt tracked connections; use a network ACL for that). The
 * network ACL entries of the isolation plan do that part.
 */
import {
  CreateSecurityGroupCommand,
  DescribeSecurityGroupsCommand,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
  type IpPermission,
  type SecurityGroup,
} from '@aws-sdk/client-ec2';
import { isAppError } from '../../errors.js';
import { awsCall } from '../errors.js';
import { ISOLATION_GROUP_DESCRIPTION, ISOLATION_GROUP_NAME, MANAGED_BY_TAG, type Ec2Clients } from './types.js';

export interface IsolationGroup {
  groupId: string;
  created: boolean;
  /** Rules found on the group and removed (e.g. the default allow-all egress of a new group). */
  revoked: { egress: boolean; rule: string }[];
  requestIds: string[];
}

export async function findIsolationSecurityGroup(clients: Ec2Clients, vpcId: string, requestIds: string[]): Promise<SecurityGroup | undefined> {
  const out = await awsCall({ action: 'ec2:DescribeSecurityGroups', resource: vpcId }, requestIds, () =>
    clients.ec2.send(
      new DescribeSecurityGroupsCommand({
        Filters: [
          { Name: 'group-name', Values: [ISOLATION_GROUP_NAME] },
          { Name: 'vpc-id', Values: [vpcId] },
        ],
      }),
    ),
  );
  return out.SecurityGroups?.[0];
}

const DEFAULT_EGRESS_IPV4: IpPermission = { IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] };

/** Only the fields Revoke* accepts, from a described permission. */
function revocable(p: IpPermission): IpPermission {
  return {
    IpProtocol: p.IpProtocol,
    ...(p.FromPort !== undefined ? { FromPort: p.FromPort } : {}),
    ...(p.ToPort !== undefined ? { ToPort: p.ToPort } : {}),
    ...(p.IpRanges?.length ? { IpRanges: p.IpRanges.map((r) => ({ CidrIp: r.CidrIp })) } : {}),
    ...(p.Ipv6Ranges?.length ? { Ipv6Ranges: p.Ipv6Ranges.map((r) => ({ CidrIpv6: r.CidrIpv6 })) } : {}),
    ...(p.PrefixListIds?.length ? { PrefixListIds: p.PrefixListIds.map((r) => ({ PrefixListId: r.PrefixListId })) } : {}),
    ...(p.UserIdGroupPairs?.length ? { UserIdGroupPairs: p.UserIdGroupPairs.map((g) => ({ GroupId: g.GroupId })) } : {}),
  };
}

function describeRule(p: IpPermission): string {
  const peers = [
    ...(p.IpRanges ?? []).map((r) => r.CidrIp),
    ...(p.Ipv6Ranges ?? []).map((r) => r.CidrIpv6),
    ...(p.PrefixListIds ?? []).map((r) => r.PrefixListId),
    ...(p.UserIdGroupPairs ?? []).map((g) => g.GroupId),
  ].join(',');
  const ports = p.FromPort === undefined ? '' : `:${p.FromPort}-${p.ToPort ?? p.FromPort}`;
  return `${p.IpProtocol === '-1' ? 'all' : p.IpProtocol}${ports} ${peers}`;
}

/** Removes every rule of the group, so it allows nothing in or out. */
async function stripRules(clients: Ec2Clients, group: SecurityGroup, result: IsolationGroup): Promise<void> {
  const groupId = group.GroupId!;
  const egress = group.IpPermissionsEgress ?? [];
  const ingress = group.IpPermissions ?? [];
  if (egress.length > 0) {
    // A new group comes with allow-all egress (0.0.0.0/0, plus ::/0 in IPv6 VPCs): revoke
    // exactly what is there.
    await awsCall({ action: 'ec2:RevokeSecurityGroupEgress', resource: groupId }, result.requestIds, () =>
      clients.ec2.send(new RevokeSecurityGroupEgressCommand({ GroupId: groupId, IpPermissions: egress.map(revocable) })),
    );
    result.revoked.push(...egress.map((p) => ({ egress: true, rule: describeRule(p) })));
  }
  if (ingress.length > 0) {
    await awsCall({ action: 'ec2:RevokeSecurityGroupIngress', resource: groupId }, result.requestIds, () =>
      clients.ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: ingress.map(revocable) })),
    );
    result.revoked.push(...ingress.map((p) => ({ egress: false, rule: describeRule(p) })));
  }
}

/**
 * Finds or creates `guardduty-responder-isolation` in the VPC and makes sure it has no rules
 * (someone may have added one since; a previous creation may have stopped half way).
 */
export async function ensureIsolationSecurityGroup(clients: Ec2Clients, vpcId: string): Promise<IsolationGroup> {
  const result: IsolationGroup = { groupId: '', created: false, revoked: [], requestIds: [] };
  let group = await findIsolationSecurityGroup(clients, vpcId, result.requestIds);
  if (!group?.GroupId) {
    try {
      const created = await awsCall({ action: 'ec2:CreateSecurityGroup', resource: vpcId }, result.requestIds, () =>
        clients.ec2.send(
          new CreateSecurityGroupCommand({
            GroupName: ISOLATION_GROUP_NAME,
            Description: ISOLATION_GROUP_DESCRIPTION,
            VpcId: vpcId,
            TagSpecifications: [{ ResourceType: 'security-group', Tags: [{ Key: 'Name', Value: ISOLATION_GROUP_NAME }, { ...MANAGED_BY_TAG }] }],
          }),
        ),
      );
      result.created = true;
      result.groupId = created.GroupId ?? '';
    } catch (err) {
      // Another isolation in the same VPC created it first: use theirs.
      if (!(isAppError(err) && err.context.awsErrorName === 'InvalidGroup.Duplicate')) throw err;
    }
    // Read it back for its rules (the default egress rule is not in CreateSecurityGroup's answer).
    group = await findIsolationSecurityGroup(clients, vpcId, result.requestIds);
  }
  if (!group?.GroupId) {
    if (!result.groupId) throw new Error(`Security group ${ISOLATION_GROUP_NAME} could not be found or created in ${vpcId}.`);
    // Created but not yet visible (EC2 is eventually consistent): revoke the default
    // allow-all IPv4 egress rule every new group gets, by its known shape.
    const groupId = result.groupId;
    await awsCall({ action: 'ec2:RevokeSecurityGroupEgress', resource: groupId }, result.requestIds, () =>
      clients.ec2.send(new RevokeSecurityGroupEgressCommand({ GroupId: groupId, IpPermissions: [DEFAULT_EGRESS_IPV4] })),
    );
    result.revoked.push({ egress: true, rule: describeRule(DEFAULT_EGRESS_IPV4) });
    return result;
  }
  result.groupId = group.GroupId;
  await stripRules(clients, group, result);
  return result;
}
