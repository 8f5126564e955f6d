/**
 * Parsers for command arguments: resource targets, image references, users and incident ids.
 * Each returns the parsed value or a one-line problem that says what was expected. The input is
 * whatever a user typed (already unwrapped from Slack's formatting); problems quote at most a
 * short, flattened prefix of it and are escaped when shown.
 */
import { parseArn, parseEcrImageUri, parseImageReference, parseTaskArn } from '../aws/arn.js';
import { INSTANCE_ID_RE } from '../aws/ec2/instance.js';
import { flatten } from '../cards/escape.js';
import { normaliseIncidentId } from '../incidents/model.js';
import { parsePodRef } from '../k8s/pod-ref.js';
import { mentionOf } from './slack-text.js';
import { ACCOUNT_ID_RE, REGION_RE } from '../aws/ids.js';
import { SLACK_USER_ID_TYPED } from '../slack/ids.js';

/** One definition of an instance id's shape (EC2's: 8 or 17 hex characters), re-exported for the parser's callers. */
export { INSTANCE_ID_RE };
export const FINDING_ID_RE = /^[0-9a-f]{32}$/;
/** Partitions the app can act in (GuardDuty Runtime Monitoring's). */
export const PARTITIONS = ['aws', 'aws-cn', 'aws-us-gov'] as const;

export interface TaskTarget {
  kind: 'ecs_task';
  arn: string;
  partition: string;
  region: string;
  accountId: string;
  /** Absent in the old ARN format `task/<id>`. */
  clusterName?: string;
  taskId: string;
}
export interface InstanceTarget {
  kind: 'instance';
  instanceId: string;
}
/** The action applies to that finding's resource (resolved against the store). */
export interface FindingTarget {
  kind: 'finding';
  findingId: string;
}
/** An EKS pod: `namespace/pod --cluster NAME`; its account and Region are those of the finding on it. */
export interface PodTarget {
  kind: 'pod';
  cluster: string;
  namespace: string;
  pod: string;
}
export type ResourceTarget = TaskTarget | InstanceTarget | PodTarget | FindingTarget;

export interface ImageTarget {
  kind: 'image';
  /** As typed (scheme and Slack link removed). */
  uri: string;
  registry: string;
  repository: string;
  tag?: string;
  digest?: string;
  /** Set for an ECR image URI. */
  ecr?: { registryId: string; region: string };
}

export interface IncidentTarget {
  kind: 'incident';
  incidentId: string;
}

export type Assignee = { kind: 'user'; userId: string } | { kind: 'self' };

export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const bad = <T>(problem: string): Parsed<T> => ({ ok: false, problem });

/** A short, one-line quote of user input for a problem message. */
export function quote(s: string): string {
  const flat = flatten(s);
  return `"${flat.length > 80 ? `${flat.slice(0, 79)}…` : flat}"`;
}

export function parseTaskTarget(value: string): Parsed<TaskTarget> {
  const arn = parseArn(value);
  if (!arn) return bad(`${quote(value)} is not an ARN`);
  if (arn.service === 'ecs' && arn.resource.startsWith('cluster/')) {
    return bad(`${quote(value)} is an ECS cluster ARN; give the ARN of the task (…:task/CLUSTER/TASK_ID)`);
  }
  const task = parseTaskArn(value);
  if (!task) return bad(`${quote(value)} is not an ECS task ARN (arn:aws:ecs:REGION:ACCOUNT:task/CLUSTER/TASK_ID)`);
  if (!(PARTITIONS as readonly string[]).includes(task.partition)) return bad(`partition "${task.partition}" is not supported (aws, aws-cn, aws-us-gov)`);
  if (!REGION_RE.test(task.region)) return bad(`${quote(value)} has no valid region`);
  if (!ACCOUNT_ID_RE.test(task.accountId)) return bad(`${quote(value)} has no 12-digit account id`);
  return ok({
    kind: 'ecs_task',
    arn: value,
    partition: task.partition,
    region: task.region,
    accountId: task.accountId,
    ...(task.clusterName !== undefined ? { clusterName: task.clusterName } : {}),
    taskId: task.taskId,
  });
}

/**
 * A resource target. `allow` says which kinds this verb takes (e.g. `stop` does not take an
 * instance); a kind it does not take gets a problem that says what to use instead.
 */
