/**
 * GuardDuty on the wire (restJson1; camelCase JSON members; epoch-second timestamps):
 * GET /detector (ListDetectors), POST /malware-scan/start (StartMalwareScan), GET
 * /malware-scan/{ScanId} (GetMalwareScan), POST /detector/{DetectorId}/malware-scans
 * (DescribeMalwareScans), POST /detector/{DetectorId}/findings/archive (ArchiveFindings), POST
 * /detector/{DetectorId}/findings/feedback (UpdateFindingsFeedback), POST
 * /detector/{DetectorId}/filter (CreateFilter), POST /detector/{DetectorId}/findings
 * (ListFindings: the updatedAt criterion in epoch milliseconds, maxResults 1–50, nextToken), POST
 * /detector/{DetectorId}/findings/get (GetFindings: 1–50 ids; unknown ids are left out),
 * POST /detector/{DetectorId}/findings/create (CreateSampleFindings, recorded in `sampleRequests`).
 *
 * Modelled from the API reference and user guide: a new on-demand scan of the same instance
 * within one hour of the previous scan's start is refused ("A scan was started on this resource
 * recently…", answered here as BadRequestException — the code is not documented); clientToken
 * makes StartMalwareScan idempotent; DescribeMalwareScans filters on ONE criterion; at most 50
 * finding ids per archive/feedback call; a detector of another account is BadRequestException
 * "…the input detectorId is not owned by the current account."
 */
import { AwsServiceError, decodeToken, encodeToken, json, type RestJsonServiceDefinition } from '../service.js';
import type { GuardDutyState, MalwareScan } from './state.js';

export const GUARDDUTY_LIMITS = {
  listFindingsMaxResults: 50,
  findingIdsPerCall: 50,
  describeScansMaxResults: 50,
  filterNameRe: /^[A-Za-z0-9._-]{3,64}$/,
} as const;

const badRequest = (message: string) => new AwsServiceError('BadRequestException', message, 400);
const INSTANCE_ARN = /^arn:aws[a-z-]*:ec2:([a-z0-9-]+):(\d{12}):instance\/(i-[0-9a-f]+)$/;

function scanJson(state: GuardDutyState, s: MalwareScan) {
  const running = s.polls <= (s.outcome.completesAfterPolls ?? 1);
  const status = running ? 'RUNNING' : s.outcome.status;
  return {
    detectorId: s.detectorId,
    adminDetectorId: s.detectorId,
    scanId: s.scanId,
    scanStatus: status,
    ...(status === 'FAILED' || status === 'SKIPPED' ? { failureReason: s.outcome.failureReason ?? 'UNKNOWN' } : {}),
    scanStartTime: s.startedAt,
    ...(!running && s.endedAt ? { scanEndTime: s.endedAt } : {}),
    triggerDetails: { description: 'On-demand scan' },
    resourceDetails: { instanceArn: s.resourceArn },
    ...(status === 'COMPLETED'
      ? {
          scanResultDetails: { scanResult: s.outcome.result ?? 'CLEAN' },
          fileCount: s.outcome.fileCount ?? 1000,
          totalBytes: s.outcome.totalBytes ?? 1_000_000,
        }
      : {}),
    accountId: state.accountId,
    attachedVolumes: s.volumes.map((v) => ({
      volumeArn: v.volumeArn,
      volumeType: 'gp3',
      deviceName: v.deviceName,
      volumeSizeInGB: v.sizeGb,
      encryptionType: 'UNENCRYPTED',
    })),
    scanType: 'ON_DEMAND',
  };
}

/**
 * EventBridge carries every time as an ISO string; the REST API (restJson1) sends the members the
 * model types as timestamps as epoch seconds — all but the finding's own createdAt/updatedAt
 * (strings in the model). The SDK refuses an ISO string where it expects a number.
 */
const NESTED_TIMESTAMPS = new Set(['createdAt', 'updatedAt', 'startTime', 'startedAt', 'modifiedAt', 'firstSeenAt', 'lastSeenAt', 'lastModifiedAt']);
function restFinding(value: unknown, depth = 0, key = ''): unknown {
  if (Array.isArray(value)) return value.map((v) => restFinding(v, depth + 1, key));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, restFinding(v, depth + 1, k)]));
  if (depth > 1 && NESTED_TIMESTAMPS.has(key) && typeof value === 'string' && !Number.isNaN(Date.parse(value))) return Date.parse(value) / 1000;
  return value;
}

