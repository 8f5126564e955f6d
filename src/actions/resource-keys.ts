/**
 * Containment belongs to the resource, not to the finding that asked for it. Two findings on the
 * same instance are two cards about ONE instance: isolating it from one card and releasing it
 * from the other must read and write one record, and both cards must show it.
 *
 * Resource-scoped keys (isolation, revoked instance profile, node cordon, image quarantine) are
 * stored under a resource id `resource:<accountId>/<region>/<kind>/<id>` (an image: its registry's
 * account and Region, `<repository>@<digest>`) (the Store's finding-state table takes
 * any id; no schema change). Every other key stays per finding.
 */
import { parseEcrImageUri } from '../aws/arn.js';
import type { Finding } from '../findings/model.js';
import { keyForInstance, keyForTask } from '../incidents/grouping.js';
import { findingOf, type FindingRecord, type Store } from '../store/store.js';
import type { FindingStateAccess } from './types.js';

export type ResourceKind = 'instance' | 'task' | 'pod' | 'node' | 'image';

export interface ResourceRef {
  kind: ResourceKind;
  /** `<accountId>/<region>/<kind>/<id>` */
  key: string;
  /** What the finding's incident key index calls it (to find the other cards), when it has one. */
  incidentKey?: string;
}

/** Stored names whose value describes the resource (see the step that declares each). */
const RESOURCE_SCOPED: Record<string, (f: Finding) => ResourceRef | undefined> = {
  // One isolation per finding's containable resource: the task, the pod, or the instance/host.
  isolation: containable,
  instance_profile: (f) => instanceOf(f),
  eks_node_cordon: (f) => nodeOf(f),
  // The quarantined image: its registry's account and Region, repository and digest.
  image_evidence: (f) => imageOf(f),
};

/**
 * A step that acts on one of several images names it in the key: `image_evidence|<uri@digest>`
 * is kept as `image_evidence` on that image's record (see imageStateKey).
 */
const KEY_SEP = '|';

/** The ctx.state key of `name` on the ECR image `uri` (`registry/repository@sha256:…`). */
export function imageStateKey(name: string, uri: string): string {
  return `${name}${KEY_SEP}${uri}`;
}

/** The Store id of an ECR image's record (`registry/repository@sha256:…`), or undefined if not ECR. */
export function imageStateOwner(uri: string, sample = false): string | undefined {
  const r = imageRef(uri, sample);
  return r ? `${STORE_PREFIX}${r.key}` : undefined;
}

function imageRef(uri: string, sample: boolean): ResourceRef | undefined {
  const ecr = parseEcrImageUri(uri);
  if (!ecr?.digest) return undefined;
  const key = `${ecr.registryId}/${ecr.region}/image/${ecr.repositoryName}@${ecr.digest.toLowerCase()}`;
  return { kind: 'image', key: sample ? `sample/${key}` : key };
}

/** The finding's first ECR image whose digest it names (its registry, not the finding's account). */
export function imageOf(f: Finding): ResourceRef | undefined {
  const containers = f.kind === 'ECSCluster' ? (f.ecs?.containers ?? []) : f.kind === 'Container' && f.container ? [f.container] : [];
  for (const c of containers) {
    if (!c.image || !c.imageDigest) continue;
    const r = imageRef(`${c.image.replace(/@sha256:[0-9a-f]+$/i, '').replace(/:[^/:]+$/, '')}@${c.imageDigest}`, f.sample === true);
    if (r) return r;
  }
  return undefined;
}

const STORE_PREFIX = 'resource:';

function ref(f: Finding, kind: ResourceKind, id: string, incidentKey?: string): ResourceRef {
  const key = `${f.accountId}/${f.region}/${kind}/${id}`;
  return { kind, key: f.sample ? `sample/${key}` : key, ...(incidentKey ? { incidentKey: f.sample ? `sample/${incidentKey}` : incidentKey } : {}) };
}

function instanceOf(f: Finding): ResourceRef | undefined {
  const id = f.instance?.instanceId;
  if (!id || (f.kind !== 'Instance' && f.kind !== 'Container')) return undefined;
  return ref(f, 'instance', id, f.kind === 'Instance' ? keyForInstance(id) : undefined);
}

function podOf(f: Finding): ResourceRef | undefined {
  const cluster = f.eks?.clusterName ?? f.eks?.clusterArn;
  if (!cluster || !f.eks?.namespace || !f.eks.podName) return undefined;
  return ref(
    f,
    'pod',
    `${cluster}/${f.eks.namespace}/${f.eks.podName}`,
    f.eks.podUid ? `eks-pod:${f.eks.podUid}` : `eks-pod:${f.accountId}:${f.region}:${cluster}/${f.eks.namespace}/${f.eks.podName}`,
  );
}

function nodeOf(f: Finding): ResourceRef | undefined {
  const cluster = f.eks?.clusterName ?? f.eks?.clusterArn;
  if (!cluster || !f.eks?.nodeName) return undefined;
  return ref(f, 'node', `${cluster}/${f.eks.nodeName}`);
}

