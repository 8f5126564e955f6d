/**
 * A Kubernetes API client for one EKS cluster, built from what EKS itself says: the endpoint and
 * CA from `eks:DescribeCluster` and an IAM bearer token (src/aws/eks/token.ts). No kubeconfig
 * file. The client trusts ONLY the cluster CA (Node's `ca` option replaces the default roots), so
 * a DNS or proxy trick cannot put another server in front of the cluster.
 *
 * The token lives 15 minutes: `apis()` makes a new one (and a new client) when it is within the
 * refresh margin, so a long sweep never sends an expired token.
 */
import { AppsV1Api, AuthorizationV1Api, CoreV1Api, KubeConfig, NetworkingV1Api } from '@kubernetes/client-node';
import type { EKSClient } from '@aws-sdk/client-eks';
import { describeClusterAccess, type ClusterAccess } from '../aws/eks/cluster.js';
import { createEksToken, EKS_TOKEN_REFRESH_MARGIN_MS, type EksToken } from '../aws/eks/token.js';

export interface KubeApis {
  core: CoreV1Api;
  apps: AppsV1Api;
  net: NetworkingV1Api;
  authz: AuthorizationV1Api;
}

export interface KubeConnection {
  cluster: string;
  region: string;
  endpoint: string;
  /** Fresh APIs (token refreshed when close to expiry). */
  apis(): Promise<KubeApis>;
}

/** Builds the client-node APIs for an endpoint, its CA and a bearer token. */
export function kubeApis(access: Pick<ClusterAccess, 'name' | 'endpoint' | 'caData'>, token: string): KubeApis {
  const kc = new KubeConfig();
  kc.loadFromClusterAndUser(
    { name: access.name, server: access.endpoint, caData: access.caData, skipTLSVerify: false },
    { name: 'guardduty-responder', token },
  );
  return {
    core: kc.makeApiClient(CoreV1Api),
    apps: kc.makeApiClient(AppsV1Api),
    net: kc.makeApiClient(NetworkingV1Api),
    authz: kc.makeApiClient(AuthorizationV1Api),
  };
}

/** DescribeCluster once, then a token-refreshing connection to that cluster. */
export async function connectCluster(eks: EKSClient, clusterName: string, now: () => number, requestIds: string[] = []): Promise<KubeConnection> {
  const access = await describeClusterAccess(eks, clusterName, requestIds);
  const region = await eks.config.region();
  let current: { token: EksToken; apis: KubeApis } | undefined;
  return {
    cluster: clusterName,
    region,
    endpoint: access.endpoint,
    async apis() {
      if (!current || now() >= current.token.expiresAt - EKS_TOKEN_REFRESH_MARGIN_MS) {
        const token = await createEksToken({ clusterName, region, credentials: eks.config.credentials, now });
        current = { token, apis: kubeApis(access, token.token) };
      }
      return current.apis;
    },
  };
}
