/**
 * The plan phase: the step's live dry-run (what it would change, which API calls, warnings). A
 * plan that cannot be computed is a blocked plan with a reason the requester can act on, never a
 * crash: the confirmation then shows why the step cannot run.
 */
import type { ActionDefinition, Plan } from '../actions/types.js';
import { withAuditContext } from '../audit/aws-calls.js';
import { describeError, isAppError } from '../errors.js';
import type { Finding } from '../findings/model.js';
import { SAMPLE_FINDING_MESSAGE } from '../findings/sample.js';
import type { Logger } from '../log.js';
import type { FindingRecord } from '../store/store.js';
import { stepContext } from './context.js';
import type { ActionRunnerDeps } from './deps.js';

export async function planStep(
  d: Pick<ActionRunnerDeps, 'store' | 'clock' | 'aws' | 'logger'>,
  def: ActionDefinition,
  record: FindingRecord,
  finding: Finding,
  actor: string,
): Promise<Plan> {
  try {
    return await withAuditContext({ findingId: record.findingId, actor }, () => def.plan(stepContext(d, def, record, finding, { actor })));
  } catch (err) {
    return blockedPlan(d.logger, err, finding);
  }
}

export function blockedPlan(logger: Logger, err: unknown, finding: Finding): Plan {
  logger.warn({ findingId: finding.id, err: describeError(err) }, 'plan failed');
  const none = { resources: [], apiCalls: [], warnings: [] };
  if (finding.sample) return { summary: 'Nothing can be done for a sample finding.', ...none, blocked: SAMPLE_FINDING_MESSAGE };
  const text = isAppError(err) ? err.message : 'the plan could not be computed (unexpected error; see the responder logs)';
  return { summary: 'The plan could not be computed from the live state.', ...none, blocked: text };
}
