import { findAutoScalingGroup, protectAndDetach, type AutoScalingMembership, type DetachRecord } from '../../aws/autoscaling/index.js';
import { describeInstance, eksClusterOfInstance } from '../../aws/ec2/instance.js';
import { executeIsolation, planIsolation, type IsolationPlan } from '../../aws/ec2/index.js';
import { planEvidence, takeEvidence } from '../../aws/ec2/evidence.js';
import { deregister, findTargetGroupsForInstance, type Registration } from '../../aws/elbv2/index.js';
import { mergeRecords } from '../isolation-record.js';
import { ISOLATION_STATE_KEY } from '../state-keys.js';
import { isAppError } from '../../errors.js';
import type { IsolationState } from '../ecs/isolate-task.js';
import type { ActionDefinition, Outcome } from '../types.js';
import { EVIDENCE_STATE_KEY } from './preserve-evidence.js';
import { hasInstance, instanceIdOf } from './target.js';

export const NETWORK_INPUT_ID = 'network';
export const EVIDENCE_INPUT_ID = 'evidence_first';

interface InstancePlanData {
  plan: IsolationPlan;
  asg?: AutoScalingMembership;
  registrations: Registration[];
  evidenceTaken: boolean;
}

/**
 * Isolate an EC2 instance (or EKS node, or the host of a standalone container): the isolation
 * security group (no rules) on every ENI, previous groups recorded; optionally network ACL deny
 * entries for its addresses (the stronger option: security groups do not cut connections already
 * open). Auto Scaling: protect from scale-in and detach (the group launches a replacement);
 * load balancers: deregister. All of it is listed before confirming and recorded for release.
 */
