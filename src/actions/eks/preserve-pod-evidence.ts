import { missingPermissions, missingText } from '../../k8s/access.js';
import { ownerChain } from '../../k8s/owners.js';
import { containerLog, podEvents, readPod } from '../../k8s/pods.js';
import { LOG_TAIL_LINES } from '../../k8s/pods.js';
import type { ActionDefinition } from '../types.js';
import { connect, hasPod, podTargetOf, podText } from './target.js';

/**
 * Read-only: pod spec, status, events, owner chain and the recent log of each container, as one
 * JSON file in the thread — before anything destructive removes them. A container whose log
 * cannot be read is listed, the rest is still kept.
 */
export const preservePodEvidenceAction: ActionDefinition = {
  id: 'preserve_pod_evidence',
  label: 'Preserve pod evidence',
  verb: 'Preserve',
  command: { verb: 'evidence', resources: ['pod'], section: 'Instances' },
  changes: false,
  destructive: false,
  repeatable: true,
  appliesTo: (f) => hasPod(f),
  async plan(ctx) {
    const t = podTargetOf(ctx.finding);
    const conn = await connect(ctx, t.cluster);
    const pod = await readPod(conn, t);
    const containers = (pod.spec?.containers ?? []).map((c) => c.name);
    const missing = await missingPermissions(conn, [
      { verb: 'get', resource: 'pods/log', namespace: t.namespace },
      { verb: 'list', resource: 'events', namespace: t.namespace },
    ]);
    return {
      summary: `Save the spec, status, events, owner chain and last ${LOG_TAIL_LINES} log lines of ${containers.length} container(s) of ${podText(t)} to this thread.`,
      resources: [podText(t), ...containers.map((c) => `container ${c}`)],
      apiCalls: [
        'GET pod',
        'GET events (involvedObject = the pod)',
        'GET owner ReplicaSet (for its Deployment)',
        ...containers.map((c) => `GET pods/log container=${c} tailLines=${LOG_TAIL_LINES}`),
      ],
      warnings: [
        'Logs are what the kubelet still holds: rotated or lost logs of restarted containers are not recoverable here. No memory or disk image is taken.',
      ],
      ...(missing.length ? { blocked: missingText(t.cluster, missing) } : {}),
    };
  },
  async execute(ctx) {
    const t = podTargetOf(ctx.finding);
    const conn = await connect(ctx, t.cluster);
    const pod = await readPod(conn, t);
    const events = await podEvents(conn, t);
    const owners = await ownerChain(conn, pod);
    const logs: Record<string, string> = {};
    const notDone: string[] = [];
    for (const c of pod.spec?.containers ?? []) {
      try {
        logs[c.name] = await containerLog(conn, t, c.name);
      } catch (err) {
        notDone.push(`Log of container ${c.name}: ${(err as Error).message}`);
      }
    }
    const evidence = {
      capturedAt: new Date(ctx.clock.now()).toISOString(),
      capturedBy: ctx.actor,
      cluster: t.cluster,
      findingId: ctx.finding.id,
      pod: { metadata: pod.metadata, spec: pod.spec, status: pod.status },
      events,
      ownerChain: owners,
      logs,
    };
    return {
      status: notDone.length ? 'partial' : 'succeeded',
      headline: `evidence of ${podText(t)} saved`,
      done: [
        `Pod spec and status, ${events.length} event(s), owner chain ${owners.map((o) => `${o.kind}/${o.name}`).join(' → ') || '(none: bare pod)'}, logs of ${Object.keys(logs).length} container(s)`,
      ],
      notDone,
      next: [],
      requestIds: [],
      attachment: {
        filename: `pod-evidence-${t.namespace}-${t.name}.json`,
        title: `Evidence of pod ${t.namespace}/${t.name}`,
        content: JSON.stringify(evidence, null, 2),
      },
    };
  },
};
