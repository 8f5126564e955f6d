/**
 * zod schemas for the camelCase wire finding (EventBridge `detail`, REST API), covering only the
 * fields the model reads. Field names follow @aws-sdk/client-guardduty's model, camelCased.
 *
 * Strict only where a finding is meaningless without the field (id, type, account, region,
 * severity, timestamps, resource). Everything nested is lenient: a malformed optional part
 * (say a tag without a value, or a pid sent as a string) is dropped rather than rejecting the
 * whole finding — losing a security alert over one odd field would be the worse failure. Unknown
 * fields are kept (loose objects) and the whole finding also stays in `Finding.raw`.
 */
import { z } from 'zod';

/** Optional scalar: a wrong type becomes undefined instead of failing the parse. */
const str = z.string().optional().catch(undefined);
const num = z.number().finite().optional().catch(undefined);
const bool = z.boolean().optional().catch(undefined);

/**
 * Timestamps are ISO strings on the wire; SDK objects serialised by hand may carry epoch seconds
 * (restJson default) or Date objects. Strings are kept as sent so version comparisons stay stable.
 */
const timeValue = z.union([z.string().min(1), z.number().finite(), z.date()]).transform(toIsoString);
const time = timeValue.optional().catch(undefined);

export function toIsoString(v: string | number | Date): string {
  if (typeof v === 'string') return v;
  const d = typeof v === 'number' ? new Date(v < 1e12 ? v * 1000 : v) : v;
  return Number.isNaN(d.getTime()) ? String(v) : d.toISOString();
}

/**
 * Array whose malformed items are dropped one by one; a missing or non-array value becomes [].
 * (`.optional()` matters: zod 4 treats a missing key as an error unless the schema accepts undefined
 * as "optional" — without it, a missing list would drop its whole parent object.)
 */
function list<T extends z.ZodType>(item: T) {
  return z
    .unknown()
    .optional()
    .transform((v): z.output<T>[] =>
      Array.isArray(v)
        ? v.flatMap((x) => {
            const r = item.safeParse(x);
            return r.success ? [r.data] : [];
          })
        : [],
    );
}

/** Optional nested object: a wrong type becomes undefined. */
function opt<T extends z.ZodType>(schema: T) {
  return schema.optional().catch(undefined);
}

const Tag = z.looseObject({ key: z.string(), value: z.string().optional().catch(undefined) });

export const ContainerWire = z.looseObject({
  containerRuntime: str,
  id: str,
  name: str,
  image: str,
  imagePrefix: str,
  /** Not in the API model; read if a producer adds it. */
  imageDigest: str,
  securityContext: opt(z.looseObject({ privileged: bool })),
});

const EcsClusterDetails = z.looseObject({
  name: str,
  arn: str,
  taskDetails: opt(
    z.looseObject({
      arn: str,
      definitionArn: str,
      launchType: str,
      group: str,
      containers: list(ContainerWire),
    }),
  ),
});

const NetworkInterface = z.looseObject({
  networkInterfaceId: str,
  privateIpAddress: str,
  privateIpAddresses: list(z.looseObject({ privateIpAddress: str, privateDnsName: str })),
  privateDnsName: str,
  ipv6Addresses: list(z.string()),
  publicIp: str,
  subnetId: str,
  vpcId: str,
  securityGroups: list(z.looseObject({ groupId: str, groupName: str })),
});

const InstanceDetails = z.looseObject({
  instanceId: str,
  instanceType: str,
  instanceState: str,
  availabilityZone: str,
  imageId: str,
  platform: str,
  launchTime: time,
  iamInstanceProfile: opt(z.looseObject({ arn: str, id: str })),
  networkInterfaces: list(NetworkInterface),
  tags: list(Tag),
});

const KubernetesWorkloadDetails = z.looseObject({
  name: str,
  type: str,
  uid: str,
  namespace: str,
  serviceAccountName: str,
  hostNetwork: bool,
  /** Not in the API model; read if present. */
  nodeName: str,
  containers: list(ContainerWire),
});

export const ResourceWire = z.looseObject({
  resourceType: str,
  ecsClusterDetails: opt(EcsClusterDetails),
  instanceDetails: opt(InstanceDetails),
  eksClusterDetails: opt(z.looseObject({ name: str, arn: str, vpcId: str })),
  kubernetesDetails: opt(z.looseObject({ kubernetesWorkloadDetails: opt(KubernetesWorkloadDetails) })),
  containerDetails: opt(ContainerWire),
});

const Lineage = z.looseObject({ name: str, executablePath: str, pid: num, userId: num, euid: num });

const ProcessDetails = z.looseObject({
  name: str,
  executablePath: str,
  executableSha256: str,
  pid: num,
  namespacePid: num,
  user: str,
  userId: num,
  euid: num,
  pwd: str,
  startTime: time,
  uuid: str,
  /** Not in the API model; read if present. */
  commandLine: str,
  lineage: list(Lineage),
});

const ServiceWire = z.looseObject({
  archived: bool,
  count: num,
  detectorId: str,
  eventFirstSeen: time,
  eventLastSeen: time,
  featureName: str,
  /** API shape `{value: "<json>", type}`; EventBridge samples also show a plain object. */
  additionalInfo: opt(z.looseObject({ value: str, sample: z.unknown().optional() })),
  runtimeDetails: opt(
    z.looseObject({
      process: opt(ProcessDetails),
      context: opt(z.looseObject({ commandLineExample: str })),
    }),
  ),
});

export const FindingWire = z.looseObject({
  id: z.string().min(1),
  arn: str,
  accountId: z.string().min(1),
  region: z.string().min(1),
  partition: str,
  type: z.string().min(1),
  title: str,
  description: str,
  severity: z.number().finite().min(0).max(10),
  createdAt: timeValue,
  updatedAt: timeValue,
  resource: ResourceWire,
  service: opt(ServiceWire),
});

export type FindingWire = z.output<typeof FindingWire>;
export type ContainerWire = z.output<typeof ContainerWire>;
