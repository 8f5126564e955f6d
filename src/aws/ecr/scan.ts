/**
 * On-demand ECR image scan and its severity summary.
 *
 * Two registry set-ups behave differently:
 * - basic scanning: StartImageScan works once per image per 24 hours (LimitExceededException
 *   after that); the last scan's findings stay readable;
 * - enhanced scanning (Amazon Inspector): images are scanned on push and continuously, and
 *   StartImageScan is refused with a ValidationException ("This feature is disabled");
 *   DescribeImageScanFindings still returns Inspector's findings (status ACTIVE).
 */
import { DescribeImageScanFindingsCommand, StartImageScanCommand } from '@aws-sdk/client-ecr';
import { AppError, isAppError } from '../../errors.js';
import { systemClock } from '../rate-limit.js';
import { awsCall } from '../errors.js';
import { resolveDigest, resolveEcrImage, type EcrClients, type EcrImageInput } from './image.js';

export const DEFAULT_SCAN_POLL_INTERVAL_MS = 5_000;
export const DEFAULT_SCAN_MAX_POLLS = 60;
/** Statuses after which polling stops (ACTIVE: enhanced scanning, findings kept current). */
export const FINAL_SCAN_STATUSES: ReadonlySet<string> = new Set([
  'COMPLETE',
  'ACTIVE',
  'FAILED',
  'UNSUPPORTED_IMAGE',
  'FINDINGS_UNAVAILABLE',
  'SCAN_ELIGIBILITY_EXPIRED',
  'LIMIT_EXCEEDED',
  'IMAGE_ARCHIVED',
]);
export const SEVERITY_ORDER = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL', 'UNDEFINED'] as const;

export interface StartScanResult {
  imageDigest: string;
  status?: string;
  description?: string;
  requestIds: string[];
}

export async function startImageScan(clients: EcrClients, input: EcrImageInput): Promise<StartScanResult> {
  const image = resolveEcrImage(input);
  const requestIds: string[] = [];
  const imageDigest = await resolveDigest(clients, image, requestIds);
  try {
    const out = await awsCall({ action: 'ecr:StartImageScan', resource: image.label }, requestIds, () =>
      clients.ecr.send(
        new StartImageScanCommand({
          ...(image.registryId !== undefined ? { registryId: image.registryId } : {}),
          repositoryName: image.repositoryName,
          imageId: { imageDigest },
        }),
      ),
    );
    return {
      imageDigest,
      ...(out.imageScanStatus?.status !== undefined ? { status: out.imageScanStatus.status } : {}),
      ...(out.imageScanStatus?.description !== undefined ? { description: out.imageScanStatus.description } : {}),
      requestIds,
    };
  } catch (err) {
    const name = isAppError(err) ? err.context.awsErrorName : undefined;
    const context = { ...(isAppError(err) ? err.context : {}), image: image.label, imageDigest };
    if (name === 'LimitExceededException') {
      throw new AppError(
        'aws_scan_unavailable',
        `ECR basic scanning allows one scan per image every 24 hours and ${image.label} was scanned within that window. Its last scan's findings can still be read.`,
        { cause: err, context: { ...context, reason: 'scan_limit' } },
      );
    }
    if (name === 'ValidationException') {
      throw new AppError(
        'aws_scan_unavailable',
        `This registry uses enhanced scanning (Amazon Inspector), which scans images on push and continuously; on-demand scans are not available. Inspector's current findings for ${image.label} can still be read.`,
        { cause: err, context: { ...context, reason: 'enhanced_scanning' } },
      );
    }
    if (name === 'UnsupportedImageTypeException') {
      throw new AppError('aws_scan_unavailable', `ECR cannot scan ${image.label}: its image type or operating system is not supported by scanning.`, {
        cause: err,
        context: { ...context, reason: 'unsupported_image' },
      });
    }
    throw err;
  }
}

export interface ScanSummary {
  imageDigest: string;
  /** ECR's scan status, or NOT_FOUND when no scan exists. */
  status: string;
  complete: boolean;
  /** Polling stopped at maxPolls before a final status. */
  timedOut: boolean;
  severityCounts: Record<string, number>;
  total: number;
  /** "2 CRITICAL, 5 HIGH" / "no findings". */
  text: string;
  description?: string;
  completedAt?: string;
  polls: number;
  requestIds: string[];
}

export function severityText(counts: Record<string, number>): string {
  const known = SEVERITY_ORDER.filter((s) => (counts[s] ?? 0) > 0).map((s) => `${counts[s]} ${s}`);
  const other = Object.keys(counts)
    .filter((s) => !(SEVERITY_ORDER as readonly string[]).includes(s) && (counts[s] ?? 0) > 0)
    .sort()
    .map((s) => `${counts[s]} ${s}`);
  const all = [...known, ...other];
  return all.length > 0 ? all.join(', ') : 'no findings';
}

export async function waitForScanFindings(
  clients: EcrClients,
  input: EcrImageInput,
  options: { sleep?: (ms: number) => Promise<void>; maxPolls?: number; intervalMs?: number } = {},
): Promise<ScanSummary> {
  const sleep = options.sleep ?? systemClock.sleep;
  const maxPolls = Math.max(1, options.maxPolls ?? DEFAULT_SCAN_MAX_POLLS);
  const intervalMs = options.intervalMs ?? DEFAULT_SCAN_POLL_INTERVAL_MS;
  const image = resolveEcrImage(input);
  const requestIds: string[] = [];
  const imageDigest = await resolveDigest(clients, image, requestIds);

  let polls = 0;
  let status = 'NOT_FOUND';
  let description: string | undefined;
  for (;;) {
    polls++;
    try {
      const out = await awsCall({ action: 'ecr:DescribeImageScanFindings', resource: image.label }, requestIds, () =>
        clients.ecr.send(
          new DescribeImageScanFindingsCommand({
            ...(image.registryId !== undefined ? { registryId: image.registryId } : {}),
            repositoryName: image.repositoryName,
            imageId: { imageDigest },
            // Only the counts are needed; they cover every finding whatever the page size.
            maxResults: 1,
          }),
        ),
      );
      status = out.imageScanStatus?.status ?? 'UNKNOWN';
      description = out.imageScanStatus?.description;
      if (FINAL_SCAN_STATUSES.has(status)) {
        const counts: Record<string, number> = { ...(out.imageScanFindings?.findingSeverityCounts ?? {}) };
        const total = Object.values(counts).reduce((n, c) => n + c, 0);
        const completedAt = out.imageScanFindings?.imageScanCompletedAt;
        return {
          imageDigest,
          status,
          complete: status === 'COMPLETE' || status === 'ACTIVE',
          timedOut: false,
          severityCounts: counts,
          total,
          text: severityText(counts),
          ...(description !== undefined ? { description } : {}),
          ...(completedAt !== undefined ? { completedAt: completedAt.toISOString() } : {}),
          polls,
          requestIds,
        };
      }
    } catch (err) {
      // No scan yet (e.g. just started and not registered): keep polling; anything else is real.
      if (!(isAppError(err) && err.context.awsErrorName === 'ScanNotFoundException')) throw err;
      status = 'NOT_FOUND';
    }
    if (polls >= maxPolls) break;
    await sleep(intervalMs);
  }
  return {
    imageDigest,
    status,
    complete: false,
    timedOut: true,
    severityCounts: {},
    total: 0,
    text: status === 'NOT_FOUND' ? 'no scan found for this image' : `scan still ${status.toLowerCase().replace(/_/g, ' ')}`,
    ...(description !== undefined ? { description } : {}),
    polls,
    requestIds,
  };
}
