import { missingPermissions, missingText } from '../../k8s/access.js';
import type { ActionDefinition } from '../types.js';
import { POD_ISOLATION_STATE_KEY, undoIsolation, type PodIsolationState } from './isolate-pod.js';
import { connect, hasPod, podText } from './target.js';

/** Undoes exactly what Isolate pod recorded: its policy, its label, the labels it removed. */
export const releasePodAction: ActionDefinition = {
  id: 'release_pod',
  label: 'Release pod isolation',
  verb: 'Release',
  command: { verb: 'release', resources: ['pod'], section: 'Contain' },
  changes: true,
  destructive: false,
  repeatable: false,
  appliesTo: (f, s) => hasPod(f) && s.isolated,
  async plan(ctx) {
    const s = await ctx.state.get(POD_ISOLATION_STATE_KEY);
    if (!s?.active || s.kind !== 'pod')
      return { summary: 'Nothing to release.', resources: [], apiCalls: [], warnings: [], blocked: 'no active pod isolation is recorded for this finding' };
    const conn = await connect(ctx, s.target.cluster);
    const missing = await missingPermissions(conn, [
      { verb: 'patch', resource: 'pods', namespace: s.target.namespace },
      { verb: 'delete', resource: 'networkpolicies', group: 'networking.k8s.io', namespace: s.target.namespace },
    ]);
    const restore = Object.entries(s.removedLabels).map(([k, v]) => `${k}=${v}`);
    return {
      summary: `Release ${podText(s.target)}: delete NetworkPolicy ${s.policyName} and its quarantine label${restore.length ? `, put back labels ${restore.join(', ')}` : ''}.`,
      resources: [podText(s.target), `NetworkPolicy ${s.target.namespace}/${s.policyName}`],
      apiCalls: [
        `DELETE NetworkPolicy ${s.target.namespace}/${s.policyName}`,
        `PATCH pod ${s.target.namespace}/${s.target.name}: remove ${s.label.key}${restore.length ? `, add ${restore.join(', ')}` : ''}`,
      ],
      warnings: restore.length ? ['Putting the labels back may make the pod match its ReplicaSet again: the controller then removes one surplus pod.'] : [],
      ...(missing.length ? { blocked: missingText(s.target.cluster, missing) } : {}),
    };
  },
  async execute(ctx) {
    const s = (await ctx.state.get(POD_ISOLATION_STATE_KEY))!;
    const conn = await connect(ctx, s.target.cluster);
    const done = await undoIsolation(conn, s);
    await ctx.state.put(POD_ISOLATION_STATE_KEY, { ...s, active: false, releasedBy: ctx.actor, releasedAt: ctx.clock.now() } satisfies PodIsolationState);
    return {
      status: 'succeeded',
      headline: `${podText(s.target)} released`,
      done,
      notDone: [],
      next: [],
      requestIds: [],
      cardStatus: ':unlock: Pod isolation released',
    };
  },
};
