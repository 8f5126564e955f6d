/**
 * The execute phase of a claimed run: the card says "in progress", the step runs against AWS with
 * its progress lines in the thread, then the outcome is stored, audited, put on the timeline, and
 * the card and thread say what happened. A step that throws is a failed outcome, never a crash.
 */
import { CARD_FACTS_KEY, STATUS_BY_KEY } from '../actions/state-keys.js';
import { containmentOf } from '../actions/catalog.js';
import type { ActionDefinition, Outcome, Plan } from '../actions/types.js';
import { withAuditContext } from '../audit/aws-calls.js';
import { describeError, isAppError } from '../errors.js';
import type { Finding } from '../findings/model.js';
import { SAMPLE_FINDING_MESSAGE } from '../findings/sample.js';
import { findingOf, type ActionRun, type FindingRecord } from '../store/store.js';
import { stepContext } from './context.js';
import { refreshSharing } from './resource-state.js';
import { audit, phase, setStatus, type ActionRunnerDeps } from './deps.js';

export async function executeRun(d: ActionRunnerDeps, def: ActionDefinition, run: ActionRun, record: FindingRecord): Promise<void> {
  const finding = findingOf(record);
  const input = (run.input ?? {}) as { inputs?: Record<string, string>; reason?: string };
  const reason = input.reason ? { reason: input.reason } : {};
  await audit(d, record, run.runId, run.requestedBy, 'started', { action: def.id, approvedBy: run.approvedBy });
  const before = await d.store.getFinding(record.findingId);
  const statusBefore = { text: before?.statusText, by: await d.store.getFindingState<string>(record.findingId, STATUS_BY_KEY) };
  await setStatus(d, record.findingId, `:hourglass_flowing_sand: ${def.label} in progress`, run.requestedBy);
  await d.notify.refreshCard(record.findingId);
  await d.notify.started(record, def, run.requestedBy, { ...reason, ...(run.approvedBy ? { approvedBy: run.approvedBy } : {}) });
  const progress = d.notify.progress(record, def);
  let outcome: Outcome;
  try {
    const caller = { actor: run.requestedBy, progress: progress.push, ...(run.approvedBy ? { approver: run.approvedBy } : {}) };
    outcome = await withAuditContext({ findingId: record.findingId, runId: run.runId, actor: run.requestedBy }, () =>
      def.execute({ ...stepContext(d, def, record, finding, caller), plan: run.plan as Plan, inputs: input.inputs ?? {}, ...reason }),
    );
  } catch (err) {
    d.logger.child({ findingId: record.findingId, runId: run.runId, action: def.id }).error({ err: describeError(err) }, 'action failed');
    outcome = failedOutcome(err, finding);
  }
  await progress.flush();
  const finalState = outcome.status === 'succeeded' ? 'succeeded' : outcome.status === 'partial' ? 'partial' : 'failed';
  await d.store.transitionRun(run.runId, ['running'], finalState, { result: outcome }, d.clock.now());
  await audit(d, record, run.runId, run.requestedBy, 'result', {
    action: def.id,
    status: outcome.status,
    headline: outcome.headline,
    requestIds: outcome.requestIds,
    notDone: outcome.notDone,
  });
  await phase(d, record.findingId, {
    phase: 'result',
    action: def.id,
    runId: run.runId,
    status: outcome.status,
    headline: outcome.headline,
    findingId: record.findingId,
    actor: run.requestedBy,
    containment: containmentOf(def, finding) ?? null,
  });
  if (outcome.cardFacts) {
    const facts = (await d.store.getFindingState<Record<string, string>>(record.findingId, CARD_FACTS_KEY)) ?? {};
    await d.store.putFindingState(record.findingId, CARD_FACTS_KEY, { ...facts, ...outcome.cardFacts }, d.clock.now());
  }
  // A failed read-only step (a refused scan, a sweep that could not run) changes nothing in AWS:
  // the card goes back to what it said before (e.g. "Malware found"); the thread has the failure.
  if (!def.changes && outcome.status === 'failed' && !outcome.cardStatus && statusBefore.text)
    await setStatus(d, record.findingId, statusBefore.text, statusBefore.by ?? run.requestedBy);
  else await setStatus(d, record.findingId, cardStatusOf(def, outcome), run.requestedBy);
  await d.notify.result(record, def, outcome, { actor: run.requestedBy, runId: run.runId });
  await d.notify.refreshCard(record.findingId);
  // Other cards about the same resource show the same containment state (actions/resource-keys.ts).
  if (def.changes) {
    const shared = containmentOf(def, finding) ? { text: cardStatusOf(def, outcome), by: run.requestedBy, at: d.clock.now() } : undefined;
    await refreshSharing(d, finding, record.findingId, shared);
  }
}

/** A step that threw: its typed message (or a generic one), never a stack trace. */
export function failedOutcome(err: unknown, finding: Pick<Finding, 'sample'>): Outcome {
  const msg = finding.sample ? SAMPLE_FINDING_MESSAGE : isAppError(err) ? err.message : 'unexpected error (see the responder logs); nothing more was attempted';
  const requestId = isAppError(err) ? (err.context.requestId as string | undefined) : undefined;
  return { status: 'failed', headline: msg, done: [], notDone: [msg], next: [], requestIds: requestId ? [requestId] : [] };
}

/** The card's status line after a run: the step's own words, else icon + label + done/partly done/failed. */
export function cardStatusOf(def: Pick<ActionDefinition, 'label'>, outcome: Pick<Outcome, 'status' | 'cardStatus'>): string {
  if (outcome.cardStatus) return outcome.cardStatus;
  const icon = outcome.status === 'failed' ? ':x:' : outcome.status === 'partial' ? ':warning:' : ':white_check_mark:';
  const said = outcome.status === 'succeeded' ? 'done' : outcome.status === 'partial' ? 'partly done' : 'failed';
  return `${icon} ${def.label} ${said}`;
}
