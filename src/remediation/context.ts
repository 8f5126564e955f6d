/**
 * What a step sees while it plans or runs (ActionContext): the finding, AWS clients for the
 * finding's account and Region that carry who asked and who approved, typed per-finding state,
 * the clock, a progress line sink.
 */
import type { ActionContext, ActionDefinition } from '../actions/types.js';
import type { Finding } from '../findings/model.js';
import type { FindingRecord } from '../store/store.js';
import type { ActionRunnerDeps } from './deps.js';
import { stateAccessFor } from '../actions/resource-keys.js';

export interface StepCaller {
  actor: string;
  approver?: string;
  progress?: (line: string) => void;
}

export function stepContext(
  d: Pick<ActionRunnerDeps, 'store' | 'clock' | 'aws' | 'logger'>,
  def: ActionDefinition,
  record: FindingRecord,
  finding: Finding,
  caller: StepCaller,
): ActionContext {
  const { store, clock } = d;
  const { actor, approver } = caller;
  // Member-account sessions carry the person (SourceIdentity), the approver and the step.
  const who = { requester: actor, step: def.id, ...(approver ? { approver } : {}) };
  return {
    finding,
    record,
    actor,
    aws: d.aws.forTarget({ accountId: finding.accountId, region: finding.region, actor: who }),
    awsIn: (place) => d.aws.forTarget({ ...place, actor: who }),
    places: () => d.aws.scope.places([finding.region]),
    accountName: (id) => d.aws.scope.nameOf(id),
    clock,
    log: d.logger.child({ findingId: finding.id, action: def.id }),
    // Containment keys live on the resource, shared by every card about it (actions/resource-keys.ts).
    state: stateAccessFor(store, () => clock.now(), record, finding),
    progress: caller.progress ?? (() => undefined),
  };
}
