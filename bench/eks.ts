/**
 * Find the pods running one image across 20 EKS clusters × 5,000 pods, through the app's own
 * client factory (EKS DescribeCluster against the AWS double) and @kubernetes/client-node over
 * HTTPS against the Kubernetes double, which answers each request after a fixed latency (an API
 * server's list of 500 pods is not instant; without it the figure would only measure this
 * machine's JSON parsing).
 *
 * Figures: Kubernetes requests vs the minimum the page size allows (ceil(pods / page) per
 * cluster), and wall time for 20 clusters vs one cluster's time measured in the same run.
 */
import { createAwsClientFactory } from '../src/aws/clients.js';
import { sweepClusters, CLUSTER_CONCURRENCY } from '../src/k8s/image-sweep.js';
import { POD_PAGE_SIZE } from '../src/k8s/pods.js';
import { createLogger } from '../src/log.js';
import { startAwsDouble } from '../test/doubles/aws/index.js';
import { startK8sDouble } from '../test/doubles/k8s.js';

export const EKS_CLUSTERS = 20;
export const PODS_PER_CLUSTER = 5_000;
export const API_LATENCY_MS = 100;
const DIGEST = `sha256:${'ab'.repeat(32)}`;
const OTHER = `sha256:${'cd'.repeat(32)}`;

export interface EksBench {
  requests: number;
  minimum: number;
  oneClusterSeconds: number;
  allSeconds: number;
  matches: number;
  errors: number;
}

export async function runEksBench(): Promise<EksBench> {
  const aws = await startAwsDouble();
  const credentials = { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench' };
  const k8s = await startK8sDouble({ credentials, latencyMs: API_LATENCY_MS });
  const factory = createAwsClientFactory({ endpointUrl: aws.endpoint, defaultRegion: aws.region, credentials, logger: createLogger('silent') });
  try {
    const names: string[] = [];
    for (let c = 0; c < EKS_CLUSTERS; c++) {
      const name = `cluster-${String(c).padStart(2, '0')}`;
      names.push(name);
      const cluster = k8s.addCluster(name);
      aws.eks.addCluster({ name, endpoint: cluster.endpoint, caData: k8s.caData });
      cluster.addRawPods(PODS_PER_CLUSTER, (i) => ({
        namespace: `ns-${i % 25}`,
        name: `pod-${String(i).padStart(4, '0')}`,
        image: 'web:1',
        digest: i % 100 === 0 ? DIGEST : OTHER,
      }));
    }
    const eks = factory.forTarget({ accountId: aws.accountId }).eks;
    // Warm-up (TLS, JIT), then one cluster alone: the baseline.
    await sweepClusters(eks, [names[0]!], DIGEST, Date.now);
    let t0 = performance.now();
    await sweepClusters(eks, [names[0]!], DIGEST, Date.now);
    const oneClusterSeconds = (performance.now() - t0) / 1000;
    const before = k8s.calls.length;
    t0 = performance.now();
    const results = await sweepClusters(eks, names, DIGEST, Date.now);
    const allSeconds = (performance.now() - t0) / 1000;
    const requests = k8s.calls.slice(before).filter((c) => c.path === '/api/v1/pods').length;
    return {
      requests,
      minimum: EKS_CLUSTERS * Math.ceil(PODS_PER_CLUSTER / POD_PAGE_SIZE),
      oneClusterSeconds,
      allSeconds,
      matches: results.reduce((n, r) => n + r.pods.length, 0),
      errors: results.filter((r) => r.error).length,
    };
  } finally {
    factory.destroy();
    await k8s.close();
    await aws.close();
  }
}

export { CLUSTER_CONCURRENCY };
