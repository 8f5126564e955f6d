/**
 * Maps a validated wire finding (see ./wire.ts) to the normalised model (./model.ts).
 * Pure; every optional field left unset is omitted (not `undefined`) so findings compare equal
 * whatever their input casing and survive a JSON round trip unchanged.
 */
import type { ContainerInfo, EcsDetails, EksDetails, Finding, InstanceDetails, NetworkInterfaceInfo, ProcessInfo, ResourceKind } from './model.js';
import type { ContainerWire, FindingWire } from './wire.js';

const RUNTIME_KINDS: readonly ResourceKind[] = ['Instance', 'EKSCluster', 'ECSCluster', 'Container'];

export function toFinding(w: FindingWire, raw: Record<string, unknown>): Finding {
  const r = w.resource;
  const s = w.service;
  const resourceType = r.resourceType ?? 'Unknown';
  const kind = (RUNTIME_KINDS as readonly string[]).includes(resourceType) ? (resourceType as ResourceKind) : 'Other';
  const instance = r.instanceDetails ? toInstance(r.instanceDetails, r.eksClusterDetails?.name) : undefined;
  const ecs = r.ecsClusterDetails ? toEcs(r.ecsClusterDetails) : undefined;
  const eks = r.eksClusterDetails || r.kubernetesDetails?.kubernetesWorkloadDetails ? toEks(w, instance) : undefined;
  const standalone = r.containerDetails ? toContainer(r.containerDetails) : undefined;
  const single = ecs?.containers.length === 1 ? ecs.containers[0] : eks?.containers.length === 1 ? eks.containers[0] : undefined;
  const process = s?.runtimeDetails?.process ? toProcess(w) : undefined;
  return compact({
    id: w.id,
    arn: w.arn,
    accountId: w.accountId,
    region: w.region,
    partition: w.partition ?? partitionOf(w.arn, w.region),
    type: w.type,
    title: w.title ?? w.type,
    description: w.description ?? '',
    severity: w.severity,
    createdAt: w.createdAt,
    updatedAt: w.updatedAt,
    firstSeen: s?.eventFirstSeen,
    lastSeen: s?.eventLastSeen,
    count: s?.count ?? 1,
    sample: isSample(s?.additionalInfo),
    archived: s?.archived ?? false,
    detectorId: s?.detectorId,
    featureName: s?.featureName,
    resourceType,
    kind,
    ecs,
    instance,
    eks,
    container: standalone ?? single,
    process,
    raw,
  });
}

/**
 * Sample findings (CreateSampleFindings) carry `additionalInfo.value` = '{"sample":true}' in the
 * API shape; some EventBridge samples show `additionalInfo.sample: true` directly. Both count.
 */
export function isSample(info: { value?: string | undefined; sample?: unknown } | undefined): boolean {
  if (!info) return false;
  if (info.sample === true) return true;
  if (typeof info.value !== 'string') return false;
  try {
    const parsed: unknown = JSON.parse(info.value);
    return typeof parsed === 'object' && parsed !== null && (parsed as { sample?: unknown }).sample === true;
  } catch {
    return /"sample"\s*:\s*true/.test(info.value);
  }
}

