import { AppError } from '../../errors.js';
import { missingPermissions, missingText } from '../../k8s/access.js';
import { ownerChain, topWorkload, type Workload } from '../../k8s/owners.js';
import { readPod } from '../../k8s/pods.js';
import { readWorkload, setWorkloadImage, WORKLOAD_RESOURCE } from '../../k8s/workloads.js';
import type { ActionDefinition } from '../types.js';
import { connect, hasPod, podTargetOf } from './target.js';

/** An image reference a human would type: `registry/repo:tag` or `repo@sha256:…`, no spaces. */
const IMAGE_RE = /^[a-z0-9][a-z0-9._\-/:]*(?:@sha256:[0-9a-f]{64}|:[A-Za-z0-9_][A-Za-z0-9._-]{0,127})$/;

interface UpdateData {
  workload: Workload;
  containers: { container: string; from: string }[];
}

/** Patch the pod's owning Deployment/StatefulSet/DaemonSet to a clean image (a rolling update). */
export const updateWorkloadImageAction: ActionDefinition = {
  id: 'update_workload_image',
  label: 'Update workload image',
  verb: 'Update',
  command: {
    verb: 'update-image',
    aliases: ['update_image'],
    resources: ['pod'],
    section: 'Pods',
    help: "point the pod's Deployment/StatefulSet/DaemonSet at a clean image",
  },
  changes: true,
  destructive: true,
  repeatable: true,
  appliesTo: (f) => hasPod(f),
  validateInputs: (inputs): Record<string, string> =>
    IMAGE_RE.test(inputs.image ?? '') ? {} : { image: 'An image reference such as 123456789012.dkr.ecr.us-east-1.amazonaws.com/web:1.4.3 or repo@sha256:…' },
  async plan(ctx) {
    const t = podTargetOf(ctx.finding);
    const conn = await connect(ctx, t.cluster);
    const pod = await readPod(conn, t);
    const workload = topWorkload(await ownerChain(conn, pod), t.namespace);
    if (!workload)
      return {
        summary: `${t.namespace}/${t.name} has no Deployment, StatefulSet or DaemonSet.`,
        resources: [],
        apiCalls: [],
        warnings: [],
        blocked: 'the pod has no owning workload to update (a bare pod: stop it instead)',
      };
    const w = await readWorkload(conn, workload);
    const running = new Set((pod.spec?.containers ?? []).map((c) => c.image));
    const containers = (w.template?.containers ?? []).filter((c) => running.has(c.image)).map((c) => ({ container: c.name, from: c.image ?? '' }));
    const missing = await missingPermissions(conn, [{ verb: 'patch', resource: WORKLOAD_RESOURCE[workload.kind], group: 'apps', namespace: t.namespace }]);
    const data: UpdateData = { workload, containers };
    return {
      summary: `Set a clean image on ${workload.kind} ${t.namespace}/${workload.name} (containers ${containers.map((c) => c.container).join(', ')}): its pods are replaced by a rolling update.`,
      resources: [`${workload.kind} ${t.namespace}/${workload.name}`, ...containers.map((c) => `container ${c.container}: now ${c.from}`)],
      apiCalls: [`PATCH ${workload.kind} ${workload.name} (JSON patch: test the current image, replace it)`],
      warnings: [
        'The compromised pod is replaced too unless it is isolated and detached from its ReplicaSet: preserve evidence first.',
        'A workload managed by GitOps/Helm may be set back by its controller.',
      ],
      inputs: [{ id: 'image', label: 'Clean image', kind: 'text', placeholder: 'registry/repo:tag or repo@sha256:…' }],
      ...(containers.length === 0 ? { blocked: "the workload template no longer uses the pod's image" } : {}),
      ...(missing.length ? { blocked: missingText(t.cluster, missing) } : {}),
      data,
    };
  },
  async execute(ctx) {
    const t = podTargetOf(ctx.finding);
    const d = ctx.plan.data as UpdateData;
    const image = ctx.inputs.image ?? '';
    if (!IMAGE_RE.test(image)) throw new AppError('action_invalid', 'The clean image is not a valid image reference.');
    const conn = await connect(ctx, t.cluster);
    const w = await readWorkload(conn, d.workload);
    await setWorkloadImage(
      conn,
      d.workload,
      w.template!,
      d.containers.map((c) => ({ ...c, to: image })),
    );
    return {
      status: 'succeeded',
      headline: `${d.workload.kind} ${d.workload.name} now uses ${image}`,
      done: d.containers.map((c) => `${d.workload.kind} ${t.namespace}/${d.workload.name} container ${c.container}: ${c.from} → ${image}`),
      notDone: ['Other workloads running the same image are not changed: use Find pods running this image.'],
      next: [],
      requestIds: [],
      cardStatus: ':arrows_counterclockwise: Workload image updated',
    };
  },
};
