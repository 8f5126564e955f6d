/**
 * Blast radius of a compromised image: every running task, in every cluster of the account
 * and Region, that runs it.
 *
 * ListTasks cannot filter by image, so the only way is ListClusters → ListTasks (RUNNING) →
 * DescribeTasks and compare each container's `imageDigest`. The call count is fixed by the page
 * sizes (100 clusters, 100 task ARNs, 100 tasks per DescribeTasks), so we never send a partial
 * DescribeTasks batch while more ARNs of the same cluster are coming, and we describe a batch
 * while listing the next page. ListTasks and DescribeTasks share one ECS throttling bucket
 * (burst 100, 20/s): the client's rate limiter paces them; bounded concurrency across clusters
 * only hides latency.
 */
import { DescribeTasksCommand, paginateListClusters, paginateListTasks, type Task } from '@aws-sdk/client-ecs';
import { isAppError } from '../../errors.js';
import { clusterNameOf, parseImageReference, serviceNameFromGroup, SHA256_DIGEST_RE, type ImageReference } from '../arn.js';
import { mapWithConcurrency } from '../concurrency.js';
import { awsCall, errorLine } from '../errors.js';
import { awsPages, ownInput } from '../paging.js';
import { tagsToRecord, type EcsClients, type TaskRef } from './types.js';

export const LIST_CLUSTERS_PAGE_SIZE = 100;
export const LIST_TASKS_PAGE_SIZE = 100;
export const DESCRIBE_TASKS_BATCH_SIZE = 100;
export const DEFAULT_SWEEP_CONCURRENCY = 4;

export interface ImageQuery {
  /** `sha256:…` of the compromised image. */
  digest: string;
  /** Repository (`my/app` or `<registry>/my/app`) and tag, to also find tasks running the
   * same tag with another digest (the tag was re-pushed, or is about to be). */
  repository?: string;
  tag?: string;
}

export interface SweepCalls {
  listClusters: number;
  listTasks: number;
  describeTasks: number;
}

export interface SweepResult {
  /** One entry per matching container (a task with two such containers appears twice). */
  matches: TaskRef[];
  sameTagOtherDigest: TaskRef[];
  /** Matching tasks per cluster ARN. */
  byCluster: Record<string, number>;
  /** Matching tasks per `<cluster name>/<service name>`. */
  byService: Record<string, number>;
  calls: SweepCalls;
  clustersScanned: number;
  tasksScanned: number;
  requestIds: string[];
  /** Clusters that could not be swept completely (their partial matches are still listed). */
  errors: { cluster: string; code: string; message: string }[];
}

/** The fewest calls a sweep can make for clusters with these RUNNING task counts. */
export function minimumCalls(clusterTaskCounts: readonly number[] | Readonly<Record<string, number>>): SweepCalls & { total: number } {
  const counts = Array.isArray(clusterTaskCounts) ? clusterTaskCounts : Object.values(clusterTaskCounts);
  const listClusters = Math.max(1, Math.ceil(counts.length / LIST_CLUSTERS_PAGE_SIZE));
  let listTasks = 0;
  let describeTasks = 0;
  for (const n of counts) {
    listTasks += Math.max(1, Math.ceil(n / LIST_TASKS_PAGE_SIZE));
    describeTasks += Math.ceil(n / DESCRIBE_TASKS_BATCH_SIZE);
  }
  return { listClusters, listTasks, describeTasks, total: listClusters + listTasks + describeTasks };
}

function hasExplicitRegistry(image: string): boolean {
  const slash = image.indexOf('/');
  if (slash <= 0) return false;
  const first = image.slice(0, slash);
  return first.includes('.') || first.includes(':') || first === 'localhost';
}

/** True when `ref` is in `repository`, written with or without its registry host. */
export function repositoryMatches(ref: ImageReference, repository: string): boolean {
  const written = repository.trim();
  const want = parseImageReference(written);
  if (!want) return false;
  if (hasExplicitRegistry(written)) return want.registry === ref.registry && want.repository === ref.repository;
  // No registry written: compare the path; `nginx` also means Docker Hub's `library/nginx`.
  return ref.repository === written || ref.repository === want.repository;
}

interface Accumulator {
  query: ImageQuery;
  matches: TaskRef[];
  sameTag: TaskRef[];
  tasksScanned: number;
}

function containerDigest(image: string | undefined, imageDigest: string | undefined): string | undefined {
  if (imageDigest && SHA256_DIGEST_RE.test(imageDigest)) return imageDigest;
  const at = image?.indexOf('@') ?? -1;
  const fromImage = at >= 0 ? image!.slice(at + 1) : undefined;
  return fromImage && SHA256_DIGEST_RE.test(fromImage) ? fromImage : undefined;
}