export function parseResourceTarget(value: string, allow: ReadonlySet<ResourceTarget['kind']>, verb: string): Parsed<ResourceTarget> {
  const v = value.trim();
  if (/^arn:/i.test(v)) {
    if (!allow.has('ecs_task')) return bad(`${verb} does not take an ECS task ARN`);
    return parseTaskTarget(v);
  }
  const lower = v.toLowerCase();
  if (lower.startsWith('i-')) {
    if (!INSTANCE_ID_RE.test(lower)) return bad(`${quote(v)} is not an EC2 instance id (i- followed by 8 or 17 hex characters)`);
    if (!allow.has('instance')) return bad(`${verb} applies to ECS tasks, not EC2 instances — to contain an instance use isolate ${lower}`);
    return ok({ kind: 'instance', instanceId: lower });
  }
  if (FINDING_ID_RE.test(lower)) return ok({ kind: 'finding', findingId: lower });
  if (/^[0-9a-f]+$/i.test(v)) return bad(`${quote(v)} is not a GuardDuty finding id (32 hex characters)`);
  const kinds = [
    allow.has('ecs_task') ? 'an ECS task ARN' : '',
    allow.has('instance') ? 'an EC2 instance id' : '',
    allow.has('pod') ? 'an EKS pod (namespace/pod --cluster CLUSTER)' : '',
    'a GuardDuty finding id',
  ].filter(Boolean);
  return bad(`${quote(v)} is not ${kinds.slice(0, -1).join(', ')}${kinds.length > 1 ? ' or ' : ''}${kinds.at(-1)}`);
}

/** Whether typed arguments name a pod (`ns/pod`, `--cluster`) rather than one task, instance or finding. */
export function looksLikePod(args: readonly string[]): boolean {
  return args.some((a) => a === '--cluster' || a.startsWith('--cluster=')) || (args.length === 1 && !/^arn:/i.test(args[0]!) && args[0]!.includes('/'));
}

/** `namespace/pod --cluster NAME` (the words already unwrapped from Slack's formatting). */
export function parsePodTarget(args: readonly string[]): Parsed<PodTarget> {
  const r = parsePodRef(args.join(' '));
  return r.ok ? ok({ kind: 'pod', ...r.target }) : bad(r.error);
}

/** An image with a tag or digest; `ecrOnly` for steps that act on ECR (quarantine, scan). */
export function parseImageTarget(value: string, opts: { ecrOnly: boolean }): Parsed<ImageTarget> {
  const uri = value.trim().replace(/^(?:https?|docker):\/\//i, '');
  if (/^arn:/i.test(uri)) return bad(`${quote(value)} is an ARN; give the image URI (REGISTRY/REPOSITORY:TAG or @sha256:DIGEST)`);
  const ref = parseImageReference(uri);
  if (!ref) return bad(`${quote(value)} is not an image URI (REGISTRY/REPOSITORY:TAG or REPOSITORY@sha256:DIGEST)`);
  if (ref.tag === undefined && ref.digest === undefined) {
    return bad(`${quote(value)} has no tag or digest: add :TAG or @sha256:DIGEST (an untagged name means :latest, which may not be the image that ran)`);
  }
  const ecr = parseEcrImageUri(uri);
  if (opts.ecrOnly && !ecr)
    return bad(`${quote(value)} is not in Amazon ECR (ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPOSITORY); this step works on ECR images only`);
  return ok({
    kind: 'image',
    uri,
    registry: ref.registry,
    repository: ref.repository,
    ...(ref.tag !== undefined ? { tag: ref.tag } : {}),
    ...(ref.digest !== undefined ? { digest: ref.digest } : {}),
    ...(ecr ? { ecr: { registryId: ecr.registryId, region: ecr.region } } : {}),
  });
}

/** `<@U123|name>` (escaped mention), a raw user id, or `me`. */
export function parseAssignee(token: string): Parsed<Assignee> {
  if (token.toLowerCase() === 'me') return ok({ kind: 'self' });
  const m = mentionOf(token);
  if (m?.kind === 'user') return ok({ kind: 'user', userId: m.id });
  if (m?.kind === 'usergroup') return bad('assign a person, not a user group');
  if (m) return bad('assign a person (@name), not a channel or a special mention');
  if (SLACK_USER_ID_TYPED.test(token)) return ok({ kind: 'user', userId: token });
  if (token.startsWith('@')) {
    return bad(
      `${quote(token)} arrived as plain text, not as a mention: pick the person from Slack's @ list (the command must escape users) or give their user id (U…)`,
    );
  }
  return bad(`${quote(token)} is not a Slack user: mention them with @ or give their user id (U…)`);
}

export function parseIncidentRef(token: string): IncidentTarget | undefined {
  const id = normaliseIncidentId(token);
  return id ? { kind: 'incident', incidentId: id } : undefined;
}