export function partitionOf(arn: string | undefined, region: string): string {
  const fromArn = arn?.split(':')[1];
  if (fromArn && /^aws(-[a-z]+)*$/.test(fromArn)) return fromArn;
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

const DIGEST = /@(sha256:[0-9a-f]{64})\b/i;

export function toContainer(c: ContainerWire): ContainerInfo {
  const fromImage = c.image ? DIGEST.exec(c.image)?.[1] : undefined;
  const declared = c.imageDigest && /^sha256:[0-9a-f]{64}$/i.test(c.imageDigest) ? c.imageDigest : undefined;
  return compact({
    name: c.name,
    id: c.id,
    image: c.image,
    imageDigest: (fromImage ?? declared)?.toLowerCase(),
    imagePrefix: c.imagePrefix,
    containerRuntime: c.containerRuntime,
    privileged: c.securityContext?.privileged,
  });
}

type Wire = FindingWire['resource'];

function toEcs(d: NonNullable<Wire['ecsClusterDetails']>): EcsDetails {
  const t = d.taskDetails;
  const group = t?.group;
  // ECS puts `service:NAME` in a task's group when a service started it (`family:NAME` otherwise).
  const serviceName = group?.startsWith('service:') ? group.slice('service:'.length) || undefined : undefined;
  return compact({
    clusterArn: d.arn,
    clusterName: d.name ?? clusterNameFromArn(d.arn),
    taskArn: t?.arn,
    taskDefinitionArn: t?.definitionArn,
    launchType: t?.launchType,
    group,
    serviceName,
    containers: (t?.containers ?? []).map(toContainer),
  });
}

function clusterNameFromArn(arn: string | undefined): string | undefined {
  const m = arn ? /:cluster\/(.+)$/.exec(arn) : null;
  return m?.[1];
}

function toInstance(d: NonNullable<Wire['instanceDetails']>, eksClusterName: string | undefined): InstanceDetails {
  const tags = d.tags.map((t) => ({ key: t.key, value: t.value ?? '' }));
  return compact({
    instanceId: d.instanceId,
    instanceType: d.instanceType,
    instanceState: d.instanceState,
    availabilityZone: d.availabilityZone,
    imageId: d.imageId,
    iamInstanceProfileArn: d.iamInstanceProfile?.arn,
    platform: d.platform,
    launchTime: d.launchTime,
    networkInterfaces: d.networkInterfaces.map(toEni),
    tags,
    eksClusterName: eksClusterFromTags(tags) ?? eksClusterName,
  });
}

function toEni(n: NonNullable<Wire['instanceDetails']>['networkInterfaces'][number]): NetworkInterfaceInfo {
  const ips = [n.privateIpAddress, ...n.privateIpAddresses.map((p) => p.privateIpAddress)].filter((x): x is string => !!x);
  return compact({
    networkInterfaceId: n.networkInterfaceId,
    privateIpAddresses: [...new Set(ips)],
    privateDnsName: n.privateDnsName,
    ipv6Addresses: n.ipv6Addresses.length > 0 ? n.ipv6Addresses : undefined,
    publicIp: n.publicIp,
    subnetId: n.subnetId,
    vpcId: n.vpcId,
    securityGroups: n.securityGroups.map((g) => compact({ groupId: g.groupId, groupName: g.groupName })),
  });
}

/** The tags EKS, eksctl and Kubernetes put on worker nodes name the cluster. */
export function eksClusterFromTags(tags: readonly { key: string; value: string }[]): string | undefined {
  for (const key of ['eks:cluster-name', 'aws:eks:cluster-name', 'alpha.eksctl.io/cluster-name']) {
    const v = tags.find((t) => t.key === key)?.value;
    if (v) return v;
  }
  const k8s = tags.find((t) => t.key.startsWith('kubernetes.io/cluster/'));
  return k8s ? k8s.key.slice('kubernetes.io/cluster/'.length) || undefined : undefined;
}

function toEks(w: FindingWire, instance: InstanceDetails | undefined): EksDetails {
  const c = w.resource.eksClusterDetails;
  const wl = w.resource.kubernetesDetails?.kubernetesWorkloadDetails;
  const isPod = !!wl?.type && /^pods?$/i.test(wl.type);
  const primaryEni = instance?.networkInterfaces[0];
  return compact({
    clusterName: c?.name ?? instance?.eksClusterName,
    clusterArn: c?.arn,
    namespace: wl?.namespace,
    podName: isPod ? wl?.name : undefined,
    podUid: isPod ? wl?.uid : undefined,
    nodeName: wl?.nodeName ?? primaryEni?.privateDnsName ?? instance?.instanceId,
    workloadType: wl?.type,
    workloadName: wl?.name,
    serviceAccountName: wl?.serviceAccountName,
    hostNetwork: wl?.hostNetwork,
    containers: (wl?.containers ?? []).map(toContainer),
  });
}

function toProcess(w: FindingWire): ProcessInfo {
  const rt = w.service?.runtimeDetails;
  const p = rt?.process;
  return compact({
    name: p?.name,
    executablePath: p?.executablePath,
    executableSha256: p?.executableSha256,
    pid: p?.pid,
    namespacePid: p?.namespacePid,
    user: p?.user,
    userId: p?.userId,
    euid: p?.euid,
    pwd: p?.pwd,
    commandLine: p?.commandLine ?? rt?.context?.commandLineExample,
    startTime: p?.startTime,
    uuid: p?.uuid,
    lineage: (p?.lineage ?? []).map((l) => compact({ name: l.name, executablePath: l.executablePath, pid: l.pid, userId: l.userId, euid: l.euid })),
  });
}

/** Drops keys whose value is undefined (types keep the optional fields optional). */
function compact<T extends object>(o: T): T {
  const rec = o as Record<string, unknown>;
  for (const k of Object.keys(rec)) if (rec[k] === undefined) delete rec[k];
  return o;
}
