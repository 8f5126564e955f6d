/**
 * EKS control-plane calls: where a cluster's API server is and which CA signs it
 * (DescribeCluster), which clusters an account has in a Region (ListClusters, paged), and the
 * IAM role an EKS Pod Identity association gives a service account.
 */
import {
  DescribeClusterCommand,
  DescribePodIdentityAssociationCommand,
  ListClustersCommand,
  ListPodIdentityAssociationsCommand,
  type EKSClient,
} from '@aws-sdk/client-eks';
import { AppError } from '../../errors.js';
import { awsCall } from '../errors.js';

export interface ClusterAccess {
  name: string;
  arn?: string;
  /** https://… of the API server. */
  endpoint: string;
  /** Base64 PEM of the cluster CA: the only CA the Kubernetes client trusts. */
  caData: string;
  status?: string;
  version?: string;
}

export async function describeClusterAccess(eks: EKSClient, name: string, requestIds: string[] = []): Promise<ClusterAccess> {
  const out = await awsCall({ action: 'eks:DescribeCluster', resource: `cluster ${name}` }, requestIds, () => eks.send(new DescribeClusterCommand({ name })));
  const c = out.cluster;
  const endpoint = c?.endpoint;
  const caData = c?.certificateAuthority?.data;
  if (!endpoint || !caData) {
    throw new AppError('action_invalid', `EKS cluster ${name} has no API endpoint or CA yet (status ${c?.status ?? 'unknown'}): it cannot be reached now.`);
  }
  return {
    name,
    endpoint,
    caData,
    ...(c?.arn ? { arn: c.arn } : {}),
    ...(c?.status ? { status: c.status } : {}),
    ...(c?.version ? { version: c.version } : {}),
  };
}

/** Every cluster name in the client's account and Region (ListClusters pages of 100). */
export async function listClusterNames(eks: EKSClient, requestIds: string[] = []): Promise<string[]> {
  const names: string[] = [];
  let token: string | undefined;
  do {
    const next = token;
    const page = await awsCall({ action: 'eks:ListClusters' }, requestIds, () =>
      eks.send(new ListClustersCommand({ maxResults: 100, ...(next ? { nextToken: next } : {}) })),
    );
    names.push(...(page.clusters ?? []));
    token = page.nextToken;
  } while (token);
  return names;
}

/** The role an EKS Pod Identity association gives `namespace/serviceAccount`, if any. */
export async function podIdentityRole(
  eks: EKSClient,
  input: { cluster: string; namespace: string; serviceAccount: string },
  requestIds: string[] = [],
): Promise<string | undefined> {
  const list = await awsCall({ action: 'eks:ListPodIdentityAssociations', resource: `cluster ${input.cluster}` }, requestIds, () =>
    eks.send(new ListPodIdentityAssociationsCommand({ clusterName: input.cluster, namespace: input.namespace, serviceAccount: input.serviceAccount })),
  );
  const first = list.associations?.find((a) => a.namespace === input.namespace && a.serviceAccount === input.serviceAccount);
  if (!first?.associationId) return undefined;
  const id = first.associationId;
  const d = await awsCall({ action: 'eks:DescribePodIdentityAssociation', resource: id }, requestIds, () =>
    eks.send(new DescribePodIdentityAssociationCommand({ clusterName: input.cluster, associationId: id })),
  );
  return d.association?.roleArn;
}
