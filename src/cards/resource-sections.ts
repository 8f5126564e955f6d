/**
 * Card sections for the Runtime Monitoring resource kinds (ECS task, EC2 instance / EKS node,
 * EKS pod, standalone container) and the runtime process. Pure; every value is escaped and cut.
 */
import type { KnownBlock } from '@slack/types';
import type { ContainerInfo, EcsDetails, EksDetails, Finding, InstanceDetails, NetworkInterfaceInfo, ProcessInfo } from '../findings/model.js';
import { field, fieldsSection, section, textValue } from './blocks.js';
import type { Caps } from './caps.js';
import { code, codeBlock, safeText } from './escape.js';
import { joinWithin, listWithMore } from './limits.js';

/** A code-span value, or an em dash when absent. */
function v(s: string | undefined, max: number): string {
  return s === undefined || s === '' ? '—' : code(s, max);
}

/** Field list without the entries whose value is unknown. */
function known(fields: readonly (readonly [string, string | undefined])[]): string[] {
  return fields.filter(([, value]) => value !== undefined).map(([label, value]) => field(label, value as string));
}

export function containerLine(c: ContainerInfo, caps: Caps): string {
  const digest = c.imageDigest;
  const image = c.image && digest ? c.image.replace(`@${digest}`, '') : c.image;
  const parts = [`• ${v(c.name ?? c.id, caps.value)}`];
  if (image) parts.push(`image ${code(image, caps.long)}`);
  if (digest) parts.push(`digest ${code(digest, 80)}`);
  if (c.privileged) parts.push('*privileged*');
  return parts.join(' · ');
}

function containersSection(blockId: string, containers: readonly ContainerInfo[], caps: Caps): KnownBlock[] {
  if (containers.length === 0) return [];
  const list = joinWithin(containers, (c) => containerLine(c, caps), { maxChars: caps.list, maxItems: caps.listItems });
  return [section(blockId, `*Containers (${containers.length})*\n${list}`)];
}

export function ecsBlocks(e: EcsDetails, caps: Caps): KnownBlock[] {
  const fields = known([
    ['Cluster', v(e.clusterName ?? e.clusterArn, caps.long)],
    [
      'Service',
      e.serviceName !== undefined ? code(e.serviceName, caps.value) : e.group !== undefined ? `${code(e.group, caps.value)} (not a service)` : undefined,
    ],
    ['Task', e.taskArn !== undefined ? code(e.taskArn, caps.long) : undefined],
    ['Task definition', e.taskDefinitionArn !== undefined ? code(e.taskDefinitionArn, caps.long) : undefined],
    ['Launch type', e.launchType !== undefined ? code(e.launchType, caps.value) : undefined],
  ]);
  return [fieldsSection('gd_ecs', fields), ...containersSection('gd_ecs_containers', e.containers, caps)];
}

function eniLine(n: NetworkInterfaceInfo, caps: Caps): string {
  const ips = listWithMore(n.privateIpAddresses, caps.inner, (ip) => code(ip, 45)).join(', ');
  const sgs = listWithMore(n.securityGroups, caps.inner, (g) =>
    g.groupName ? `${code(g.groupId ?? '?', 30)} (${safeText(g.groupName, 60)})` : code(g.groupId ?? '?', 30),
  ).join(', ');
  const parts = [`• ${v(n.networkInterfaceId, 40)}`];
  if (ips) parts.push(`private ${ips}`);
  if (n.publicIp) parts.push(`public ${code(n.publicIp, 45)}`);
  if (n.subnetId || n.vpcId) parts.push(`${v(n.vpcId, 40)} / ${v(n.subnetId, 40)}`);
  if (sgs) parts.push(`SGs ${sgs}`);
  return parts.join(' · ');
}

export function instanceBlocks(i: InstanceDetails, caps: Caps, role: 'instance' | 'host'): KnownBlock[] {
  const prefix = role === 'instance' ? 'gd_instance' : 'gd_host';
  const vpcs = [...new Set(i.networkInterfaces.map((n) => n.vpcId).filter((x): x is string => !!x))];
  const fields = known([
    [role === 'instance' ? 'Instance' : 'Host instance', v(i.instanceId, caps.value)],
    ['Instance type', i.instanceType !== undefined ? code(i.instanceType, caps.value) : undefined],
    ['State', i.instanceState !== undefined ? code(i.instanceState, caps.value) : undefined],
    ['Availability zone', i.availabilityZone !== undefined ? code(i.availabilityZone, caps.value) : undefined],
    ['VPC', vpcs.length > 0 ? listWithMore(vpcs, 3, (x) => code(x, 40)).join(', ') : undefined],
    ['EKS cluster', i.eksClusterName !== undefined ? code(i.eksClusterName, caps.value) : undefined],
    ['IAM instance profile', i.iamInstanceProfileArn !== undefined ? code(i.iamInstanceProfileArn, caps.long) : undefined],
    ['AMI', i.imageId !== undefined ? code(i.imageId, caps.value) : undefined],
  ]);
  const blocks: KnownBlock[] = [fieldsSection(prefix, fields)];
  if (i.networkInterfaces.length > 0) {
    const list = joinWithin(i.networkInterfaces, (n) => eniLine(n, caps), { maxChars: caps.list, maxItems: caps.listItems });
    blocks.push(section(`${prefix}_enis`, `*Network interfaces (${i.networkInterfaces.length})*\n${list}`));
  }
  if (i.tags.length > 0) {
    const list = joinWithin(i.tags, (t) => `${code(t.key, caps.value)} = ${t.value === '' ? '—' : code(t.value, caps.long)}`, {
      maxChars: Math.floor(caps.list * 0.6),
      maxItems: caps.listItems,
      sep: '\n',
    });
    blocks.push(section(`${prefix}_tags`, `*Tags (${i.tags.length})*\n${list}`));
  }
  return blocks;
}

