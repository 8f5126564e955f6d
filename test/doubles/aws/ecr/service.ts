/**
 * ECR on the wire (awsJson1_1, `AmazonEC2ContainerRegistry_V20150921.<Op>`). Batch calls answer
 * per-image `failures[]` (ImageNotFound…) instead of failing the whole call; single-image calls
 * throw ImageNotFoundException / ScanNotFoundException; a missing repository is
 * RepositoryNotFoundException everywhere.
 */
import { AwsServiceError, decodeToken, encodeToken, json, type JsonServiceDefinition } from '../service.js';
import type { EcrImage, EcrRepository, EcrState } from './state.js';

export const ECR_LIMITS = {
  batchImageIdsMax: 100,
  describeImagesMaxResults: 1000,
  describeImagesDefault: 100,
  /** Basic scanning allows one scan per image per 24 hours (LimitExceededException after). */
  scanQuotaWindowMs: 24 * 60 * 60 * 1000,
} as const;

interface ImageId {
  imageDigest?: string;
  imageTag?: string;
}

const DIGEST = /^[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+$/;
const invalid = (message: string) => new AwsServiceError('InvalidParameterException', message);
const idText = (id: ImageId) => `{imageDigest:'${id.imageDigest ?? 'null'}', imageTag:'${id.imageTag ?? 'null'}'}`;

export function ecrService(state: EcrState, opts: { enforceScanQuota: boolean }): JsonServiceDefinition {
  const repo = (input: Record<string, unknown>): EcrRepository => {
    const name = json.str(input, 'repositoryName') ?? '';
    const registryId = json.str(input, 'registryId') ?? state.registryId;
    const r = registryId === state.registryId ? state.repositories.get(name) : undefined;
    if (!r)
      throw new AwsServiceError('RepositoryNotFoundException', `The repository with name '${name}' does not exist in the registry with id '${registryId}'`);
    return r;
  };
  const imageIds = (input: Record<string, unknown>): ImageId[] => {
    const ids = json.list<ImageId>(input, 'imageIds') ?? [];
    if (ids.length < 1 || ids.length > ECR_LIMITS.batchImageIdsMax) throw invalid(`imageIds must contain between 1 and ${ECR_LIMITS.batchImageIdsMax} items.`);
    return ids;
  };
  /** Resolves one requested id, or explains why not in ECR's failure vocabulary. */
  const resolve = (r: EcrRepository, id: ImageId): { image: EcrImage } | { failureCode: string; failureReason: string } => {
    if (id.imageDigest === undefined && id.imageTag === undefined)
      return { failureCode: 'MissingDigestAndTag', failureReason: 'Invalid request parameters: both tag and digest cannot be null' };
    if (id.imageDigest !== undefined && !DIGEST.test(id.imageDigest)) {
      return {
        failureCode: 'InvalidImageDigest',
        failureReason: "Invalid request parameters: image digest should satisfy the regex '[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+'",
      };
    }
    const image = state.image(r, id);
    if (!image) return { failureCode: 'ImageNotFound', failureReason: 'Requested image not found' };
    if (id.imageDigest !== undefined && id.imageTag !== undefined && !image.imageTags.includes(id.imageTag)) {
      return { failureCode: 'ImageTagDoesNotMatchDigest', failureReason: 'Invalid request parameters: given tag does not map to the given digest' };
    }
    return { image };
  };
  const single = (r: EcrRepository, input: Record<string, unknown>): { id: ImageId; image: EcrImage } => {
    const id = (input.imageId ?? {}) as ImageId;
    const found = resolve(r, id);
    if ('failureCode' in found) {
      throw new AwsServiceError(
        'ImageNotFoundException',
        `The image with imageId ${idText(id)} does not exist within the repository with name '${r.repositoryName}' in the registry with id '${r.registryId}'`,
      );
    }
    return { id, image: found.image };
  };
  const summary = (image: EcrImage) =>
    image.scan?.status === 'COMPLETE'
      ? {
          imageScanCompletedAt: image.scan.completedAt,
          vulnerabilitySourceUpdatedAt: image.scan.completedAt,
          findingSeverityCounts: image.findingSeverityCounts,
        }
      : undefined;

  return {
    name: 'ecr',
    protocol: 'awsJson1_1',
    targetPrefix: 'AmazonEC2ContainerRegistry_V20150921',
    resourceOf(_op, params) {
      const name = (params as Record<string, unknown> | undefined)?.repositoryName;
      return typeof name === 'string' ? state.repositoryArn(name) : '*';
    },
    operations: {
      DescribeRepositories(input) {
        const names = json.strList(input, 'repositoryNames');
        const repos = names ? names.map((n) => repo({ ...input, repositoryName: n })) : [...state.repositories.values()];
        return {
          repositories: repos.map((r) => ({
            repositoryArn: r.repositoryArn,
            registryId: r.registryId,
            repositoryName: r.repositoryName,
            repositoryUri: r.repositoryUri,
            createdAt: r.createdAt,
            imageTagMutability: 'MUTABLE',
            imageScanningConfiguration: { scanOnPush: false },
            encryptionConfiguration: { encryptionType: 'AES256' },
          })),
        };
      },

      BatchGetImage(input) {
        const r = repo(input);
        const images = [];
        const failures = [];
        for (const id of imageIds(input)) {
          const found = resolve(r, id);
          if ('failureCode' in found) failures.push({ imageId: id, ...found });
          else {
            images.push({
              registryId: r.registryId,
              repositoryName: r.repositoryName,
              imageId: { imageDigest: found.image.imageDigest, ...(id.imageTag !== undefined ? { imageTag: id.imageTag } : {}) },
              imageManifest: found.image.imageManifest,
              imageManifestMediaType: found.image.imageManifestMediaType,
            });
          }
        }
        return { images, failures };
      },

      BatchDeleteImage(input) {
        const r = repo(input);
        const deleted = [];
        const failures = [];
        for (const id of imageIds(input)) {
          const found = resolve(r, id);
          if ('failureCode' in found) failures.push({ imageId: id, ...found });
          else if (id.imageDigest === undefined && id.imageTag !== undefined) deleted.push(...state.untag(r, found.image, id.imageTag));
          else deleted.push(...state.deleteImage(r, found.image));
        }
        return { imageIds: deleted, failures };
      },

      DescribeImages(input) {
        const r = repo(input);
        const ids = json.list<ImageId>(input, 'imageIds');
        const tagStatus = ((input.filter ?? {}) as { tagStatus?: string }).tagStatus ?? 'ANY';
        const max = json.num(input, 'maxResults');
        if (max !== undefined && (max < 1 || max > ECR_LIMITS.describeImagesMaxResults))
          throw invalid(`maxResults must be between 1 and ${ECR_LIMITS.describeImagesMaxResults}.`);
        if (ids && (max !== undefined || input.nextToken !== undefined)) throw invalid('Cannot specify imageIds together with maxResults or nextToken.');
        let images: EcrImage[];
        let nextToken: string | undefined;
        if (ids) images = ids.map((id) => single(r, { imageId: id }).image);
        else {
          const all = [...r.images.values()].filter((i) => tagStatus === 'ANY' || (tagStatus === 'TAGGED') === i.imageTags.length > 0);
          const scope = JSON.stringify([r.repositoryName, tagStatus]);
          const start = decodeToken(json.str(input, 'nextToken'), scope, () => invalid('Invalid nextToken.'));
          const size = max ?? ECR_LIMITS.describeImagesDefault;
          images = all.slice(start, start + size);
          if (start + size < all.length) nextToken = encodeToken(start + size, scope);
        }
        return {
          imageDetails: images.map((i) => ({
            registryId: r.registryId,
            repositoryName: r.repositoryName,
            imageDigest: i.imageDigest,
            imageTags: i.imageTags.length > 0 ? i.imageTags : undefined,
            imageSizeInBytes: i.imageSizeInBytes,
            imagePushedAt: i.imagePushedAt,
            imageManifestMediaType: i.imageManifestMediaType,
            artifactMediaType: 'application/vnd.docker.container.image.v1+json',
            ...(i.scan
              ? {
                  imageScanStatus: {
                    status: i.scan.status,
                    description: i.scan.status === 'COMPLETE' ? 'The scan was completed successfully.' : 'The scan is in progress.',
                  },
                }
              : {}),
            ...(summary(i) ? { imageScanFindingsSummary: summary(i) } : {}),
          })),
          nextToken,
        };
      },

      StartImageScan(input) {
        const r = repo(input);
        const { id, image } = single(r, input);
        const now = state.now().getTime();
        if (opts.enforceScanQuota && image.scan && now - image.scan.startedAt.getTime() < ECR_LIMITS.scanQuotaWindowMs) {
          throw new AwsServiceError('LimitExceededException', 'The scan quota per image has been exceeded. Wait and try again.');
        }
        state.startScan(image);
        return {
          registryId: r.registryId,
          repositoryName: r.repositoryName,
          imageId: { imageDigest: image.imageDigest, ...(id.imageTag !== undefined ? { imageTag: id.imageTag } : {}) },
          imageScanStatus: { status: 'IN_PROGRESS', description: 'The scan is in progress.' },
        };
      },

      DescribeImageScanFindings(input) {
        const r = repo(input);
        const { id, image } = single(r, input);
        if (!image.scan) {
          throw new AwsServiceError(
            'ScanNotFoundException',
            `Image scan does not exist for the image with '${idText(id)}' in the repository with name '${r.repositoryName}' in the registry with id '${r.registryId}'`,
          );
        }
        const scan = state.pollScan(image.scan);
        const complete = scan.status === 'COMPLETE';
        return {
          registryId: r.registryId,
          repositoryName: r.repositoryName,
          imageId: { imageDigest: image.imageDigest, ...(id.imageTag !== undefined ? { imageTag: id.imageTag } : {}) },
          imageScanStatus: { status: scan.status, description: complete ? 'The scan was completed successfully.' : 'The scan is in progress.' },
          ...(complete
            ? {
                imageScanFindings: {
                  imageScanCompletedAt: scan.completedAt,
                  vulnerabilitySourceUpdatedAt: scan.completedAt,
                  findingSeverityCounts: image.findingSeverityCounts,
                  findings: [],
                },
              }
            : {}),
        };
      },
    },
  };
}
