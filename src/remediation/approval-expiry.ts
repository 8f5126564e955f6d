/**
 * Approvals expire (APPROVAL_TTL_MINUTES, default 30): a request nobody approved in time is
 * closed as rejected when someone finally clicks Approve, nothing runs, and the thread says so —
 * the plan it showed was computed from the state of then, which may no longer hold.
 */
import type { Authorizer } from '../authz/authorizer.js';
import type { ActionDefinition } from '../actions/types.js';
import type { RunNotifier } from '../notify/run-notices.js';
import type { Requester } from '../notify/requester.js';
import type { ActionRun, FindingRecord, Store } from '../store/store.js';
import type { Clock } from '../util/clock.js';

export interface ExpiryDeps {
  store: Store;
  authorizer: Pick<Authorizer, 'approvalExpired' | 'approvalTtlMs'>;
  notify: Pick<RunNotifier, 'tell' | 'approvalExpired'>;
  clock: Pick<Clock, 'now'>;
}

/** True when the request was too old: it is closed (rejected, audited, said in the thread). */
export async function closeIfExpired(d: ExpiryDeps, req: Requester, run: ActionRun, record: FindingRecord, def: ActionDefinition): Promise<boolean> {
  if (run.state !== 'awaiting_approval') return false;
  const now = d.clock.now();
  // The run's last transition is the request for approval (planned → awaiting_approval).
  if (!d.authorizer.approvalExpired(run.updatedAt, now)) return false;
  const minutes = Math.round(d.authorizer.approvalTtlMs / 60_000);
  const claim = await d.store.transitionRun(
    run.runId,
    ['awaiting_approval'],
    'rejected',
    { result: { refused: 'approval expired', expiredAfterMinutes: minutes } },
    now,
  );
  if (!claim.ok) return false;
  await d.store.appendAudit({
    at: now,
    findingId: record.findingId,
    runId: run.runId,
    actor: req.userId,
    event: 'expired',
    detail: { action: def.id, requestedAt: run.updatedAt, ttlMinutes: minutes },
  });
  await d.notify.approvalExpired(record, def, { requester: run.requestedBy, clickedBy: req.userId, minutes });
  await d.notify.tell(
    req,
    record,
    `:hourglass: This request for *${def.label}* expired (approvals are valid for ${minutes} min). Nothing was changed: <@${run.requestedBy}> can ask again with a fresh plan.`,
  );
  return true;
}
