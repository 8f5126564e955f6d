/**
 * One replica at a time per finding. Two messages about the same finding (a delivery and
 * GuardDuty's update of it, a backfilled copy) may be claimed by two replicas at once; both would
 * see "no card yet" and post one each. The first takes a short lease named after the finding; the
 * other gets `finding_busy`, and the worker retries that message a moment later, when the card
 * exists and it only updates it. On SQLite (one serial worker) the lease is always free.
 */
import { AppError } from '../errors.js';
import type { InboxEntry, Store } from '../store/store.js';
import type { Clock } from '../util/clock.js';

/** Longer than processing one message takes; a replica that dies holding it delays that finding by at most this. */
export const FINDING_LOCK_MS = 2 * 60_000;

/** The finding ids an inbox payload names (EventBridge `detail.id`), without parsing it fully. */
export function findingIdsOf(payload: string): string[] {
  try {
    const v = JSON.parse(payload) as { detail?: { id?: unknown }; Message?: unknown };
    if (typeof v.detail?.id === 'string') return [v.detail.id];
    if (typeof v.Message === 'string') return findingIdsOf(v.Message);
  } catch {
    // Not JSON: ingest reports it; nothing to lock.
  }
  return [];
}

export function withFindingLock(
  deps: { store: Store; clock: Clock; replicaId: string },
  handle: (entry: InboxEntry) => Promise<void>,
): (entry: InboxEntry) => Promise<void> {
  return async (entry) => {
    const names = findingIdsOf(entry.payload).map((id) => `finding:${id}`);
    const held: string[] = [];
    try {
      for (const name of names) {
        if (!(await deps.store.tryLeadership(name, deps.replicaId, FINDING_LOCK_MS, deps.clock.now()))) {
          throw new AppError('finding_busy', 'another replica is processing this finding', { context: { lock: name } });
        }
        held.push(name);
      }
      await handle(entry);
    } finally {
      // Ending the lease: expiring it now lets the next holder take it at once.
      for (const name of held) await deps.store.tryLeadership(name, deps.replicaId, 0, deps.clock.now()).catch(() => undefined);
    }
  };
}
