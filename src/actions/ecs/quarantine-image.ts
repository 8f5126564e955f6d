import { isEcrImage, parseEcrImageUri } from '../../aws/arn.js';
import type { AwsClients } from '../../aws/clients.js';
import { deleteImage, getImageEvidence, tagsOfImage, type ImageEvidence } from '../../aws/ecr/index.js';
import { isAppError } from '../../errors.js';
import { imageStateKey } from '../resource-keys.js';
import type { ActionContext, ActionDefinition } from '../types.js';
import { distinctTasks, sweepEverywhere } from './find-image-tasks.js';
import { chosenImage, compromisedImages, ecrUri, hasEcrImage, imageChoice, shortDigest, type CompromisedImageRef } from './images.js';

export const IMAGE_EVIDENCE_KEY = 'image_evidence';

/**
 * Keep the evidence (manifest, digest, tags: stored and shown), then delete the image from ECR
 * by digest — which removes every tag pointing at it. Running tasks keep running (their image is
 * already pulled); new tasks that need it fail to start. The plan shows how many run it now.
 */
export const quarantineImageAction: ActionDefinition = {
  id: 'quarantine_image',
  label: 'Quarantine image',
  verb: 'Delete image',
  changes: true,
  destructive: true,
  repeatable: false,
  command: { verb: 'quarantine', resources: ['image'], section: 'Images', help: 'keep the manifest as evidence, then delete the image from ECR' },
  style: 'danger',
  appliesTo: (f) => hasEcrImage(f),
  async plan(ctx) {
    const requestIds: string[] = [];
    const images = (await compromisedImages(ctx, requestIds)).filter((i) => isEcrImage(i.image));
    if (images.length === 0) {
      return {
        summary: 'None of the task’s images is in Amazon ECR.',
        resources: [],
        apiCalls: [],
        warnings: [],
        blocked: 'only images stored in Amazon ECR can be quarantined by the responder; delete it from its registry by hand',
      };
    }
    // Already quarantined (from this card or another about the same digest: the record is the
    // image's) and no longer in ECR: say so instead of offering a delete that can only fail.
    const done = images.length === 1 ? images[0] : undefined;
    const kept = done
      ? await ctx.state.get<ImageEvidence & { savedBy?: string; savedAt?: number; fromFinding?: string }>(imageStateKey(IMAGE_EVIDENCE_KEY, ecrUri(done)))
      : undefined;
    if (kept && done) {
      const gone = await getImageEvidence(registryClients(ctx, ecrUri(done)), ecrUri(done)).then(
        () => false,
        (err: unknown) => {
          if (isAppError(err, 'aws_not_found')) return true;
          throw err;
        },
      );
      if (gone) {
        return {
          summary: `${done.image} (${shortDigest(done.digest)}) was already quarantined${kept.savedBy ? ` by Slack user ${kept.savedBy}` : ''}${kept.fromFinding ? ` from the card of finding ${kept.fromFinding}` : ''}${kept.savedAt ? ` at ${new Date(kept.savedAt).toISOString()}` : ''}: it is no longer in ECR and its evidence is kept.`,
          resources: [`${done.image} (${done.digest})`],
          apiCalls: [],
          warnings: [],
          blocked: `the image was already deleted from ECR by an earlier quarantine${kept.fromFinding && kept.fromFinding !== ctx.finding.id ? ` (from the card of finding ${kept.fromFinding})` : ''}; there is nothing left to delete`,
        };
      }
    }
    const counts = await Promise.all(images.map(async (i) => distinctTasks((await sweepEverywhere(ctx, i)).merged.matches).length));
    // Every tag on the digest goes with it: name them (a `latest` that other services pull, too).
    const tags = await Promise.all(
      images.map((i) =>
        tagsOfImage(registryClients(ctx, ecrUri(i)), ecrUri(i)).then(
          (r) => r.tags,
          () => undefined,
        ),
      ),
    );
    return {
      summary: `Save the manifest of ${images[0]!.image} as evidence, then delete it from ECR by digest ${shortDigest(images[0]!.digest)}.`,
      resources: images.map((i, n) => `${i.image} (${i.digest}) — ${counts[n]} running task${counts[n] === 1 ? '' : 's'} use it now; ${tagsText(tags[n])}`),
      apiCalls: [
        'ecr:DescribeImages (tags, push time)',
        'ecr:BatchGetImage (manifest, kept as evidence)',
        'ecr:BatchDeleteImage by digest (removes every tag of it)',
      ],
      warnings: [
        'Running tasks keep running: they already have the image. New tasks and scale-outs that need it will fail to start.',
        'Deleting by digest removes every tag that points at it. This cannot be undone, except by pushing the image again.',
        ...(counts.some((c) => c > 0) ? ['Consider "Stop all tasks using the image / pin services" so services do not keep failing to start it.'] : []),
        ...otherTagsWarning(images, tags),
      ],
      inputs: imageChoice(images),
      data: { images },
    };
  },
  async execute(ctx) {
    const image: CompromisedImageRef = chosenImage((ctx.plan.data as { images: CompromisedImageRef[] }).images, ctx.inputs);
    const uri = ecrUri(image);
    const evidence = await getImageEvidence(registryClients(ctx, uri), uri);
    // Kept on the image's record (registry account/Region, repository, digest): every card about it sees it.
    await ctx.state.put(imageStateKey(IMAGE_EVIDENCE_KEY, uri), { ...evidence, savedAt: ctx.clock.now(), savedBy: ctx.actor });
    const del = await deleteImage(registryClients(ctx, uri), uri);
    const ok = del.failures.length === 0;
    return {
      status: ok ? 'succeeded' : del.deleted.length > 0 ? 'partial' : 'failed',
      headline: ok
        ? `image ${shortDigest(evidence.imageDigest)} deleted from ${evidence.repositoryName}; evidence kept`
        : 'the image could not be (fully) deleted; evidence kept',
      done: [
        `Evidence saved: ${evidence.repositoryName}@${evidence.imageDigest}, tags ${evidence.tags.join(', ') || 'none'}, media type ${evidence.mediaType ?? 'unknown'}, manifest ${evidence.manifest.length} bytes${evidence.manifestDigestMatches ? ' (sha256 matches the digest)' : ' (WARNING: manifest hash does not match the digest)'}`,
        ...del.deleted.map((d) => `ecr:BatchDeleteImage deleted ${d.imageDigest ?? ''}${d.imageTag ? ` (tag ${d.imageTag})` : ''}`),
        ...(del.deleted.length > 0 ? [removedTagsText(evidence.tags, image.tag)] : []),
      ],
      notDone: del.failures.map((f) => `${f.imageDigest ?? f.imageTag ?? ''}: ${f.reason}`),
      next: ['Stop tasks that still run it and pin their services to a clean image.'],
      requestIds: [...evidence.requestIds, ...del.requestIds],
      attachment: {
        filename: `manifest-${shortDigest(evidence.imageDigest)}.json`,
        title: `Manifest of ${evidence.repositoryName}@${evidence.imageDigest}`,
        content: evidence.manifest,
      },
      cardStatus: ok ? ':wastebasket: Image quarantined (deleted from ECR, evidence kept)' : ':warning: Image quarantine incomplete',
    };
  },
};

