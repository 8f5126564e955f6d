/**
 * Changes to the workloads that own a pod: scale to 0 (Deployment/StatefulSet; a DaemonSet has
 * no replica count) and replace a container image. JSON patches with a `test` of the current
 * value, so a workload changed meanwhile is refused (422/409) instead of overwritten.
 */
import { PatchStrategy, setHeaderOptions, type V1PodSpec } from '@kubernetes/client-node';
import type { KubeConnection } from './client.js';
import { kubeCall } from './errors.js';
import type { Workload } from './owners.js';

/** The RBAC resource (API group `apps`) of each workload kind: what a permission check names. */
export const WORKLOAD_RESOURCE: Readonly<Record<Workload['kind'], string>> = {
  Deployment: 'deployments',
  StatefulSet: 'statefulsets',
  DaemonSet: 'daemonsets',
};
const resourceOf = (kind: Workload['kind']) => `${WORKLOAD_RESOURCE[kind]}.apps`;
const jsonPatch = () => setHeaderOptions('Content-Type', PatchStrategy.JsonPatch);

export async function readWorkload(conn: KubeConnection, w: Workload): Promise<{ replicas?: number; template?: V1PodSpec }> {
  const { apps } = await conn.apis();
  const ctx = { cluster: conn.cluster, verb: 'get', resource: resourceOf(w.kind), namespace: w.namespace, name: w.name };
  const ref = { namespace: w.namespace, name: w.name };
  const obj =
    w.kind === 'Deployment'
      ? await kubeCall(ctx, () => apps.readNamespacedDeployment(ref))
      : w.kind === 'StatefulSet'
        ? await kubeCall(ctx, () => apps.readNamespacedStatefulSet(ref))
        : await kubeCall(ctx, () => apps.readNamespacedDaemonSet(ref));
  const replicas = (obj.spec as { replicas?: number } | undefined)?.replicas;
  return { ...(replicas !== undefined ? { replicas } : {}), ...(obj.spec?.template.spec ? { template: obj.spec.template.spec } : {}) };
}

async function patchWorkload(conn: KubeConnection, w: Workload, body: object[]): Promise<void> {
  const { apps } = await conn.apis();
  const ctx = { cluster: conn.cluster, verb: 'patch', resource: resourceOf(w.kind), namespace: w.namespace, name: w.name };
  const param = { namespace: w.namespace, name: w.name, body };
  if (w.kind === 'Deployment') await kubeCall(ctx, () => apps.patchNamespacedDeployment(param, jsonPatch()));
  else if (w.kind === 'StatefulSet') await kubeCall(ctx, () => apps.patchNamespacedStatefulSet(param, jsonPatch()));
  else await kubeCall(ctx, () => apps.patchNamespacedDaemonSet(param, jsonPatch()));
}

/** Deployment/StatefulSet → `replicas`; returns nothing itself (the caller recorded the old count). */
export async function scaleWorkload(conn: KubeConnection, w: Workload, from: number, to: number): Promise<void> {
  await patchWorkload(conn, w, [
    { op: 'test', path: '/spec/replicas', value: from },
    { op: 'replace', path: '/spec/replicas', value: to },
  ]);
}

/** Replaces the image of the named containers of the pod template (indexes from `template`). */
export async function setWorkloadImage(
  conn: KubeConnection,
  w: Workload,
  template: V1PodSpec,
  changes: { container: string; from: string; to: string }[],
): Promise<void> {
  const ops: object[] = [];
  for (const c of changes) {
    const i = template.containers.findIndex((x) => x.name === c.container);
    if (i < 0) continue;
    ops.push(
      { op: 'test', path: `/spec/template/spec/containers/${i}/image`, value: c.from },
      { op: 'replace', path: `/spec/template/spec/containers/${i}/image`, value: c.to },
    );
  }
  if (ops.length > 0) await patchWorkload(conn, w, ops);
}
