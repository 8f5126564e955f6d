import { AppError } from '../../errors.js';
import { missingPermissions, missingText, type Need } from '../../k8s/access.js';
import { ownerChain, topWorkload, type Workload } from '../../k8s/owners.js';
import { deletePod, readPod } from '../../k8s/pods.js';
import { readWorkload, scaleWorkload, WORKLOAD_RESOURCE } from '../../k8s/workloads.js';
import type { ActionDefinition } from '../types.js';
import { connect, hasPod, podTargetOf, podText } from './target.js';

interface StopData {
  workload?: Workload;
  replicas?: number;
}

/**
 * Owner-aware stop. A pod owned by a Deployment/ReplicaSet/StatefulSet/DaemonSet is recreated by
 * its controller when deleted: the plan says so and asks what to do — delete anyway, or scale the
 * owner to 0 (Deployment/StatefulSet) — or point to Update workload image. A bare pod is deleted.
 */
export const stopPodAction: ActionDefinition = {
  id: 'stop_pod',
  label: 'Stop pod',
  verb: 'Stop',
  command: { verb: 'stop', resources: ['pod'], section: 'Contain' },
  changes: true,
  destructive: true,
  repeatable: false,
  style: 'danger',
  appliesTo: (f) => hasPod(f),
  async plan(ctx) {
    const t = podTargetOf(ctx.finding);
    const conn = await connect(ctx, t.cluster);
    const pod = await readPod(conn, t);
    const chain = await ownerChain(conn, pod);
    const workload = topWorkload(chain, t.namespace);
    const needs: Need[] = [{ verb: 'delete', resource: 'pods', namespace: t.namespace }];
    let replicas: number | undefined;
    if (workload && workload.kind !== 'DaemonSet') {
      replicas = (await readWorkload(conn, workload)).replicas;
      needs.push({ verb: 'patch', resource: WORKLOAD_RESOURCE[workload.kind], group: 'apps', namespace: t.namespace });
    }
    const missing = await missingPermissions(conn, needs);
    const owner = workload ? `${workload.kind} ${t.namespace}/${workload.name}` : undefined;
    const data: StopData = { ...(workload ? { workload } : {}), ...(replicas !== undefined ? { replicas } : {}) };
    return {
      summary: owner
        ? `${podText(t)} belongs to ${owner} (${chain.map((o) => `${o.kind}/${o.name}`).join(' → ')}): deleting it only makes the controller start another.`
        : `Delete bare ${podText(t)} (no controller owns it: it will not come back).`,
      resources: [podText(t), ...(owner ? [`${owner}${replicas !== undefined ? ` — ${replicas} replica(s)` : ''}`] : [])],
      apiCalls: [
        `DELETE pod ${t.namespace}/${t.name}`,
        ...(workload && workload.kind !== 'DaemonSet' ? [`PATCH ${owner} spec.replicas ${replicas ?? '?'} → 0 (when chosen)`] : []),
      ],
      warnings: owner
        ? [
            'Deleting the pod destroys its in-memory evidence: preserve pod evidence first.',
            `Scaling ${owner} to 0 stops EVERY replica of it, not only this pod.`,
            'To keep the service up on a clean image instead, use Update workload image.',
          ]
        : ['Deleting the pod destroys its in-memory evidence: preserve pod evidence first.'],
      ...(owner
        ? {
            inputs: [
              {
                id: 'mode',
                label: 'How to stop it',
                kind: 'select' as const,
                initial: 'delete',
                options: [
                  { value: 'delete', label: 'Delete the pod anyway (a replacement starts)' },
                  ...(workload!.kind !== 'DaemonSet' ? [{ value: 'scale', label: `Scale ${workload!.kind} ${workload!.name} to 0` }] : []),
                ],
              },
            ],
          }
        : {}),
      ...(missing.length ? { blocked: missingText(t.cluster, missing) } : {}),
      data,
    };
  },
  async execute(ctx) {
    const t = podTargetOf(ctx.finding);
    const d = ctx.plan.data as StopData;
    const conn = await connect(ctx, t.cluster);
    if (ctx.inputs.mode === 'scale') {
      if (!d.workload || d.replicas === undefined) throw new AppError('action_invalid', 'This pod has no owner that can be scaled.');
      await scaleWorkload(conn, d.workload, d.replicas, 0);
      return {
        status: 'succeeded',
        headline: `${d.workload.kind} ${t.namespace}/${d.workload.name} scaled to 0`,
        done: [`Scaled ${d.workload.kind} ${d.workload.name} from ${d.replicas} to 0 replicas: its pods, this one included, are being stopped`],
        notDone: [],
        next: [`Scale it back to ${d.replicas} once the image is clean.`],
        requestIds: [],
        cardStatus: ':octagonal_sign: Workload scaled to 0',
      };
    }
    await deletePod(conn, t);
    return {
      status: 'succeeded',
      headline: `${podText(t)} deleted`,
      done: [`Deleted ${podText(t)}`],
      notDone: d.workload ? [`${d.workload.kind} ${d.workload.name} starts a replacement from the same image.`] : [],
      next: d.workload ? ['Update workload image to a clean image, or scale the owner to 0.'] : [],
      requestIds: [],
      cardStatus: ':octagonal_sign: Pod deleted',
    };
  },
};
