/**
 * Resolving a parsed command against what the responder knows. Remediation runs are attached to
 * a finding (its card, thread, audit trail and exactly-once claim are per finding), so a target
 * typed by hand must be found in a known finding first: a resource in no finding is refused
 * rather than acted on blindly, and so is one in an account or region the app does not cover.
 */
import { parseImageReference } from '../aws/arn.js';
import type { Finding } from '../findings/model.js';
import { keyForDigest, keyForInstance, keyForTask } from '../incidents/grouping.js';
import { currentIncident, type Incident } from '../incidents/model.js';
import { findingOf, type FindingRecord, type Store } from '../store/store.js';
import { actionIdFor, findingResource, type CommandActionId } from './actions.js';
import { commandError, type CommandError, type ParsedStepCommand } from './parse.js';
import type { ImageTarget, IncidentTarget, PodTarget, ResourceTarget } from './targets.js';

/** Accounts and regions the responder acts in; an empty or absent list means "any". */
export interface Coverage {
  accountIds?: readonly string[];
  regions?: readonly string[];
}

export type ActionSubject =
  | { kind: 'ecs_task'; taskArn: string }
  | { kind: 'instance'; instanceId: string }
  | { kind: 'pod'; cluster: string; namespace: string; pod: string }
  | { kind: 'image'; image: string };

export interface ResolvedAction {
  ok: true;
  actionId: CommandActionId;
  /** The finding the run belongs to: open the runner's confirmation for this finding. */
  record: FindingRecord;
  finding: Finding;
  subject: ActionSubject;
  /** The finding's active incident (else its latest), where the result is threaded. */
  incident?: Incident;
}

type ActionCommand = ParsedStepCommand;

/** How many open incidents are searched for an image given by tag (no digest key). */
export const IMAGE_SEARCH_INCIDENTS = 500;

export async function resolveActionCommand(store: Store, cmd: ActionCommand, coverage: Coverage = {}): Promise<ResolvedAction | CommandError> {
  const found = 'target' in cmd ? await findingsForTarget(store, cmd.target) : await findingsForImage(store, cmd.image);
  const what = 'target' in cmd ? describeTarget(cmd.target) : `image ${cmd.image.uri}`;
  if (found.length === 0) {
    const hint = 'target' in cmd && cmd.target.kind === 'finding' ? ' (if that is an ECS task id, give the full task ARN)' : '';
    return commandError('unknown_resource', cmd.verb, `${what} is not in any finding the responder has received, so it will not act on it${hint}`);
  }
  const { record, finding } = pick(found);
  // A typed task ARN says where it is; otherwise the finding does (for an image: where it ran).
  const place = 'target' in cmd && cmd.target.kind === 'ecs_task' ? cmd.target : finding;
  const outside = outsideCoverage({ accountId: place.accountId, region: place.region }, coverage);
  if (outside) return commandError('out_of_scope', cmd.verb, `${what}: ${outside}`);

  let subject: ActionSubject;
  if ('image' in cmd) subject = { kind: 'image', image: cmd.image.uri };
  else if (cmd.target.kind === 'ecs_task') subject = { kind: 'ecs_task', taskArn: cmd.target.arn };
  else if (cmd.target.kind === 'instance') subject = { kind: 'instance', instanceId: cmd.target.instanceId };
  else if (cmd.target.kind === 'pod') subject = { kind: 'pod', cluster: cmd.target.cluster, namespace: cmd.target.namespace, pod: cmd.target.pod };
  else {
    const r = findingResource(finding);
    if (r.kind === 'unsupported') return commandError('unsupported_target', cmd.verb, r.problem);
    subject = r;
  }
  const actionId = actionIdFor(cmd.verb, subject.kind);
  if (!actionId) {
    const noun = { ecs_task: 'an ECS task', instance: 'an EC2 instance', pod: 'an EKS pod', image: 'an image' }[subject.kind];
    return commandError('unsupported_target', cmd.verb, `${cmd.verb} does not apply to ${noun} (finding ${finding.id})`);
  }
  const incidents = await store.incidentsForFinding(record.findingId);
  const incident = currentIncident(incidents);
  return { ok: true, actionId, record, finding, subject, ...(incident ? { incident } : {}) };
}

/**
 * The incident an incident verb (assign, close, false-positive, follow, unfollow, timeline) is
 * about: the explicit id, else the thread the caller knows it came from. Slash commands carry no
 * thread, so without an id the answer explains that.
 */
export async function resolveIncident(
  store: Store,
  cmd: { verb: string; incidentId?: string },
  context: { channelId?: string; threadTs?: string } = {},
): Promise<Incident | CommandError> {
  if (cmd.incidentId) {
    const incident = await store.getIncident(cmd.incidentId);
    return incident ?? commandError('unknown_resource', cmd.verb, `there is no incident ${cmd.incidentId}`);
  }
  if (context.channelId && context.threadTs) {
    const incident = await store.getIncidentByThread(context.channelId, context.threadTs);
    if (incident) return incident;
  }
  return commandError(
    'no_incident',
    cmd.verb,
    'say which incident: Slack does not tell apps which thread a slash command was typed in (give its id, e.g. INC-12 — it is on the card)',
  );
}

