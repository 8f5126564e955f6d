/**
 * EKS on the wire (restJson1, camelCase members): GET /clusters/{name} (DescribeCluster),
 * GET /clusters (ListClusters, `maxResults` ≤ 100 + `nextToken`), GET
 * /clusters/{name}/pod-identity-associations (ListPodIdentityAssociations, filtered by
 * `namespace` / `serviceAccount`), GET /clusters/{name}/pod-identity-associations/{id}
 * (DescribePodIdentityAssociation). A missing cluster is ResourceNotFoundException (404).
 */
import { AwsServiceError, decodeToken, encodeToken, type RestJsonServiceDefinition } from '../service.js';

export interface EksCluster {
  name: string;
  endpoint: string;
  /** Base64 PEM. */
  caData: string;
  status?: string;
}

export interface PodIdentity {
  cluster: string;
  namespace: string;
  serviceAccount: string;
  roleArn: string;
  associationId: string;
}

export class EksState {
  readonly clusters = new Map<string, EksCluster>();
  readonly podIdentities: PodIdentity[] = [];
  constructor(readonly env: { region: string; accountId: string }) {}
  addCluster(c: EksCluster): void {
    this.clusters.set(c.name, c);
  }
  arnOf(name: string): string {
    return `arn:aws:eks:${this.env.region}:${this.env.accountId}:cluster/${name}`;
  }
}

const notFound = (name: string) => new AwsServiceError('ResourceNotFoundException', `No cluster found for name: ${name}.`, 404);

export function eksService(state: EksState): RestJsonServiceDefinition {
  const cluster = (name: string | undefined) => {
    const c = state.clusters.get(name ?? '');
    if (!c) throw notFound(name ?? '');
    return c;
  };
  return {
    name: 'eks',
    protocol: 'restJson1',
    resourceOf(_op, params) {
      const n = (params as { labels?: Record<string, string> } | undefined)?.labels?.name;
      return n ? state.arnOf(n) : '*';
    },
    routes: [
      { method: 'GET', path: '/clusters', op: 'ListClusters' },
      { method: 'GET', path: '/clusters/{name}', op: 'DescribeCluster' },
      { method: 'GET', path: '/clusters/{name}/pod-identity-associations', op: 'ListPodIdentityAssociations' },
      { method: 'GET', path: '/clusters/{name}/pod-identity-associations/{associationId}', op: 'DescribePodIdentityAssociation' },
    ],
    operations: {
      ListClusters({ query }) {
        const max = Number(query.get('maxResults') ?? 100);
        if (!(max >= 1 && max <= 100)) throw new AwsServiceError('InvalidParameterException', 'maxResults must be between 1 and 100', 400);
        const all = [...state.clusters.keys()].sort();
        const start = decodeToken(
          query.get('nextToken') ?? undefined,
          'eks-clusters',
          () => new AwsServiceError('InvalidParameterException', 'invalid nextToken', 400),
        );
        const page = all.slice(start, start + max);
        return { clusters: page, ...(start + max < all.length ? { nextToken: encodeToken(start + max, 'eks-clusters') } : {}) };
      },
      DescribeCluster({ labels }) {
        const c = cluster(labels.name);
        return {
          cluster: {
            name: c.name,
            arn: state.arnOf(c.name),
            version: '1.31',
            endpoint: c.endpoint,
            status: c.status ?? 'ACTIVE',
            certificateAuthority: { data: c.caData },
            platformVersion: 'eks.1',
          },
        };
      },
      ListPodIdentityAssociations({ labels, query }) {
        cluster(labels.name);
        const ns = query.get('namespace');
        const sa = query.get('serviceAccount');
        const hits = state.podIdentities.filter((p) => p.cluster === labels.name && (!ns || p.namespace === ns) && (!sa || p.serviceAccount === sa));
        return {
          associations: hits.map((p) => ({
            clusterName: p.cluster,
            namespace: p.namespace,
            serviceAccount: p.serviceAccount,
            associationId: p.associationId,
            associationArn: `${state.arnOf(p.cluster)}/${p.associationId}`,
          })),
        };
      },
      DescribePodIdentityAssociation({ labels }) {
        const p = state.podIdentities.find((x) => x.cluster === labels.name && x.associationId === labels.associationId);
        if (!p) throw new AwsServiceError('ResourceNotFoundException', 'association not found', 404);
        return {
          association: { clusterName: p.cluster, namespace: p.namespace, serviceAccount: p.serviceAccount, roleArn: p.roleArn, associationId: p.associationId },
        };
      },
    },
  };
}
