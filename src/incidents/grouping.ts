/**
 * Which incident a finding belongs to. Each finding yields resource keys; a later finding whose
 * keys meet an active incident's keys within the grouping window joins that incident (and its
 * thread) instead of opening a new one.
 *
 * Keys (all strings, namespaced by kind):
 *   finding:<id>                                     always — a re-published finding re-joins
 *   ecs-task:<task ARN>                              the task
 *   ecs-family:<account>:<region>:<family>           the task definition family (a service's
 *                                                    replacement tasks come from it)
 *   image:<sha256:…>                                 an image digest (content address: the same
 *                                                    digest is the same image wherever it runs)
 *   instance:<i-…>                                   an EC2 instance / EKS node (Instance findings)
 *   eks-pod:<uid> or eks-pod:<acct>:<region>:<cluster>/<ns>/<pod>
 *   eks-workload:<acct>:<region>:<cluster>/<ns>/<kind>/<name>
 *   container:<id>                                   a standalone container
 *   access-key:<id>, s3-bucket:<name>                other (non-runtime) findings
 *
 * Deliberately NOT keys: image tags (mutable, `nginx:latest` would merge everything) and the
 * EC2 host of an ECS or EKS finding (one host runs many unrelated tasks and pods).
 * Sample findings get their keys prefixed with `sample/`: GuardDuty reuses the same fake ids in
 * every sample, which must never join a real incident.
 */
import { parseTaskDefinitionArn, SHA256_DIGEST_RE } from '../aws/arn.js';
import type { ContainerInfo, Finding } from '../findings/model.js';
import { isClosed, type Incident } from './model.js';

/** Default grouping window: a finding joins an incident whose last finding is at most this old. */
export const DEFAULT_GROUPING_WINDOW_MS = 24 * 60 * 60 * 1000;

/** Upper bound on keys kept per incident (an image sweep could otherwise grow it without end). */
export const MAX_INCIDENT_KEYS = 200;

export function incidentKeysFor(f: Finding): string[] {
  const keys = new Set<string>([`finding:${f.id}`]);
  const add = (k: string | undefined) => {
    if (k) keys.add(k);
  };
  const scope = `${f.accountId}:${f.region}`;

  if (f.ecs) {
    add(f.ecs.taskArn && `ecs-task:${f.ecs.taskArn}`);
    const family = (f.ecs.taskDefinitionArn && parseTaskDefinitionArn(f.ecs.taskDefinitionArn)?.family) ?? familyFromGroup(f.ecs.group);
    add(family && `ecs-family:${scope}:${family}`);
    for (const c of f.ecs.containers) add(digestKey(c));
  }
  if (f.kind === 'Instance' && f.instance?.instanceId) add(`instance:${f.instance.instanceId}`);
  if (f.eks) {
    const cluster = f.eks.clusterName ?? f.eks.clusterArn;
    if (f.eks.podUid) add(`eks-pod:${f.eks.podUid}`);
    else if (cluster && f.eks.namespace && f.eks.podName) add(`eks-pod:${scope}:${cluster}/${f.eks.namespace}/${f.eks.podName}`);
    // A bare pod's "workload" is the pod itself (type `pods`): no wider key than the pod.
    if (cluster && f.eks.namespace && f.eks.workloadType && f.eks.workloadName && !/^pods?$/i.test(f.eks.workloadType)) {
      add(`eks-workload:${scope}:${cluster}/${f.eks.namespace}/${f.eks.workloadType}/${f.eks.workloadName}`);
    }
    for (const c of f.eks.containers) add(digestKey(c));
  }
  if (f.container) {
    if (f.kind === 'Container' && f.container.id) add(`container:${f.container.id}`);
    add(digestKey(f.container));
  }
  for (const k of otherResourceKeys(f.raw)) add(k);

  const out = [...keys];
  return f.sample ? out.map((k) => `sample/${k}`) : out;
}

/** Keys a user-given target maps to (for `/guardduty status TARGET` and command resolution). */
export function keyForTask(taskArn: string): string {
  return `ecs-task:${taskArn}`;
}
export function keyForInstance(instanceId: string): string {
  return `instance:${instanceId}`;
}
export function keyForFinding(findingId: string): string {
  return `finding:${findingId}`;
}
export function keyForDigest(digest: string): string {
  return `image:${digest}`;
}

function familyFromGroup(group: string | undefined): string | undefined {
  return group?.startsWith('family:') ? group.slice('family:'.length) || undefined : undefined;
}

function digestKey(c: ContainerInfo): string | undefined {
  const digest = c.imageDigest ?? (c.image?.includes('@') ? c.image.slice(c.image.indexOf('@') + 1) : undefined);
  return digest && SHA256_DIGEST_RE.test(digest) ? keyForDigest(digest) : undefined;
}

function otherResourceKeys(raw: Record<string, unknown>): string[] {
  const resource = obj(raw.resource);
  if (!resource) return [];
  const out: string[] = [];
  const accessKey = obj(resource.accessKeyDetails)?.accessKeyId;
  if (typeof accessKey === 'string' && accessKey !== '') out.push(`access-key:${accessKey}`);
  const buckets = resource.s3BucketDetails;
  if (Array.isArray(buckets)) {
    for (const b of buckets.slice(0, 20)) {
      const name = obj(b)?.name;
      if (typeof name === 'string' && name !== '') out.push(`s3-bucket:${name}`);
    }
  }
  return out;
}

function obj(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/**
 * The incident a finding with `keys` should join: an active incident sharing at least one key
 * whose last finding is within `windowMs` of `now`. Several match → the one sharing the most
 * keys, then the most recently active, then the oldest. None → undefined (open a new incident).
 */
export function chooseIncident(
  candidates: readonly Incident[],
  keys: readonly string[],
  now: number,
  windowMs = DEFAULT_GROUPING_WINDOW_MS,
): Incident | undefined {
  const wanted = new Set(keys);
  let best: { incident: Incident; overlap: number } | undefined;
  for (const incident of candidates) {
    if (isClosed(incident.state) || now - incident.lastSeenAt > windowMs) continue;
    const overlap = incident.keys.filter((k) => wanted.has(k)).length;
    if (overlap === 0) continue;
    if (
      !best ||
      overlap > best.overlap ||
      (overlap === best.overlap && incident.lastSeenAt > best.incident.lastSeenAt) ||
      (overlap === best.overlap && incident.lastSeenAt === best.incident.lastSeenAt && incident.openedAt < best.incident.openedAt)
    ) {
      best = { incident, overlap };
    }
  }
  return best?.incident;
}

/** The union of two key lists, first list first, capped at MAX_INCIDENT_KEYS. */
export function mergeKeys(existing: readonly string[], added: readonly string[]): string[] {
  return [...new Set([...existing, ...added])].slice(0, MAX_INCIDENT_KEYS);
}
