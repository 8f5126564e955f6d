/**
 * Backfill reads: every detector in one account and Region, the findings updated since a
 * watermark (ListFindings, paged), and their full documents (GetFindings, at most 50 ids a call).
 */
import { GetFindingsCommand, paginateListDetectors, paginateListFindings, type Finding } from '@aws-sdk/client-guardduty';
import { awsCall } from '../errors.js';
import { awsPages, ownInput } from '../paging.js';
import { chunk } from '../concurrency.js';
import type { GuardDutyClients } from './malware-scan.js';

/** GetFindings accepts at most 50 finding ids per call. */
export const GET_FINDINGS_MAX_IDS = 50;
/** ListFindings MaxResults is 1–50. */
export const LIST_FINDINGS_PAGE_SIZE = 50;

export async function listDetectorIds(clients: GuardDutyClients, requestIds: string[] = []): Promise<string[]> {
  const ids: string[] = [];
  const pages = paginateListDetectors({ client: clients.guardduty, withCommand: ownInput }, {});
  for await (const page of awsPages({ action: 'guardduty:ListDetectors', resource: '*' }, requestIds, pages)) ids.push(...(page.DetectorIds ?? []));
  return ids;
}

/** Ids of the detector's findings whose updatedAt is at or after `sinceMs` (epoch milliseconds). */
export async function listFindingIdsUpdatedSince(clients: GuardDutyClients, detectorId: string, sinceMs: number, requestIds: string[] = []): Promise<string[]> {
  const ids: string[] = [];
  const pages = paginateListFindings(
    { client: clients.guardduty, withCommand: ownInput, pageSize: LIST_FINDINGS_PAGE_SIZE },
    { DetectorId: detectorId, FindingCriteria: { Criterion: { updatedAt: { GreaterThanOrEqual: sinceMs } } } },
  );
  for await (const page of awsPages({ action: 'guardduty:ListFindings', resource: detectorId }, requestIds, pages)) ids.push(...(page.FindingIds ?? []));
  return ids;
}

/** The findings' full documents (the SDK's PascalCase shape), in chunks of 50 ids. */
export async function getFindings(clients: GuardDutyClients, detectorId: string, findingIds: readonly string[], requestIds: string[] = []): Promise<Finding[]> {
  const out: Finding[] = [];
  for (const ids of chunk([...new Set(findingIds)], GET_FINDINGS_MAX_IDS)) {
    const page = await awsCall({ action: 'guardduty:GetFindings', resource: detectorId }, requestIds, () =>
      clients.guardduty.send(new GetFindingsCommand({ DetectorId: detectorId, FindingIds: ids })),
    );
    out.push(...(page.Findings ?? []));
  }
  return out;
}