/** The incident `status X` is about: by id, by finding, or by a resource it holds. */
export async function resolveStatusSubject(store: Store, subject: ResourceTarget | IncidentTarget): Promise<Incident | CommandError> {
  if (subject.kind === 'incident') return resolveIncident(store, { verb: 'status', incidentId: subject.incidentId });
  const incidents =
    subject.kind === 'finding'
      ? await store.incidentsForFinding(subject.findingId)
      : subject.kind === 'pod'
        ? (await Promise.all((await findingsForPod(store, subject)).map((x) => store.incidentsForFinding(x.record.findingId)))).flat()
        : await store.findIncidentsByKey(subject.kind === 'ecs_task' ? keyForTask(subject.arn) : keyForInstance(subject.instanceId), { includeClosed: true });
  const incident = currentIncident(incidents);
  return incident ?? commandError('unknown_resource', 'status', `${describeTarget(subject)} is in no incident`);
}

/** A problem text when the place is outside the coverage, else undefined. */
export function outsideCoverage(place: { accountId?: string; region?: string }, coverage: Coverage): string | undefined {
  const accounts = coverage.accountIds ?? [];
  const regions = coverage.regions ?? [];
  if (accounts.length > 0 && place.accountId && !accounts.includes(place.accountId)) {
    return `account ${place.accountId} is not covered by this responder (it acts in ${accounts.join(', ')})`;
  }
  if (regions.length > 0 && place.region && !regions.includes(place.region)) {
    return `region ${place.region} is not covered by this responder (it acts in ${regions.join(', ')})`;
  }
  return undefined;
}

function describeTarget(t: ResourceTarget): string {
  switch (t.kind) {
    case 'ecs_task':
      return `task ${t.arn}`;
    case 'instance':
      return `instance ${t.instanceId}`;
    case 'pod':
      return `pod ${t.namespace}/${t.pod} (cluster ${t.cluster})`;
    case 'finding':
      return `finding ${t.findingId}`;
  }
}

interface Found {
  record: FindingRecord;
  finding: Finding;
}

async function load(store: Store, ids: Iterable<string>): Promise<Found[]> {
  const out: Found[] = [];
  for (const id of new Set(ids)) {
    const record = await store.getFinding(id);
    if (record) out.push({ record, finding: findingOf(record) });
  }
  return out;
}

async function findingIdsByKey(store: Store, key: string): Promise<string[]> {
  const ids: string[] = [];
  for (const incident of await store.findIncidentsByKey(key, { includeClosed: true })) ids.push(...(await store.incidentFindingIds(incident.id)));
  return ids;
}

async function findingsForTarget(store: Store, t: ResourceTarget): Promise<Found[]> {
  switch (t.kind) {
    case 'finding':
      return load(store, [t.findingId]);
    case 'ecs_task': {
      const found = await load(store, await findingIdsByKey(store, keyForTask(t.arn)));
      return found.filter((x) => x.finding.ecs?.taskArn === t.arn);
    }
    case 'instance': {
      const found = await load(store, await findingIdsByKey(store, keyForInstance(t.instanceId)));
      return found.filter((x) => x.finding.instance?.instanceId === t.instanceId);
    }
    case 'pod':
      return findingsForPod(store, t);
  }
}

/**
 * A pod's findings. A cluster name is unique only within an account and Region, and the pod key
 * is by uid when GuardDuty gives one, so the open incidents are searched (like an image by tag):
 * the pod's own finding says which account and Region the step acts in.
 */
async function findingsForPod(store: Store, t: PodTarget): Promise<Found[]> {
  const ids: string[] = [];
  for (const incident of await store.listOpenIncidents(IMAGE_SEARCH_INCIDENTS)) ids.push(...(await store.incidentFindingIds(incident.id)));
  return (await load(store, ids)).filter(({ finding: f }) => f.eks?.clusterName === t.cluster && f.eks.namespace === t.namespace && f.eks.podName === t.pod);
}

/** By digest through the key index; by repository and tag through the open incidents. */
async function findingsForImage(store: Store, image: ImageTarget): Promise<Found[]> {
  const matches = (f: Finding) => containersOf(f).some((c) => sameImage(c, image));
  if (image.digest) {
    const byDigest = (await load(store, await findingIdsByKey(store, keyForDigest(image.digest)))).filter((x) => matches(x.finding));
    if (byDigest.length > 0) return byDigest;
  }
  const ids: string[] = [];
  for (const incident of await store.listOpenIncidents(IMAGE_SEARCH_INCIDENTS)) ids.push(...(await store.incidentFindingIds(incident.id)));
  return (await load(store, ids)).filter((x) => matches(x.finding));
}

function containersOf(f: Finding): { image?: string; imageDigest?: string }[] {
  return [...(f.ecs?.containers ?? []), ...(f.eks?.containers ?? []), ...(f.container ? [f.container] : [])];
}

function sameImage(c: { image?: string; imageDigest?: string }, want: ImageTarget): boolean {
  const ref = c.image ? parseImageReference(c.image) : undefined;
  const digest = c.imageDigest ?? ref?.digest;
  if (want.digest && digest) return want.digest === digest;
  if (!ref || ref.registry !== want.registry || ref.repository !== want.repository) return false;
  return want.tag !== undefined ? ref.tag === want.tag : want.digest !== undefined && ref.digest === want.digest;
}

/** Real findings before samples, then the most recently updated. */
function pick(found: Found[]): Found {
  return [...found].sort(
    (a, b) => Number(a.finding.sample) - Number(b.finding.sample) || Date.parse(b.finding.updatedAt) - Date.parse(a.finding.updatedAt),
  )[0]!;
}