function containable(f: Finding): ResourceRef | undefined {
  if (f.ecs?.taskArn) return ref(f, 'task', f.ecs.taskArn, keyForTask(f.ecs.taskArn));
  return podOf(f) ?? instanceOf(f);
}

/** The resource a stored key of this finding describes; undefined: the key is the finding's own. */
export function resourceFor(f: Finding, key: string): ResourceRef | undefined {
  const at = key.indexOf(KEY_SEP);
  if (at >= 0) return imageRef(key.slice(at + 1), f.sample === true);
  return RESOURCE_SCOPED[key]?.(f);
}

/** The name a key is stored under (without the image a step named in it). */
function storedName(key: string): string {
  const at = key.indexOf(KEY_SEP);
  return at >= 0 ? key.slice(0, at) : key;
}

/** The id the Store keeps this key under: the resource's for resource-scoped keys, else the finding's. */
export function stateOwner(f: Finding, findingId: string, key: string): string {
  const r = resourceFor(f, key);
  return r ? `${STORE_PREFIX}${r.key}` : findingId;
}

/** Every resource this finding's containment state lives on (distinct). */
export function resourcesOf(f: Finding): ResourceRef[] {
  const seen = new Map<string, ResourceRef>();
  for (const derive of Object.values(RESOURCE_SCOPED)) {
    const r = derive(f);
    if (r) seen.set(r.key, r);
  }
  return [...seen.values()];
}

/** Stored under every resource record: the finding ids (cards) that acted on it. */
export const RESOURCE_CARDS_KEY = 'cards';

/**
 * The other findings whose cards show the same resource(s): those that acted on it (recorded on
 * the resource) and those in an incident indexed by its key (the usual case: a second finding on
 * the instance joins the first one's incident). Only findings on the very same resource count.
 */
export async function findingsSharing(store: Store, f: Finding, findingId: string): Promise<string[]> {
  const mine = new Set(resourcesOf(f).map((r) => r.key));
  if (mine.size === 0) return [];
  const candidates = new Set<string>();
  for (const r of resourcesOf(f)) {
    for (const id of (await store.getFindingState<string[]>(`${STORE_PREFIX}${r.key}`, RESOURCE_CARDS_KEY)) ?? []) candidates.add(id);
    if (r.incidentKey) {
      for (const inc of await store.findIncidentsByKey(r.incidentKey, { includeClosed: true })) {
        for (const id of await store.incidentFindingIds(inc.id)) candidates.add(id);
      }
    }
  }
  candidates.delete(findingId);
  const out: string[] = [];
  for (const id of candidates) {
    const rec = await store.getFinding(id);
    if (rec && resourcesOf(findingOf(rec)).some((r) => mine.has(r.key))) out.push(id);
  }
  return out;
}

/**
 * A card about an image is re-rendered when the image is quarantined from another card: two
 * findings on one digest are usually on different tasks (different incidents), so the image's
 * record lists every card that shows it, not only those that acted on it.
 */
export async function watchImage(store: Store, f: Finding, findingId: string, now: number): Promise<void> {
  const r = imageOf(f);
  if (!r) return;
  const owner = `${STORE_PREFIX}${r.key}`;
  const cards = (await store.getFindingState<string[]>(owner, RESOURCE_CARDS_KEY)) ?? [];
  if (!cards.includes(findingId)) await store.putFindingState(owner, RESOURCE_CARDS_KEY, [...cards, findingId].slice(-50), now);
}

/** Remembers that this finding's card acted on its resources (so it is re-rendered with them). */
export async function noteCard(store: Store, f: Finding, findingId: string, now: number, also?: ResourceRef): Promise<void> {
  const refs = resourcesOf(f);
  if (also && !refs.some((r) => r.key === also.key)) refs.push(also);
  for (const r of refs) {
    const owner = `${STORE_PREFIX}${r.key}`;
    const cards = (await store.getFindingState<string[]>(owner, RESOURCE_CARDS_KEY)) ?? [];
    if (!cards.includes(findingId)) await store.putFindingState(owner, RESOURCE_CARDS_KEY, [...cards, findingId].slice(-50), now);
  }
}

/**
 * The `ctx.state` a step sees: resource-scoped keys read and write the resource's record (a record
 * written from here carries `fromFinding`, so another card can say where it was done), the rest
 * the finding's own.
 */
export function stateAccessFor(store: Store, now: () => number, record: FindingRecord, finding: Finding): FindingStateAccess {
  return {
    get: <T>(key: string) => store.getFindingState<T>(stateOwner(finding, record.findingId, key), storedName(key)),
    async put(key, value) {
      const owner = stateOwner(finding, record.findingId, key);
      if (owner === record.findingId) return store.putFindingState(owner, key, value, now());
      const tagged = value && typeof value === 'object' && !Array.isArray(value) ? { fromFinding: record.findingId, ...value } : value;
      await store.putFindingState(owner, storedName(key), tagged, now());
      await noteCard(store, finding, record.findingId, now(), resourceFor(finding, key));
    },
  };
}
