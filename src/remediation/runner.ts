/**
 * The remediation use cases behind every button (and, later, every slash command):
 * open → authorize → plan (live dry-run) → confirm → [approve] → claim exactly once → run → report.
 * Handlers stay thin: they ack and call one of these methods.
 */
import { describeError, isAppError } from '../errors.js';
import type { Finding } from '../findings/model.js';
import type { Logger } from '../log.js';
import type { Authorizer } from '../authz/authorizer.js';
import type { AwsClientFactory } from '../aws/clients.js';
import { findingOf, type ActionRun, type FindingRecord, type Store } from '../store/store.js';
import type { Clock } from '../util/clock.js';
import type { ActionContext, ActionDefinition, ActionId, Outcome, Plan } from '../actions/types.js';
import type { RunPhase } from '../incidents/action-events.js';
import { withAuditContext } from '../audit/aws-calls.js';
import { CARD_FACTS_KEY, STATUS_BY_KEY } from '../actions/state-keys.js';
import { containmentOf } from '../actions/catalog.js';
import { stateAccessFor } from '../actions/resource-keys.js';
import { refreshSharing } from './resource-state.js';
import { closeIfExpired } from './approval-expiry.js';
import type { RunNotifier } from '../notify/run-notices.js';
import type { Requester } from '../notify/requester.js';

export type { Requester } from '../notify/requester.js';

export const SAMPLE_FINDING_MESSAGE = 'resource not found — this is a sample finding (GuardDuty sample findings use fake resource ids)';

export interface ActionRunnerDeps {
  store: Store;
  /** Every message, modal and card re-render of a run (src/notify/run-notices.ts). */
  notify: RunNotifier;
  authorizer: Authorizer;
  catalog: ReadonlyMap<ActionId, ActionDefinition>;
  aws: AwsClientFactory;
  clock: Clock;
  logger: Logger;
  newId: () => string;
  /** Each phase of a run lands on the finding's incident timeline (and may move its state). */
  onPhase?: (findingId: string, phase: RunPhase & { actor: string; serviceTask?: boolean }) => Promise<void>;
  /** This process's replica id: recorded as a run's owner, so survivors interrupt it only once this replica is dead. */
  replicaId?: string;
}

