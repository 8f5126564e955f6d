/**
 * Undo an isolation from its record, and only what the record lists: restore each interface's
 * previous security groups if it still carries exactly the groups we applied, and delete each
 * network ACL entry only if that rule number still is our deny entry for that address. Anything
 * changed by someone else since is left alone and reported. The isolation security group itself
 * stays (one per VPC, reused).
 */
import { DeleteNetworkAclEntryCommand, ModifyNetworkInterfaceAttributeCommand } from '@aws-sdk/client-ec2';
import { stepFailure } from '../step-failure.js';
import { awsCall } from '../errors.js';
import { describeEnisById, describeNetworkAcls } from './network-interfaces.js';
import { ALL_PROTOCOLS, type Ec2Clients, type IsolationRecord, type StepFailure } from './types.js';

export interface ReleaseResult {
  /** Human lines: what was restored or removed. */
  restored: string[];
  /** Human lines: what was left as it is, and why. */
  notRestored: string[];
  /** Entries and groups that had already gone (task stopped, ACL deleted): nothing to undo. */
  alreadyGone: string[];
  requestIds: string[];
  failures: StepFailure[];
  /** True when everything in the record is undone or gone. */
  complete: boolean;
}

const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && [...a].sort().join() === [...b].sort().join();

export async function releaseIsolation(clients: Ec2Clients, record: IsolationRecord): Promise<ReleaseResult> {
  const r: ReleaseResult = { restored: [], notRestored: [], alreadyGone: [], requestIds: [], failures: [], complete: false };

  // Security groups.
  if (record.enis.length > 0) {
    let live: Map<string, string[]> | undefined;
    try {
      live = new Map(
        (
          await describeEnisById(
            clients,
            record.enis.map((e) => e.eniId),
            r.requestIds,
          )
        ).map((s) => [s.eniId, s.groupIds]),
      );
    } catch (err) {
      const f = stepFailure('ec2:DescribeNetworkInterfaces', record.enis.map((e) => e.eniId).join(','), err);
      r.failures.push(f);
      r.notRestored.push(`Security groups of ${record.enis.map((e) => e.eniId).join(', ')}: could not read them (${f.message}).`);
    }
    for (const eni of live ? record.enis : []) {
      const current = live!.get(eni.eniId);
      if (current === undefined) {
        r.alreadyGone.push(`${eni.eniId} no longer exists: no security groups to restore.`);
        continue;
      }
      if (!sameSet(current, eni.appliedGroupIds)) {
        r.notRestored.push(
          `Security groups of ${eni.eniId}: they were changed since isolation (now ${current.join(', ') || 'none'}), so they were left as they are; previous groups were ${eni.previousGroupIds.join(', ')}.`,
        );
        continue;
      }
      try {
        await awsCall({ action: 'ec2:ModifyNetworkInterfaceAttribute', resource: eni.eniId }, r.requestIds, () =>
          clients.ec2.send(new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: eni.eniId, Groups: eni.previousGroupIds })),
        );
        r.restored.push(`Security groups of ${eni.eniId} restored to ${eni.previousGroupIds.join(', ')}.`);
      } catch (err) {
        const f = stepFailure('ec2:ModifyNetworkInterfaceAttribute', eni.eniId, err);
        r.failures.push(f);
        r.notRestored.push(`Security groups of ${eni.eniId}: restoring ${eni.previousGroupIds.join(', ')} failed: ${f.message}`);
      }
    }
  }

  // Network ACL entries.
  const aclIds = [...new Set(record.aclEntries.map((e) => e.networkAclId))];
  if (aclIds.length > 0) {
    let acls: Map<string, NonNullable<Awaited<ReturnType<typeof describeNetworkAcls>>[number]['Entries']>> | undefined;
    try {
      acls = new Map(
        (await describeNetworkAcls(clients, [{ Name: 'network-acl-id', Values: aclIds }], aclIds.join(','), r.requestIds)).map((a) => [
          a.NetworkAclId ?? '',
          a.Entries ?? [],
        ]),
      );
    } catch (err) {
      const f = stepFailure('ec2:DescribeNetworkAcls', aclIds.join(','), err);
      r.failures.push(f);
      r.notRestored.push(`Network ACL entries in ${aclIds.join(', ')}: could not read them (${f.message}).`);
    }
    for (const e of acls ? record.aclEntries : []) {
      const label = `rule ${e.ruleNumber} (${e.egress ? 'outbound' : 'inbound'} deny ${e.cidr}) of ${e.networkAclId}`;
      const entries = acls!.get(e.networkAclId);
      if (entries === undefined) {
        r.alreadyGone.push(`Network ACL ${e.networkAclId} no longer exists: ${label} is gone with it.`);
        continue;
      }
      const live = entries.find((x) => x.RuleNumber === e.ruleNumber && x.Egress === e.egress);
      if (!live) {
        r.alreadyGone.push(`${label[0]!.toUpperCase()}${label.slice(1)} was already removed.`);
        continue;
      }
      const liveCidr = (live.CidrBlock ?? live.Ipv6CidrBlock ?? '').toLowerCase();
      if (live.RuleAction !== 'deny' || live.Protocol !== ALL_PROTOCOLS || liveCidr !== e.cidr.toLowerCase()) {
        r.notRestored.push(
          `Rule ${e.ruleNumber} of ${e.networkAclId} is no longer our deny entry for ${e.cidr} (now ${live.RuleAction ?? '?'} ${liveCidr || '?'}): left as it is.`,
        );
        continue;
      }
      try {
        await awsCall({ action: 'ec2:DeleteNetworkAclEntry', resource: e.networkAclId }, r.requestIds, () =>
          clients.ec2.send(new DeleteNetworkAclEntryCommand({ NetworkAclId: e.networkAclId, RuleNumber: e.ruleNumber, Egress: e.egress })),
        );
        r.restored.push(`Removed ${label}.`);
      } catch (err) {
        const f = stepFailure('ec2:DeleteNetworkAclEntry', e.networkAclId, err);
        r.failures.push(f);
        r.notRestored.push(`Removing ${label} failed: ${f.message}`);
      }
    }
  }

  r.complete = r.notRestored.length === 0 && r.failures.length === 0;
  return r;
}
