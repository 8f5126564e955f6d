import { describeTaskContext, ecsTaskTargetFromFinding, stopTask } from '../../aws/ecs/index.js';
import type { ActionDefinition } from '../types.js';

/**
 * StopTask with the reason recorded in ECS. A task that belongs to a service is replaced by the
 * scheduler from the same task definition: stopping it alone is not containment, and the plan
 * says so and points to "Stop all tasks using the image / pin services".
 */
export const stopTaskAction: ActionDefinition = {
  id: 'stop_task',
  label: 'Stop task',
  verb: 'Stop task',
  changes: true,
  destructive: true,
  repeatable: false,
  command: {
    verb: 'stop',
    resources: ['ecs_task'],
    section: 'Contain',
    help: 'stop an ECS task or EKS pod (a service or owner starts a replacement: the plan says how to prevent it)',
  },
  // The scheduler replaces a service's task from the same task definition: stopping it alone contains nothing.
  containment: (f) => (f.ecs?.serviceName || f.ecs?.group?.startsWith('service:') ? undefined : 'contain'),
  style: 'danger',
  appliesTo: (f) => f.kind === 'ECSCluster' && !!f.ecs?.taskArn,
  async plan(ctx) {
    const target = ecsTaskTargetFromFinding(ctx.finding);
    const task = await describeTaskContext(ctx.aws, { cluster: target.cluster, taskArn: target.taskArn });
    const warnings: string[] = [];
    if (task.serviceName) {
      warnings.push(
        `The task belongs to service ${task.serviceName}: its scheduler will start a replacement from the same task definition (${task.taskDefinitionArn}), with the same image. ` +
          'To contain it, use "Stop all tasks using the image / pin services" to pin the service to a clean image or scale it to zero.',
      );
    }
    warnings.push('Stopping ends the running process: memory and the container file system are lost. Isolate first if you need them for forensics.');
    const base = {
      summary: `Stop task ${task.taskArn} in cluster ${task.clusterArn}.`,
      resources: [task.taskArn],
      apiCalls: [`ecs:StopTask ${task.taskArn} (reason recorded in ECS)`],
      warnings,
    };
    if (task.lastStatus === 'STOPPED' || task.desiredStatus === 'STOPPED')
      return { ...base, blocked: `the task is already ${task.lastStatus === 'STOPPED' ? 'stopped' : 'stopping'}` };
    return { ...base, data: { cluster: task.clusterArn, taskArn: task.taskArn, serviceName: task.serviceName } };
  },
  async execute(ctx) {
    const d = ctx.plan.data as { cluster: string; taskArn: string; serviceName?: string };
    const reason = `GuardDuty finding ${ctx.finding.id}: stopped by Slack user ${ctx.actor}${ctx.reason ? ` — ${ctx.reason}` : ''}`;
    const r = await stopTask(ctx.aws, { cluster: d.cluster, taskArn: d.taskArn, reason });
    return {
      status: 'succeeded',
      headline: `task stopped (ECS status ${r.lastStatus ?? 'unknown'} → desired ${r.desiredStatus ?? 'STOPPED'})`,
      done: [`ecs:StopTask ${d.taskArn} with reason "${reason.slice(0, 120)}…"`],
      notDone: d.serviceName ? [`Service ${d.serviceName} will start a replacement from the same task definition.`] : [],
      next: d.serviceName ? ['Run "Stop all tasks using the image / pin services" to pin the service to a clean image or scale it to zero.'] : [],
      requestIds: r.requestId ? [r.requestId] : [],
      cardStatus: `:octagonal_sign: Task stopped${d.serviceName ? ' — service will replace it' : ''}`,
    };
  },
};
