/**
 * Network isolation plan for a task or an instance, computed from live state.
 *
 * Why it is built this way (Amazon VPC User Guide, checked with the search tool):
 * - "Network ACL basics" (docs.aws.amazon.com/vpc/latest/userguide/nacl-basics.html): "We
 *   evaluate the network ACL rules when traffic enters and leaves the subnet, not as it is
 *   routed within a subnet"; rules are evaluated "starting with the lowest numbered rule" and
 *   the first match applies; NACLs are stateless.
 * - "Network ACL rules" (…/nacl-rules.html): an inbound rule matches the Source, an outbound
 *   rule matches the Destination: i.e. always the REMOTE address, seen from that subnet.
 * - EC2 "Security group connection tracking": changing security group rules does not interrupt
 *   tracked connections; "use a network ACL for your subnet" to interrupt them, because NACLs
 *   are stateless and a blocking rule cuts existing connections.
 * - EC2 "Requester-managed network interfaces": you cannot change their properties (security
 *   groups included); ECS task ENIs (Fargate, awsvpc on EC2) are requester-managed.
 * - VPC quotas: 20 rules per NACL per direction, IPv4 and IPv6 counted apart, default rule
 *   included (adjustable to 40).
 *
 * Consequences. A deny for the task's IP in its OWN subnet's NACL matches nothing useful
 * (there the task's IP is the local side, rules match the remote side). So the entries go into
 * every NACL of the VPC associated with ANOTHER subnet: inbound deny source = task IP, outbound
 * deny destination = task IP. That cuts all traffic between the task and every other subnet
 * (NAT gateways and interface endpoints in other subnets included), open connections included.
 * It cannot cut: traffic inside the task's own subnet; internet traffic through an internet
 * gateway to a public IP (it only crosses the task's own subnet NACL, where the remote address
 * is the internet peer); peering / transit gateway / VPN traffic routed straight into the
 * task's subnet. The plan says so, in data and in plain English.
 */
import type { NetworkAcl } from '@aws-sdk/client-ec2';
import { AppError } from '../../errors.js';
import { describeEnisById, describeEnisOfInstance, describeNetworkAcls, type EniState } from './network-interfaces.js';
import { hostCidr, placeDenyEntries } from './nacl-rules.js';
import { describeIsolation } from './narrative.js';
import { findIsolationSecurityGroup } from './security-group.js';
import { ISOLATION_GROUP_NAME, NACL_RULES_PER_DIRECTION_DEFAULT, type AclEntrySpec, type Ec2Clients, type IsolationTarget } from './types.js';

export interface EniPlan extends EniState {
  securityGroup: { action: 'apply' } | { action: 'cannot'; reason: string };
}

export interface AclPlan {
  networkAclId: string;
  vpcId: string;
  isDefault: boolean;
  subnetIds: string[];
  /** Associated subnets other than the target's own: the traffic these entries cut. */
  otherSubnetIds: string[];
  entries: AclEntrySpec[];
  /** Hosts this ACL already denies with an entry that is not ours. */
  alreadyDenied: { ruleNumber: number; egress: boolean; cidr: string }[];
  /** Why nothing can be added here (full, no free rule number). */
  problem?: string;
}

export interface IsolationPlan {
  target: IsolationTarget;
  createdAt: string;
  vpcIds: string[];
  ownSubnetIds: string[];
  /** Host CIDRs denied: every private IPv4 (/32) and IPv6 (/128) address of the interfaces. */
  hosts: string[];
  publicIps: string[];
  enis: EniPlan[];
  acls: AclPlan[];
  /** NACLs left alone, and why. */
  skippedAcls: { networkAclId: string; subnetIds: string[]; reason: string }[];
  isolationGroup: { name: string; groupIdsByVpc: Record<string, string | undefined> };
  /** True for an instance: every task and container on it loses its network. */
  affectsWholeInstance: boolean;
  ruleLimit: number;
  cut: string[];
  notCut: string[];
  next: string[];
  requestIds: string[];
}

export interface PlanOptions {
  /** Rules per NACL per direction (quota L-2AEEBF1A); default 20. */
  ruleLimit?: number;
  now?: () => Date;
}

function subnetsOf(acl: NetworkAcl): string[] {
  return [...new Set((acl.Associations ?? []).map((a) => a.SubnetId).filter((x): x is string => !!x))].sort();
}

