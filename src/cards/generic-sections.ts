/**
 * Card sections read straight from `finding.raw` for findings the model does not type: the
 * resource identifiers of non-runtime findings (S3, IAM access keys, RDS, Lambda…) and the
 * activity GuardDuty observed (API call, remote IP, DNS domain, Kubernetes user, attack-sequence
 * signals). Reads are defensive — any path may be missing or of another type — and every value is
 * escaped and cut.
 */
import type { KnownBlock } from '@slack/types';
import type { Finding } from '../findings/model.js';
import { field, fieldsSection, textValue } from './blocks.js';
import type { Caps } from './caps.js';
import { code } from './escape.js';
import { listWithMore, MAX_SECTION_FIELDS } from './limits.js';

/** Value at `path` in `obj` when it is a non-empty string (numbers are stringified). */
export function str(obj: unknown, ...path: (string | number)[]): string | undefined {
  let cur: unknown = obj;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[key];
  }
  if (typeof cur === 'number' && Number.isFinite(cur)) return String(cur);
  return typeof cur === 'string' && cur !== '' ? cur : undefined;
}

function arr(obj: unknown, ...path: string[]): unknown[] {
  let cur: unknown = obj;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return [];
    cur = (cur as Record<string, unknown>)[key];
  }
  return Array.isArray(cur) ? cur : [];
}

type Field = readonly [label: string, value: string | undefined];

function render(fields: readonly Field[]): string[] {
  return fields.filter((f): f is readonly [string, string] => f[1] !== undefined).map(([l, v]) => field(l, v));
}

/** Identifiers of the affected resource for kinds without a dedicated section. */
export function genericResourceBlocks(f: Finding, caps: Caps): KnownBlock[] {
  const r = f.raw.resource;
  const c = (s: string | undefined, max = caps.value): string | undefined => (s === undefined ? undefined : code(s, max));
  const buckets = arr(r, 's3BucketDetails');
  const bucketList =
    buckets.length > 0
      ? listWithMore(buckets, caps.inner, (b) => {
          const name = code(str(b, 'name') ?? str(b, 'arn') ?? '?', caps.long);
          const access = str(b, 'publicAccess', 'effectivePermission');
          return access ? `${name} (${textValue(access, 30)})` : name;
        }).join('\n')
      : undefined;
  const userType = str(r, 'accessKeyDetails', 'userType');
  const principal = str(r, 'accessKeyDetails', 'userName');
  const fields: Field[] = [
    [buckets.length > 1 ? `S3 buckets (${buckets.length})` : 'S3 bucket', bucketList],
    ['Access key', c(str(r, 'accessKeyDetails', 'accessKeyId'))],
    ['Principal', principal !== undefined ? `${code(principal, caps.long)}${userType ? ` (${textValue(userType, 30)})` : ''}` : undefined],
    ['DB instance', c(str(r, 'rdsDbInstanceDetails', 'dbInstanceIdentifier'))],
    ['DB cluster', c(str(r, 'rdsDbInstanceDetails', 'dbClusterIdentifier'))],
    ['DB engine', c(str(r, 'rdsDbInstanceDetails', 'engine'))],
    ['DB user', c(str(r, 'rdsDbUserDetails', 'user'))],
    ['Database', c(str(r, 'rdsDbUserDetails', 'database'))],
    ['Lambda function', c(str(r, 'lambdaDetails', 'functionName') ?? str(r, 'lambdaDetails', 'functionArn'), caps.long)],
    ['EBS volume', c(str(r, 'ebsVolumeDetails', 'scannedVolumeDetails', 0, 'volumeArn'), caps.long)],
  ];
  const rendered = render(fields);
  // The summary already shows the resource type; repeat it only when nothing else is known.
  if (rendered.length === 0) rendered.push(field('Resource type', code(f.resourceType, caps.value)));
  return [fieldsSection('gd_resource', rendered.slice(0, MAX_SECTION_FIELDS))];
}

const ACTIONS = [
  'awsApiCallAction',
  'networkConnectionAction',
  'portProbeAction',
  'dnsRequestAction',
  'kubernetesApiCallAction',
  'rdsLoginAttemptAction',
] as const;

/** What GuardDuty saw happen (service.action / service.detection), when the finding says. */
export function activityBlocks(f: Finding, caps: Caps): KnownBlock[] {
  const s = f.raw.service;
  const action = str(s, 'action', 'actionType');
  const a = ACTIONS.map((k) => (s as { action?: Record<string, unknown> } | undefined)?.action?.[k]).find((x) => x && typeof x === 'object');
  const ip = str(a, 'remoteIpDetails', 'ipAddressV4') ?? str(a, 'remoteIpDetails', 'ipAddressV6') ?? str(a, 'sourceIPs', 0);
  const where = [str(a, 'remoteIpDetails', 'country', 'countryName'), str(a, 'remoteIpDetails', 'organization', 'asnOrg')].filter(Boolean).join(', ');
  const api = str(a, 'api') ?? str(a, 'verb');
  const apiService = str(a, 'serviceName');
  const signals = arr(s, 'detection', 'sequence', 'signals');
  const port = str(a, 'remotePortDetails', 'port');
  const fields: Field[] = [
    ['Action', action !== undefined ? code(action, caps.value) : undefined],
    ['API call', api !== undefined ? `${code(api, caps.value)}${apiService ? ` on ${code(apiService, caps.value)}` : ''}` : undefined],
    ['Remote IP', ip !== undefined ? `${code(ip, 45)}${port ? ` port ${code(port, 10)}` : ''}${where ? ` (${textValue(where, caps.value)})` : ''}` : undefined],
    ['Domain', str(a, 'domain') !== undefined ? code(str(a, 'domain') as string, caps.long) : undefined],
    ['Request URI', str(a, 'requestUri') !== undefined ? code(str(a, 'requestUri') as string, caps.long) : undefined],
    [
      'Kubernetes user',
      str(f.raw.resource, 'kubernetesDetails', 'kubernetesUserDetails', 'username') !== undefined
        ? code(str(f.raw.resource, 'kubernetesDetails', 'kubernetesUserDetails', 'username') as string, caps.long)
        : undefined,
    ],
    ['User agent', str(a, 'userAgent') !== undefined ? code(str(a, 'userAgent') as string, caps.long) : undefined],
    ['Attack sequence', signals.length > 0 ? `${signals.length} signal${signals.length === 1 ? '' : 's'}` : undefined],
  ];
  const rendered = render(fields);
  return rendered.length > 0 ? [fieldsSection('gd_activity', rendered.slice(0, MAX_SECTION_FIELDS))] : [];
}
