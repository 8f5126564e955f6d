/**
 * From an ECS task to what must be isolated. An awsvpc task has its own ENI; a bridge or host
 * mode task shares its container instance's interfaces, so only the whole EC2 instance (with
 * every other task on it) can be isolated.
 */
import { AppError } from '../../errors.js';
import type { TaskContext } from '../ecs/task-context.js';
import type { IsolationTarget } from './types.js';

export function isolationTargetForTask(ctx: TaskContext): IsolationTarget {
  if (ctx.networkMode === 'awsvpc' && ctx.eniId) {
    return {
      kind: 'awsvpc-task',
      eniId: ctx.eniId,
      ips: [...ctx.privateIps, ...ctx.ipv6Addresses],
      ...(ctx.subnetId !== undefined ? { subnetId: ctx.subnetId } : {}),
      taskArn: ctx.taskArn,
      clusterArn: ctx.clusterArn,
    };
  }
  if ((ctx.networkMode === 'bridge' || ctx.networkMode === 'host') && ctx.ec2InstanceId) {
    return {
      kind: 'instance',
      instanceId: ctx.ec2InstanceId,
      taskArn: ctx.taskArn,
      clusterArn: ctx.clusterArn,
      reason: `the task uses ${ctx.networkMode} network mode, so it shares the instance's network interfaces`,
    };
  }
  if (ctx.networkMode === 'none') {
    throw new AppError('action_invalid', `Task ${ctx.taskArn} uses network mode "none": it has no network to isolate.`);
  }
  throw new AppError(
    'action_invalid',
    `Task ${ctx.taskArn} has no network interface or EC2 instance AWS can isolate (network mode ${ctx.networkMode}, launch type ${ctx.launchType ?? 'unknown'}${ctx.lastStatus ? `, status ${ctx.lastStatus}` : ''}).`,
  );
}
