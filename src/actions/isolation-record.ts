/**
 * A retried isolation (after a partial or failed run) adds to the record of the earlier run:
 * Release must undo both. Shared by the instance and ECS task steps.
 */
import type { IsolationState } from './state-keys.js';

/** An earlier partial run's record plus what a retry cut (Release undoes both). */
export function mergeRecords(prior: IsolationState['record'] | undefined, now: IsolationState['record']): IsolationState['record'] {
  if (!prior) return now;
  const known = new Set(prior.enis.map((e) => e.eniId));
  return {
    ...prior,
    vpcIds: [...new Set([...prior.vpcIds, ...now.vpcIds])],
    ...((prior.isolationGroupId ?? now.isolationGroupId) ? { isolationGroupId: prior.isolationGroupId ?? now.isolationGroupId } : {}),
    enis: [...prior.enis, ...now.enis.filter((e) => !known.has(e.eniId))],
    aclEntries: [...prior.aclEntries, ...now.aclEntries],
  };
}
