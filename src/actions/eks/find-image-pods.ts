import { listClusterNames } from '../../aws/eks/cluster.js';
import { sweepClusters } from '../../k8s/image-sweep.js';
import type { ActionDefinition } from '../types.js';
import { hasPod } from './target.js';
import { findingDigest } from './image.js';

/**
 * Read-only sweep: every EKS cluster of the finding's account and Region, all namespaces, pods
 * matched on the running image digest (`containerStatuses[].imageID`), per-cluster results.
 */
export const findImagePodsAction: ActionDefinition = {
  id: 'find_image_pods',
  label: 'Find pods running this image',
  verb: 'Search',
  command: { verb: 'pods', aliases: ['find-pods'], resources: ['pod'], section: 'Pods', help: "find every pod running the pod's image, in every cluster of the allowed accounts and Regions" },
  changes: false,
  destructive: false,
  repeatable: true,
  appliesTo: (f) => hasPod(f),
  async plan(ctx) {
    const { digest, image } = await findingDigest(ctx);
    const clusters = await listClusterNames(ctx.aws.eks);
    return {
      summary: `Search ${clusters.length} EKS cluster(s) of account ${ctx.finding.accountId} in ${ctx.finding.region} for pods running ${image ? `${image} ` : ''}${digest}.`,
      resources: clusters.map((c) => `cluster ${c}`),
      apiCalls: ['eks:ListClusters', ...clusters.map((c) => `eks:DescribeCluster ${c} + GET /api/v1/pods (paged, all namespaces)`)],
      warnings: ['Matches the digest the container runtime reports, not the tag: a re-tagged copy of the same image is found, a rebuilt image with the same tag is not.', 'Other accounts and Regions are not searched from this card.'],
      data: { digest, clusters },
    };
  },
  async execute(ctx) {
    const { digest, clusters } = ctx.plan.data as { digest: string; clusters: string[] };
    const results = await sweepClusters(ctx.aws.eks, clusters, digest, () => ctx.clock.now());
    const total = results.reduce((n, r) => n + r.pods.length, 0);
    const failed = results.filter((r) => r.error);
    const lines = results.flatMap((r) => (r.error ? [`${r.cluster}: NOT searched — ${r.error}`] : [`${r.cluster}: ${r.pods.length} pod(s) of ${r.scanned}`, ...r.pods.map((p) => `  ${p.namespace}/${p.name}${p.owner ? ` (${p.owner})` : ''}${p.node ? ` on ${p.node}` : ''}`)]));
    return {
      status: failed.length === results.length && results.length > 0 ? 'failed' : failed.length ? 'partial' : 'succeeded',
      headline: `${total} pod(s) running ${digest.slice(0, 19)}… in ${results.length - failed.length} of ${results.length} cluster(s)`,
      done: results.filter((r) => !r.error).map((r) => `${r.cluster}: ${r.pods.length} pod(s)${r.pods.length ? ` — ${r.pods.slice(0, 5).map((p) => `${p.namespace}/${p.name}`).join(', ')}${r.pods.length > 5 ? '…' : ''}` : ''}`),
      notDone: failed.map((r) => `${r.cluster}: ${r.error}`),
      next: total ? ['Update workload image on the owning workloads, or stop the pods.'] : [],
      requestIds: [],
      attachment: { filename: 'pods-running-image.txt', title: `Pods running ${digest}`, content: lines.join('\n') },
      cardFacts: { 'Pods on this image': `${total} in ${results.length} cluster(s)` },
    };
  },
};
