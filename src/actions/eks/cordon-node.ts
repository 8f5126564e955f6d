import { missingPermissions, missingText } from '../../k8s/access.js';
import { INVESTIGATION_LABEL, instanceIdFromProviderId, patchNode, readNode } from '../../k8s/nodes.js';
import { readPod } from '../../k8s/pods.js';
import { toLabelValue } from '../../k8s/selector.js';
import type { ActionDefinition } from '../types.js';
import { connect, hasPod, podTargetOf, type PodTarget } from './target.js';

export const NODE_STATE_KEY = 'eks_node_cordon';

export interface NodeCordonState {
  active: boolean;
  cluster: string;
  node: string;
  instanceId?: string;
  /** The node was already unschedulable before: release leaves it so. */
  wasUnschedulable: boolean;
  label: string;
  by: string;
  at: number;
}

/**
 * Cordon the pod's node WITHOUT draining (a drain evicts the pod and its evidence) and label it
 * under investigation. Running again on a cordoned node (recorded) uncordons it: the release.
 */
export const cordonNodeAction: ActionDefinition = {
  id: 'cordon_node',
  label: 'Cordon node',
  verb: 'Cordon',
  command: { verb: 'cordon', resources: ['pod'], section: 'Pods', help: "cordon the pod's node (no drain, evidence kept) and label it; release uncordons" },
  changes: true,
  destructive: false,
  repeatable: true,
  appliesTo: (f) => hasPod(f),
  async plan(ctx) {
    const recorded = await ctx.state.get<NodeCordonState>(NODE_STATE_KEY);
    const t: PodTarget = podTargetOf(ctx.finding);
    const conn = await connect(ctx, t.cluster);
    const missing = await missingPermissions(conn, [{ verb: 'patch', resource: 'nodes' }]);
    const blocked = missing.length ? { blocked: missingText(t.cluster, missing) } : {};
    if (recorded?.active) {
      return {
        summary: `Release node ${recorded.node}: ${recorded.wasUnschedulable ? 'leave it cordoned (it was before)' : 'uncordon it'} and remove label ${INVESTIGATION_LABEL}.`,
        resources: [`node ${recorded.node}${recorded.instanceId ? ` (EC2 instance ${recorded.instanceId})` : ''}`],
        apiCalls: [`PATCH node ${recorded.node}: spec.unschedulable=${recorded.wasUnschedulable}, remove label ${INVESTIGATION_LABEL}`],
        warnings: [],
        ...blocked,
        data: { release: true },
      };
    }
    const pod = await readPod(conn, t);
    const nodeName = pod.spec?.nodeName ?? ctx.finding.eks?.nodeName;
    if (!nodeName) return { summary: 'The pod is not on a node.', resources: [], apiCalls: [], warnings: [], blocked: 'the pod has no node (not scheduled)' };
    const node = await readNode(conn, nodeName);
    const instanceId = instanceIdFromProviderId(node.spec?.providerID);
    return {
      summary: `Cordon node ${nodeName}${instanceId ? ` (EC2 instance ${instanceId})` : ''} so no new pods are scheduled on it; nothing is evicted.`,
      resources: [`node ${nodeName}${instanceId ? ` — EC2 instance ${instanceId}` : ''}`],
      apiCalls: [`PATCH node ${nodeName}: spec.unschedulable=true, label ${INVESTIGATION_LABEL}=${toLabelValue(ctx.finding.id)}`],
      warnings: [
        'No drain: the pods already on the node, the compromised one included, keep running (evidence stays).',
        ...(instanceId
          ? [
              `The node is EC2 instance ${instanceId}: the instance steps (isolate, snapshot evidence, malware scan) apply to it from an Instance finding or /guardduty.`,
            ]
          : ["The node's providerID names no EC2 instance (Fargate?)."]),
        ...(node.spec?.unschedulable ? ['The node is already cordoned; only the label is added.'] : []),
      ],
      ...blocked,
      data: { release: false, node: nodeName, instanceId, wasUnschedulable: node.spec?.unschedulable === true },
    };
  },
  async execute(ctx) {
    const t = podTargetOf(ctx.finding);
    const conn = await connect(ctx, t.cluster);
    const d = ctx.plan.data as { release: boolean; node?: string; instanceId?: string; wasUnschedulable?: boolean };
    if (d.release) {
      const s = (await ctx.state.get<NodeCordonState>(NODE_STATE_KEY))!;
      await patchNode(conn, s.node, { unschedulable: s.wasUnschedulable, labels: { [INVESTIGATION_LABEL]: null } });
      await ctx.state.put(NODE_STATE_KEY, { ...s, active: false });
      return {
        status: 'succeeded',
        headline: `node ${s.node} released`,
        done: [`${s.wasUnschedulable ? 'Left cordoned (as before)' : 'Uncordoned'} node ${s.node}; removed label ${INVESTIGATION_LABEL}`],
        notDone: [],
        next: [],
        requestIds: [],
        cardStatus: ':white_check_mark: Node uncordoned',
      };
    }
    const label = toLabelValue(ctx.finding.id);
    await patchNode(conn, d.node!, { unschedulable: true, labels: { [INVESTIGATION_LABEL]: label } });
    const state: NodeCordonState = {
      active: true,
      cluster: t.cluster,
      node: d.node!,
      ...(d.instanceId ? { instanceId: d.instanceId } : {}),
      wasUnschedulable: d.wasUnschedulable === true,
      label,
      by: ctx.actor,
      at: ctx.clock.now(),
    };
    await ctx.state.put(NODE_STATE_KEY, state);
    return {
      status: 'succeeded',
      headline: `node ${d.node} cordoned (not drained)`,
      done: [`Cordoned node ${d.node} and labelled it ${INVESTIGATION_LABEL}=${label}`],
      notDone: ['Pods already on the node keep running (no drain).'],
      next: [`Run Cordon node again to uncordon it.${d.instanceId ? ` The node is EC2 instance ${d.instanceId}.` : ''}`],
      requestIds: [],
      cardStatus: ':construction: Node cordoned',
      ...(d.instanceId ? { cardFacts: { 'Node instance': d.instanceId } } : {}),
    };
  },
};
