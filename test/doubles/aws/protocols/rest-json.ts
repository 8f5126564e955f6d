/**
 * restJson1 (GuardDuty, EKS, Lambda…) on the wire: the operation is the HTTP method and path
 * (`POST /detector/{DetectorId}/malware-scans`), path labels and query strings carry some
 * members, the JSON body the rest, under the model's `jsonName` (camelCase for GuardDuty:
 * `resourceArn`, `scanId`, `filterCriteria`). Timestamps are epoch seconds. Errors are the HTTP
 * status plus `x-amzn-errortype: <Code>` and `{"message": …, "__type": <Code>}`; the SDK takes the
 * exception name from that header. The request id travels in `x-amzn-requestid`.
 */
import type { ServerResponse } from 'node:http';
import { AwsServiceError } from '../service.js';

export interface RestRoute {
  method: string;
  /** `/detector/{DetectorId}/malware-scans` */
  path: string;
  op: string;
}

export interface RestMatch {
  op: string;
  labels: Record<string, string>;
}

/** Matches a request against routes; labels are URL-decoded. */
export function matchRoute(routes: readonly RestRoute[], method: string, pathname: string): RestMatch | undefined {
  const parts = pathname.split('/').filter((p) => p !== '');
  for (const r of routes) {
    if (r.method !== method) continue;
    const pattern = r.path.split('/').filter((p) => p !== '');
    if (pattern.length !== parts.length) continue;
    const labels: Record<string, string> = {};
    let ok = true;
    for (let i = 0; i < pattern.length && ok; i++) {
      const want = pattern[i]!;
      const got = parts[i]!;
      if (want.startsWith('{') && want.endsWith('}')) labels[want.slice(1, -1)] = decodeURIComponent(got);
      else ok = want === got;
    }
    if (ok) return { op: r.op, labels };
  }
  return undefined;
}

function dateReplacer(this: Record<string, unknown>, key: string, value: unknown): unknown {
  const raw = this[key];
  return raw instanceof Date ? raw.getTime() / 1000 : value;
}

export function sendRestJson(res: ServerResponse, requestId: string, body: unknown): number {
  const text = JSON.stringify(body ?? {}, dateReplacer);
  res.writeHead(200, { 'content-type': 'application/json', 'x-amzn-requestid': requestId, 'content-length': Buffer.byteLength(text) });
  res.end(text);
  return 200;
}

export function sendRestJsonError(res: ServerResponse, requestId: string, err: AwsServiceError): number {
  const text = JSON.stringify({ message: err.message, __type: err.code });
  res.writeHead(err.status, {
    'content-type': 'application/json',
    'x-amzn-requestid': requestId,
    'x-amzn-errortype': err.code,
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
  return err.status;
}

export const restJsonFaults = {
  throttle: () => new AwsServiceError('TooManyRequestsException', 'Rate exceeded', 429),
  deny: (action: string, principal: string, resource: string) =>
    new AwsServiceError(
      'AccessDeniedException',
      `User: ${principal} is not authorized to perform: ${action} on resource: ${resource} because no identity-based policy allows the ${action} action`,
      403,
    ),
  unknownOperation: (op: string) => new AwsServiceError('UnknownOperationException', `No route for ${op}`, 404),
};