export function guardDutyService(state: GuardDutyState): RestJsonServiceDefinition {
  const detector = (labels: Record<string, string>): string => {
    const id = labels.DetectorId ?? '';
    if (!state.detectorId || id !== state.detectorId)
      throw badRequest('The request is rejected because the input detectorId is not owned by the current account.');
    return id;
  };
  const findingIds = (body: Record<string, unknown>): string[] => {
    const ids = json.strList(body, 'findingIds') ?? [];
    if (ids.length < 1 || ids.length > GUARDDUTY_LIMITS.findingIdsPerCall)
      throw badRequest(`The request is rejected because findingIds must contain between 1 and ${GUARDDUTY_LIMITS.findingIdsPerCall} items.`);
    return ids;
  };

  return {
    name: 'guardduty',
    protocol: 'restJson1',
    resourceOf(_op, params) {
      const p = (params ?? {}) as { labels?: Record<string, string>; body?: Record<string, unknown> };
      if (typeof p.body?.resourceArn === 'string') return p.body.resourceArn;
      const d = p.labels?.DetectorId;
      return d ? `arn:aws:guardduty:${state.region}:${state.accountId}:detector/${d}` : '*';
    },
    routes: [
      { method: 'GET', path: '/detector', op: 'ListDetectors' },
      { method: 'POST', path: '/malware-scan/start', op: 'StartMalwareScan' },
      { method: 'GET', path: '/malware-scan/{ScanId}', op: 'GetMalwareScan' },
      { method: 'POST', path: '/detector/{DetectorId}/malware-scans', op: 'DescribeMalwareScans' },
      { method: 'POST', path: '/detector/{DetectorId}/findings/archive', op: 'ArchiveFindings' },
      { method: 'POST', path: '/detector/{DetectorId}/findings/feedback', op: 'UpdateFindingsFeedback' },
      { method: 'POST', path: '/detector/{DetectorId}/filter', op: 'CreateFilter' },
      { method: 'POST', path: '/detector/{DetectorId}/findings', op: 'ListFindings' },
      { method: 'POST', path: '/detector/{DetectorId}/findings/get', op: 'GetFindings' },
      { method: 'POST', path: '/detector/{DetectorId}/findings/create', op: 'CreateSampleFindings' },
    ],
    operations: {
      ListDetectors() {
        return { detectorIds: state.detectorId ? [state.detectorId] : [] };
      },

      StartMalwareScan({ body }) {
        const arn = json.str(body, 'resourceArn') ?? '';
        const m = INSTANCE_ARN.exec(arn);
        if (!m || m[1] !== state.region || m[2] !== state.accountId) throw badRequest('The request is rejected because the input resourceArn is not valid.');
        const instanceId = m[3]!;
        const token = json.str(body, 'clientToken');
        if (token !== undefined) {
          const same = [...state.scans.values()].find((s) => s.clientToken === token);
          if (same) {
            if (same.resourceArn !== arn)
              throw new AwsServiceError('ConflictException', 'The request conflicts with a previous request with the same client token.', 409);
            return { scanId: same.scanId };
          }
        }
        const inst = state.describeInstance?.(instanceId);
        if (!inst) throw badRequest(`The request is rejected because the resource ${arn} does not exist.`);
        const now = state.now();
        const recent = [...state.scans.values()].find((s) => s.resourceArn === arn && now.getTime() - s.startedAt.getTime() < state.rescanWindowMs);
        if (recent)
          throw badRequest(
            'A scan was started on this resource recently. You can request a scan on the same resource one hour after the previous scan start time.',
          );
        const scan: MalwareScan = {
          scanId: state.newScanId(),
          detectorId: state.detectorId ?? '',
          resourceArn: arn,
          instanceId,
          ...(token !== undefined ? { clientToken: token } : {}),
          startedAt: now,
          polls: 0,
          outcome: state.outcomes.get(instanceId) ?? { status: 'COMPLETED', result: 'CLEAN' },
          volumes: inst.volumes.map((v) => ({
            volumeArn: `arn:aws:ec2:${state.region}:${state.accountId}:volume/${v.volumeId}`,
            deviceName: v.deviceName,
            sizeGb: v.sizeGb,
          })),
        };
        state.scans.set(scan.scanId, scan);
        return { scanId: scan.scanId };
      },

      DescribeMalwareScans({ body, labels }) {
        const detectorId = detector(labels);
        const criteria =
          (body.filterCriteria as { filterCriterion?: { criterionKey?: string; filterCondition?: { equalsValue?: string } }[] } | undefined)?.filterCriterion ??
          [];
        if (criteria.length > 1) throw badRequest('The request is rejected because only one filter criterion is supported.');
        const max = json.num(body, 'maxResults') ?? GUARDDUTY_LIMITS.describeScansMaxResults;
        if (max < 1 || max > GUARDDUTY_LIMITS.describeScansMaxResults) throw badRequest('The request is rejected because maxResults must be between 1 and 50.');
        let all = [...state.scans.values()].filter((s) => s.detectorId === detectorId);
        const c = criteria[0];
        if (c) {
          const v = c.filterCondition?.equalsValue;
          const field: Record<string, (s: MalwareScan) => string> = {
            SCAN_ID: (s) => s.scanId,
            EC2_INSTANCE_ARN: (s) => s.resourceArn,
            ACCOUNT_ID: () => state.accountId,
            SCAN_TYPE: () => 'ON_DEMAND',
            SCAN_STATUS: (s) => String(scanJson(state, s).scanStatus),
          };
          const f = field[c.criterionKey ?? ''];
          if (!f) throw badRequest(`The request is rejected because the criterionKey ${c.criterionKey ?? ''} is not supported here.`);
          all = all.filter((s) => f(s) === v);
        }
        const scope = JSON.stringify(criteria);
        const start = decodeToken(json.str(body, 'nextToken'), scope, () => badRequest('The request is rejected because the nextToken is not valid.'));
        const page = all.slice(start, start + max);
        for (const s of page) {
          s.polls += 1;
          if (s.polls > (s.outcome.completesAfterPolls ?? 1) && !s.endedAt) s.endedAt = state.now();
        }
        return { scans: page.map((s) => scanJson(state, s)), ...(start + max < all.length ? { nextToken: encodeToken(start + max, scope) } : {}) };
      },

      GetMalwareScan({ labels }) {
        const s = state.scans.get(labels.ScanId ?? '');
        if (!s) throw new AwsServiceError('ResourceNotFoundException', "The requested resource can't be found.", 404);
        const view = scanJson(state, s);
        const threats = s.outcome.threats ?? [];
        return {
          scanId: s.scanId,
          detectorId: s.detectorId,
          resourceArn: s.resourceArn,
          resourceType: 'EC2_INSTANCE',
          scanStatus: view.scanStatus,
          scanType: 'ON_DEMAND',
          scanStartedAt: s.startedAt,
          ...(view.scanStatus === 'COMPLETED'
            ? {
                scanCompletedAt: s.endedAt,
                scanResultDetails: {
                  scanResultStatus: s.outcome.result === 'INFECTED' ? 'THREATS_FOUND' : 'NO_THREATS_FOUND',
                  totalFileCount: s.outcome.fileCount ?? 1000,
                  threatFoundFileCount: threats.reduce((n, t) => n + (t.count ?? 1), 0),
                  uniqueThreatCount: threats.length,
                  threats: threats.map((t) => ({ name: t.name, source: 'Amazon', count: t.count ?? 1, ...(t.hash ? { hash: t.hash } : {}) })),
                },
              }
            : {}),
        };
      },

      ListFindings({ body, labels }) {
        detector(labels);
        const max = json.num(body, 'maxResults') ?? GUARDDUTY_LIMITS.listFindingsMaxResults;
        if (max < 1 || max > GUARDDUTY_LIMITS.listFindingsMaxResults) throw badRequest('The request is rejected because maxResults must be between 1 and 50.');
        const criterion = (body.findingCriteria as { criterion?: Record<string, Record<string, unknown>> } | undefined)?.criterion ?? {};
        for (const key of Object.keys(criterion))
          if (key !== 'updatedAt') throw badRequest(`The request is rejected because the criterion ${key} is not supported here.`);
        const since = criterion.updatedAt?.greaterThanOrEqual;
        if (since !== undefined && typeof since !== 'number')
          throw badRequest('The request is rejected because updatedAt.greaterThanOrEqual must be epoch milliseconds.');
        const all = [...state.findings.values()].filter((f) => since === undefined || Date.parse(String(f.updatedAt)) >= since).map((f) => String(f.id));
        const scope = JSON.stringify(criterion);
        const start = decodeToken(json.str(body, 'nextToken'), scope, () => badRequest('The request is rejected because the nextToken is not valid.'));
        return { findingIds: all.slice(start, start + max), ...(start + max < all.length ? { nextToken: encodeToken(start + max, scope) } : {}) };
      },

      GetFindings({ body, labels }) {
        detector(labels);
        return {
          findings: findingIds(body).flatMap((id) => {
            const f = state.findings.get(id);
            return f ? [restFinding(f)] : [];
          }),
        };
      },

      ArchiveFindings({ body, labels }) {
        detector(labels);
        for (const id of findingIds(body)) state.archived.add(id);
        return {};
      },

      UpdateFindingsFeedback({ body, labels }) {
        detector(labels);
        const feedback = json.str(body, 'feedback');
        if (feedback !== 'USEFUL' && feedback !== 'NOT_USEFUL') throw badRequest('The request is rejected because feedback must be USEFUL or NOT_USEFUL.');
        const comments = json.str(body, 'comments');
        for (const id of findingIds(body)) state.feedback.set(id, { feedback, ...(comments !== undefined ? { comments } : {}) });
        return {};
      },

      CreateSampleFindings({ body, labels }) {
        detector(labels);
        const types = Array.isArray(body.findingTypes) ? body.findingTypes.map(String) : [];
        state.sampleRequests.push(types);
        return {};
      },

      CreateFilter({ body, labels }) {
        detector(labels);
        const name = json.str(body, 'name') ?? '';
        if (!GUARDDUTY_LIMITS.filterNameRe.test(name)) throw badRequest('The request is rejected because the filter name is not valid.');
        const criterion = (body.findingCriteria as { criterion?: Record<string, unknown> } | undefined)?.criterion;
        if (!criterion || Object.keys(criterion).length === 0) throw badRequest('The request is rejected because findingCriteria is required.');
        if (state.filters.has(name)) throw badRequest(`The request is rejected because a filter named ${name} already exists.`);
        const action = json.str(body, 'action') ?? 'NOOP';
        const rank = json.num(body, 'rank');
        const description = json.str(body, 'description');
        state.filters.set(name, { name, action, criterion, ...(rank !== undefined ? { rank } : {}), ...(description !== undefined ? { description } : {}) });
        return { name };
      },
    },
  };
}