function tagsText(tags: string[] | undefined): string {
  if (tags === undefined) return 'its tags could not be read';
  return tags.length === 0 ? 'untagged' : `tags on this digest (all removed with it): ${tags.join(', ')}`;
}

/** Tags the finding did not name (e.g. `latest`): whoever pulls them loses the image too. */
function otherTagsWarning(images: CompromisedImageRef[], tags: (string[] | undefined)[]): string[] {
  return images.flatMap((i, n) => {
    const others = (tags[n] ?? []).filter((t) => t !== i.tag);
    return others.length > 0
      ? [`Other tags point at the same digest and are removed too: ${others.join(', ')} — anything that pulls them will fail to start.`]
      : [];
  });
}

function removedTagsText(tags: string[], named: string | undefined): string {
  if (tags.length === 0) return 'Tags removed: none (the image was untagged)';
  const others = tags.filter((t) => t !== named);
  return `Tags removed with the image: ${tags.join(', ')}${others.length > 0 && named ? ` (besides ${named}: ${others.join(', ')})` : ''}`;
}

/**
 * An image in a shared registry account (the registry id in its URI) is read and deleted with
 * that account's credentials (its session of the same person), not the finding's account's.
 */
export function registryClients(ctx: ActionContext, uri: string): AwsClients {
  const ecr = parseEcrImageUri(uri);
  if (!ecr || !ctx.awsIn || (ecr.registryId === ctx.finding.accountId && ecr.region === ctx.finding.region)) return ctx.aws;
  return ctx.awsIn({ accountId: ecr.registryId, region: ecr.region });
}
