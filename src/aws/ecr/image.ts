/**
 * ECR image evidence and deletion. Order: keep the manifest (evidence) first, delete after.
 * Always by digest: BatchDeleteImage with a tag removes only that tag and leaves the image
 * pullable by digest and by its other tags.
 */
import { createHash } from 'node:crypto';
import { BatchDeleteImageCommand, BatchGetImageCommand, DescribeImagesCommand, type ImageIdentifier } from '@aws-sdk/client-ecr';
import { AppError } from '../../errors.js';
import type { AwsClients } from '../clients.js';
import { parseEcrImageUri, parseImageReference, SHA256_DIGEST_RE } from '../arn.js';
import { awsCall } from '../errors.js';

export type EcrClients = Pick<AwsClients, 'ecr'>;

/** An image URI (`<acct>.dkr.ecr.<region>.amazonaws.com/<repo>[:tag][@digest]`) or its parts. */
export type EcrImageInput = string | { registryId?: string; region?: string; repositoryName: string; imageDigest?: string; imageTag?: string };

export interface EcrImage {
  registryId?: string;
  region?: string;
  repositoryName: string;
  imageDigest?: string;
  imageTag?: string;
  /** As given, for messages. */
  label: string;
}

/** Manifest media types we accept, so ECR never converts the manifest it hands back. */
export const ACCEPTED_MANIFEST_MEDIA_TYPES = [
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v1+prettyjws',
] as const;

/** Parses an ECR image, or explains why an image elsewhere (Docker Hub…) cannot be handled. */
export function resolveEcrImage(input: EcrImageInput): EcrImage {
  if (typeof input !== 'string') {
    return {
      ...(input.registryId !== undefined ? { registryId: input.registryId } : {}),
      ...(input.region !== undefined ? { region: input.region } : {}),
      repositoryName: input.repositoryName,
      ...(input.imageDigest !== undefined ? { imageDigest: input.imageDigest } : {}),
      ...(input.imageTag !== undefined ? { imageTag: input.imageTag } : {}),
      label: `${input.repositoryName}${input.imageTag ? `:${input.imageTag}` : ''}${input.imageDigest ? `@${input.imageDigest}` : ''}`,
    };
  }
  const ecr = parseEcrImageUri(input);
  if (!ecr) {
    const ref = parseImageReference(input);
    const where = ref ? `it comes from ${ref.registry}` : 'it is not a valid image reference';
    throw new AppError(
      'aws_image_not_in_ecr',
      `${input} is not in Amazon ECR (${where}), so the app cannot keep its manifest, scan it or delete it. To contain it, pin the services that use it to a clean image and stop their tasks; removing it from its registry is up to that registry's owner.`,
      { context: { image: input, ...(ref ? { registry: ref.registry } : {}) } },
    );
  }
  return {
    registryId: ecr.registryId,
    region: ecr.region,
    repositoryName: ecr.repositoryName,
    ...(ecr.digest !== undefined ? { imageDigest: ecr.digest } : {}),
    ...(ecr.tag !== undefined ? { imageTag: ecr.tag } : {}),
    label: input,
  };
}

/** The registry the image lives in must be the client's Region: ECR registries are regional. */
async function checkRegion(clients: EcrClients, image: EcrImage): Promise<void> {
  if (image.region === undefined) return;
  let clientRegion: string | undefined;
  try {
    clientRegion = await clients.ecr.config.region();
  } catch {
    return;
  }
  if (clientRegion && clientRegion !== image.region) {
    throw new AppError('action_invalid', `${image.label} is in ${image.region}, but the ECR client is for ${clientRegion}. Use a client for ${image.region}.`, {
      context: { image: image.label, imageRegion: image.region, clientRegion },
    });
  }
}

const registry = (image: EcrImage) => (image.registryId !== undefined ? { registryId: image.registryId } : {});

/** Resolves a tag to its digest (DescribeImages) when no digest was given. */
export async function resolveDigest(clients: EcrClients, image: EcrImage, requestIds: string[]): Promise<string> {
  if (image.imageDigest !== undefined) {
    if (!SHA256_DIGEST_RE.test(image.imageDigest)) throw new AppError('action_invalid', `"${image.imageDigest}" is not a sha256 image digest.`);
    return image.imageDigest;
  }
  if (image.imageTag === undefined) throw new AppError('action_invalid', `${image.label} names neither a digest nor a tag.`);
  const out = await awsCall({ action: 'ecr:DescribeImages', resource: image.label }, requestIds, () =>
    clients.ecr.send(new DescribeImagesCommand({ ...registry(image), repositoryName: image.repositoryName, imageIds: [{ imageTag: image.imageTag! }] })),
  );
  const digest = out.imageDetails?.[0]?.imageDigest;
  if (!digest) throw new AppError('aws_not_found', `${image.label}: no image has tag ${image.imageTag}.`, { context: { requestIds } });
  return digest;
}

/**
 * Every tag that points at the image's digest (DescribeImages by digest). Deleting by digest
 * removes all of them — `latest` included — so the plan and the result must name them.
 */
export async function tagsOfImage(clients: EcrClients, input: EcrImageInput): Promise<{ imageDigest: string; tags: string[]; requestIds: string[] }> {
  const image = resolveEcrImage(input);
  await checkRegion(clients, image);
  const requestIds: string[] = [];
  const imageDigest = await resolveDigest(clients, image, requestIds);
  const out = await awsCall({ action: 'ecr:DescribeImages', resource: image.label }, requestIds, () =>
    clients.ecr.send(new DescribeImagesCommand({ ...registry(image), repositoryName: image.repositoryName, imageIds: [{ imageDigest }] })),
  );
  return { imageDigest, tags: [...(out.imageDetails?.[0]?.imageTags ?? [])].sort(), requestIds };
}

