/**
 * The open phase (a button click): authorize early for a fast answer, record the run, open the
 * confirmation at once (Slack's trigger_id lives 3 s), then plan and fill the modal in.
 */
import type { ActionId } from '../actions/types.js';
import { describeError } from '../errors.js';
import type { Requester } from '../notify/requester.js';
import { findingOf } from '../store/store.js';
import { audit, type ActionRunnerDeps } from './deps.js';
import { planStep } from './plan.js';

export interface OpenRequest extends Requester {
  cardKey: string;
  actionId: string;
  triggerId: string;
}

/** True when the confirmation was opened; false when the requester was told why not. */
export async function openRun(d: ActionRunnerDeps, req: OpenRequest): Promise<boolean> {
  const record = await d.store.getFindingByCardKey(req.cardKey);
  const def = d.catalog.get(req.actionId as ActionId);
  if (!record || !def) {
    await d.notify.tell(req, record, ':grey_question: This card or action is no longer known to the responder. Nothing was changed.');
    return false;
  }
  const finding = findingOf(record);
  const decision = await d.authorizer.check(req.userId, def);
  if (!decision.allowed) {
    await audit(d, record, undefined, req.userId, 'refused', { action: def.id, reason: decision.reason, at: 'click' });
    await d.notify.refused(req, record, def, decision.reason);
    return false;
  }
  const runId = d.newId();
  await d.store.createRun({ runId, findingId: record.findingId, action: def.id, state: 'planned', requestedBy: req.userId, createdAt: d.clock.now() });
  await audit(d, record, runId, req.userId, 'requested', { action: def.id });
  let viewId: string | undefined;
  try {
    viewId = await d.notify.openConfirmation(req.triggerId, def, finding.title);
  } catch (err) {
    // trigger_id lives 3 s; Slack may also be briefly unavailable. Nothing was planned or changed.
    d.logger.warn({ err: describeError(err), findingId: record.findingId }, 'confirmation could not be opened');
    await d.store.transitionRun(runId, ['planned'], 'rejected', { result: { refused: 'confirmation could not be opened' } }, d.clock.now());
    const text = `:warning: Slack did not open the confirmation for *${def.label}* (it may have taken too long). Nothing was changed: please click again.`;
    await d.notify.tell(req, record, text);
    return false;
  }
  const plan = await planStep(d, def, record, finding, req.userId);
  await d.store.transitionRun(runId, ['planned'], 'planned', { plan }, d.clock.now());
  if (viewId) {
    await d.notify.showPlan(viewId, def, plan, runId, { needsApproval: d.authorizer.requiresApproval(def), findingTitle: finding.title });
  }
  return true;
}
