/**
 * StopTask. Stopping a task that belongs to a service is NOT containment on its own: the
 * service scheduler starts a replacement from the same task definition (same image). Pin or
 * scale the service first (./services.ts), then stop its tasks.
 */
import { StopTaskCommand } from '@aws-sdk/client-ecs';
import { isAppError } from '../../errors.js';
import { mapWithConcurrency } from '../concurrency.js';
import { awsCall, awsErrorRequestId, errorLine } from '../errors.js';
import type { EcsClients, TaskRef } from './types.js';

/** ECS accepts up to 255 characters in StopTask's `reason` (shown in DescribeTasks `stoppedReason`). */
export const STOP_TASK_REASON_MAX_LENGTH = 255;
/** StopTask's own bucket is burst 100 / 40 per s; the limiter paces us, this bounds in-flight calls. */
export const DEFAULT_STOP_CONCURRENCY = 8;

/** Trims and cuts to ECS's limit without splitting a UTF-16 surrogate pair; marks the cut with "…". */
export function stopReason(reason: string): string {
  const clean = reason.replace(/\s+/g, ' ').trim();
  if (clean.length <= STOP_TASK_REASON_MAX_LENGTH) return clean;
  let cut = STOP_TASK_REASON_MAX_LENGTH - 1;
  const code = clean.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut -= 1; // high surrogate: keep the pair together
  return `${clean.slice(0, cut).trimEnd()}…`;
}

export interface StopTaskResult {
  requestId?: string;
  stoppedAt?: string;
  lastStatus?: string;
  desiredStatus?: string;
}

export async function stopTask(clients: EcsClients, input: { cluster: string; taskArn: string; reason: string }): Promise<StopTaskResult> {
  const requestIds: string[] = [];
  const out = await awsCall({ action: 'ecs:StopTask', resource: input.taskArn }, requestIds, () =>
    clients.ecs.send(new StopTaskCommand({ cluster: input.cluster, task: input.taskArn, reason: stopReason(input.reason) })),
  );
  const t = out.task;
  return {
    ...(requestIds[0] !== undefined ? { requestId: requestIds[0] } : {}),
    ...(t?.stoppedAt !== undefined ? { stoppedAt: t.stoppedAt.toISOString() } : {}),
    ...(t?.lastStatus !== undefined ? { lastStatus: t.lastStatus } : {}),
    ...(t?.desiredStatus !== undefined ? { desiredStatus: t.desiredStatus } : {}),
  };
}

export type StopTaskOutcome =
  | { clusterArn: string; taskArn: string; ok: true; result: StopTaskResult }
  | { clusterArn: string; taskArn: string; ok: false; code: string; message: string; requestId?: string };

export interface StopTasksProgress {
  done: number;
  total: number;
  last: StopTaskOutcome;
}

/**
 * Stops each distinct task once (refs may list one task per matching container). A failure is
 * recorded and the rest continue.
 */
export async function stopTasks(
  clients: EcsClients,
  refs: readonly Pick<TaskRef, 'clusterArn' | 'taskArn'>[],
  reason: string,
  options: { concurrency?: number; onProgress?: (p: StopTasksProgress) => void } = {},
): Promise<StopTaskOutcome[]> {
  const seen = new Set<string>();
  const tasks = refs.filter((r) => {
    if (seen.has(r.taskArn)) return false;
    seen.add(r.taskArn);
    return true;
  });
  let done = 0;
  return mapWithConcurrency(tasks, options.concurrency ?? DEFAULT_STOP_CONCURRENCY, async (ref) => {
    let outcome: StopTaskOutcome;
    try {
      const result = await stopTask(clients, { cluster: ref.clusterArn, taskArn: ref.taskArn, reason });
      outcome = { clusterArn: ref.clusterArn, taskArn: ref.taskArn, ok: true, result };
    } catch (err) {
      const requestId = isAppError(err) ? (err.context.requestId as string | undefined) : awsErrorRequestId(err);
      outcome = {
        clusterArn: ref.clusterArn,
        taskArn: ref.taskArn,
        ok: false,
        code: isAppError(err) ? err.code : 'aws_error',
        message: errorLine(err),
        ...(requestId !== undefined ? { requestId } : {}),
      };
    }
    done++;
    options.onProgress?.({ done, total: tasks.length, last: outcome });
    return outcome;
  });
}