export const isolateInstanceAction: ActionDefinition = {
  id: 'isolate_instance',
  label: 'Isolate instance',
  verb: 'Isolate',
  changes: true,
  destructive: false,
  repeatable: false,
  command: { verb: 'isolate', resources: ['instance'], section: 'Contain' },
  containment: 'contain',
  style: 'primary',
  appliesTo: (f, s) => hasInstance(f) && (!s.isolated || s.isolationIncomplete === true),
  async plan(ctx) {
    const instanceId = instanceIdOf(ctx.finding);
    const existing = await ctx.state.get<IsolationState>(ISOLATION_STATE_KEY);
    const requestIds: string[] = [];
    const info = await describeInstance(ctx.aws, instanceId, requestIds);
    const plan = await planIsolation(ctx.aws, {
      kind: 'instance',
      instanceId,
      reason: ctx.finding.kind === 'Container' ? 'it hosts the compromised container' : 'it is the compromised resource',
    });
    const asg = await findAutoScalingGroup(ctx.aws, instanceId);
    const lb = await findTargetGroupsForInstance(ctx.aws, instanceId, { ips: info.privateIps, ...(info.vpcId ? { vpcId: info.vpcId } : {}) });
    const eks = eksClusterOfInstance(info.tags);
    const evidenceTaken = !!(await ctx.state.get(EVIDENCE_STATE_KEY));
    const sgEnis = plan.enis.filter((e) => e.securityGroup.action === 'apply');
    const warnings = [
      'A security-group change does not cut connections that are already open. Choose "security group + network ACL deny entries" below to cut them at the subnet edges too.',
      ...(eks
        ? [`This is a node of EKS cluster ${eks.clusterName}${eks.nodegroupName ? ` (node group ${eks.nodegroupName})` : ''}: every pod on it is cut off too.`]
        : []),
      ...(ctx.finding.kind === 'Container' ? ['Every container on this host loses its network, not only the compromised one.'] : []),
      ...(asg
        ? [
            `It belongs to Auto Scaling group ${asg.groupName}: it will be protected from scale-in and detached; the group launches a replacement (its capacity is the group's business).`,
          ]
        : []),
      ...(lb.registrations.length
        ? [`It is registered in ${lb.registrations.length} target group registration(s): they will be deregistered (traffic drains first).`]
        : []),
      ...(evidenceTaken ? [] : ['Evidence has not been preserved yet: keep "Preserve evidence first" selected to snapshot the volumes before isolating.']),
      ...plan.notCut.map((c) => `Will NOT cut: ${c}`),
      ...lb.failures.map((f) => `Could not check load balancer target group ${f.resource}: ${f.message}`),
    ];
    return {
      summary: `Isolate EC2 instance ${instanceId} (${info.instanceType ?? 'unknown type'}, ${info.state}, VPC ${info.vpcId ?? '?'}).`,
      resources: [
        ...plan.enis.map(
          (e) =>
            `ENI ${e.eniId} — groups now: ${e.groupIds.join(', ') || 'none'}${e.securityGroup.action === 'cannot' ? ` (cannot change: ${e.securityGroup.reason})` : ''}`,
        ),
        ...(asg ? [`Auto Scaling group ${asg.groupName}`] : []),
        ...lb.registrations.map((r) => `target group ${r.targetGroupName} (${r.id}:${r.port})`),
      ],
      apiCalls: [
        ...(evidenceTaken ? [] : ['(if chosen) Preserve evidence first: ec2:CreateSnapshot per volume, ec2:ModifyInstanceAttribute, ec2:CreateTags']),
        'ec2:DescribeSecurityGroups / ec2:CreateSecurityGroup + ec2:RevokeSecurityGroupEgress (isolation group, once per VPC)',
        ...sgEnis.map((e) => `ec2:ModifyNetworkInterfaceAttribute ${e.eniId} → isolation group only`),
        `(if chosen) ec2:CreateNetworkAclEntry × ${plan.acls.reduce((n, a) => n + a.entries.length, 0)} (deny ${plan.hosts.join(', ')})`,
        ...(asg ? [`autoscaling:SetInstanceProtection + autoscaling:DetachInstances ${asg.groupName}`] : []),
        ...(lb.registrations.length ? [`elasticloadbalancing:DeregisterTargets × ${new Set(lb.registrations.map((r) => r.targetGroupArn)).size}`] : []),
      ],
      warnings,
      inputs: [
        {
          id: NETWORK_INPUT_ID,
          kind: 'select',
          label: 'Network isolation',
          options: [
            { value: 'sg', label: 'Isolation security group on every ENI' },
            { value: 'sg_acl', label: 'Security group + network ACL deny entries (also cuts open connections)' },
          ],
          initial: 'sg',
        },
        ...(evidenceTaken
          ? []
          : [
              {
                id: EVIDENCE_INPUT_ID,
                kind: 'select' as const,
                label: 'Evidence',
                options: [
                  { value: 'yes', label: 'Preserve evidence first' },
                  { value: 'no', label: 'Isolate without evidence' },
                ],
                initial: 'yes',
              },
            ]),
      ],
      ...(existing?.active && !existing.incomplete?.length
        ? {
            blocked: `the instance is already isolated (by Slack user ${existing.by}${existing.fromFinding ? `, from the card of finding ${existing.fromFinding}` : ''}); use Release isolation first`,
          }
        : {}),
      data: { plan, ...(asg ? { asg } : {}), registrations: lb.registrations, evidenceTaken } satisfies InstancePlanData,
    };
  },
  async execute(ctx) {
    const d = ctx.plan.data as InstancePlanData;
    const done: string[] = [];
    const notDone: string[] = [];
    const requestIds: string[] = [];
    if (!d.evidenceTaken && (ctx.inputs[EVIDENCE_INPUT_ID] ?? 'yes') === 'yes') {
      // Evidence first, but containment must not wait on it: a failure is reported and isolation goes on.
      try {
        const ep = await planEvidence(ctx.aws, d.plan.target.kind === 'instance' ? d.plan.target.instanceId : '', { now: () => new Date(ctx.clock.now()) });
        const ev = await takeEvidence(ctx.aws, ep, { findingId: ctx.finding.id, actor: ctx.actor }, { now: () => new Date(ctx.clock.now()) });
        await ctx.state.put(EVIDENCE_STATE_KEY, { record: ev.record, at: ctx.clock.now(), by: ctx.actor });
        requestIds.push(...ev.requestIds);
        done.push(`Evidence: ${ev.snapshots.length} snapshot(s) ${ev.snapshots.map((s) => s.snapshotId).join(', ')}`);
        notDone.push(...ev.failures.map((f) => `evidence ${f.step} on ${f.resource}: ${f.message}`));
        ctx.progress('evidence taken');
      } catch (err) {
        notDone.push(
          `Evidence could not be taken (${isAppError(err) ? err.message : 'unexpected error'}); the instance was isolated anyway. Run Preserve evidence next.`,
        );
      }
    }
    // Out of the Auto Scaling group BEFORE the network is cut: an isolated instance fails its
    // health checks, and the group replaces (terminates) an unhealthy member, evidence and all;
    // termination protection does not stop Auto Scaling (see aws/autoscaling/group.ts).
    let asgRecord: DetachRecord | undefined;
    if (d.asg) {
      const r = await protectAndDetach(ctx.aws, { group: d.asg, instanceId: d.asg.instanceId }, { now: () => new Date(ctx.clock.now()) });
      requestIds.push(...r.requestIds);
      if (r.record) asgRecord = r.record;
      (r.detached ? done : notDone).push(
        r.detached
          ? `Detached from Auto Scaling group ${d.asg.groupName} (protected from scale-in; the group launches a replacement)`
          : `Not detached from ${d.asg.groupName}: once isolated it fails its health checks and the group may terminate it, evidence included. Detach it by hand now (or suspend the group's HealthCheck/ReplaceUnhealthy processes).`,
      );
      notDone.push(...r.failures.map((f) => `${f.step} on ${f.resource}: ${f.message}`));
    }
    const withAcl = ctx.inputs[NETWORK_INPUT_ID] === 'sg_acl';
    const plan: IsolationPlan = withAcl
      ? d.plan
      : {
          ...d.plan,
          acls: [],
          skippedAcls: [
            ...d.plan.skippedAcls,
            ...d.plan.acls.map((a) => ({ networkAclId: a.networkAclId, subnetIds: a.subnetIds, reason: 'network ACL option not chosen' })),
          ],
        };
    const iso = await executeIsolation(ctx.aws, plan, { now: () => new Date(ctx.clock.now()) });
    requestIds.push(...iso.requestIds);
    done.push(...iso.cut);
    notDone.push(...iso.notCut, ...iso.failures.map((f) => `${f.step} on ${f.resource}: ${f.message}`));
    if (!withAcl)
      notDone.push(
        'Connections already open survive a security-group change; run Isolate again with network ACL entries after a release, or add them by hand, to cut them.',
      );
    let deregistered: Registration[] = [];
    if (d.registrations.length) {
      const r = await deregister(ctx.aws, d.registrations);
      requestIds.push(...r.requestIds);
      deregistered = r.done;
      done.push(...r.done.map((x) => `Deregistered from target group ${x.targetGroupName} (${x.id}:${x.port})`));
      notDone.push(...r.failures.map((f) => `${f.step} on ${f.resource}: ${f.message}`));
    }
    // Record exactly what took effect, per ENI, merged with an earlier partial run (a retry): the
    // ENIs it did not cut stay listed as incomplete so the card offers Isolate again for them.
    const previous = await ctx.state.get<IsolationState>(ISOLATION_STATE_KEY);
    const prior = previous?.active ? previous : undefined;
    const record = mergeRecords(prior?.record, iso.record);
    const cutEnis = new Set(record.enis.map((e) => e.eniId));
    const incomplete = d.plan.enis.filter((e) => e.securityGroup.action === 'apply' && !cutEnis.has(e.eniId)).map((e) => e.eniId);
    const keptAsg = asgRecord ?? prior?.asg;
    const keptRegs = [...(prior?.registrations ?? []), ...deregistered];
    const recorded = record.enis.length > 0 || record.aclEntries.length > 0 || !!keptAsg || keptRegs.length > 0;
    if (recorded) {
      await ctx.state.put(ISOLATION_STATE_KEY, {
        active: true,
        record,
        by: prior?.by ?? ctx.actor,
        at: prior?.at ?? ctx.clock.now(),
        ...(keptAsg ? { asg: keptAsg } : {}),
        ...(keptRegs.length ? { registrations: keptRegs } : {}),
        ...(incomplete.length || record.enis.length === 0 ? { incomplete: incomplete.length ? incomplete : ['network'] } : {}),
      } satisfies IsolationState);
    }
    if (recorded && (incomplete.length || record.enis.length === 0)) {
      iso.next.unshift(
        `Not cut: ${incomplete.join(', ') || 'the network'}. Fix the cause and run Isolate instance again (it retries only what did not take effect), or Release isolation to undo what did.`,
      );
    }
    const status: Outcome['status'] = iso.nothingCut
      ? 'failed'
      : notDone.some((l) => / on /.test(l) && !/survive/.test(l)) || iso.failures.length
        ? 'partial'
        : 'succeeded';
    return {
      status,
      headline: iso.nothingCut
        ? 'the instance could not be isolated'
        : `instance isolated (${iso.record.enis.length} ENI${iso.record.enis.length === 1 ? '' : 's'}${withAcl ? `, ${iso.record.aclEntries.length} ACL entries` : ''})`,
      done,
      notDone,
      next: [...iso.next, 'Start a malware scan; revoke the instance credentials if they may be stolen.'],
      requestIds,
      cardStatus: iso.nothingCut ? ':x: Isolation failed' : ':lock: Instance isolated',
    };
  },
};
