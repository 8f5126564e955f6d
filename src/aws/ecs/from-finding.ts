/**
 * The bridge from a normalised finding to the ECS adapters' inputs. Sample findings carry fake
 * resource ids: acting on them would at best fail and at worst hit a real resource that happens
 * to share the fake name, so they are refused here, before any AWS call.
 */
import { AppError } from '../../errors.js';
import type { Finding } from '../../findings/model.js';
import { refuseSampleFinding } from '../../findings/sample.js';
import { parseClusterArn, parseTaskArn } from '../arn.js';

export interface EcsTaskTarget {
  accountId: string;
  region: string;
  cluster: string;
  taskArn: string;
}

export function ecsTaskTargetFromFinding(finding: Finding): EcsTaskTarget {
  refuseSampleFinding(finding);
  const taskArn = finding.ecs?.taskArn;
  const task = taskArn !== undefined ? parseTaskArn(taskArn) : undefined;
  if (!taskArn || !task) {
    throw new AppError('action_invalid', 'The finding names no ECS task ARN, so there is no task to act on.', {
      context: { findingId: finding.id },
    });
  }
  const clusterArn = finding.ecs?.clusterArn;
  const cluster = (clusterArn && parseClusterArn(clusterArn) ? clusterArn : undefined) ?? task.clusterName ?? finding.ecs?.clusterName;
  if (!cluster) {
    throw new AppError('action_invalid', 'The finding names no ECS cluster for the task.', { context: { findingId: finding.id, taskArn } });
  }
  return { accountId: task.accountId || finding.accountId, region: task.region || finding.region, cluster, taskArn };
}