export interface ImageEvidence {
  registryId?: string;
  repositoryName: string;
  imageDigest: string;
  mediaType?: string;
  /** The manifest exactly as ECR returned it. */
  manifest: string;
  manifestJson: unknown;
  /** sha256 of `manifest` equals the digest: the evidence is the image we think it is. */
  manifestDigestMatches: boolean;
  tags: string[];
  pushedAt?: string;
  sizeBytes?: number;
  lastPulledAt?: string;
  requestIds: string[];
}

export async function getImageEvidence(clients: EcrClients, input: EcrImageInput): Promise<ImageEvidence> {
  const image = resolveEcrImage(input);
  await checkRegion(clients, image);
  const requestIds: string[] = [];
  const imageDigest = await resolveDigest(clients, image, requestIds);
  const imageIds: ImageIdentifier[] = [{ imageDigest }];

  const got = await awsCall({ action: 'ecr:BatchGetImage', resource: image.label }, requestIds, () =>
    clients.ecr.send(
      new BatchGetImageCommand({ ...registry(image), repositoryName: image.repositoryName, imageIds, acceptedMediaTypes: [...ACCEPTED_MANIFEST_MEDIA_TYPES] }),
    ),
  );
  const img = got.images?.[0];
  if (!img?.imageManifest) {
    const f = got.failures?.[0];
    const notFound = f?.failureCode === 'ImageNotFound' || f === undefined;
    throw new AppError(
      notFound ? 'aws_not_found' : 'aws_error',
      `ECR returned no manifest for ${image.label}: ${f?.failureReason ?? f?.failureCode ?? 'image not found'}.`,
      {
        context: { action: 'ecr:BatchGetImage', resource: image.label, failureCode: f?.failureCode, requestIds },
      },
    );
  }
  const details = await awsCall({ action: 'ecr:DescribeImages', resource: image.label }, requestIds, () =>
    clients.ecr.send(new DescribeImagesCommand({ ...registry(image), repositoryName: image.repositoryName, imageIds })),
  );
  const d = details.imageDetails?.[0];
  let manifestJson: unknown;
  try {
    manifestJson = JSON.parse(img.imageManifest);
  } catch {
    manifestJson = undefined;
  }
  const sha = `sha256:${createHash('sha256').update(img.imageManifest, 'utf8').digest('hex')}`;
  return {
    ...(img.registryId !== undefined ? { registryId: img.registryId } : image.registryId !== undefined ? { registryId: image.registryId } : {}),
    repositoryName: img.repositoryName ?? image.repositoryName,
    imageDigest: img.imageId?.imageDigest ?? imageDigest,
    ...((img.imageManifestMediaType ?? d?.imageManifestMediaType) !== undefined
      ? { mediaType: (img.imageManifestMediaType ?? d?.imageManifestMediaType)! }
      : {}),
    manifest: img.imageManifest,
    manifestJson,
    manifestDigestMatches: sha === (img.imageId?.imageDigest ?? imageDigest),
    tags: [...(d?.imageTags ?? [])].sort(),
    ...(d?.imagePushedAt !== undefined ? { pushedAt: d.imagePushedAt.toISOString() } : {}),
    ...(d?.imageSizeInBytes !== undefined ? { sizeBytes: d.imageSizeInBytes } : {}),
    ...(d?.lastRecordedPullTime !== undefined ? { lastPulledAt: d.lastRecordedPullTime.toISOString() } : {}),
    requestIds,
  };
}

export interface DeleteImageResult {
  deleted: { imageDigest?: string; imageTag?: string }[];
  failures: { imageDigest?: string; imageTag?: string; code: string; reason: string }[];
  requestIds: string[];
}

/** Explanations for BatchDeleteImage failure codes a responder can act on. */
function explainFailure(code: string | undefined, reason: string | undefined): string {
  if (code === 'ImageReferencedByManifestList') {
    return `${reason ?? code}: this platform image belongs to a multi-architecture image index; delete the index (its digest) first`;
  }
  if (code === 'ImageNotFound') return `${reason ?? code}: already deleted, or never in this repository`;
  return reason ?? code ?? 'unknown failure';
}

export async function deleteImage(clients: EcrClients, input: EcrImageInput): Promise<DeleteImageResult> {
  const image = resolveEcrImage(input);
  await checkRegion(clients, image);
  const requestIds: string[] = [];
  const imageDigest = await resolveDigest(clients, image, requestIds);
  const out = await awsCall({ action: 'ecr:BatchDeleteImage', resource: image.label }, requestIds, () =>
    clients.ecr.send(new BatchDeleteImageCommand({ ...registry(image), repositoryName: image.repositoryName, imageIds: [{ imageDigest }] })),
  );
  return {
    deleted: (out.imageIds ?? []).map((i) => ({
      ...(i.imageDigest !== undefined ? { imageDigest: i.imageDigest } : {}),
      ...(i.imageTag !== undefined ? { imageTag: i.imageTag } : {}),
    })),
    failures: (out.failures ?? []).map((f) => ({
      ...(f.imageId?.imageDigest !== undefined ? { imageDigest: f.imageId.imageDigest } : {}),
      ...(f.imageId?.imageTag !== undefined ? { imageTag: f.imageId.imageTag } : {}),
      code: f.failureCode ?? 'Unknown',
      reason: explainFailure(f.failureCode, f.failureReason),
    })),
    requestIds,
  };
}
