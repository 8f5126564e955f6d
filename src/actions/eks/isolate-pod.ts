import { missingPermissions, missingText, type Need } from '../../k8s/access.js';
import {
  checkEnforcement,
  createPolicy,
  deletePolicy,
  denyAllPolicy,
  listPolicies,
  policiesSelecting,
  type SelectingPolicy,
} from '../../k8s/network-policy.js';
import { patchPodLabels, readPod } from '../../k8s/pods.js';
import { toLabelValue } from '../../k8s/selector.js';
import { stateKey } from '../state-keys.js';
import type { ActionDefinition } from '../types.js';
import { connect, hasPod, podTargetOf, podText, type PodTarget } from './target.js';

export const QUARANTINE_LABEL = 'guardduty-responder/quarantine';
export const POLICY_PREFIX = 'guardduty-quarantine-';

/** What release needs to undo exactly what isolation did. */
export interface PodIsolationState {
  active: boolean;
  kind: 'pod';
  target: PodTarget;
  policyName: string;
  label: { key: string; value: string };
  /** Labels removed so other policies stop selecting the pod: put back on release. */
  removedLabels: Record<string, string>;
  by: string;
  at: number;
  releasedBy?: string;
  releasedAt?: number;
}

/** Shares the 'isolation' name with tasks and instances so the card's `isolated` flag covers pods. */
export const POD_ISOLATION_STATE_KEY = stateKey<PodIsolationState>('isolation');

interface IsolatePlanData {
  target: PodTarget;
  policyName: string;
  label: { key: string; value: string };
  removeLabels: Record<string, string>;
}

const needs = (ns: string): Need[] => [
  { verb: 'patch', resource: 'pods', namespace: ns },
  { verb: 'create', resource: 'networkpolicies', group: 'networking.k8s.io', namespace: ns },
  { verb: 'delete', resource: 'networkpolicies', group: 'networking.k8s.io', namespace: ns },
];

/**
 * Deny-all NetworkPolicy on a quarantine label. Policies only add allowed traffic, so every other
 * policy selecting the pod is dealt with: the pod labels it matches on are removed (and recorded).
 * A policy that labels cannot detach (empty selector, NotIn/DoesNotExist) blocks the step.
 */
