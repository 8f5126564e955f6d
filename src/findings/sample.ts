/**
 * GuardDuty sample findings (CreateSampleFindings) carry fake resource ids: acting on them would
 * at best fail and at worst hit a real resource that happens to share the fake name. Every step
 * refuses them through this one rule, before any AWS or Kubernetes call.
 */
import { AppError } from '../errors.js';
import type { Finding } from './model.js';

/** What a run of a step on a sample finding reports (plan modal, thread, card). */
export const SAMPLE_FINDING_MESSAGE = 'resource not found — this is a sample finding (GuardDuty sample findings use fake resource ids)';

/** Throws `action_invalid` for a sample finding; `what` names its fake parts ("resource ids", "resource names"). */
export function refuseSampleFinding(finding: Pick<Finding, 'id' | 'sample'>, what = 'resource ids'): void {
  if (!finding.sample) return;
  throw new AppError('action_invalid', `This is a GuardDuty sample finding: its ${what} are fake, so there is nothing to act on.`, {
    context: { findingId: finding.id },
  });
}
