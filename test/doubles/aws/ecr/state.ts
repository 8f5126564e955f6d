/**
 * The ECR model: repositories holding images (digest → manifest, tags) and image scans whose
 * status moves IN_PROGRESS → COMPLETE after a configurable number of DescribeImageScanFindings polls.
 */
import { createHash } from 'node:crypto';
import type { IdGenerator } from '../ids.js';

export interface EcrEnv {
  readonly region: string;
  readonly accountId: string;
  readonly ids: IdGenerator;
  readonly now: () => number;
}

export interface ImageScan {
  status: 'IN_PROGRESS' | 'COMPLETE' | 'FAILED';
  startedAt: Date;
  completedAt?: Date;
  pollsLeft: number;
}

export interface EcrImage {
  imageDigest: string;
  imageTags: string[];
  imageManifest: string;
  imageManifestMediaType: string;
  imageSizeInBytes: number;
  imagePushedAt: Date;
  /** Reported once a scan completes. */
  findingSeverityCounts: Record<string, number>;
  scan?: ImageScan;
}

export interface EcrRepository {
  repositoryName: string;
  repositoryArn: string;
  registryId: string;
  repositoryUri: string;
  createdAt: Date;
  readonly images: Map<string, EcrImage>;
  /** tag → digest */
  readonly tags: Map<string, string>;
}

export interface PutImageInput {
  repository: string;
  /** Computed from the manifest (sha256) when omitted, as a registry would. */
  digest?: string;
  tags?: string[];
  manifest?: string;
  mediaType?: string;
  sizeInBytes?: number;
  findingSeverityCounts?: Record<string, number>;
}

export const DOCKER_MANIFEST_V2 = 'application/vnd.docker.distribution.manifest.v2+json';

export class EcrState {
  readonly repositories = new Map<string, EcrRepository>();

  constructor(
    private readonly env: EcrEnv,
    /** DescribeImageScanFindings answers COMPLETE on this poll (1 = the first). */
    public scanCompletesAfterPolls = 2,
  ) {}

  now(): Date {
    return new Date(this.env.now());
  }

  get registryId(): string {
    return this.env.accountId;
  }

  repositoryArn(name: string): string {
    return `arn:aws:ecr:${this.env.region}:${this.env.accountId}:repository/${name}`;
  }

  addRepository(name: string): EcrRepository {
    const existing = this.repositories.get(name);
    if (existing) return existing;
    const repo: EcrRepository = {
      repositoryName: name,
      repositoryArn: this.repositoryArn(name),
      registryId: this.env.accountId,
      repositoryUri: `${this.env.accountId}.dkr.ecr.${this.env.region}.amazonaws.com/${name}`,
      createdAt: this.now(),
      images: new Map(),
      tags: new Map(),
    };
    this.repositories.set(name, repo);
    return repo;
  }

  /** Pushes an image (creating the repository if needed); a tag moves from any older image. */
  putImage(input: PutImageInput): EcrImage {
    const repo = this.addRepository(input.repository);
    const manifest =
      input.manifest ??
      JSON.stringify({
        schemaVersion: 2,
        mediaType: input.mediaType ?? DOCKER_MANIFEST_V2,
        config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: 1469, digest: `sha256:${this.env.ids.hex(64)}` },
        layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: 2811478, digest: `sha256:${this.env.ids.hex(64)}` }],
      });
    const digest = input.digest ?? `sha256:${createHash('sha256').update(manifest).digest('hex')}`;
    let image = repo.images.get(digest);
    if (!image) {
      image = {
        imageDigest: digest,
        imageTags: [],
        imageManifest: manifest,
        imageManifestMediaType: input.mediaType ?? DOCKER_MANIFEST_V2,
        imageSizeInBytes: input.sizeInBytes ?? 28_000_000,
        imagePushedAt: this.now(),
        findingSeverityCounts: input.findingSeverityCounts ?? {},
      };
      repo.images.set(digest, image);
    }
    for (const tag of input.tags ?? []) this.tag(repo, tag, digest);
    return image;
  }

  private tag(repo: EcrRepository, tag: string, digest: string): void {
    const previous = repo.tags.get(tag);
    if (previous === digest) return;
    if (previous) {
      const old = repo.images.get(previous);
      if (old) old.imageTags = old.imageTags.filter((t) => t !== tag);
    }
    repo.tags.set(tag, digest);
    repo.images.get(digest)!.imageTags.push(tag);
  }

  image(repo: EcrRepository, id: { imageDigest?: string; imageTag?: string }): EcrImage | undefined {
    const digest = id.imageDigest ?? (id.imageTag !== undefined ? repo.tags.get(id.imageTag) : undefined);
    return digest ? repo.images.get(digest) : undefined;
  }

  /** Removes one tag; the image goes with its last tag, as ECR does. Returns the removed ids. */
  untag(repo: EcrRepository, image: EcrImage, tag: string): { imageDigest: string; imageTag?: string }[] {
    repo.tags.delete(tag);
    image.imageTags = image.imageTags.filter((t) => t !== tag);
    if (image.imageTags.length === 0) repo.images.delete(image.imageDigest);
    return [{ imageDigest: image.imageDigest, imageTag: tag }];
  }

  /** Removes the image and every tag pointing at it. Returns one id per tag (or the bare digest). */
  deleteImage(repo: EcrRepository, image: EcrImage): { imageDigest: string; imageTag?: string }[] {
    repo.images.delete(image.imageDigest);
    for (const t of image.imageTags) repo.tags.delete(t);
    return image.imageTags.length > 0 ? image.imageTags.map((t) => ({ imageDigest: image.imageDigest, imageTag: t })) : [{ imageDigest: image.imageDigest }];
  }

  startScan(image: EcrImage): ImageScan {
    image.scan = { status: 'IN_PROGRESS', startedAt: this.now(), pollsLeft: Math.max(1, this.scanCompletesAfterPolls) };
    return image.scan;
  }

  /** One DescribeImageScanFindings poll: counts down, then completes. */
  pollScan(scan: ImageScan): ImageScan {
    if (scan.status === 'IN_PROGRESS') {
      scan.pollsLeft -= 1;
      if (scan.pollsLeft <= 0) {
        scan.status = 'COMPLETE';
        scan.completedAt = this.now();
      }
    }
    return scan;
  }
}
