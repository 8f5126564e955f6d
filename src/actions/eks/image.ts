import { AppError } from '../../errors.js';
import { digestOf, readPod } from '../../k8s/pods.js';
import type { ActionContext } from '../types.js';
import { connect, podTargetOf } from './target.js';

/** The digest of the finding's image: from the finding when it says, else the pod's running imageID. */
export async function findingDigest(ctx: ActionContext): Promise<{ digest: string; image?: string }> {
  const image = ctx.finding.container?.image ?? ctx.finding.eks?.containers[0]?.image;
  const fromFinding = ctx.finding.container?.imageDigest ?? ctx.finding.eks?.containers.find((c) => c.imageDigest)?.imageDigest;
  if (fromFinding) return { digest: fromFinding, ...(image ? { image } : {}) };
  const t = podTargetOf(ctx.finding);
  const pod = await readPod(await connect(ctx, t.cluster), t);
  const statuses = pod.status?.containerStatuses ?? [];
  const named = ctx.finding.container?.name;
  const s = statuses.find((x) => x.name === named) ?? statuses.find((x) => digestOf(x.imageID));
  const digest = digestOf(s?.imageID);
  if (!digest) throw new AppError('action_invalid', `The pod reports no image digest for its containers (not running yet?): nothing to search for.`);
  return { digest, image: s?.image ?? image ?? '' };
}