export class ActionRunner {
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly d: ActionRunnerDeps) {}

  /** Resolves when every background step started so far has finished (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /**
   * A button click: authorize early (fast answer), open a modal at once, then fill in the plan.
   * True when the confirmation was opened; false when the requester was told why not.
   */
  async open(req: Requester & { cardKey: string; actionId: string; triggerId: string }): Promise<boolean> {
    const record = await this.d.store.getFindingByCardKey(req.cardKey);
    const def = this.d.catalog.get(req.actionId as ActionId);
    if (!record || !def) {
      await this.d.notify.tell(req, record, ':grey_question: This card or action is no longer known to the responder. Nothing was changed.');
      return false;
    }
    const finding = findingOf(record);
    const decision = await this.d.authorizer.check(req.userId, def);
    if (!decision.allowed) {
      await this.audit(record, undefined, req.userId, 'refused', { action: def.id, reason: decision.reason, at: 'click' });
      await this.d.notify.refused(req, record, def, decision.reason);
      return false;
    }
    const runId = this.d.newId();
    const createdAt = this.d.clock.now();
    await this.d.store.createRun({ runId, findingId: record.findingId, action: def.id, state: 'planned', requestedBy: req.userId, createdAt });
    await this.audit(record, runId, req.userId, 'requested', { action: def.id });
    // trigger_id expires 3 s after the click: open first, plan after.
    let viewId: string | undefined;
    try {
      viewId = await this.d.notify.openConfirmation(req.triggerId, def, finding.title);
    } catch (err) {
      // trigger_id lives 3 s; Slack may also be briefly unavailable. Nothing was planned or changed.
      this.d.logger.warn({ err: describeError(err), findingId: record.findingId }, 'confirmation could not be opened');
      await this.d.store.transitionRun(runId, ['planned'], 'rejected', { result: { refused: 'confirmation could not be opened' } }, this.d.clock.now());
      const text = `:warning: Slack did not open the confirmation for *${def.label}* (it may have taken too long). Nothing was changed: please click again.`;
      await this.d.notify.tell(req, record, text);
      return false;
    }
    const plan = await this.plan(def, record, finding, req.userId);
    await this.d.store.transitionRun(runId, ['planned'], 'planned', { plan }, this.d.clock.now());
    if (viewId) {
      await this.d.notify.showPlan(viewId, def, plan, runId, { needsApproval: this.d.authorizer.requiresApproval(def), findingTitle: finding.title });
    }
    return true;
  }

  /** The confirmation was submitted: authorize again (execution time), then approve-or-run. */
  async submit(req: Requester & { runId: string; inputs: Record<string, string>; reason?: string }): Promise<void> {
    const run = await this.d.store.getRun(req.runId);
    if (!run) return;
    const record = await this.d.store.getFinding(run.findingId);
    const def = this.d.catalog.get(run.action as ActionId);
    if (!record || !def) return;
    const decision = await this.d.authorizer.check(req.userId, def, { fresh: true });
    if (!decision.allowed || req.userId !== run.requestedBy) {
      const reason = decision.allowed ? 'the confirmation belongs to another responder' : decision.reason;
      await this.d.store.transitionRun(run.runId, ['planned'], 'rejected', { result: { refused: reason } }, this.d.clock.now());
      await this.audit(record, run.runId, req.userId, 'refused', { action: def.id, reason, at: 'execute' });
      await this.d.notify.refused(req, record, def, reason);
      return;
    }
    const plan = run.plan as Plan | undefined;
    if (!plan || plan.blocked) return;
    const done = await this.alreadyDone(def, run);
    if (done) {
      await this.d.store.transitionRun(run.runId, ['planned'], 'rejected', { result: { duplicate: done.runId } }, this.d.clock.now());
      await this.d.notify.tell(req, record, alreadyDoneText(def, done));
      return;
    }
    const input = { inputs: req.inputs, ...(req.reason ? { reason: req.reason } : {}) };
    if (this.d.authorizer.requiresApproval(def)) {
      const claim = await this.d.store.transitionRun(run.runId, ['planned'], 'awaiting_approval', { input, ...(req.reason ? { reason: req.reason } : {}) }, this.d.clock.now());
      if (!claim.ok) return this.explainClaim(req, record, def, claim);
      await this.audit(record, run.runId, req.userId, 'approval_requested', { action: def.id, reason: req.reason });
      await this.phase(record.findingId, { phase: 'requested', action: def.id, runId: run.runId, actor: req.userId, ...(req.reason ? { reason: req.reason } : {}) });
      await this.d.notify.approvalRequested(record, def, plan, { requester: req.userId, runId: run.runId, expiresAt: this.d.clock.now() + this.d.authorizer.approvalTtlMs, ...(req.reason ? { reason: req.reason } : {}) });
      return;
    }
    const claim = await this.d.store.transitionRun(run.runId, ['planned'], 'running', { input, ...(req.reason ? { reason: req.reason } : {}), ...this.owner() }, this.d.clock.now());
    if (!claim.ok) return this.explainClaim(req, record, def, claim);
    // The claim excludes a concurrent run, not one that finished between the check above and the
    // claim (or that a stale read missed): holding the claim, look again before touching AWS.
    const doneMeanwhile = await this.alreadyDone(def, claim.run);
    if (doneMeanwhile) {
      await this.d.store.transitionRun(run.runId, ['running'], 'rejected', { result: { duplicate: doneMeanwhile.runId } }, this.d.clock.now());
      await this.d.notify.tell(req, record, alreadyDoneText(def, doneMeanwhile));
      return;
    }
    await this.phase(record.findingId, { phase: 'requested', action: def.id, runId: run.runId, actor: req.userId, ...(req.reason ? { reason: req.reason } : {}) });
    this.background(this.execute(def, claim.run, record));
  }

  /** Approve or reject a run waiting for a second person. */
  async decide(req: Requester & { runId: string; approve: boolean }): Promise<void> {
    const run = await this.d.store.getRun(req.runId);
    if (!run) return;
    const record = await this.d.store.getFinding(run.findingId);
    const def = this.d.catalog.get(run.action as ActionId);
    if (!record || !def) return;
    if (req.userId === run.requestedBy) {
      await this.audit(record, run.runId, req.userId, 'refused', { action: def.id, reason: 'self-approval' });
      await this.d.notify.tell(req, record, ':lock: A second responder must approve this; you requested it. Nothing was changed.');
      return;
    }
    const decision = await this.d.authorizer.check(req.userId, def, { fresh: true });
    if (!decision.allowed) {
      await this.audit(record, run.runId, req.userId, 'refused', { action: def.id, reason: decision.reason, at: 'approval' });
      await this.d.notify.refused(req, record, { label: `approve ${def.label}` }, decision.reason);
      return;
    }
    if (req.approve && (await closeIfExpired(this.d, req, run, record, def))) return;
    const to = req.approve ? 'running' : 'rejected';
    const claim = await this.d.store.transitionRun(run.runId, ['awaiting_approval'], to, { approvedBy: req.userId, ...(req.approve ? this.owner() : {}) }, this.d.clock.now());
    if (!claim.ok) {
      const state = claim.reason === 'wrong_state' ? (claim.run?.state ?? 'handled') : 'handled';
      await this.d.notify.tell(req, record, `:information_source: This request was already ${state}. Nothing more was done.`);
      return;
    }
    await this.audit(record, run.runId, req.userId, req.approve ? 'approved' : 'rejected', { action: def.id });
    await this.d.notify.approvalDecided(record, def, { decidedBy: req.userId, approved: req.approve, requester: run.requestedBy });
    if (req.approve) {
      await this.phase(record.findingId, { phase: 'approved', action: def.id, runId: run.runId, actor: req.userId });
      this.background(this.execute(def, claim.run, record));
    }
  }

  /**
   * At start-up and periodically: a step left running by a dead process (no live heartbeat of its
   * owner replica) is reported, never re-run blindly. The store hands each such run to exactly one
   * caller, so with several replicas it is reported once; live replicas' runs are left alone.
   */
  async recoverInterrupted(): Promise<number> {
    const runs = await this.d.store.interruptOrphanedRuns(this.d.clock.now());
    for (const run of runs) {
      const record = await this.d.store.getFinding(run.findingId);
      const def = this.d.catalog.get(run.action as ActionId);
      await this.audit(record, run.runId, 'system', 'interrupted', { action: run.action });
      await this.phase(run.findingId, { phase: 'result', action: run.action, runId: run.runId, status: 'failed', headline: 'interrupted by a restart of the responder', actor: run.requestedBy });
      if (record && def) {
        await this.d.notify.interrupted(record, def, run.requestedBy);
        await this.setStatus(record.findingId, `:warning: ${def.label} interrupted by a restart — check and re-run`, run.requestedBy);
        await this.d.notify.refreshCard(record.findingId);
      }
    }
    return runs.length;
  }

  private owner(): { owner?: string } {
    return this.d.replicaId ? { owner: this.d.replicaId } : {};
  }

  private async plan(def: ActionDefinition, record: FindingRecord, finding: Finding, actor: string): Promise<Plan> {
    try {
      return await withAuditContext({ findingId: record.findingId, actor }, () => def.plan(this.context(def, record, finding, actor)));
    } catch (err) {
      return this.blockedPlan(err, finding);
    }
  }

  private blockedPlan(err: unknown, finding: Finding): Plan {
    this.d.logger.warn({ findingId: finding.id, err: describeError(err) }, 'plan failed');
    const none = { resources: [], apiCalls: [], warnings: [] };
    if (finding.sample) return { summary: 'Nothing can be done for a sample finding.', ...none, blocked: SAMPLE_FINDING_MESSAGE };
    const text = isAppError(err) ? err.message : 'the plan could not be computed (unexpected error; see the responder logs)';
    return { summary: 'The plan could not be computed from the live state.', resources: [], apiCalls: [], warnings: [], blocked: text };
  }

  private async execute(def: ActionDefinition, run: ActionRun, record: FindingRecord): Promise<void> {
    const finding = findingOf(record);
    const input = (run.input ?? {}) as { inputs?: Record<string, string>; reason?: string };
    const log = this.d.logger.child({ findingId: record.findingId, runId: run.runId, action: def.id });
    await this.audit(record, run.runId, run.requestedBy, 'started', { action: def.id, approvedBy: run.approvedBy });
    const before = await this.d.store.getFinding(record.findingId);
    const statusBefore = { text: before?.statusText, by: await this.d.store.getFindingState<string>(record.findingId, STATUS_BY_KEY) };
    await this.setStatus(record.findingId, `:hourglass_flowing_sand: ${def.label} in progress`, run.requestedBy);
    await this.d.notify.refreshCard(record.findingId);
    await this.d.notify.started(record, def, run.requestedBy, { ...(input.reason ? { reason: input.reason } : {}), ...(run.approvedBy ? { approvedBy: run.approvedBy } : {}) });
    const progress = this.d.notify.progress(record, def);
    let outcome: Outcome;
    try {
      outcome = await withAuditContext({ findingId: record.findingId, runId: run.runId, actor: run.requestedBy }, () =>
        def.execute({
          ...this.context(def, record, finding, run.requestedBy, progress.push, run.approvedBy),
          plan: run.plan as Plan,
          inputs: input.inputs ?? {},
          ...(input.reason ? { reason: input.reason } : {}),
        }),
      );
    } catch (err) {
      log.error({ err: describeError(err) }, 'action failed');
      const msg = finding.sample ? SAMPLE_FINDING_MESSAGE : isAppError(err) ? err.message : 'unexpected error (see the responder logs); nothing more was attempted';
      const requestId = isAppError(err) ? (err.context.requestId as string | undefined) : undefined;
      outcome = { status: 'failed', headline: msg, done: [], notDone: [msg], next: [], requestIds: requestId ? [requestId] : [] };
    }
    await progress.flush();
    const finalState = outcome.status === 'succeeded' ? 'succeeded' : outcome.status === 'partial' ? 'partial' : 'failed';
    await this.d.store.transitionRun(run.runId, ['running'], finalState, { result: outcome }, this.d.clock.now());
    await this.audit(record, run.runId, run.requestedBy, 'result', { action: def.id, status: outcome.status, headline: outcome.headline, requestIds: outcome.requestIds, notDone: outcome.notDone });
    await this.phase(record.findingId, {
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
      const facts = (await this.d.store.getFindingState<Record<string, string>>(record.findingId, CARD_FACTS_KEY)) ?? {};
      await this.d.store.putFindingState(record.findingId, CARD_FACTS_KEY, { ...facts, ...outcome.cardFacts }, this.d.clock.now());
    }
    const icon = outcome.status === 'failed' ? ':x:' : outcome.status === 'partial' ? ':warning:' : ':white_check_mark:';
    const said = outcome.status === 'succeeded' ? 'done' : outcome.status === 'partial' ? 'partly done' : 'failed';
    const status = outcome.cardStatus ?? `${icon} ${def.label} ${said}`;
    // A failed read-only step (a refused scan, a sweep that could not run) changes nothing in AWS:
    // the card goes back to what it said before (e.g. "Malware found"); the thread has the failure.
    if (!def.changes && outcome.status === 'failed' && !outcome.cardStatus && statusBefore.text) await this.setStatus(record.findingId, statusBefore.text, statusBefore.by ?? run.requestedBy);
    else await this.setStatus(record.findingId, status, run.requestedBy);
    await this.d.notify.result(record, def, outcome, { actor: run.requestedBy, runId: run.runId });
    await this.d.notify.refreshCard(record.findingId);
    if (def.changes) await refreshSharing(this.d, finding, record.findingId, containmentOf(def, finding) ? { text: status, by: run.requestedBy, at: this.d.clock.now() } : undefined);
  }

  private context(
    def: ActionDefinition,
    record: FindingRecord,
    finding: Finding,
    actor: string,
    progress: (l: string) => void = () => undefined,
    approver?: string,
  ): ActionContext {
    const { store, clock } = this.d;
    // Member-account sessions carry the person (SourceIdentity), the approver and the step.
    const who = { requester: actor, step: def.id, ...(approver ? { approver } : {}) };
    return {
      finding,
      record,
      actor,
      aws: this.d.aws.forTarget({ accountId: finding.accountId, region: finding.region, actor: who }),
      awsIn: (place) => this.d.aws.forTarget({ ...place, actor: who }),
      places: () => this.d.aws.scope.places([finding.region]),
      accountName: (id) => this.d.aws.scope.nameOf(id),
      clock,
      log: this.d.logger.child({ findingId: finding.id, action: def.id }),
      // Containment keys live on the resource, shared by every card about it (actions/resource-keys.ts).
      state: stateAccessFor(store, () => clock.now(), record, finding),
      progress,
    };
  }

  private async alreadyDone(def: ActionDefinition, run: ActionRun): Promise<ActionRun | undefined> {
    if (def.repeatable) return undefined;
    const runs = await this.d.store.runsForFinding(run.findingId);
    return runs.find((r) => r.action === def.id && r.runId !== run.runId && (r.state === 'succeeded' || r.state === 'partial') && r.updatedAt >= run.createdAt);
  }

  private async explainClaim(
    req: Requester,
    record: FindingRecord,
    def: ActionDefinition,
    claim: Extract<Awaited<ReturnType<Store['transitionRun']>>, { ok: false }>,
  ): Promise<void> {
    const text =
      claim.reason === 'busy'
        ? `:hourglass_flowing_sand: *${def.label}* is already ${claim.active.state === 'awaiting_approval' ? 'waiting for approval' : 'running'} (requested by <@${claim.active.requestedBy}>). It was not started again.`
        : `:information_source: This confirmation was already submitted (${claim.run?.state ?? 'handled'}). It was not run again.`;
    await this.d.notify.tell(req, record, text);
  }

  private async phase(findingId: string, p: RunPhase & { actor: string; serviceTask?: boolean }): Promise<void> {
    await this.d.onPhase?.(findingId, p).catch((err) => this.d.logger.warn({ err: describeError(err), findingId }, 'incident timeline update failed'));
  }

  private async audit(record: FindingRecord | undefined, runId: string | undefined, actor: string, event: string, detail: unknown): Promise<void> {
    await this.d.store.appendAudit({ at: this.d.clock.now(), ...(record ? { findingId: record.findingId } : {}), ...(runId ? { runId } : {}), actor, event, detail });
  }

  private async setStatus(findingId: string, text: string, by: string): Promise<void> {
    await this.d.store.setFindingStatus(findingId, text);
    await this.d.store.putFindingState(findingId, STATUS_BY_KEY, by, this.d.clock.now());
  }

  /** Work a Slack handler continues after its ack: tracked so idle() (tests, shutdown) waits for it. */
  track(p: Promise<void>): Promise<void> {
    this.background(p);
    return p.catch(() => undefined);
  }

  private background(p: Promise<void>): void {
    const tracked = p.catch((err) => this.d.logger.error({ err: describeError(err) }, 'background step crashed')).finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
  }
}

function alreadyDoneText(def: ActionDefinition, done: ActionRun): string {
  return `:information_source: *${def.label}* was already done by <@${done.requestedBy}> after you opened this confirmation, so it was not run again.`;
}
