import { listClusterNames } from '../../aws/eks/cluster.js';
import { mapWithConcurrency } from '../../aws/concurrency.js';
import type { AwsPlace } from '../../aws/accounts.js';
import { placeLabel } from '../../aws/ecs/org-sweep.js';
import { describeError, isAppError } from '../../errors.js';
import { sweepClusters, type ClusterSweep } from '../../k8s/image-sweep.js';
import type { ActionContext, ActionDefinition } from '../types.js';
import { hasPod } from './target.js';
import { findingDigest } from './image.js';

/** Account × Region places searched at once (each place then searches 10 clusters at a time). */
export const POD_PLACE_CONCURRENCY = 5;

interface PlaceResult {
  place: AwsPlace;
  clusters: ClusterSweep[];
  /** Why the place could not be searched at all (not allowed, role refused, ListClusters failed). */
  error?: string;
}

/**
 * Read-only sweep: every EKS cluster of every account × Region the app acts in (an image from a
 * shared registry runs in many accounts; each place with its own session), all namespaces, pods
 * matched on the running image digest (`containerStatuses[].imageID`); per-account and
 * per-cluster results, and the places that could not be searched, with why.
 */
export const findImagePodsAction: ActionDefinition = {
  id: 'find_image_pods',
  label: 'Find pods running this image',
  verb: 'Search',
  command: {
    verb: 'pods',
    aliases: ['find-pods'],
    resources: ['pod'],
    section: 'Pods',
    help: "find every pod running the pod's image, in every cluster of the allowed accounts and Regions",
  },
  changes: false,
  destructive: false,
  repeatable: true,
  appliesTo: (f) => hasPod(f),
  async plan(ctx) {
    const { digest, image } = await findingDigest(ctx);
    const others = placesOf(ctx).filter((p) => !isHome(ctx, p));
    const clusters = await listClusterNames(ctx.aws.eks);
    const where = others.length
      ? ` and every EKS cluster of ${others.length} other account/Region place(s) (${others.map((p) => placeLabel(p, ctx.accountName)).join(', ')})`
      : '';
    return {
      summary: `Search ${clusters.length} EKS cluster(s) of account ${ctx.finding.accountId} in ${ctx.finding.region}${where} for pods running ${image ? `${image} ` : ''}${digest}.`,
      resources: [...clusters.map((c) => `cluster ${c}`), ...others.map((p) => `every cluster of ${placeLabel(p, ctx.accountName)}`)],
      apiCalls: ['eks:ListClusters (per account and Region)', 'eks:DescribeCluster + GET /api/v1/pods (paged, all namespaces) per cluster'],
      warnings: [
        'Matches the digest the container runtime reports, not the tag: a re-tagged copy of the same image is found, a rebuilt image with the same tag is not.',
      ],
      data: { digest, clusters },
    };
  },
  async execute(ctx) {
    const { digest, clusters } = ctx.plan.data as { digest: string; clusters: string[] };
    const now = () => ctx.clock.now();
    const results = await mapWithConcurrency(placesOf(ctx), POD_PLACE_CONCURRENCY, async (place): Promise<PlaceResult> => {
      try {
        // The finding's own place: the clusters the plan showed; elsewhere: listed now.
        const aws = isHome(ctx, place) ? ctx.aws : ctx.awsIn!(place);
        const names = isHome(ctx, place) ? clusters : await listClusterNames(aws.eks);
        const r: PlaceResult = { place, clusters: await sweepClusters(aws.eks, names, digest, now) };
        if (!isHome(ctx, place)) ctx.progress(`${placeLabel(place, ctx.accountName)}: ${count(r)} pod(s) in ${r.clusters.length} cluster(s)`);
        return r;
      } catch (err) {
        const error = isAppError(err) ? err.message : describeError(err);
        ctx.progress(`${placeLabel(place, ctx.accountName)}: could not be searched — ${error}`);
        return { place, clusters: [], error };
      }
    });
    const multi = results.length > 1;
    const name = (r: PlaceResult, cluster: string) => (multi ? `${placeLabel(r.place, ctx.accountName)} ${cluster}` : cluster);
    const all = results.flatMap((r) => r.clusters.map((c) => ({ ...c, label: name(r, c.cluster) })));
    const total = all.reduce((n, r) => n + r.pods.length, 0);
    const failedClusters = all.filter((r) => r.error);
    const failedPlaces = results.filter((r) => r.error);
    const searched = all.length - failedClusters.length;
    const lines = [
      ...failedPlaces.map((r) => `${placeLabel(r.place, ctx.accountName)}: NOT searched — ${r.error}`),
      ...all.flatMap((r) =>
        r.error
          ? [`${r.label}: NOT searched — ${r.error}`]
          : [
              `${r.label}: ${r.pods.length} pod(s) of ${r.scanned}`,
              ...r.pods.map((p) => `  ${p.namespace}/${p.name}${p.owner ? ` (${p.owner})` : ''}${p.node ? ` on ${p.node}` : ''}`),
            ],
      ),
    ];
    const nothing = searched === 0 && (all.length > 0 || failedPlaces.length > 0);
    return {
      status: nothing ? 'failed' : failedClusters.length || failedPlaces.length ? 'partial' : 'succeeded',
      headline: `${total} pod(s) running ${digest.slice(0, 19)}… in ${searched} of ${all.length} cluster(s)${multi ? ` — ${results.length - failedPlaces.length} of ${results.length} account/Region place(s) searched` : ''}`,
      done: [
        ...(multi
          ? results.filter((r) => !r.error).map((r) => `${placeLabel(r.place, ctx.accountName)}: ${count(r)} pod(s) in ${r.clusters.length} cluster(s)`)
          : []),
        ...all
          .filter((r) => !r.error)
          .map(
            (r) =>
              `${r.label}: ${r.pods.length} pod(s)${
                r.pods.length
                  ? ` — ${r.pods
                      .slice(0, 5)
                      .map((p) => `${p.namespace}/${p.name}`)
                      .join(', ')}${r.pods.length > 5 ? '…' : ''}`
                  : ''
              }`,
          ),
      ],
      notDone: [
        ...failedPlaces.map((r) => `${placeLabel(r.place, ctx.accountName)} could not be searched: ${r.error}`),
        ...failedClusters.map((r) => `${r.label}: ${r.error}`),
      ],
      next: total ? ['Update workload image on the owning workloads, or stop the pods.'] : [],
      requestIds: [],
      attachment: { filename: 'pods-running-image.txt', title: `Pods running ${digest}`, content: lines.join('\n') },
      cardFacts: { 'Pods on this image': `${total} in ${all.length} cluster(s)${multi ? ` of ${results.length} account/Region place(s)` : ''}` },
    };
  },
};

/** Every allowed account × Region, the finding's own place first; just that one without an organization. */
function placesOf(ctx: ActionContext): AwsPlace[] {
  const home = { accountId: ctx.finding.accountId, region: ctx.finding.region };
  if (!ctx.awsIn || !ctx.places) return [home];
  return [home, ...ctx.places().filter((p) => !isHome(ctx, p))];
}

function isHome(ctx: ActionContext, p: AwsPlace): boolean {
  return p.accountId === ctx.finding.accountId && p.region === ctx.finding.region;
}

const count = (r: PlaceResult) => r.clusters.reduce((n, c) => n + c.pods.length, 0);
