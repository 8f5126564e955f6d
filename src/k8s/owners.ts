/**
 * Who owns a pod, up the chain (Pod → ReplicaSet → Deployment): deleting a pod whose owner is a
 * controller only makes the controller start another one, so stop and image steps act on the
 * top workload.
 */
import type { V1OwnerReference, V1Pod } from '@kubernetes/client-node';
import type { KubeConnection } from './client.js';
import { kubeCall } from './errors.js';

export type WorkloadKind = 'Deployment' | 'StatefulSet' | 'DaemonSet';

export interface OwnerLink {
  kind: string;
  name: string;
  uid?: string;
}

export interface Workload {
  kind: WorkloadKind;
  namespace: string;
  name: string;
}

const controllerOf = (refs: V1OwnerReference[] | undefined) => refs?.find((o) => o.controller) ?? refs?.[0];

/** The owner chain, nearest first; reads ReplicaSets to find their Deployment. */
export async function ownerChain(conn: KubeConnection, pod: V1Pod): Promise<OwnerLink[]> {
  const namespace = pod.metadata?.namespace ?? 'default';
  const chain: OwnerLink[] = [];
  let ref = controllerOf(pod.metadata?.ownerReferences);
  while (ref && chain.length < 5) {
    chain.push({ kind: ref.kind, name: ref.name, uid: ref.uid });
    if (ref.kind !== 'ReplicaSet') break;
    const { apps } = await conn.apis();
    const name = ref.name;
    const rs = await kubeCall({ cluster: conn.cluster, verb: 'get', resource: 'replicasets.apps', namespace, name }, () =>
      apps.readNamespacedReplicaSet({ namespace, name }),
    );
    ref = controllerOf(rs.metadata?.ownerReferences);
  }
  return chain;
}

/** The top workload a human manages (Deployment/StatefulSet/DaemonSet), if any. */
export function topWorkload(chain: readonly OwnerLink[], namespace: string): Workload | undefined {
  const top = [...chain].reverse().find((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet' || o.kind === 'DaemonSet');
  return top ? { kind: top.kind as WorkloadKind, namespace, name: top.name } : undefined;
}