export function planAcl(acl: NetworkAcl, ownSubnetIds: ReadonlySet<string>, hosts: readonly string[], ruleLimit: number): AclPlan | { skip: string } {
  const subnetIds = subnetsOf(acl);
  if (subnetIds.length === 0) return { skip: 'not associated with any subnet' };
  const otherSubnetIds = subnetIds.filter((s) => !ownSubnetIds.has(s));
  if (otherSubnetIds.length === 0) {
    return {
      skip: "associated only with the target's own subnet(s): its rules match the remote address, so a deny for the target's own address would match nothing there",
    };
  }
  const networkAclId = acl.NetworkAclId ?? '';
  const placement = placeDenyEntries(acl.Entries ?? [], hosts, ruleLimit);
  return {
    networkAclId,
    vpcId: acl.VpcId ?? '',
    isDefault: acl.IsDefault === true,
    subnetIds,
    otherSubnetIds,
    entries: placement.entries.map((e) => ({ networkAclId, ...e })),
    alreadyDenied: placement.alreadyDenied,
    ...(placement.problem !== undefined ? { problem: placement.problem } : {}),
  };
}

async function resolveEnis(clients: Ec2Clients, target: IsolationTarget, requestIds: string[]): Promise<EniState[]> {
  if (target.kind === 'awsvpc-task') {
    const enis = await describeEnisById(clients, [target.eniId], requestIds);
    if (enis.length === 0) {
      throw new AppError(
        'aws_not_found',
        `Network interface ${target.eniId} no longer exists: the task has probably stopped, so there is nothing to isolate.`,
        {
          context: { action: 'ec2:DescribeNetworkInterfaces', resource: target.eniId, requestIds: [...requestIds] },
        },
      );
    }
    return enis;
  }
  const enis = await describeEnisOfInstance(clients, target.instanceId, requestIds);
  if (enis.length === 0) {
    throw new AppError('aws_not_found', `Instance ${target.instanceId} was not found or has no network interfaces attached.`, {
      context: { action: 'ec2:DescribeNetworkInterfaces', resource: target.instanceId, requestIds: [...requestIds] },
    });
  }
  return enis;
}

export async function planIsolation(clients: Ec2Clients, target: IsolationTarget, options: PlanOptions = {}): Promise<IsolationPlan> {
  const ruleLimit = options.ruleLimit ?? NACL_RULES_PER_DIRECTION_DEFAULT;
  const requestIds: string[] = [];
  const states = await resolveEnis(clients, target, requestIds);

  const enis: EniPlan[] = states.map((s) => ({
    ...s,
    securityGroup: s.requesterManaged
      ? {
          action: 'cannot',
          reason: `it is managed by ${s.requesterId ? `AWS (requester ${s.requesterId})` : 'AWS'} for ECS (requester-managed), and AWS refuses changes to its security groups`,
        }
      : { action: 'apply' },
  }));
  const vpcIds = [...new Set(enis.map((e) => e.vpcId).filter((v) => v !== ''))].sort();
  const ownSubnetIds = [...new Set(enis.map((e) => e.subnetId).filter((v) => v !== ''))].sort();
  const hosts = [...new Set(enis.flatMap((e) => [...e.privateIps, ...e.ipv6]).map(hostCidr))];
  const publicIps = [...new Set(enis.flatMap((e) => e.publicIps))];

  const acls: AclPlan[] = [];
  const skippedAcls: IsolationPlan['skippedAcls'] = [];
  if (vpcIds.length > 0 && hosts.length > 0) {
    const all = await describeNetworkAcls(clients, [{ Name: 'vpc-id', Values: vpcIds }], vpcIds.join(','), requestIds);
    const own = new Set(ownSubnetIds);
    for (const acl of all.sort((a, b) => (a.NetworkAclId ?? '').localeCompare(b.NetworkAclId ?? ''))) {
      const planned = planAcl(acl, own, hosts, ruleLimit);
      if ('skip' in planned) skippedAcls.push({ networkAclId: acl.NetworkAclId ?? '', subnetIds: subnetsOf(acl), reason: planned.skip });
      else acls.push(planned);
    }
  }

  const groupIdsByVpc: Record<string, string | undefined> = {};
  for (const vpcId of new Set(enis.filter((e) => e.securityGroup.action === 'apply').map((e) => e.vpcId))) {
    groupIdsByVpc[vpcId] = (await findIsolationSecurityGroup(clients, vpcId, requestIds))?.GroupId;
  }

  const plan: IsolationPlan = {
    target,
    createdAt: (options.now?.() ?? new Date()).toISOString(),
    vpcIds,
    ownSubnetIds,
    hosts,
    publicIps,
    enis,
    acls,
    skippedAcls,
    isolationGroup: { name: ISOLATION_GROUP_NAME, groupIdsByVpc },
    affectsWholeInstance: target.kind === 'instance',
    ruleLimit,
    cut: [],
    notCut: [],
    next: [],
    requestIds,
  };
  const { cut, notCut, next } = describeIsolation(plan, { mode: 'plan' });
  return { ...plan, cut, notCut, next };
}
