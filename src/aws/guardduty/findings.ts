/**
 * Finding housekeeping for a later issue: archive, mark as not useful, and a suppression rule
 * (a filter with action ARCHIVE, which auto-archives future matching findings — they still
 * arrive through EventBridge, but archived, and the GuardDuty console hides them).
 *
 * ArchiveFindings and UpdateFindingsFeedback take at most 50 finding ids per call: larger lists
 * are sent in chunks, each chunk's outcome reported.
 */
import { ArchiveFindingsCommand, CreateFilterCommand, UpdateFindingsFeedbackCommand, type Condition } from '@aws-sdk/client-guardduty';
import { AppError } from '../../errors.js';
import { chunk } from '../concurrency.js';
import { awsCall } from '../errors.js';
import { stepFailure, type StepFailure } from '../step-failure.js';
import type { GuardDutyClients } from './malware-scan.js';

export const FINDING_IDS_PER_CALL = 50;
/** CreateFilter: name 3–64 of `[A-Za-z0-9._-]`, description ≤ 512. */
export const FILTER_NAME_RE = /^[A-Za-z0-9._-]{3,64}$/;
export const FILTER_DESCRIPTION_MAX = 512;

export interface BatchResult {
  done: string[];
  failures: StepFailure[];
  requestIds: string[];
}

async function inChunks(
  findingIds: readonly string[],
  step: 'guardduty:ArchiveFindings' | 'guardduty:UpdateFindingsFeedback',
  detectorId: string,
  send: (ids: string[], requestIds: string[]) => Promise<unknown>,
): Promise<BatchResult> {
  const r: BatchResult = { done: [], failures: [], requestIds: [] };
  for (const ids of chunk([...new Set(findingIds)], FINDING_IDS_PER_CALL)) {
    try {
      await send(ids, r.requestIds);
      r.done.push(...ids);
    } catch (err) {
      r.failures.push(stepFailure(step, `${ids.length} finding(s) in detector ${detectorId}`, err));
    }
  }
  return r;
}

export function archiveFindings(clients: GuardDutyClients, detectorId: string, findingIds: readonly string[]): Promise<BatchResult> {
  return inChunks(findingIds, 'guardduty:ArchiveFindings', detectorId, (ids, requestIds) =>
    awsCall({ action: 'guardduty:ArchiveFindings', resource: detectorId }, requestIds, () =>
      clients.guardduty.send(new ArchiveFindingsCommand({ DetectorId: detectorId, FindingIds: ids })),
    ),
  );
}

export function sendFeedback(
  clients: GuardDutyClients,
  detectorId: string,
  findingIds: readonly string[],
  feedback: 'USEFUL' | 'NOT_USEFUL',
  comment?: string,
): Promise<BatchResult> {
  return inChunks(findingIds, 'guardduty:UpdateFindingsFeedback', detectorId, (ids, requestIds) =>
    awsCall({ action: 'guardduty:UpdateFindingsFeedback', resource: detectorId }, requestIds, () =>
      clients.guardduty.send(
        new UpdateFindingsFeedbackCommand({ DetectorId: detectorId, FindingIds: ids, Feedback: feedback, ...(comment ? { Comments: comment } : {}) }),
      ),
    ),
  );
}

/**
 * A suppression rule: CreateFilter with Action ARCHIVE. `criteria` uses the GuardDuty finding
 * criterion keys (`type`, `resource.instanceDetails.instanceId`, `service.runtimeDetails.process.name`…).
 */
export async function createSuppressionFilter(
  clients: GuardDutyClients,
  detectorId: string,
  input: { name: string; criteria: Record<string, Condition>; description?: string; rank?: number; idempotencyKey?: string },
): Promise<{ name: string; requestIds: string[] }> {
  if (!FILTER_NAME_RE.test(input.name)) {
    throw new AppError('action_invalid', `"${input.name}" is not a valid GuardDuty filter name: 3 to 64 letters, digits, ".", "_" or "-".`);
  }
  if (Object.keys(input.criteria).length === 0) {
    throw new AppError('action_invalid', 'A suppression rule needs at least one criterion: without one it would archive every future finding.');
  }
  const requestIds: string[] = [];
  const out = await awsCall({ action: 'guardduty:CreateFilter', resource: detectorId }, requestIds, () =>
    clients.guardduty.send(
      new CreateFilterCommand({
        DetectorId: detectorId,
        Name: input.name,
        Action: 'ARCHIVE',
        FindingCriteria: { Criterion: input.criteria },
        ...(input.description !== undefined ? { Description: input.description.slice(0, FILTER_DESCRIPTION_MAX) } : {}),
        ...(input.rank !== undefined ? { Rank: input.rank } : {}),
        ...(input.idempotencyKey !== undefined ? { ClientToken: input.idempotencyKey.slice(0, 64) } : {}),
      }),
    ),
  );
  return { name: out.Name ?? input.name, requestIds };
}
