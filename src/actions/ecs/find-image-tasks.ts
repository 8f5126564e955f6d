import { findTasksUsingImage, type SweepResult } from '../../aws/ecs/index.js';
import type { TaskRef } from '../../aws/ecs/types.js';
import type { ActionContext, ActionDefinition, Outcome } from '../types.js';
import { placeLabel, sweepOrganization, type OrganizationSweep } from '../../aws/ecs/org-sweep.js';
import { chosenImage, compromisedImages, hasEcsImage, imageChoice, shortDigest, type CompromisedImageRef } from './images.js';

/** Beyond this many tasks the thread shows a summary and the full list goes in an attached file. */
export const INLINE_TASK_LIST_MAX = 20;
export const BLAST_RADIUS_FACT = 'Blast radius';

/**
 * The blast radius: every RUNNING task in every cluster of the account and region whose container
 * runs the same image digest, and separately the same repository:tag with another digest.
 * ListTasks cannot filter by image, so this is ListClusters → ListTasks → DescribeTasks.
 */
export const findImageTasksAction: ActionDefinition = {
  id: 'find_image_tasks',
  label: 'Find tasks using this image',
  verb: 'Search',
  changes: false,
  destructive: false,
  repeatable: true,
  command: { verb: 'image', resources: ['image'], anyRegistry: true, section: 'Images', help: 'find every running task that uses the image' },
  appliesTo: (f) => hasEcsImage(f),
  async plan(ctx) {
    const requestIds: string[] = [];
    const images = await compromisedImages(ctx, requestIds);
    return {
      summary: `Search every ECS cluster of account ${ctx.finding.accountId} in ${ctx.finding.region} for RUNNING tasks that use ${images.length === 1 ? images[0]!.image : 'the chosen image'}. Read-only.`,
      resources: images.map((i) => `${i.image} (${i.digest})`),
      apiCalls: ['ecs:ListClusters', 'ecs:ListTasks (RUNNING, 100 per page) per cluster', 'ecs:DescribeTasks (100 tasks per call)'],
      warnings: [],
      inputs: imageChoice(images),
      data: { images },
    };
  },
  async execute(ctx) {
    const image = chosenImage((ctx.plan.data as { images: CompromisedImageRef[] }).images, ctx.inputs);
    const org = await sweepEverywhere(ctx, image);
    const sweep = org.merged;
    await ctx.state.put('blast_radius', { image, matches: sweep.matches, sameTagOtherDigest: sweep.sameTagOtherDigest, at: ctx.clock.now() });
    const outcome = blastRadiusOutcome(image, sweep);
    return org.places.length > 1 ? withPlaces(outcome, org, ctx) : outcome;
  },
};

/**
 * The image's blast radius in every account × Region the app acts in (an image from a shared
 * registry runs in many accounts), each searched with that account's own session; with one
 * place (single-account set-ups) exactly the one-account sweep.
 */
export async function sweepEverywhere(ctx: ActionContext, image: CompromisedImageRef): Promise<OrganizationSweep> {
  const places = ctx.places?.() ?? [];
  if (places.length <= 1 || !ctx.awsIn) {
    const result = await sweepFor(ctx.aws, image);
    return { places: [{ place: { accountId: ctx.finding.accountId, region: ctx.finding.region }, result }], merged: result };
  }
  const query = { digest: image.digest, ...(image.repository ? { repository: image.repository } : {}), ...(image.tag ? { tag: image.tag } : {}) };
  return sweepOrganization(places, ctx.awsIn, query, {
    onPlace: (p) =>
      ctx.progress(
        `${placeLabel(p.place, ctx.accountName)}: ${p.error ? `could not be searched — ${p.error.message}` : `${distinctTasks(p.result!.matches).length} task(s) in ${p.result!.clustersScanned} cluster(s)`}`,
      ),
  });
}

/** Per-account lines and the accounts that could not be searched. */
function withPlaces(outcome: Outcome, org: OrganizationSweep, ctx: ActionContext): Outcome {
  const perPlace = org.places.map(
    (p) =>
      `${placeLabel(p.place, ctx.accountName)}: ${p.error ? 'not searched' : `${distinctTasks(p.result!.matches).length} running task(s) in ${p.result!.clustersScanned} cluster(s)`}`,
  );
  const failed = org.places.filter((p) => p.error).map((p) => `${placeLabel(p.place, ctx.accountName)} could not be searched: ${p.error!.message}`);
  const accounts = new Set(org.places.map((p) => p.place.accountId)).size;
  return {
    ...outcome,
    headline: `${outcome.headline} — searched ${accounts} account${accounts === 1 ? '' : 's'} × ${org.places.length / accounts} Region(s)${failed.length ? `, ${failed.length} not searched` : ''}`,
    done: [...perPlace, ...outcome.done],
    notDone: [...failed, ...outcome.notDone.filter((l) => !org.places.some((p) => p.error && l.includes(`${p.place.accountId}/${p.place.region}`)))],
  };
}

