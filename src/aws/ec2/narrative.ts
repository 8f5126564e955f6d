/**
 * Plain-English account of an isolation: what is (or will be) cut, what is not, and what the
 * responder should do next. One function for the plan and the result so they never disagree.
 */
import type { IsolationPlan } from './plan.js';
import { ISOLATION_GROUP_NAME } from './types.js';

export type EniOutcome = { status: 'planned' | 'applied' | 'cannot' | 'failed'; detail?: string };
export type AclOutcome = { status: 'planned' | 'added' | 'partial' | 'failed'; created: number; detail?: string };

export type NarrativeMode = { mode: 'plan' } | { mode: 'result'; enis: ReadonlyMap<string, EniOutcome>; acls: ReadonlyMap<string, AclOutcome> };

const list = (items: readonly string[]) => (items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`);

export function describeIsolation(
  plan: Pick<IsolationPlan, 'target' | 'enis' | 'acls' | 'skippedAcls' | 'hosts' | 'ownSubnetIds' | 'publicIps' | 'affectsWholeInstance'>,
  how: NarrativeMode,
): { cut: string[]; notCut: string[]; next: string[]; nothingCut: boolean } {
  const cut: string[] = [];
  const notCut: string[] = [];
  const next: string[] = [];
  const addresses = plan.hosts.map((h) => h.replace(/\/(32|128)$/, ''));
  const hosts = addresses.length === 1 ? addresses[0]! : `the isolated addresses (${addresses.join(', ')})`;
  const own = list(plan.ownSubnetIds);

  const eniOutcome = (eniId: string, planned: 'apply' | 'cannot', reason?: string): EniOutcome =>
    how.mode === 'result'
      ? (how.enis.get(eniId) ?? { status: 'failed', detail: 'not attempted' })
      : planned === 'apply'
        ? { status: 'planned' }
        : { status: 'cannot', ...(reason !== undefined ? { detail: reason } : {}) };

  if (plan.affectsWholeInstance && plan.target.kind === 'instance') {
    cut.push(
      `Every task and container on instance ${plan.target.instanceId} is affected, not only the compromised one${plan.target.reason ? ` (${plan.target.reason})` : ''}.`,
    );
  }

  // Network ACLs: the part that also cuts connections already open.
  let aclCutAny = false;
  for (const acl of plan.acls) {
    const where = `${acl.otherSubnetIds.length === 1 ? 'subnet' : 'subnets'} ${list(acl.otherSubnetIds)} (network ACL ${acl.networkAclId}${acl.isDefault ? ', the VPC default' : ''})`;
    if (acl.problem !== undefined) {
      notCut.push(`Traffic between ${hosts} and ${where}: that network ACL ${acl.problem}.`);
      continue;
    }
    const outcome: AclOutcome =
      how.mode === 'result' ? (how.acls.get(acl.networkAclId) ?? { status: 'failed', created: 0 }) : { status: 'planned', created: 0 };
    if (acl.entries.length === 0 || outcome.status === 'planned' || outcome.status === 'added') {
      aclCutAny = true;
      const already = acl.entries.length === 0 ? ' (already denied by existing entries)' : '';
      cut.push(`All traffic between ${hosts} and ${where}, connections already open included${already}.`);
    } else if (outcome.status === 'partial') {
      aclCutAny = true;
      notCut.push(`Traffic between ${hosts} and ${where} is only partly cut: ${outcome.detail ?? 'some entries failed'}.`);
    } else {
      notCut.push(`Traffic between ${hosts} and ${where}: adding the deny entries failed: ${outcome.detail ?? 'unknown error'}.`);
    }
  }

  // Security groups: new connections only.
  const applied: string[] = [];
  for (const eni of plan.enis) {
    const o = eniOutcome(eni.eniId, eni.securityGroup.action, eni.securityGroup.action === 'cannot' ? eni.securityGroup.reason : undefined);
    if (o.status === 'planned' || o.status === 'applied') {
      applied.push(eni.eniId);
      cut.push(
        `New connections to and from ${eni.eniId}, including inside its own subnet (security groups replaced by ${ISOLATION_GROUP_NAME}, which has no rules).`,
      );
    } else if (o.status === 'cannot') {
      notCut.push(`Security groups of ${eni.eniId} cannot be changed: ${o.detail ?? 'refused by AWS'}.`);
    } else {
      notCut.push(`Security groups of ${eni.eniId} were not changed: ${o.detail ?? 'unknown error'}.`);
    }
  }
  const sgEverywhere = applied.length === plan.enis.length && applied.length > 0;

  if (plan.ownSubnetIds.length > 0) {
    notCut.push(
      sgEverywhere
        ? `Connections already open between ${hosts} and other resources in ${own}: security groups keep tracked connections until they go idle, and network ACLs are not evaluated within a subnet.`
        : `Traffic between ${hosts} and other resources in its own subnet ${own}: network ACLs are only evaluated when traffic enters or leaves a subnet.`,
    );
  }
  for (const ip of plan.publicIps) {
    notCut.push(
      `${sgEverywhere ? 'Internet connections already open to or from' : 'Internet traffic to and from'} public IP ${ip} through the internet gateway: it only crosses the network ACL of ${own}, whose rules match the remote internet address, not ${hosts}.`,
    );
  }
  if (plan.ownSubnetIds.length > 0) {
    notCut.push(
      `${sgEverywhere ? 'Connections already open from' : 'Traffic from'} peered VPCs, a transit gateway or a VPN that is routed straight into ${own} (if any): it crosses only that subnet's network ACL, whose rules match the remote address.`,
    );
  }
  // Only true when no network ACL reaches another subnet — not when the caller left them out of
  // the plan (isolate instance without the network ACL option lists them in skippedAcls).
  if (plan.acls.length === 0 && plan.skippedAcls.every((s) => s.subnetIds.every((id) => plan.ownSubnetIds.includes(id)))) {
    notCut.push(`No other subnet in the VPC, so no network ACL entry can cut anything at the subnet edge.`);
  }

  const nothingCut = !aclCutAny && applied.length === 0;
  if (nothingCut) notCut.unshift(how.mode === 'plan' ? 'Nothing can be cut with this plan.' : 'Nothing was cut.');

  // What the responder should do next.
  if (plan.target.kind === 'awsvpc-task' || plan.target.taskArn !== undefined) {
    next.push(
      'Stop the task once evidence is collected. If it belongs to a service, pin or scale the service first, or the scheduler starts a replacement from the same image.',
    );
  }
  if (plan.target.kind === 'instance') {
    next.push(`Collect evidence from instance ${plan.target.instanceId} (EBS snapshots, a GuardDuty malware scan) before stopping or replacing it.`);
  }
  if (plan.publicIps.length > 0) {
    next.push(
      `Public IP ${list(plan.publicIps)} can only be cut by stopping the ${plan.target.kind === 'instance' ? 'instance' : 'task'}, or by changing the route table or network ACL of ${own}, which cuts everything in that subnet.`,
    );
  }
  if (plan.ownSubnetIds.length > 0)
    next.push(`Check what else runs in ${own}: it can still reach ${hosts}${sgEverywhere ? ' over connections already open' : ''}.`);
  // In a result, the entries that were created (a partial run lists fewer than planned).
  const entries = plan.acls.reduce((n, a) => n + (how.mode === 'result' ? (how.acls.get(a.networkAclId)?.created ?? 0) : a.entries.length), 0);
  if (entries > 0 || applied.length > 0) {
    next.push(
      `Release the isolation when done. Network ACL entries carry no tags: the isolation record lists the ${entries} entries created${applied.length > 0 ? ' and the previous security groups' : ''}.`,
    );
  }
  return { cut, notCut, next, nothingCut };
}
