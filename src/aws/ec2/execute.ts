/**
 * Runs an isolation plan. Network ACL entries first (they also cut connections already open),
 * then security groups (new connections, including inside the subnet). Every step is tried;
 * failures are reported next to what did work, and the record lists exactly what was changed
 * so release can undo exactly that.
 */
import { CreateNetworkAclEntryCommand, ModifyNetworkInterfaceAttributeCommand } from '@aws-sdk/client-ec2';
import { stepFailure } from '../step-failure.js';
import { isAppError } from '../../errors.js';
import { awsCall } from '../errors.js';
import { existingDeny, pickRuleNumbers } from './nacl-rules.js';
import { describeIsolation, type AclOutcome, type EniOutcome } from './narrative.js';
import { describeEnisById, describeNetworkAcls } from './network-interfaces.js';
import type { AclPlan, IsolationPlan } from './plan.js';
import { ensureIsolationSecurityGroup, type IsolationGroup } from './security-group.js';
import { ALL_PROTOCOLS, type AclEntrySpec, type Ec2Clients, type IsolationRecord, type StepFailure } from './types.js';

/**
 * How EC2 refuses to modify a requester-managed interface. Not IAM (that is
 * UnauthorizedOperation, reported as a missing permission): the interface belongs to a service.
 */
export const REQUESTER_MANAGED_REFUSALS: ReadonlySet<string> = new Set(['AuthFailure', 'OperationNotPermitted', 'InvalidNetworkInterface.RequesterManaged']);

export interface IsolationResult {
  cut: string[];
  notCut: string[];
  next: string[];
  nothingCut: boolean;
  record: IsolationRecord;
  /** Interfaces whose security groups AWS would not let us change. */
  cannot: { eniId: string; reason: string }[];
  isolationGroups: IsolationGroup[];
  requestIds: string[];
  failures: StepFailure[];
}

const awsName = (err: unknown) => (isAppError(err) ? (err.context.awsErrorName as string | undefined) : undefined);

async function createEntry(clients: Ec2Clients, e: AclEntrySpec, requestIds: string[]): Promise<void> {
  await awsCall({ action: 'ec2:CreateNetworkAclEntry', resource: e.networkAclId }, requestIds, () =>
    clients.ec2.send(
      new CreateNetworkAclEntryCommand({
        NetworkAclId: e.networkAclId,
        RuleNumber: e.ruleNumber,
        Egress: e.egress,
        Protocol: ALL_PROTOCOLS,
        RuleAction: 'deny',
        ...(e.family === 'ipv6' ? { Ipv6CidrBlock: e.cidr } : { CidrBlock: e.cidr }),
      }),
    ),
  );
}

async function applyAcl(clients: Ec2Clients, acl: AclPlan, record: IsolationRecord, requestIds: string[], failures: StepFailure[]): Promise<AclOutcome> {
  let created = 0;
  const errors: string[] = [];
  for (const [i, planned] of acl.entries.entries()) {
    let entry = planned;
    try {
      try {
        await createEntry(clients, entry, requestIds);
      } catch (err) {
        if (awsName(err) !== 'NetworkAclEntryAlreadyExists') throw err;
        // Someone took the number since the plan was made: pick again from live state, once.
        const [live] = await describeNetworkAcls(clients, [{ Name: 'network-acl-id', Values: [acl.networkAclId] }], acl.networkAclId, requestIds);
        const liveEntries = live?.Entries ?? [];
        if (existingDeny(liveEntries, entry.egress, entry.cidr) !== undefined) continue; // denied already, not by us
        const stillPlanned = new Set(
          acl.entries
            .slice(i + 1)
            .filter((x) => x.egress === entry.egress)
            .map((x) => x.ruleNumber),
        );
        const again = pickRuleNumbers(liveEntries, entry.egress, 1, stillPlanned);
        if (!again.ok) throw err;
        entry = { ...entry, ruleNumber: again.numbers[0]! };
        await createEntry(clients, entry, requestIds);
      }
      created++;
      record.aclEntries.push({ ...entry, protocol: ALL_PROTOCOLS, ruleAction: 'deny' });
    } catch (err) {
      const f = stepFailure(
        'ec2:CreateNetworkAclEntry',
        `${acl.networkAclId} rule ${entry.ruleNumber} ${entry.egress ? 'outbound' : 'inbound'} ${entry.cidr}`,
        err,
      );
      failures.push(f);
      errors.push(f.message);
    }
  }
  const detail = errors.length > 0 ? [...new Set(errors)].join('; ') : undefined;
  const status: AclOutcome['status'] = errors.length === 0 ? 'added' : created > 0 ? 'partial' : 'failed';
  return { status, created, ...(detail !== undefined ? { detail } : {}) };
}

