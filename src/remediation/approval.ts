/**
 * The approval phase: a second responder approves or rejects a run that waits for them. The
 * requester cannot approve their own run; the approver is authorized at the moment they decide.
 */
import type { Requester } from '../notify/requester.js';
import { closeIfExpired } from './approval-expiry.js';
import { audit, loadRun, ownerOf, phase, type ActionRunnerDeps, type StartRun } from './deps.js';

export interface DecideRequest extends Requester {
  runId: string;
  approve: boolean;
}

export async function decideRun(d: ActionRunnerDeps, req: DecideRequest, start: StartRun): Promise<void> {
  const loaded = await loadRun(d, req.runId);
  if (!loaded) return;
  const { run, record, def } = loaded;
  if (req.userId === run.requestedBy) {
    await audit(d, record, run.runId, req.userId, 'refused', { action: def.id, reason: 'self-approval' });
    await d.notify.tell(req, record, ':lock: A second responder must approve this; you requested it. Nothing was changed.');
    return;
  }
  const decision = await d.authorizer.check(req.userId, def, { fresh: true });
  if (!decision.allowed) {
    await audit(d, record, run.runId, req.userId, 'refused', { action: def.id, reason: decision.reason, at: 'approval' });
    await d.notify.refused(req, record, { label: `approve ${def.label}` }, decision.reason);
    return;
  }
  if (req.approve && (await closeIfExpired(d, req, run, record, def))) return;
  const to = req.approve ? 'running' : 'rejected';
  const claim = await d.store.transitionRun(
    run.runId,
    ['awaiting_approval'],
    to,
    { approvedBy: req.userId, ...(req.approve ? ownerOf(d) : {}) },
    d.clock.now(),
  );
  if (!claim.ok) {
    const state = claim.reason === 'wrong_state' ? (claim.run?.state ?? 'handled') : 'handled';
    await d.notify.tell(req, record, `:information_source: This request was already ${state}. Nothing more was done.`);
    return;
  }
  await audit(d, record, run.runId, req.userId, req.approve ? 'approved' : 'rejected', { action: def.id });
  await d.notify.approvalDecided(record, def, { decidedBy: req.userId, approved: req.approve, requester: run.requestedBy });
  if (req.approve) {
    await phase(d, record.findingId, { phase: 'approved', action: def.id, runId: run.runId, actor: req.userId });
    start(def, claim.run, record);
  }
}
