/**
 * Reads a step's stored state the way the app does: containment keys (isolation, revoked
 * instance profile, node cordon) live on the resource, every other key on the finding.
 */
import { stateOwner } from '../../src/actions/resource-keys.js';
import { findingOf, type Store } from '../../src/store/store.js';

export async function readState<T>(store: Store, findingId: string, key: string): Promise<T | undefined> {
  const record = await store.getFinding(findingId);
  if (!record) return undefined;
  return store.getFindingState<T>(stateOwner(findingOf(record), findingId, key), key);
}
