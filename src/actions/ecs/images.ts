import { AppError } from '../../errors.js';
import type { Finding } from '../../findings/model.js';
import { isEcrImage, parseImageReference } from '../../aws/arn.js';
import { describeTaskContext, ecsTaskTargetFromFinding } from '../../aws/ecs/index.js';
import { resolveDigest, resolveEcrImage } from '../../aws/ecr/index.js';
import type { ContainerInfo } from '../../findings/model.js';
import type { ActionContext, PlanInput } from '../types.js';

export interface CompromisedImageRef {
  /** As the task runs it, e.g. 123456789012.dkr.ecr.us-east-1.amazonaws.com/checkout:1.4 */
  image: string;
  digest: string;
  repository?: string;
  tag?: string;
  containerName?: string;
}

export const IMAGE_INPUT_ID = 'image';

/** The containers a finding names: an ECS task's, or a standalone container (Container cards). */
export function findingContainers(f: Finding): ContainerInfo[] {
  if (f.kind === 'ECSCluster') return (f.ecs?.containers ?? []).filter((c) => !!c.image);
  if (f.kind === 'Container' && f.container?.image) return [f.container];
  return [];
}

/** Does the finding name an ECS task or container image the image steps can act on? */
export function hasEcsImage(f: Finding): boolean {
  return findingContainers(f).length > 0 && (f.kind === 'ECSCluster' || findingContainers(f).some((c) => isEcrImage(c.image!)));
}

/** At least one of the finding's images is in Amazon ECR (quarantine and scan need that). */
export function hasEcrImage(f: Finding): boolean {
  return findingContainers(f).some((c) => isEcrImage(c.image!));
}

/**
 * The images of the finding's task, with digests. The finding often lacks the digest (it names
 * `repo:tag`); the running task knows it (DescribeTasks containers[].imageDigest).
 */
export async function compromisedImages(ctx: ActionContext, requestIds: string[]): Promise<CompromisedImageRef[]> {
  const fromFinding = findingContainers(ctx.finding);
  const out = new Map<string, CompromisedImageRef>();
  const missingDigest = fromFinding.some((c) => !c.imageDigest);
  let live: Awaited<ReturnType<typeof describeTaskContext>> | undefined;
  if (missingDigest && ctx.finding.kind === 'ECSCluster' && ctx.finding.ecs?.taskArn) {
    const target = ecsTaskTargetFromFinding(ctx.finding);
    live = await describeTaskContext(ctx.aws, { cluster: target.cluster, taskArn: target.taskArn });
    requestIds.push(...live.requestIds);
  }
  for (const c of fromFinding) {
    let digest = c.imageDigest ?? live?.containers.find((l) => l.name === c.name || l.image === c.image)?.imageDigest;
    // A standalone container names repo:tag only: ECR knows which digest the tag points at now.
    if (!digest && c.image && isEcrImage(c.image)) digest = await resolveDigest(ctx.aws, resolveEcrImage(c.image), requestIds).catch(() => undefined);
    if (!digest || !c.image) continue;
    const ref = parseImageReference(c.image);
    out.set(digest, {
      image: c.image,
      digest,
      ...(ref ? { repository: ref.registry === 'docker.io' ? ref.repository : `${ref.registry}/${ref.repository}` } : {}),
      ...(ref?.tag ? { tag: ref.tag } : {}),
      ...(c.name ? { containerName: c.name } : {}),
    });
  }
  if (out.size === 0) {
    throw new AppError('aws_not_found', 'No image digest is known for this task: the finding names none and the task is no longer running to tell it.');
  }
  return [...out.values()];
}

/** When the task runs several images, the responder picks which one is compromised. */
export function imageChoice(images: readonly CompromisedImageRef[]): PlanInput[] {
  if (images.length <= 1) return [];
  return [
    {
      id: IMAGE_INPUT_ID,
      kind: 'select',
      label: 'Which image is compromised?',
      options: images.map((i) => ({ value: i.digest, label: `${i.containerName ?? ''} ${i.image}`.trim() })),
      initial: images[0]!.digest,
    },
  ];
}

export function chosenImage(images: readonly CompromisedImageRef[], inputs: Record<string, string>): CompromisedImageRef {
  const picked = inputs[IMAGE_INPUT_ID];
  return images.find((i) => i.digest === picked) ?? images[0]!;
}

export const shortDigest = (d: string) => d.replace(/^sha256:/, '').slice(0, 12);

/** `registry/repository@sha256:…` of an image the task ran as `…:tag` or `…@sha256:…`. */
export function ecrUri(image: CompromisedImageRef): string {
  return `${image.image.replace(/@sha256:[0-9a-f]+$/, '').replace(/:[^/:]+$/, '')}@${image.digest}`;
}
