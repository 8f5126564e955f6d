/**
 * Pure helpers to re-register a task definition with a clean image: copy every registrable
 * field of the current revision and swap only the compromised image.
 */
import type { ContainerDefinition, RegisterTaskDefinitionCommandInput, Tag, TaskDefinition } from '@aws-sdk/client-ecs';
import { parseImageReference } from '../arn.js';

/**
 * Fields DescribeTaskDefinition returns that RegisterTaskDefinition does not accept (ECS sets
 * them). Everything else is copied, so fields added to ECS later are kept, not silently lost.
 */
export const TASK_DEFINITION_READ_ONLY_FIELDS = [
  'taskDefinitionArn',
  'revision',
  'status',
  'requiresAttributes',
  'compatibilities',
  'registeredAt',
  'registeredBy',
  'deregisteredAt',
  'deleteRequestedAt',
] as const;

export interface CompromisedImage {
  /** The image as written (`repo:tag`, `repo@sha256:…`, or both). */
  image?: string;
  digest?: string;
}

/**
 * Does a container definition's image refer to the compromised image? A digest match is
 * certain; a tag match (`repo:tag` written in the task definition) counts too, because the
 * next task started from it pulls whatever the tag points at. An image written by digest only
 * cannot be matched to a tag-only description (and vice versa): pass the digest too.
 */
export function usesCompromisedImage(containerImage: string | undefined, compromised: CompromisedImage): boolean {
  if (!containerImage) return false;
  if (compromised.image !== undefined && containerImage.trim() === compromised.image.trim()) return true;
  const a = parseImageReference(containerImage);
  if (!a) return false;
  if (compromised.digest !== undefined && a.digest === compromised.digest) return true;
  if (compromised.image === undefined) return false;
  const b = parseImageReference(compromised.image);
  if (!b || a.registry !== b.registry || a.repository !== b.repository) return false;
  if (a.digest !== undefined && b.digest !== undefined) return a.digest === b.digest;
  const tagOf = (r: typeof a) => r.tag ?? (r.digest === undefined ? 'latest' : undefined);
  const ta = tagOf(a);
  const tb = tagOf(b);
  return ta !== undefined && ta === tb;
}

export interface ImageSwap {
  containerName: string;
  from: string;
  to: string;
}

export function swapCompromisedImages(
  containers: readonly ContainerDefinition[],
  compromised: CompromisedImage,
  cleanImage: string,
): { containerDefinitions: ContainerDefinition[]; swaps: ImageSwap[] } {
  const swaps: ImageSwap[] = [];
  const containerDefinitions = containers.map((c) => {
    if (!usesCompromisedImage(c.image, compromised)) return c;
    swaps.push({ containerName: c.name ?? '', from: c.image ?? '', to: cleanImage });
    return { ...c, image: cleanImage };
  });
  return { containerDefinitions, swaps };
}

/** RegisterTaskDefinition input reproducing `td` (minus read-only fields), with `overrides`. */
export function registrableCopy(
  td: TaskDefinition,
  tags: readonly Tag[] | undefined,
  overrides: Partial<RegisterTaskDefinitionCommandInput> = {},
): RegisterTaskDefinitionCommandInput {
  const copy: Record<string, unknown> = {};
  const readOnly = new Set<string>(TASK_DEFINITION_READ_ONLY_FIELDS);
  for (const [k, v] of Object.entries(td)) {
    if (!readOnly.has(k) && v !== undefined) copy[k] = v;
  }
  if (tags && tags.length > 0) copy.tags = [...tags];
  return { ...(copy as unknown as RegisterTaskDefinitionCommandInput), ...overrides };
}
