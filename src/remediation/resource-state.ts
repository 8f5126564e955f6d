/**
 * After a changing step, every other card about the same resource is re-rendered: its buttons and
 * containment line come from the one resource record (src/actions/resource-keys.ts), so a release
 * from card B turns card A's "Release" back into "Isolate" at once, and a containment step's
 * status line is copied to them (it describes the resource, not the card).
 */
import { describeError } from '../errors.js';
import type { Finding } from '../findings/model.js';
import type { Logger } from '../log.js';
import { findingsSharing } from '../actions/resource-keys.js';
import { STATUS_BY_KEY } from '../actions/state-keys.js';
import type { Store } from '../store/store.js';
import type { RunNotifier } from '../notify/run-notices.js';

export async function refreshSharing(
  d: { store: Store; notify: Pick<RunNotifier, 'refreshCard'>; logger: Logger },
  finding: Finding,
  findingId: string,
  /** A containment step's status line ("Instance isolated", "Isolation released"): true of the resource, so every card shows it. */
  status?: { text: string; by: string; at: number },
): Promise<void> {
  try {
    for (const other of await findingsSharing(d.store, finding, findingId)) {
      if (status) {
        await d.store.setFindingStatus(other, status.text);
        await d.store.putFindingState(other, STATUS_BY_KEY, status.by, status.at);
      }
      await d.notify.refreshCard(other);
    }
  } catch (err) {
    d.logger.warn({ err: describeError(err), findingId }, 'cards sharing the resource could not be refreshed');
  }
}
