import { parseImageReference } from '../../aws/arn.js';
import { pinServiceToImage, scaleServiceToZero, stopTasks } from '../../aws/ecs/index.js';
import { describeError, isAppError } from '../../errors.js';
import type { ActionDefinition, Outcome } from '../types.js';
import { distinctTasks, sweepEverywhere } from './find-image-tasks.js';
import { parseArn } from '../../aws/arn.js';
import { mapWithConcurrency } from '../../aws/concurrency.js';
import type { AwsPlace } from '../../aws/accounts.js';
import { chosenImage, compromisedImages, hasEcsImage, imageChoice, shortDigest, type CompromisedImageRef } from './images.js';

export const MODE_INPUT_ID = 'mode';
export const CLEAN_IMAGE_INPUT_ID = 'clean_image';

interface ServiceRef {
  cluster: string;
  service: string;
}

/**
 * Stop every task found by the sweep and keep services from bringing the image back: each
 * service involved is pinned to a clean image (new task definition revision + UpdateService) or
 * scaled to zero. Services are handled FIRST: a stopped service task is otherwise replaced by
 * the scheduler from the same (compromised) task definition.
 */
export const stopAllPinAction: ActionDefinition = {
  id: 'stop_all_pin',
  label: 'Stop all tasks using the image / pin services',
  verb: 'Stop all',
  changes: true,
  destructive: true,
  repeatable: false,
  containment: 'contain',
  style: 'danger',
  appliesTo: (f) => f.kind === 'ECSCluster' && hasEcsImage(f),
  async plan(ctx) {
    const requestIds: string[] = [];
    const images = await compromisedImages(ctx, requestIds);
    // The blast radius depends on which image: sweep all candidates' digests (usually one).
    const sweeps = await Promise.all(images.map(async (image) => ({ image, sweep: (await sweepEverywhere(ctx, image)).merged })));
    const perImage = sweeps.map(({ image, sweep }) => {
      const tasks = distinctTasks(sweep.matches);
      const services = new Map<string, ServiceRef>();
      for (const t of tasks) if (t.serviceName) services.set(`${t.clusterArn}|${t.serviceName}`, { cluster: t.clusterArn, service: t.serviceName });
      return {
        digest: image.digest,
        tasks: tasks.map((t) => ({ clusterArn: t.clusterArn, taskArn: t.taskArn, serviceName: t.serviceName })),
        services: [...services.values()],
      };
    });
    const first = perImage[0]!;
    const name = (arn: string) => arn.split('/').pop() ?? arn;
    return {
      summary:
        `Pin or scale to zero ${first.services.length} service${first.services.length === 1 ? '' : 's'}, then stop ${first.tasks.length} running task${first.tasks.length === 1 ? '' : 's'} that use ${images[0]!.image}` +
        (images.length > 1 ? ' (counts for the first image; the others are listed in the choice below)' : '') +
        '.',
      resources: [...first.services.map((s) => `service ${name(s.cluster)}/${s.service}`), ...first.tasks.map((t) => t.taskArn)],
      apiCalls: [
        'For each service, pin: ecs:DescribeServices, ecs:DescribeTaskDefinition, ecs:RegisterTaskDefinition (same definition, clean image), ecs:UpdateService',
        'or, scale to zero: ecs:DescribeServices, ecs:UpdateService desiredCount=0',
        `ecs:StopTask × ${first.tasks.length} (at most 40 per second)`,
      ],
      warnings: [
        'Stopping ends the running processes: take evidence (isolate first) if you need it.',
        'Services are changed before any task is stopped, so the scheduler starts replacements only from the clean image (or none).',
        ...(sweeps.some((s) => s.sweep.errors.length) ? ['Some clusters could not be searched completely; their tasks may be missing from this list.'] : []),
      ],
      inputs: [
        ...imageChoice(images),
        {
          id: MODE_INPUT_ID,
          kind: 'select',
          label: 'Services that run the image',
          options: [
            { value: 'pin', label: 'Pin them to a clean image (new task definition revision)' },
            { value: 'scale_to_zero', label: 'Scale them to zero' },
          ],
          initial: 'pin',
        },
        {
          id: CLEAN_IMAGE_INPUT_ID,
          kind: 'text',
          label: 'Clean image (for pinning)',
          placeholder: '123456789012.dkr.ecr.us-east-1.amazonaws.com/app@sha256:…',
          optional: true,
          hint: 'Prefer a digest (repo@sha256:…) so a re-pushed tag cannot bring the compromised image back.',
        },
      ],
      data: { images, perImage },
    };
  },
  validateInputs(inputs) {
    const errors: Record<string, string> = {};
    if ((inputs[MODE_INPUT_ID] ?? 'pin') === 'pin') {
      const clean = inputs[CLEAN_IMAGE_INPUT_ID] ?? '';
      if (!clean) errors[CLEAN_IMAGE_INPUT_ID] = 'Give the clean image to pin services to, or choose "Scale them to zero".';
      else if (!parseImageReference(clean)) errors[CLEAN_IMAGE_INPUT_ID] = 'This is not an image reference (registry/repository:tag or @sha256:…).';
    }
    return errors;
  },
  async execute(ctx) {
    const data = ctx.plan.data as {
      images: CompromisedImageRef[];
      perImage: { digest: string; tasks: { clusterArn: string; taskArn: string }[]; services: ServiceRef[] }[];
    };
    const image = chosenImage(data.images, ctx.inputs);
    const target = data.perImage.find((p) => p.digest === image.digest) ?? data.perImage[0]!;
    const mode = ctx.inputs[MODE_INPUT_ID] === 'scale_to_zero' ? 'scale_to_zero' : 'pin';
    const clean = ctx.inputs[CLEAN_IMAGE_INPUT_ID] ?? '';
    const done: string[] = [];
    const notDone: string[] = [];
    const requestIds: string[] = [];
    const name = (arn: string) => arn.split('/').pop() ?? arn;
    const reason = `GuardDuty finding ${ctx.finding.id}: image ${shortDigest(image.digest)} compromised; stopped by Slack user ${ctx.actor}${ctx.reason ? ` — ${ctx.reason}` : ''}`;
    const results: Awaited<ReturnType<typeof stopTasks>> = [];

    // Each account × Region acts with its own session; a failure in one does not stop the others.
    const groups = byPlace(target.services, target.tasks, { accountId: ctx.finding.accountId, region: ctx.finding.region });
    const many = groups.length > 1;
    await mapWithConcurrency(groups, PLACE_CONCURRENCY, async (g) => {
      const where = many
        ? `account ${g.place.accountId}${ctx.accountName?.(g.place.accountId) ? ` (${ctx.accountName(g.place.accountId)})` : ''} ${g.place.region}: `
        : '';
      let aws = ctx.aws;
      try {
        if (many && ctx.awsIn) aws = ctx.awsIn(g.place);
      } catch (err) {
        notDone.push(`${where}nothing done — ${isAppError(err) ? err.message : describeError(err)}`);
        return;
      }
      for (const s of g.services) {
        try {
          if (mode === 'pin') {
            const r = await pinServiceToImage(aws, { ...s, compromisedImage: image.image, compromisedDigest: image.digest, cleanImage: clean });
            requestIds.push(...r.requestIds);
            done.push(
              where +
                (r.changed
                  ? `service ${name(s.cluster)}/${s.service}: ${r.oldTaskDefinitionArn} → ${r.newTaskDefinitionArn} (${r.swaps.map((w) => `${w.containerName}: ${w.to}`).join(', ')})`
                  : `service ${name(s.cluster)}/${s.service}: its task definition does not reference the image by this name/digest; left unchanged`),
            );
          } else {
            const r = await scaleServiceToZero(aws, s);
            requestIds.push(...r.requestIds);
            done.push(`${where}service ${name(s.cluster)}/${s.service}: desiredCount ${r.previousDesiredCount} → 0`);
          }
          ctx.progress(`${where}service ${s.service}: ${mode === 'pin' ? 'pinned' : 'scaled to zero'}`);
        } catch (err) {
          const msg = isAppError(err) ? err.message : describeError(err);
          notDone.push(`${where}service ${name(s.cluster)}/${s.service}: ${msg}`);
          ctx.progress(`${where}service ${s.service}: FAILED — ${msg}`);
        }
      }
      const placeResults = await stopTasks(aws, g.tasks, reason, {
        onProgress: (p) => {
          if (p.done % 50 === 0 || p.done === p.total) ctx.progress(`${where}stopped ${p.done}/${p.total} tasks`);
        },
      });
      results.push(...placeResults);
      if (many) done.push(`${where}${placeResults.filter((r) => r.ok).length} of ${placeResults.length} tasks stopped`);
    });
    const stopped = results.filter((r) => r.ok);
    const failed = results.filter((r): r is Extract<typeof r, { ok: false }> => !r.ok);
    for (const r of results) {
      if (r.ok && r.result.requestId) requestIds.push(r.result.requestId);
    }
    done.push(`${stopped.length} of ${results.length} tasks stopped`);
    for (const f of failed) notDone.push(`${f.taskArn}: ${f.message}`);
    const status: Outcome['status'] = notDone.length === 0 ? 'succeeded' : stopped.length > 0 || done.length > 1 ? 'partial' : 'failed';
    return {
      status,
      headline: `${stopped.length}/${results.length} tasks stopped; ${target.services.length} service${target.services.length === 1 ? '' : 's'} ${mode === 'pin' ? 'pinned to a clean image' : 'scaled to zero'}${notDone.length ? `; ${notDone.length} failure${notDone.length === 1 ? '' : 's'}` : ''}`,
      done: done.length > 40 ? [...done.slice(0, 40), `…and ${done.length - 40} more (see file)`] : done,
      notDone,
      next: [
        ...(failed.length ? ['Re-run this step to retry the tasks that failed; it only finds tasks still running.'] : []),
        'Run "Find tasks using this image" again in a few minutes to confirm nothing runs it.',
        ...(mode === 'scale_to_zero' ? ['If the service uses Application Auto Scaling, suspend its scaling policies or it may scale back up.'] : []),
      ],
      requestIds,
      cardStatus: `:octagonal_sign: ${stopped.length}/${results.length} tasks using the image stopped`,
      ...(results.length > 40
        ? {
            attachment: {
              filename: `stopped-tasks-${shortDigest(image.digest)}.txt`,
              title: 'Stop-all results',
              content: results.map((r) => `${r.ok ? 'STOPPED' : 'FAILED '} ${r.taskArn}${r.ok ? '' : ` ${r.message}`}`).join('\n'),
            },
          }
        : {}),
    };
  },
};

/** Account × Region groups of the services and tasks to act on (read from their ARNs). */
export const PLACE_CONCURRENCY = 5;

function byPlace(services: ServiceRef[], tasks: { clusterArn: string; taskArn: string }[], fallback: AwsPlace) {
  const groups = new Map<string, { place: AwsPlace; services: ServiceRef[]; tasks: { clusterArn: string; taskArn: string }[] }>();
  const group = (arn: string) => {
    const a = parseArn(arn);
    const place = a?.accountId && a.region ? { accountId: a.accountId, region: a.region } : fallback;
    const key = `${place.accountId}/${place.region}`;
    if (!groups.has(key)) groups.set(key, { place, services: [], tasks: [] });
    return groups.get(key)!;
  };
  for (const s of services) group(s.cluster).services.push(s);
  for (const t of tasks) group(t.taskArn).tasks.push(t);
  if (groups.size === 0) groups.set('', { place: fallback, services: [], tasks: [] });
  return [...groups.values()];
}
