/**
 * Find every pod running an image digest across many clusters: clusters in parallel (bounded),
 * pods paged inside each. One cluster failing (no access entry, RBAC) is reported for that
 * cluster and never hides the others' results.
 */
import type { EKSClient } from '@aws-sdk/client-eks';
import { mapWithConcurrency } from '../aws/concurrency.js';
import { errorLine } from '../aws/errors.js';
import { connectCluster } from './client.js';
import { podsRunningDigest, POD_PAGE_SIZE, type ImagePod } from './pods.js';

export const CLUSTER_CONCURRENCY = 10;

export interface ClusterSweep {
  cluster: string;
  pods: ImagePod[];
  /** Kubernetes list requests made. */
  requests: number;
  scanned: number;
  error?: string;
}

export async function sweepClusters(
  eks: EKSClient,
  clusters: readonly string[],
  digest: string,
  now: () => number,
  opts: { concurrency?: number; pageSize?: number } = {},
): Promise<ClusterSweep[]> {
  return mapWithConcurrency(clusters, opts.concurrency ?? CLUSTER_CONCURRENCY, async (cluster) => {
    try {
      const conn = await connectCluster(eks, cluster, now);
      const r = await podsRunningDigest(conn, digest, opts.pageSize ?? POD_PAGE_SIZE);
      return { cluster, ...r };
    } catch (err) {
      return { cluster, pods: [], requests: 0, scanned: 0, error: errorLine(err) };
    }
  });
}
