import type { AwsClients } from '../clients.js';

export type EcsClients = Pick<AwsClients, 'ecs'>;

/** One container of one running task, as the sweep and StopTask steps pass it around. */
export interface TaskRef {
  clusterArn: string;
  taskArn: string;
  /** `service:NAME` or `family:NAME`. */
  group: string;
  serviceName?: string;
  taskDefinitionArn: string;
  launchType: string;
  containerName: string;
  image: string;
  imageDigest: string;
  tags?: Record<string, string>;
}

/** ECS answers "not found" for tasks/services as `failures: [{ reason: 'MISSING' }]`, not an error. */
export const ECS_FAILURE_MISSING = 'MISSING';

export function tagsToRecord(tags: { key?: string; value?: string }[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of tags ?? []) if (t.key !== undefined) out[t.key] = t.value ?? '';
  return out;
}