export function sweepFor(aws: Parameters<typeof findTasksUsingImage>[0], image: CompromisedImageRef): Promise<SweepResult> {
  return findTasksUsingImage(aws, {
    digest: image.digest,
    ...(image.repository ? { repository: image.repository } : {}),
    ...(image.tag ? { tag: image.tag } : {}),
  });
}

export function distinctTasks(refs: readonly TaskRef[]): TaskRef[] {
  const seen = new Set<string>();
  return refs.filter((r) => {
    if (seen.has(r.taskArn)) return false;
    seen.add(r.taskArn);
    return true;
  });
}

export function blastRadiusSummary(image: CompromisedImageRef, sweep: SweepResult): string {
  const tasks = distinctTasks(sweep.matches);
  const clusters = new Set(tasks.map((t) => t.clusterArn)).size;
  const other = distinctTasks(sweep.sameTagOtherDigest).length;
  // A sweep that missed clusters is a lower bound: say so, or the card passes it off as the blast radius.
  const missed = new Set(sweep.errors.filter((e) => e.cluster.startsWith('arn:')).map((e) => e.cluster)).size;
  // An organization-wide sweep names a place it could not search as `<account>/<region>`.
  const missedPlaces = new Set(sweep.errors.filter((e) => !e.cluster.startsWith('arn:')).map((e) => e.cluster)).size;
  const parts = [
    ...(missed ? [`${missed} cluster${missed === 1 ? '' : 's'}`] : []),
    ...(missedPlaces ? [`${missedPlaces} account-Region${missedPlaces === 1 ? '' : 's'}`] : []),
  ];
  const incomplete = parts.length ? ` (incomplete: ${parts.join(' and ')} could not be searched)` : '';
  return `${tasks.length} running task${tasks.length === 1 ? '' : 's'} in ${clusters} cluster${clusters === 1 ? '' : 's'} use ${shortDigest(image.digest)}${other ? `; ${other} more run the same tag with another digest` : ''}${incomplete}`;
}

function blastRadiusOutcome(image: CompromisedImageRef, sweep: SweepResult): Outcome {
  const tasks = distinctTasks(sweep.matches);
  const clusterName = (arn: string) => arn.split('/').pop() ?? arn;
  const byCluster = Object.entries(sweep.byCluster).map(([c, n]) => `${clusterName(c)}: ${n} task${n === 1 ? '' : 's'}`);
  const byService = Object.entries(sweep.byService).map(([s, n]) => `service ${s}: ${n}`);
  const list = tasks.map((t) => `${clusterName(t.clusterArn)} · ${t.serviceName ? `service ${t.serviceName}` : t.group} · ${t.taskArn} · ${t.containerName}`);
  const other = distinctTasks(sweep.sameTagOtherDigest).map((t) => `${clusterName(t.clusterArn)} · ${t.taskArn} · ${t.image} @ ${t.imageDigest}`);
  const done = [
    `Scanned ${sweep.clustersScanned} clusters and ${sweep.tasksScanned} running tasks with ${sweep.calls.listClusters + sweep.calls.listTasks + sweep.calls.describeTasks} API calls.`,
    ...byCluster,
    ...byService,
    ...(list.length <= INLINE_TASK_LIST_MAX ? list : [`${list.length} tasks: full list attached as a file`]),
  ];
  if (other.length) done.push(`Same repository:tag, another digest (${other.length}): ${other.length <= 5 ? other.join('; ') : 'see the attached file'}`);
  const long = list.length > INLINE_TASK_LIST_MAX || other.length > 5;
  return {
    status: sweep.errors.length === 0 ? 'succeeded' : 'partial',
    headline: blastRadiusSummary(image, sweep),
    done,
    notDone: sweep.errors.map((e) => `Cluster ${clusterName(e.cluster)} could not be searched completely: ${e.message}`),
    next:
      tasks.length > 0
        ? [
            '"Quarantine image" deletes it from ECR (evidence kept); "Stop all tasks using the image / pin services" stops them and keeps services from restarting them.',
          ]
        : [],
    requestIds: sweep.requestIds,
    cardFacts: { [BLAST_RADIUS_FACT]: blastRadiusSummary(image, sweep) },
    ...(long
      ? {
          attachment: {
            filename: `blast-radius-${shortDigest(image.digest)}.txt`,
            title: `Tasks using ${image.image}`,
            content: [`# RUNNING tasks using ${image.image} (${image.digest})`, ...list, '', '# Same repository:tag, another digest', ...other].join('\n'),
          },
        }
      : {}),
  };
}
