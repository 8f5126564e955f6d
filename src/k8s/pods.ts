/**
 * Pod operations, one small function per API call, each naming its verb and resource so an RBAC
 * refusal says exactly what the ClusterRole lacks.
 */
import { PatchStrategy, setHeaderOptions, type V1Pod, type CoreV1Event } from '@kubernetes/client-node';
import type { KubeConnection } from './client.js';
import { kubeCall } from './errors.js';

export interface PodRef {
  namespace: string;
  name: string;
}

export const LOG_TAIL_LINES = 500;
export const LOG_LIMIT_BYTES = 256 * 1024;

export async function readPod(conn: KubeConnection, ref: PodRef): Promise<V1Pod> {
  const { core } = await conn.apis();
  return kubeCall({ cluster: conn.cluster, verb: 'get', resource: 'pods', ...ref }, () => core.readNamespacedPod(ref));
}

/**
 * Sets and removes pod labels with one JSON merge patch (a null value removes a key). Removing
 * a label a ReplicaSet selects on detaches the pod from it: the ReplicaSet starts a replacement.
 */
export async function patchPodLabels(conn: KubeConnection, ref: PodRef, labels: Record<string, string | null>): Promise<V1Pod> {
  const { core } = await conn.apis();
  return kubeCall({ cluster: conn.cluster, verb: 'patch', resource: 'pods', ...ref }, () =>
    core.patchNamespacedPod({ ...ref, body: { metadata: { labels } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch)),
  );
}

export async function deletePod(conn: KubeConnection, ref: PodRef): Promise<void> {
  const { core } = await conn.apis();
  await kubeCall({ cluster: conn.cluster, verb: 'delete', resource: 'pods', ...ref }, () => core.deleteNamespacedPod(ref));
}

export async function podEvents(conn: KubeConnection, ref: PodRef): Promise<CoreV1Event[]> {
  const { core } = await conn.apis();
  const list = await kubeCall({ cluster: conn.cluster, verb: 'list', resource: 'events', namespace: ref.namespace }, () =>
    core.listNamespacedEvent({ namespace: ref.namespace, fieldSelector: `involvedObject.kind=Pod,involvedObject.name=${ref.name}` }),
  );
  return list.items;
}

/** The last LOG_TAIL_LINES lines (at most LOG_LIMIT_BYTES) of one container. */
export async function containerLog(conn: KubeConnection, ref: PodRef, container: string): Promise<string> {
  const { core } = await conn.apis();
  return kubeCall({ cluster: conn.cluster, verb: 'get', resource: 'pods/log', ...ref }, () =>
    core.readNamespacedPodLog({ ...ref, container, tailLines: LOG_TAIL_LINES, limitBytes: LOG_LIMIT_BYTES }),
  );
}

/** `repo@sha256:…`, `docker-pullable://repo@sha256:…` or a bare digest → `sha256:…`. */
export function digestOf(imageId: string | undefined): string | undefined {
  const m = /sha256:[0-9a-f]{64}/.exec(imageId ?? '');
  return m?.[0];
}

export interface ImagePod {
  namespace: string;
  name: string;
  node?: string;
  containers: string[];
  owner?: string;
}

export const POD_PAGE_SIZE = 500;

/**
 * Every pod of the cluster with a container whose imageID has `digest`, across namespaces, one
 * page of `pageSize` at a time (`limit` + `continue`): a 5,000-pod cluster is 10 requests, and
 * memory holds one page. Matches on the running image's digest, not the tag in the spec.
 */
export async function podsRunningDigest(
  conn: KubeConnection,
  digest: string,
  pageSize = POD_PAGE_SIZE,
): Promise<{ pods: ImagePod[]; requests: number; scanned: number }> {
  const pods: ImagePod[] = [];
  let token: string | undefined;
  let requests = 0;
  let scanned = 0;
  do {
    const { core } = await conn.apis();
    const next = token;
    const page = await kubeCall({ cluster: conn.cluster, verb: 'list', resource: 'pods' }, () =>
      core.listPodForAllNamespaces({ limit: pageSize, ...(next ? { _continue: next } : {}) }),
    );
    requests += 1;
    scanned += page.items.length;
    for (const p of page.items) {
      const statuses = [...(p.status?.containerStatuses ?? []), ...(p.status?.initContainerStatuses ?? []), ...(p.status?.ephemeralContainerStatuses ?? [])];
      const hits = statuses.filter((s) => digestOf(s.imageID) === digest).map((s) => s.name);
      if (hits.length === 0) continue;
      const owner = p.metadata?.ownerReferences?.find((o) => o.controller) ?? p.metadata?.ownerReferences?.[0];
      pods.push({
        namespace: p.metadata?.namespace ?? '',
        name: p.metadata?.name ?? '',
        containers: hits,
        ...(p.spec?.nodeName ? { node: p.spec.nodeName } : {}),
        ...(owner ? { owner: `${owner.kind}/${owner.name}` } : {}),
      });
    }
    token = page.metadata?._continue || undefined;
  } while (token);
  return { pods, requests, scanned };
}