function examineTask(acc: Accumulator, clusterArn: string, task: Task): void {
  acc.tasksScanned++;
  const group = task.group ?? '';
  const serviceName = serviceNameFromGroup(group);
  const tags = tagsToRecord(task.tags);
  for (const c of task.containers ?? []) {
    const digest = containerDigest(c.image, c.imageDigest);
    if (digest === undefined) continue;
    const ref: TaskRef = {
      clusterArn: task.clusterArn ?? clusterArn,
      taskArn: task.taskArn ?? '',
      group,
      ...(serviceName !== undefined ? { serviceName } : {}),
      taskDefinitionArn: task.taskDefinitionArn ?? '',
      launchType: task.launchType ?? '',
      containerName: c.name ?? '',
      image: c.image ?? '',
      imageDigest: digest,
      ...(Object.keys(tags).length > 0 ? { tags } : {}),
    };
    if (digest === acc.query.digest) {
      acc.matches.push(ref);
      continue;
    }
    const { repository, tag } = acc.query;
    if (repository !== undefined && tag !== undefined && c.image) {
      const parsed = parseImageReference(c.image);
      if (parsed && (parsed.tag ?? 'latest') === tag && repositoryMatches(parsed, repository)) acc.sameTag.push(ref);
    }
  }
}

function byKey(refs: TaskRef[], key: (r: TaskRef) => string | undefined): Record<string, number> {
  const sets = new Map<string, Set<string>>();
  for (const r of refs) {
    const k = key(r);
    if (k === undefined) continue;
    if (!sets.has(k)) sets.set(k, new Set());
    sets.get(k)!.add(r.taskArn);
  }
  return Object.fromEntries([...sets].sort(([a], [b]) => a.localeCompare(b)).map(([k, s]) => [k, s.size]));
}

const refOrder = (a: TaskRef, b: TaskRef) =>
  a.clusterArn.localeCompare(b.clusterArn) || a.taskArn.localeCompare(b.taskArn) || a.containerName.localeCompare(b.containerName);

export async function findTasksUsingImage(clients: EcsClients, query: ImageQuery, options: { concurrency?: number } = {}): Promise<SweepResult> {
  const concurrency = options.concurrency ?? DEFAULT_SWEEP_CONCURRENCY;
  const requestIds: string[] = [];
  const calls: SweepCalls = { listClusters: 0, listTasks: 0, describeTasks: 0 };
  const errors: SweepResult['errors'] = [];
  const acc: Accumulator = { query, matches: [], sameTag: [], tasksScanned: 0 };

  // 1. Every cluster. Without the list there is nothing to sweep, so a failure here throws.
  const clusterArns: string[] = [];
  const clusterPages = paginateListClusters({ client: clients.ecs, withCommand: ownInput, pageSize: LIST_CLUSTERS_PAGE_SIZE }, {});
  for await (const page of awsPages({ action: 'ecs:ListClusters', resource: '*' }, requestIds, clusterPages, () => calls.listClusters++)) {
    clusterArns.push(...(page.clusterArns ?? []));
  }

  async function describeBatch(clusterArn: string, arns: string[]): Promise<void> {
    calls.describeTasks++;
    const out = await awsCall({ action: 'ecs:DescribeTasks', resource: clusterArn }, requestIds, () =>
      clients.ecs.send(new DescribeTasksCommand({ cluster: clusterArn, tasks: arns, include: ['TAGS'] })),
    );
    // failures (reason MISSING) are tasks that stopped between ListTasks and now: not running.
    for (const task of out.tasks ?? []) examineTask(acc, clusterArn, task);
  }

  // 2. Per cluster: list pages, describing full batches while the next page is listed.
  async function sweepCluster(clusterArn: string): Promise<void> {
    const pending: Promise<void>[] = [];
    let describeError: { err: unknown } | undefined;
    const buffer: string[] = [];
    const flush = (arns: string[]) =>
      pending.push(
        describeBatch(clusterArn, arns).catch((err: unknown) => {
          describeError ??= { err };
        }),
      );
    try {
      const taskPages = paginateListTasks(
        { client: clients.ecs, withCommand: ownInput, pageSize: LIST_TASKS_PAGE_SIZE },
        { cluster: clusterArn, desiredStatus: 'RUNNING' },
      );
      for await (const page of awsPages({ action: 'ecs:ListTasks', resource: clusterArn }, requestIds, taskPages, () => calls.listTasks++)) {
        buffer.push(...(page.taskArns ?? []));
        while (buffer.length >= DESCRIBE_TASKS_BATCH_SIZE) flush(buffer.splice(0, DESCRIBE_TASKS_BATCH_SIZE));
        // A failed DescribeTasks ends this cluster: list no further pages.
        if (describeError) break;
      }
      if (buffer.length > 0 && !describeError) flush(buffer.splice(0));
    } finally {
      await Promise.all(pending);
    }
    if (describeError) throw describeError.err;
  }

  await mapWithConcurrency(clusterArns, concurrency, async (clusterArn) => {
    try {
      await sweepCluster(clusterArn);
    } catch (err) {
      // One cluster we may not read (or that stays throttled) must not hide the others.
      errors.push({ cluster: clusterArn, code: isAppError(err) ? err.code : 'aws_error', message: errorLine(err) });
    }
  });

  const matches = acc.matches.sort(refOrder);
  return {
    matches,
    sameTagOtherDigest: acc.sameTag.sort(refOrder),
    byCluster: byKey(matches, (r) => r.clusterArn),
    byService: byKey(matches, (r) => (r.serviceName !== undefined ? `${clusterNameOf(r.clusterArn)}/${r.serviceName}` : undefined)),
    calls,
    clustersScanned: clusterArns.length,
    tasksScanned: acc.tasksScanned,
    requestIds,
    errors: errors.sort((a, b) => a.cluster.localeCompare(b.cluster)),
  };
}
