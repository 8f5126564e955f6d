/** The IAM role a pod's service account gets through IRSA (its role-arn annotation). */
import type { KubeConnection } from './client.js';
import { kubeCall } from './errors.js';

export const IRSA_ANNOTATION = 'eks.amazonaws.com/role-arn';

export async function irsaRole(conn: KubeConnection, namespace: string, name: string): Promise<string | undefined> {
  const { core } = await conn.apis();
  const sa = await kubeCall({ cluster: conn.cluster, verb: 'get', resource: 'serviceaccounts', namespace, name }, () =>
    core.readNamespacedServiceAccount({ namespace, name }),
  );
  return sa.metadata?.annotations?.[IRSA_ANNOTATION];
}
