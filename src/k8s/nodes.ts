/**
 * Cordon without drain (the pod stays, for forensics; drain would evict it) and an
 * investigation label. The node is an EC2 instance: its providerID names it.
 */
import { PatchStrategy, setHeaderOptions, type V1Node } from '@kubernetes/client-node';
import type { KubeConnection } from './client.js';
import { kubeCall } from './errors.js';

export const INVESTIGATION_LABEL = 'guardduty-responder/investigation';

export async function readNode(conn: KubeConnection, name: string): Promise<V1Node> {
  const { core } = await conn.apis();
  return kubeCall({ cluster: conn.cluster, verb: 'get', resource: 'nodes', name }, () => core.readNode({ name }));
}

/** `unschedulable` and labels in one merge patch (null removes a label). */
export async function patchNode(
  conn: KubeConnection,
  name: string,
  change: { unschedulable?: boolean; labels?: Record<string, string | null> },
): Promise<void> {
  const { core } = await conn.apis();
  const body = {
    ...(change.unschedulable !== undefined ? { spec: { unschedulable: change.unschedulable } } : {}),
    ...(change.labels ? { metadata: { labels: change.labels } } : {}),
  };
  await kubeCall({ cluster: conn.cluster, verb: 'patch', resource: 'nodes', name }, () =>
    core.patchNode({ name, body }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch)),
  );
}

/** `aws:///us-east-1a/i-0123…` → `i-0123…`. */
export function instanceIdFromProviderId(providerId: string | undefined): string | undefined {
  return /^aws:\/\/\/[^/]*\/(i-[0-9a-f]{8,17})$/.exec(providerId ?? '')?.[1];
}
