/**
 * The submit phase (the confirmation was sent): authorize again at execution time, refuse a
 * duplicate, then either ask a second responder (approval) or claim the run and start it.
 */
import type { Plan } from '../actions/types.js';
import type { Requester } from '../notify/requester.js';
import { alreadyDone, alreadyDoneText, explainClaim } from './claim.js';
import { audit, loadRun, phase, type ActionRunnerDeps, type StartRun, ownerOf } from './deps.js';

export interface SubmitRequest extends Requester {
  runId: string;
  inputs: Record<string, string>;
  reason?: string;
}

export async function submitRun(d: ActionRunnerDeps, req: SubmitRequest, start: StartRun): Promise<void> {
  const loaded = await loadRun(d, req.runId);
  if (!loaded) return;
  const { run, record, def } = loaded;
  const decision = await d.authorizer.check(req.userId, def, { fresh: true });
  if (!decision.allowed || req.userId !== run.requestedBy) {
    const reason = decision.allowed ? 'the confirmation belongs to another responder' : decision.reason;
    await d.store.transitionRun(run.runId, ['planned'], 'rejected', { result: { refused: reason } }, d.clock.now());
    await audit(d, record, run.runId, req.userId, 'refused', { action: def.id, reason, at: 'execute' });
    await d.notify.refused(req, record, def, reason);
    return;
  }
  const plan = run.plan as Plan | undefined;
  if (!plan || plan.blocked) return;
  const done = await alreadyDone(d.store, def, run);
  if (done) {
    await d.store.transitionRun(run.runId, ['planned'], 'rejected', { result: { duplicate: done.runId } }, d.clock.now());
    await d.notify.tell(req, record, alreadyDoneText(def, done));
    return;
  }
  const reason = req.reason ? { reason: req.reason } : {};
  const input = { inputs: req.inputs, ...reason };
  const requested = { phase: 'requested' as const, action: def.id, runId: run.runId, actor: req.userId, ...reason };
  if (d.authorizer.requiresApproval(def)) {
    const claim = await d.store.transitionRun(run.runId, ['planned'], 'awaiting_approval', { input, ...reason }, d.clock.now());
    if (!claim.ok) return explainClaim(d, req, record, def, claim);
    await audit(d, record, run.runId, req.userId, 'approval_requested', { action: def.id, reason: req.reason });
    await phase(d, record.findingId, requested);
    await d.notify.approvalRequested(record, def, plan, {
      requester: req.userId,
      runId: run.runId,
      expiresAt: d.clock.now() + d.authorizer.approvalTtlMs,
      ...reason,
    });
    return;
  }
  const claim = await d.store.transitionRun(run.runId, ['planned'], 'running', { input, ...reason, ...ownerOf(d) }, d.clock.now());
  if (!claim.ok) return explainClaim(d, req, record, def, claim);
  // The claim excludes a concurrent run, not one that finished between the check above and the
  // claim (or that a stale read missed): holding the claim, look again before touching AWS.
  const doneMeanwhile = await alreadyDone(d.store, def, claim.run);
  if (doneMeanwhile) {
    await d.store.transitionRun(run.runId, ['running'], 'rejected', { result: { duplicate: doneMeanwhile.runId } }, d.clock.now());
    await d.notify.tell(req, record, alreadyDoneText(def, doneMeanwhile));
    return;
  }
  await phase(d, record.findingId, requested);
  start(def, claim.run, record);
}
