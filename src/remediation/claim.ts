/**
 * Claiming a run exactly once: the store's transition excludes a concurrent run of the same step;
 * `alreadyDone` catches one that finished between the confirmation and the claim, so a step that
 * is not repeatable never runs twice for one finding.
 */
import type { ActionDefinition } from '../actions/types.js';
import type { Requester } from '../notify/requester.js';
import type { ActionRun, FindingRecord, Store } from '../store/store.js';
import type { ActionRunnerDeps } from './deps.js';

export type FailedClaim = Extract<Awaited<ReturnType<Store['transitionRun']>>, { ok: false }>;

/** A succeeded (or partial) run of the same step on the same finding, finished after `run` was opened. */
export async function alreadyDone(store: Pick<Store, 'runsForFinding'>, def: ActionDefinition, run: ActionRun): Promise<ActionRun | undefined> {
  if (def.repeatable) return undefined;
  const runs = await store.runsForFinding(run.findingId);
  return runs.find((r) => r.action === def.id && r.runId !== run.runId && (r.state === 'succeeded' || r.state === 'partial') && r.updatedAt >= run.createdAt);
}

export function alreadyDoneText(def: ActionDefinition, done: ActionRun): string {
  return `:information_source: *${def.label}* was already done by <@${done.requestedBy}> after you opened this confirmation, so it was not run again.`;
}

export function failedClaimText(def: ActionDefinition, claim: FailedClaim): string {
  return claim.reason === 'busy'
    ? `:hourglass_flowing_sand: *${def.label}* is already ${claim.active.state === 'awaiting_approval' ? 'waiting for approval' : 'running'} (requested by <@${claim.active.requestedBy}>). It was not started again.`
    : `:information_source: This confirmation was already submitted (${claim.run?.state ?? 'handled'}). It was not run again.`;
}

export async function explainClaim(
  d: Pick<ActionRunnerDeps, 'notify'>,
  req: Requester,
  record: FindingRecord,
  def: ActionDefinition,
  claim: FailedClaim,
): Promise<void> {
  await d.notify.tell(req, record, failedClaimText(def, claim));
}
