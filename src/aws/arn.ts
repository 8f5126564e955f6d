/**
 * Parsers for the ECS ARNs and container image references the remediation steps act on.
 * All return `undefined` for input that is not what they parse: the callers decide whether
 * that is an error (finding text is attacker-influenced, so never trust its shape).
 */
import { REGION_PATTERN } from './ids.js';

export interface Arn {
  partition: string;
  service: string;
  region: string;
  accountId: string;
  /** Everything after the fifth colon. */
  resource: string;
}

const ARN_RE = /^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-[a-z]|aws-eusc):([a-z0-9-]+):([a-z0-9-]*):(\d{12}|):(.+)$/;

export function parseArn(value: string): Arn | undefined {
  const m = ARN_RE.exec(value);
  if (!m) return undefined;
  return { partition: m[1]!, service: m[2]!, region: m[3]!, accountId: m[4]!, resource: m[5]! };
}

export interface EcsClusterArn extends Arn {
  clusterName: string;
}

export interface EcsTaskArn extends Arn {
  /** Absent in the old (pre-2018) ARN format `task/<id>`. */
  clusterName?: string;
  taskId: string;
}

export interface EcsServiceArn extends Arn {
  /** Absent in the old ARN format `service/<name>`. */
  clusterName?: string;
  serviceName: string;
}

export interface EcsTaskDefinitionArn extends Arn {
  family: string;
  revision: number;
}

export interface EcsContainerInstanceArn extends Arn {
  clusterName?: string;
  containerInstanceId: string;
}

const NAME = '[A-Za-z0-9_-]{1,255}';

function ecsArn(value: string, type: string): { arn: Arn; rest: string } | undefined {
  const arn = parseArn(value);
  if (arn?.service !== 'ecs' || !arn.resource.startsWith(`${type}/`)) return undefined;
  return { arn, rest: arn.resource.slice(type.length + 1) };
}

export function parseClusterArn(value: string): EcsClusterArn | undefined {
  const p = ecsArn(value, 'cluster');
  if (!p || !new RegExp(`^${NAME}$`).test(p.rest)) return undefined;
  return { ...p.arn, clusterName: p.rest };
}

/** `task/<cluster>/<id>` (current) or `task/<id>` (old format). */
export function parseTaskArn(value: string): EcsTaskArn | undefined {
  const p = ecsArn(value, 'task');
  if (!p) return undefined;
  const m = new RegExp(`^(?:(${NAME})/)?([A-Za-z0-9-]{1,255})$`).exec(p.rest);
  if (!m) return undefined;
  return { ...p.arn, ...(m[1] !== undefined ? { clusterName: m[1] } : {}), taskId: m[2]! };
}

export function parseServiceArn(value: string): EcsServiceArn | undefined {
  const p = ecsArn(value, 'service');
  if (!p) return undefined;
  const m = new RegExp(`^(?:(${NAME})/)?(${NAME})$`).exec(p.rest);
  if (!m) return undefined;
  return { ...p.arn, ...(m[1] !== undefined ? { clusterName: m[1] } : {}), serviceName: m[2]! };
}

export function parseTaskDefinitionArn(value: string): EcsTaskDefinitionArn | undefined {
  const p = ecsArn(value, 'task-definition');
  if (!p) return undefined;
  const m = new RegExp(`^(${NAME}):(\\d+)$`).exec(p.rest);
  if (!m) return undefined;
  return { ...p.arn, family: m[1]!, revision: Number(m[2]) };
}

export function parseContainerInstanceArn(value: string): EcsContainerInstanceArn | undefined {
  const p = ecsArn(value, 'container-instance');
  if (!p) return undefined;
  const m = new RegExp(`^(?:(${NAME})/)?([A-Za-z0-9-]{1,255})$`).exec(p.rest);
  if (!m) return undefined;
  return { ...p.arn, ...(m[1] !== undefined ? { clusterName: m[1] } : {}), containerInstanceId: m[2]! };
}

/** Cluster name from a cluster ARN, or the value itself when it already is a name. */
export function clusterNameOf(clusterArnOrName: string): string {
  return parseClusterArn(clusterArnOrName)?.clusterName ?? clusterArnOrName;
}

/** ECS reports a task's group as `service:NAME` (service task) or `family:NAME` (RunTask). */
export function serviceNameFromGroup(group: string | undefined): string | undefined {
  return group?.startsWith('service:') ? group.slice('service:'.length) || undefined : undefined;
}

// ---------------------------------------------------------------- image references

export const SHA256_DIGEST_RE = /^sha256:[a-f0-9]{64}$/;

export interface EcrImageUri {
  registryId: string;
  region: string;
  /** `amazonaws.com` or `amazonaws.com.cn`. */
  domain: string;
  fips: boolean;
  /** `<acct>.dkr.ecr.<region>.amazonaws.com` */
  registry: string;
  repositoryName: string;
  tag?: string;
  digest?: string;
}

const ECR_HOST_RE = new RegExp(`^(\\d{12})\\.dkr\\.ecr(-fips)?\\.(${REGION_PATTERN})\\.(amazonaws\\.com(?:\\.cn)?)$`);
const REPO_RE = /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/;
const TAG_RE = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/** A general image reference: `[registry/]repository[:tag][@digest]`. */
export interface ImageReference {
  /** Registry host, `docker.io` when none was written. */
  registry: string;
  /** Repository path; Docker Hub official images get their implicit `library/`. */
  repository: string;
  tag?: string;
  digest?: string;
}

/** Splits an image reference the way docker does (the first component is a registry when it
 * contains `.` or `:` or is `localhost`). Does not validate the registry host. */
export function parseImageReference(image: string): ImageReference | undefined {
  let rest = image.trim();
  if (rest === '' || /\s/.test(rest)) return undefined;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!SHA256_DIGEST_RE.test(digest)) return undefined;
  }
  let registry = 'docker.io';
  const slash = rest.indexOf('/');
  if (slash > 0) {
    const first = rest.slice(0, slash);
    if (first.includes('.') || first.includes(':') || first === 'localhost') {
      registry = first;
      rest = rest.slice(slash + 1);
    }
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon >= 0) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG_RE.test(tag)) return undefined;
  }
  if (!REPO_RE.test(rest)) return undefined;
  if (registry === 'index.docker.io' || registry === 'registry-1.docker.io') registry = 'docker.io';
  if (registry === 'docker.io' && !rest.includes('/')) rest = `library/${rest}`;
  return { registry, repository: rest, ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}) };
}

/** `<acct>.dkr.ecr.<region>.amazonaws.com[.cn]/<repo>[:tag][@sha256:…]` */
export function parseEcrImageUri(image: string): EcrImageUri | undefined {
  const ref = parseImageReference(image);
  if (!ref) return undefined;
  const host = ECR_HOST_RE.exec(ref.registry);
  if (!host) return undefined;
  return {
    registryId: host[1]!,
    fips: host[2] !== undefined,
    region: host[3]!,
    domain: host[4]!,
    registry: ref.registry,
    repositoryName: ref.repository,
    ...(ref.tag !== undefined ? { tag: ref.tag } : {}),
    ...(ref.digest !== undefined ? { digest: ref.digest } : {}),
  };
}

export function isEcrImage(uri: string): boolean {
  return parseEcrImageUri(uri) !== undefined;
}