export function eksBlocks(e: EksDetails, caps: Caps): KnownBlock[] {
  const workload = e.workloadName !== undefined ? `${code(e.workloadName, caps.long)}${e.workloadType ? ` (${safeText(e.workloadType, 30)})` : ''}` : undefined;
  const fields = known([
    ['EKS cluster', v(e.clusterName ?? e.clusterArn, caps.long)],
    ['Namespace', e.namespace !== undefined ? code(e.namespace, caps.value) : undefined],
    ['Pod', e.podName !== undefined ? code(e.podName, caps.long) : undefined],
    ['Workload', e.podName === undefined ? workload : undefined],
    ['Node', e.nodeName !== undefined ? code(e.nodeName, caps.long) : undefined],
    ['Service account', e.serviceAccountName !== undefined ? code(e.serviceAccountName, caps.value) : undefined],
    ['Host network', e.hostNetwork ? '*yes*' : undefined],
  ]);
  return [fieldsSection('gd_eks', fields), ...containersSection('gd_eks_containers', e.containers, caps)];
}

export function containerBlocks(c: ContainerInfo, caps: Caps): KnownBlock[] {
  const fields = known([
    ['Container', v(c.name, caps.value)],
    ['Container id', c.id !== undefined ? code(c.id, caps.value) : undefined],
    ['Image', c.image !== undefined ? code(c.image, caps.long) : undefined],
    ['Image digest', c.imageDigest !== undefined ? code(c.imageDigest, 80) : undefined],
    ['Runtime', c.containerRuntime !== undefined ? code(c.containerRuntime, caps.value) : undefined],
    ['Privileged', c.privileged !== undefined ? (c.privileged ? '*yes*' : 'no') : undefined],
  ]);
  return [fieldsSection('gd_container', fields)];
}

function ids(p: { pid?: number | undefined; namespacePid?: number | undefined }): string {
  const parts = [
    p.pid !== undefined ? `pid ${p.pid}` : undefined,
    p.namespacePid !== undefined && p.namespacePid !== p.pid ? `ns pid ${p.namespacePid}` : undefined,
  ];
  return parts.filter(Boolean).join(', ');
}

export function processBlocks(p: ProcessInfo, caps: Caps): KnownBlock[] {
  const lines: string[] = [];
  const pids = ids(p);
  lines.push(`*Process* ${v(p.name, caps.long)}${pids ? ` (${pids})` : ''}`);
  if (p.user !== undefined || p.userId !== undefined) {
    const uid = [p.userId !== undefined ? `uid ${p.userId}` : '', p.euid !== undefined && p.euid !== p.userId ? `euid ${p.euid}` : '']
      .filter(Boolean)
      .join(', ');
    lines.push(`*User* ${p.user !== undefined ? code(p.user, caps.value) : '—'}${uid ? ` (${uid})` : ''}`);
  }
  if (p.executablePath !== undefined) lines.push(`*Executable* ${code(p.executablePath, caps.long)}`);
  if (p.executableSha256 !== undefined) lines.push(`*SHA-256* ${code(p.executableSha256, 80)}`);
  if (p.pwd !== undefined) lines.push(`*Working directory* ${code(p.pwd, caps.long)}`);
  if (p.lineage.length > 0) {
    const chain = joinWithin(p.lineage, (l) => `${v(l.name ?? l.executablePath, caps.value)}${l.pid !== undefined ? ` (${l.pid})` : ''}`, {
      maxChars: Math.floor(caps.process / 3),
      maxItems: caps.inner * 2,
      sep: ' ← ',
    });
    lines.push(`*Parents* ${chain}`);
  }
  // Lines are in order of importance: drop from the end rather than cut a line in the middle.
  let text = '';
  for (const line of lines) {
    const next = text ? `${text}\n${line}` : line;
    if (next.length > caps.process) break;
    text = next;
  }
  const blocks: KnownBlock[] = [section('gd_process', text || textValue(p.name, caps.value))];
  // Its own block, so a long command line never pushes the identifiers above out.
  if (p.commandLine !== undefined && p.commandLine.trim() !== '') {
    blocks.push(section('gd_process_command', `*Command line*\n${codeBlock(p.commandLine, caps.commandLine)}`));
  }
  return blocks;
}

/** "task 8f3e… in prod-payments", "i-0abc…", "pod media/x in prod-eks": for the notification text. */
export function resourceSummary(f: Finding): string | undefined {
  if (f.ecs) {
    const task = f.ecs.taskArn?.split('/').pop();
    const where = f.ecs.clusterName ? ` in ${f.ecs.clusterName}` : '';
    return task ? `task ${task}${where}` : f.ecs.clusterName ? `cluster ${f.ecs.clusterName}` : undefined;
  }
  if (f.kind === 'EKSCluster' && f.eks) {
    const pod = f.eks.podName ?? f.eks.workloadName;
    const ns = f.eks.namespace ? `${f.eks.namespace}/` : '';
    const where = f.eks.clusterName ? ` in ${f.eks.clusterName}` : '';
    return pod ? `${f.eks.podName ? 'pod' : 'workload'} ${ns}${pod}${where}` : f.eks.clusterName ? `cluster ${f.eks.clusterName}` : undefined;
  }
  if (f.kind === 'Container' && f.container) return `container ${f.container.name ?? f.container.id ?? ''}`.trim();
  if (f.instance?.instanceId) return `instance ${f.instance.instanceId}`;
  return undefined;
}