export async function executeIsolation(clients: Ec2Clients, plan: IsolationPlan, options: { now?: () => Date } = {}): Promise<IsolationResult> {
  const requestIds: string[] = [];
  const failures: StepFailure[] = [];
  const cannot: IsolationResult['cannot'] = [];
  const isolationGroups: IsolationGroup[] = [];
  const record: IsolationRecord = {
    version: 1,
    createdAt: (options.now?.() ?? new Date()).toISOString(),
    target: plan.target,
    vpcIds: plan.vpcIds,
    enis: [],
    aclEntries: [],
  };

  // 1. Network ACL deny entries.
  const aclOutcomes = new Map<string, AclOutcome>();
  for (const acl of plan.acls) {
    if (acl.problem !== undefined || acl.entries.length === 0) continue;
    aclOutcomes.set(acl.networkAclId, await applyAcl(clients, acl, record, requestIds, failures));
  }

  // 2. Security groups, on the interfaces AWS lets us change.
  const eniOutcomes = new Map<string, EniOutcome>();
  for (const eni of plan.enis) {
    if (eni.securityGroup.action === 'cannot') {
      eniOutcomes.set(eni.eniId, { status: 'cannot', detail: eni.securityGroup.reason });
      cannot.push({ eniId: eni.eniId, reason: eni.securityGroup.reason });
    }
  }
  const toApply = plan.enis.filter((e) => e.securityGroup.action === 'apply');
  if (toApply.length > 0) {
    // Previous groups are read now, not taken from the plan: the record must be exact.
    let live = new Map<string, string[]>();
    try {
      live = new Map(
        (
          await describeEnisById(
            clients,
            toApply.map((e) => e.eniId),
            requestIds,
          )
        ).map((s) => [s.eniId, s.groupIds]),
      );
    } catch (err) {
      failures.push(stepFailure('ec2:DescribeNetworkInterfaces', toApply.map((e) => e.eniId).join(','), err));
    }
    const groupByVpc = new Map<string, string | { error: string }>();
    for (const eni of toApply) {
      const previous = live.get(eni.eniId);
      if (previous === undefined) {
        eniOutcomes.set(eni.eniId, { status: 'failed', detail: 'its current security groups could not be read, so they could not be recorded for release' });
        continue;
      }
      if (!groupByVpc.has(eni.vpcId)) {
        try {
          const g = await ensureIsolationSecurityGroup(clients, eni.vpcId);
          requestIds.push(...g.requestIds);
          isolationGroups.push(g);
          groupByVpc.set(eni.vpcId, g.groupId);
        } catch (err) {
          const f = stepFailure('ec2:CreateSecurityGroup', eni.vpcId, err);
          failures.push(f);
          groupByVpc.set(eni.vpcId, { error: f.message });
        }
      }
      const groupId = groupByVpc.get(eni.vpcId)!;
      if (typeof groupId !== 'string') {
        eniOutcomes.set(eni.eniId, { status: 'failed', detail: `the isolation security group is unavailable: ${groupId.error}` });
        continue;
      }
      record.isolationGroupId ??= groupId;
      if (previous.length === 1 && previous[0] === groupId) {
        // Isolated by an earlier run: its record holds the real previous groups; keep ours clean.
        eniOutcomes.set(eni.eniId, { status: 'applied', detail: 'already isolated' });
        continue;
      }
      try {
        await awsCall({ action: 'ec2:ModifyNetworkInterfaceAttribute', resource: eni.eniId }, requestIds, () =>
          clients.ec2.send(new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: eni.eniId, Groups: [groupId] })),
        );
        record.enis.push({ eniId: eni.eniId, previousGroupIds: previous, appliedGroupIds: [groupId] });
        eniOutcomes.set(eni.eniId, { status: 'applied' });
      } catch (err) {
        const name = awsName(err);
        if (name !== undefined && REQUESTER_MANAGED_REFUSALS.has(name)) {
          // "Cannot", not a failure of the isolation: the ENI belongs to an AWS service.
          const reason = `AWS refused to change them (${name}): the interface is managed by an AWS service (requester-managed)`;
          cannot.push({ eniId: eni.eniId, reason });
          eniOutcomes.set(eni.eniId, { status: 'cannot', detail: reason });
        } else {
          const f = stepFailure('ec2:ModifyNetworkInterfaceAttribute', eni.eniId, err);
          failures.push(f);
          eniOutcomes.set(eni.eniId, { status: 'failed', detail: f.message });
        }
      }
    }
  }

  const story = describeIsolation(plan, { mode: 'result', enis: eniOutcomes, acls: aclOutcomes });
  return { ...story, record, cannot, isolationGroups, requestIds, failures };
}
