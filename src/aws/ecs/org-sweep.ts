/**
 * The blast radius across an AWS Organization: one sweep (see ./sweep.ts) per allowed account ×
 * Region, run in parallel. ECS throttles per account and Region, and the client factory keeps
 * one rate limiter per account and Region, so parallel places do not slow each other: the whole
 * sweep takes about as long as the largest place alone. A place that cannot be searched (role
 * refused, ECS denied) is reported and does not stop the others.
 */
import { isAppError } from '../../errors.js';
import type { AwsPlace } from '../accounts.js';
import { mapWithConcurrency } from '../concurrency.js';
import { errorLine } from '../errors.js';
import { findTasksUsingImage, type ImageQuery, type SweepResult } from './sweep.js';
import type { EcsClients } from './types.js';

/** Places swept at once (each paced by its own account-and-Region rate limiter). */
export const DEFAULT_PLACE_CONCURRENCY = 10;

export interface PlaceSweep {
  place: AwsPlace;
  result?: SweepResult;
  /** Why this place could not be searched at all. */
  error?: { code: string; message: string };
}

export interface OrganizationSweep {
  places: PlaceSweep[];
  /** Every place's result in one (clusters ARNs name their account and Region). */
  merged: SweepResult;
}

export async function sweepOrganization(
  places: readonly AwsPlace[],
  clientsFor: (place: AwsPlace) => EcsClients,
  query: ImageQuery,
  options: { concurrency?: number; clusterConcurrency?: number; onPlace?: (p: PlaceSweep) => void } = {},
): Promise<OrganizationSweep> {
  const results = await mapWithConcurrency(places, options.concurrency ?? DEFAULT_PLACE_CONCURRENCY, async (place): Promise<PlaceSweep> => {
    let out: PlaceSweep;
    try {
      const result = await findTasksUsingImage(
        clientsFor(place),
        query,
        options.clusterConcurrency !== undefined ? { concurrency: options.clusterConcurrency } : {},
      );
      out = { place, result };
    } catch (err) {
      out = { place, error: { code: isAppError(err) ? err.code : 'aws_error', message: errorLine(err) } };
    }
    options.onPlace?.(out);
    return out;
  });
  return { places: results, merged: mergeSweeps(results) };
}

export function placeLabel(p: AwsPlace, nameOf?: (accountId: string) => string | undefined): string {
  const name = nameOf?.(p.accountId);
  return `account ${p.accountId}${name ? ` (${name})` : ''} ${p.region}`;
}

function mergeSweeps(places: readonly PlaceSweep[]): SweepResult {
  const merged: SweepResult = {
    matches: [],
    sameTagOtherDigest: [],
    byCluster: {},
    byService: {},
    calls: { listClusters: 0, listTasks: 0, describeTasks: 0 },
    clustersScanned: 0,
    tasksScanned: 0,
    requestIds: [],
    errors: [],
  };
  for (const p of places) {
    if (p.error) {
      merged.errors.push({ cluster: `${p.place.accountId}/${p.place.region}`, code: p.error.code, message: p.error.message });
      continue;
    }
    const r = p.result!;
    merged.matches.push(...r.matches);
    merged.sameTagOtherDigest.push(...r.sameTagOtherDigest);
    Object.assign(merged.byCluster, r.byCluster);
    // Service names repeat across accounts: key them by account.
    for (const [k, n] of Object.entries(r.byService)) merged.byService[places.length > 1 ? `${p.place.accountId}:${k}` : k] = n;
    merged.calls.listClusters += r.calls.listClusters;
    merged.calls.listTasks += r.calls.listTasks;
    merged.calls.describeTasks += r.calls.describeTasks;
    merged.clustersScanned += r.clustersScanned;
    merged.tasksScanned += r.tasksScanned;
    merged.requestIds.push(...r.requestIds);
    merged.errors.push(...r.errors);
  }
  return merged;
}
