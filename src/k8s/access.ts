/**
 * Asks the cluster, before changing anything, whether the app may do every call a step needs
 * (SelfSubjectAccessReview, which every authenticated user may create). A refusal blocks the
 * plan with the missing verb and resource, so nothing is half-done by a mid-way 403.
 */
import type { KubeConnection } from './client.js';
import { kubeCall } from './errors.js';

export interface Need {
  verb: string;
  /** Plural resource, `pods/log` for a subresource. */
  resource: string;
  group?: string;
  namespace?: string;
}

export const needText = (n: Need) =>
  `${n.verb} ${n.resource}${n.group ? `.${n.group}` : ''}${n.namespace ? ` in namespace ${n.namespace}` : ' (cluster-wide)'}`;

export async function missingPermissions(conn: KubeConnection, needs: readonly Need[]): Promise<Need[]> {
  const { authz } = await conn.apis();
  const missing: Need[] = [];
  for (const n of needs) {
    const [resource, subresource] = n.resource.split('/');
    const review = await kubeCall({ cluster: conn.cluster, verb: 'create', resource: 'selfsubjectaccessreviews.authorization.k8s.io' }, () =>
      authz.createSelfSubjectAccessReview({
        body: {
          apiVersion: 'authorization.k8s.io/v1',
          kind: 'SelfSubjectAccessReview',
          spec: {
            resourceAttributes: {
              verb: n.verb,
              resource: resource!,
              group: n.group ?? '',
              ...(subresource ? { subresource } : {}),
              ...(n.namespace ? { namespace: n.namespace } : {}),
            },
          },
        },
      }),
    );
    if (!review.status?.allowed) missing.push(n);
  }
  return missing;
}

export function missingText(cluster: string, missing: readonly Need[]): string {
  return `cluster ${cluster} does not let the app ${missing.map(needText).join('; ')}. Add ${missing.length === 1 ? 'it' : 'them'} to the guardduty-responder ClusterRole (deploy/eks/rbac.yaml); nothing was changed`;
}
