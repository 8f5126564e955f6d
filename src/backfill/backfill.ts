/**
 * Backfill: SNS retries an HTTPS endpoint for about a minute, then drops the message, so a deploy
 * or outage longer than that would lose findings. On start and every few minutes (one replica at a
 * time), ask GuardDuty for the findings updated since the last one seen, per detector of every
 * allowed account and Region, and feed each through the SAME path as an SNS message: the durable
 * inbox, with a stable message id, then the usual ingest. A finding whose card already shows that
 * version changes nothing (the inbox dedupes the message id; ingest skips a shown version).
 */
import { describeError } from '../errors.js';
import { camelizeKeys } from '../findings/camel-case.js';
import { EVENTBRIDGE_DETAIL_TYPE } from '../findings/parse.js';
import type { AwsClientFactory } from '../aws/clients.js';
import type { AwsPlace } from '../aws/accounts.js';
import { getFindings, listDetectorIds, listFindingIdsUpdatedSince } from '../aws/guardduty/list-findings.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/store.js';
import type { Clock } from '../util/clock.js';

/** The leadership lease's name (one replica backfills at a time). */
export const BACKFILL_JOB = 'backfill';
/** Inbox "topic" of backfilled messages (logs and audits tell them from SNS deliveries). */
export const BACKFILL_SOURCE = 'backfill';
/** Watermarks are small documents in the per-finding state table, under this pseudo finding id. */
export const WATERMARK_OWNER = '_backfill';
/** First run on a fresh database: look this far back (not the detector's whole history). */
export const FIRST_LOOKBACK_MS = 60 * 60_000;
/**
 * Each run re-reads a little before the watermark: ListFindings is eventually consistent, so a
 * finding updated just before the last one seen may show up late. Re-reads are deduped.
 */
export const WATERMARK_OVERLAP_MS = 5 * 60_000;

export interface BackfillDeps {
  store: Store;
  aws: Pick<AwsClientFactory, 'forTarget' | 'scope'>;
  clock: Clock;
  logger: Logger;
  /** Regions to read when AWS_REGIONS is unset (the configured topics' and AWS_REGION). */
  fallbackRegions: readonly string[];
  /** Called once something new was accepted (wakes the inbox worker). */
  onAccepted: () => void;
}

export interface BackfillSummary {
  places: number;
  detectors: number;
  findings: number;
  accepted: number;
  failedPlaces: number;
}

/** A stable message id per finding version: the same version backfilled twice is one inbox entry. */
export function backfillMessageId(findingId: string, updatedAt: string, count: number): string {
  return `backfill:${findingId}:${updatedAt}:${count}`;
}

/** The EventBridge event GuardDuty would have published for this finding (what SNS carries). */
export function eventFor(finding: object, place: AwsPlace): string {
  return JSON.stringify({
    version: '0',
    'detail-type': EVENTBRIDGE_DETAIL_TYPE,
    source: 'aws.guardduty',
    account: place.accountId,
    region: place.region,
    detail: camelizeKeys(finding),
  });
}

export async function runBackfill(deps: BackfillDeps): Promise<BackfillSummary> {
  const log = deps.logger.child({ component: 'backfill' });
  await deps.aws.scope.resolveOwn().catch(() => undefined); // own account unknown: no places yet
  const places = deps.aws.scope.places(deps.fallbackRegions);
  const sum: BackfillSummary = { places: places.length, detectors: 0, findings: 0, accepted: 0, failedPlaces: 0 };
  for (const place of places) {
    try {
      const clients = deps.aws.forTarget(place);
      for (const detectorId of await listDetectorIds(clients)) {
        sum.detectors++;
        const r = await backfillDetector(deps, place, detectorId, clients);
        sum.findings += r.findings;
        sum.accepted += r.accepted;
      }
    } catch (err) {
      // One account or Region refusing (no role, GuardDuty off) does not stop the others.
      sum.failedPlaces++;
      log.warn({ ...place, err: describeError(err) }, 'backfill could not read this account and Region');
    }
  }
  if (sum.accepted > 0) deps.onAccepted();
  log.info(sum, 'backfill done');
  return sum;
}

async function backfillDetector(
  deps: BackfillDeps,
  place: AwsPlace,
  detectorId: string,
  clients: ReturnType<AwsClientFactory['forTarget']>,
): Promise<{ findings: number; accepted: number }> {
  const key = `watermark:${place.accountId}:${place.region}:${detectorId}`;
  const now = deps.clock.now();
  const watermark = (await deps.store.getFindingState<number>(WATERMARK_OWNER, key)) ?? now - FIRST_LOOKBACK_MS;
  const ids = await listFindingIdsUpdatedSince(clients, detectorId, Math.max(0, watermark - WATERMARK_OVERLAP_MS));
  const findings = ids.length ? await getFindings(clients, detectorId, ids) : [];
  let accepted = 0;
  let newest = watermark;
  for (const f of findings) {
    if (!f.Id || !f.UpdatedAt) continue;
    const outcome = await deps.store.acceptMessage({
      messageId: backfillMessageId(f.Id, f.UpdatedAt, f.Service?.Count ?? 0),
      topicArn: BACKFILL_SOURCE,
      receivedAt: deps.clock.now(),
      payload: eventFor(f, place),
      reqId: BACKFILL_SOURCE,
    });
    if (outcome === 'accepted') accepted++;
    const at = Date.parse(f.UpdatedAt);
    if (Number.isFinite(at)) newest = Math.max(newest, at);
  }
  // Stored only after every finding is in the inbox: a crash mid-way re-reads, never skips.
  if (newest !== watermark || findings.length === 0) await deps.store.putFindingState(WATERMARK_OWNER, key, newest, now);
  return { findings: findings.length, accepted };
}
