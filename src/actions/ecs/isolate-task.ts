import { describeTaskContext, ecsTaskTargetFromFinding } from '../../aws/ecs/index.js';
import { executeIsolation, isolationTargetForTask, planIsolation, type IsolationPlan } from '../../aws/ec2/index.js';
import { mergeRecords } from '../isolation-record.js';
import { ISOLATION_STATE_KEY, type IsolationState } from '../state-keys.js';
import type { ActionDefinition, Outcome } from '../types.js';

export type { IsolationState } from '../state-keys.js';

function planLines(plan: IsolationPlan) {
  const resources = [
    ...plan.enis.map(
      (e) =>
        `ENI ${e.eniId}${e.requesterManaged ? ' (managed by ECS: security groups cannot be changed)' : ''} — groups now: ${e.groupIds.join(', ') || 'none'}`,
    ),
    ...plan.acls.map(
      (a) => `network ACL ${a.networkAclId} (subnets ${a.otherSubnetIds.join(', ')}): ${a.entries.length} deny entr${a.entries.length === 1 ? 'y' : 'ies'}`,
    ),
  ];
  const apiCalls = [
    ...(plan.enis.some((e) => e.securityGroup.action === 'apply')
      ? [
          `ec2:DescribeSecurityGroups / ec2:CreateSecurityGroup + ec2:RevokeSecurityGroupEgress (isolation group with no rules, once per VPC)`,
          ...plan.enis.filter((e) => e.securityGroup.action === 'apply').map((e) => `ec2:ModifyNetworkInterfaceAttribute ${e.eniId} → isolation group only`),
        ]
      : []),
    ...plan.acls.flatMap((a) =>
      a.entries.map((en) => `ec2:CreateNetworkAclEntry ${a.networkAclId} rule ${en.ruleNumber} ${en.egress ? 'outbound' : 'inbound'} deny ${en.cidr}`),
    ),
  ];
  return { resources, apiCalls };
}

/**
 * Cut a task off the network while it keeps running (for forensics). Fargate and EC2-launch
 * awsvpc task ENIs are managed by ECS and refuse security-group changes; network ACL deny
 * entries for the task's addresses, in the ACLs of the VPC's other subnets, still cut it off
 * (connections already open included). Bridge/host tasks share their instance's interfaces, so
 * the instance is isolated, with every task on it — the plan says so before confirming.
 */
export const isolateTaskAction: ActionDefinition = {
  id: 'isolate_task',
  label: 'Isolate task',
  verb: 'Isolate',
  changes: true,
  destructive: false,
  repeatable: false,
  command: {
    verb: 'isolate',
    resources: ['ecs_task'],
    section: 'Contain',
    help: "cut a task's, instance's or pod's network traffic, keep it running for forensics",
  },
  containment: 'contain',
  style: 'primary',
  // A partial isolation is offered again: the retry does only what did not take effect.
  appliesTo: (f, s) => f.kind === 'ECSCluster' && !!f.ecs?.taskArn && (!s.isolated || s.isolationIncomplete === true),
  async plan(ctx) {
    const existing = await ctx.state.get<IsolationState>(ISOLATION_STATE_KEY);
    const target = ecsTaskTargetFromFinding(ctx.finding);
    const task = await describeTaskContext(ctx.aws, { cluster: target.cluster, taskArn: target.taskArn });
    const isoTarget = isolationTargetForTask(task);
    const plan = await planIsolation(ctx.aws, isoTarget);
    const { resources, apiCalls } = planLines(plan);
    const summary =
      isoTarget.kind === 'instance'
        ? `Isolate EC2 instance ${isoTarget.instanceId}, the container instance of task ${task.taskArn} (${task.networkMode} network mode). EVERY task on that instance loses its network too.`
        : `Isolate task ${task.taskArn} (${task.launchType ?? 'unknown launch type'}, awsvpc) while it keeps running.`;
    return {
      summary,
      resources: [task.taskArn, ...resources],
      apiCalls,
      warnings: [
        ...(plan.affectsWholeInstance ? ['This affects every task and container on the instance, not only the compromised one.'] : []),
        ...plan.cut.map((c) => `Will cut: ${c}`),
        ...plan.notCut.map((c) => `Will NOT cut: ${c}`),
      ],
      // The record is the task's (any card about it): name who and from which card.
      ...(existing?.active && !existing.incomplete?.length
        ? {
            blocked: `the task is already isolated (by Slack user ${existing.by}${existing.fromFinding ? `, from the card of finding ${existing.fromFinding}` : ''}); use Release isolation first`,
          }
        : {}),
      ...(task.lastStatus === 'STOPPED' ? { blocked: 'the task has stopped: there is nothing running to isolate' } : {}),
      data: { plan },
    };
  },
  async execute(ctx) {
    const plan = (ctx.plan.data as { plan: IsolationPlan }).plan;
    const r = await executeIsolation(ctx.aws, plan, { now: () => new Date(ctx.clock.now()) });
    // Record exactly what took effect, merged with an earlier partial run (a retry); what failed
    // (deny entries per subnet ACL, interfaces) stays listed as incomplete: Isolate is offered again.
    const previous = await ctx.state.get<IsolationState>(ISOLATION_STATE_KEY);
    const prior = previous?.active ? previous : undefined;
    const record = mergeRecords(prior?.record, r.record);
    const incomplete = [...new Set(r.failures.map((f) => f.resource))];
    if (record.enis.length > 0 || record.aclEntries.length > 0) {
      await ctx.state.put(ISOLATION_STATE_KEY, {
        active: true,
        record,
        by: prior?.by ?? ctx.actor,
        at: prior?.at ?? ctx.clock.now(),
        ...(incomplete.length ? { incomplete } : {}),
      } satisfies IsolationState);
      if (incomplete.length)
        r.next.unshift(
          `Not cut: ${incomplete.join(', ')}. Fix the cause and run Isolate task again (it retries only what did not take effect), or Release isolation to undo what did.`,
        );
    }
    const status: Outcome['status'] = r.nothingCut ? 'failed' : r.failures.length > 0 || r.cannot.length > 0 ? 'partial' : 'succeeded';
    return {
      status,
      headline: r.nothingCut
        ? 'nothing could be cut'
        : `${r.record.aclEntries.length} network ACL deny entr${r.record.aclEntries.length === 1 ? 'y' : 'ies'} added, ${r.record.enis.length} interface${r.record.enis.length === 1 ? '' : 's'} moved to the isolation group`,
      done: r.cut,
      notDone: [...r.notCut, ...r.failures.map((f) => `${f.step} on ${f.resource}: ${f.message}`)],
      next: r.next,
      requestIds: r.requestIds,
      cardStatus: r.nothingCut ? ':x: Isolation failed' : ':lock: Task isolated',
    };
  },
};