export const isolatePodAction: ActionDefinition = {
  id: 'isolate_pod',
  label: 'Isolate pod',
  verb: 'Isolate',
  command: { verb: 'isolate', resources: ['pod'], section: 'Contain' },
  changes: true,
  destructive: false,
  repeatable: false,
  style: 'primary',
  appliesTo: (f, s) => hasPod(f) && !s.isolated,
  async plan(ctx) {
    const target = podTargetOf(ctx.finding);
    const conn = await connect(ctx, target.cluster);
    const pod = await readPod(conn, target);
    const labels = pod.metadata?.labels ?? {};
    const label = { key: QUARANTINE_LABEL, value: toLabelValue(ctx.finding.id) };
    const policyName = `${POLICY_PREFIX}${label.value}`
      .slice(0, 253)
      .toLowerCase()
      .replace(/[^a-z0-9.-]/g, '-');
    const others = policiesSelecting(await listPolicies(conn, target.namespace), labels, policyName);
    const stuck = others.filter((p) => p.detachBy.length === 0);
    const removeLabels = Object.fromEntries(others.flatMap((p) => p.detachBy).map((k) => [k, labels[k]!]));
    const enforcement = await checkEnforcement(conn);
    const missing = await missingPermissions(conn, needs(target.namespace));
    const owned = (pod.metadata?.ownerReferences ?? []).some((o) => o.kind === 'ReplicaSet' || o.kind === 'StatefulSet' || o.kind === 'DaemonSet');
    const removeKeys = Object.keys(removeLabels);
    const data: IsolatePlanData = { target, policyName, label, removeLabels };
    return {
      summary: `Cut ${podText(target)} off the network with a deny-all NetworkPolicy (ingress and egress) while it keeps running.`,
      resources: [
        `${podText(target)} on node ${pod.spec?.nodeName ?? 'unknown'}`,
        `NetworkPolicy ${target.namespace}/${policyName} (new)`,
        ...others.map((p) => describeOther(p)),
      ],
      apiCalls: [
        `PATCH pod ${target.namespace}/${target.name}: add label ${label.key}=${label.value}${removeKeys.length ? `; remove labels ${removeKeys.join(', ')}` : ''}`,
        `POST NetworkPolicy ${target.namespace}/${policyName}: podSelector ${label.key}=${label.value}, policyTypes Ingress+Egress, no rules`,
      ],
      warnings: [
        ...(enforcement.enforcedBy.length ? [`NetworkPolicy is enforced by: ${enforcement.enforcedBy.join(', ')}.`] : []),
        ...enforcement.caveats,
        ...(removeKeys.length && owned
          ? [
              `Removing labels ${removeKeys.join(', ')} may detach the pod from its ReplicaSet/controller: a replacement pod starts, and this pod is no longer managed (release puts the labels back).`,
            ]
          : []),
        'Will cut: new and existing traffic to and from the pod through the pod network. Will NOT cut: a hostNetwork pod, the node itself, or what the pod does with credentials it already holds.',
      ],
      ...(pod.spec?.hostNetwork ? { blocked: 'the pod uses the host network: NetworkPolicy does not apply to it (isolate the node instead)' } : {}),
      ...(stuck.length
        ? {
            blocked: `${stuck.map((p) => `NetworkPolicy ${p.name}`).join(', ')} select${stuck.length === 1 ? 's' : ''} the pod without a label that can be removed (empty selector or NotIn/DoesNotExist): it would keep allowing traffic, so the pod cannot be isolated by policy`,
          }
        : {}),
      ...(missing.length ? { blocked: missingText(target.cluster, missing) } : {}),
      data,
    };
  },
  async execute(ctx) {
    const d = ctx.plan.data as IsolatePlanData;
    const conn = await connect(ctx, d.target.cluster);
    const removals = Object.fromEntries(Object.keys(d.removeLabels).map((k) => [k, null]));
    const done: string[] = [];
    await patchPodLabels(conn, d.target, { [d.label.key]: d.label.value, ...removals });
    done.push(
      `Labelled ${podText(d.target)} ${d.label.key}=${d.label.value}${Object.keys(removals).length ? ` and removed labels ${Object.keys(removals).join(', ')}` : ''}`,
    );
    try {
      await createPolicy(conn, denyAllPolicy(d.policyName, d.target.namespace, d.label, ctx.finding.id));
    } catch (err) {
      // Put the labels back: nothing half-done.
      await patchPodLabels(conn, d.target, { [d.label.key]: null, ...d.removeLabels }).catch(() => undefined);
      throw err;
    }
    done.push(`Created deny-all NetworkPolicy ${d.target.namespace}/${d.policyName} (ingress and egress, no rules)`);
    const state: PodIsolationState = {
      active: true,
      kind: 'pod',
      target: d.target,
      policyName: d.policyName,
      label: d.label,
      removedLabels: d.removeLabels,
      by: ctx.actor,
      at: ctx.clock.now(),
    };
    await ctx.state.put(POD_ISOLATION_STATE_KEY, state);
    // Check again now: a policy added meanwhile would still allow traffic.
    const pod = await readPod(conn, d.target);
    const still = policiesSelecting(await listPolicies(conn, d.target.namespace), pod.metadata?.labels ?? {}, d.policyName);
    if (still.length) {
      return {
        status: 'partial',
        headline: `NOT isolated: ${still.map((p) => p.name).join(', ')} still select${still.length === 1 ? 's' : ''} the pod`,
        done,
        notDone: still.map((p) => `NetworkPolicy ${p.name} still allows its traffic to and from the pod`),
        next: ['Remove or narrow that policy, then check again; Release pod isolation undoes what was done.'],
        requestIds: [],
        cardStatus: ':warning: Pod partly isolated',
      };
    }
    return {
      status: 'succeeded',
      headline: `${podText(d.target)} isolated by NetworkPolicy`,
      done,
      notDone: ['The node, hostNetwork traffic and credentials the pod already holds are not cut.'],
      next: ["Preserve pod evidence; cordon the node; revoke the pod's AWS credentials."],
      requestIds: [],
      cardStatus: ':lock: Pod isolated (NetworkPolicy)',
    };
  },
};

function describeOther(p: SelectingPolicy): string {
  return p.detachBy.length
    ? `NetworkPolicy ${p.name} also selects the pod: labels ${p.detachBy.join(', ')} will be removed so it stops`
    : `NetworkPolicy ${p.name} also selects the pod and no label removal can stop it`;
}

/** Used by release to delete exactly the policy isolation created. */
export async function undoIsolation(conn: Awaited<ReturnType<typeof connect>>, s: PodIsolationState): Promise<string[]> {
  const done: string[] = [];
  await deletePolicy(conn, s.target.namespace, s.policyName).catch((err: { code?: string }) => {
    if (err.code !== 'k8s_not_found') throw err;
  });
  done.push(`Deleted NetworkPolicy ${s.target.namespace}/${s.policyName}`);
  await patchPodLabels(conn, s.target, { [s.label.key]: null, ...s.removedLabels });
  done.push(
    `Removed label ${s.label.key}${
      Object.keys(s.removedLabels).length
        ? ` and put back ${Object.entries(s.removedLabels)
            .map(([k, v]) => `${k}=${v}`)
            .join(', ')}`
        : ''
    } on ${podText(s.target)}`,
  );
  return done;
}
