/**
 * NetworkPolicy steps. Kubernetes policies only ADD allowed traffic: a pod selected by a deny-all
 * policy and by another policy still gets what the other one allows. So isolation lists every
 * policy of the namespace that selects the pod (evaluated here: the API has no such query).
 */
import type { V1DaemonSet, V1NetworkPolicy } from '@kubernetes/client-node';
import type { KubeConnection } from './client.js';
import { kubeCall } from './errors.js';
import { labelsToDetach, selectorMatches, type Labels } from './selector.js';

export interface SelectingPolicy {
  name: string;
  /** Pod labels whose removal stops the policy selecting the pod; empty = labels cannot. */
  detachBy: string[];
  policyTypes: string[];
}

export async function listPolicies(conn: KubeConnection, namespace: string): Promise<V1NetworkPolicy[]> {
  const { net } = await conn.apis();
  const list = await kubeCall({ cluster: conn.cluster, verb: 'list', resource: 'networkpolicies.networking.k8s.io', namespace }, () =>
    net.listNamespacedNetworkPolicy({ namespace }),
  );
  return list.items;
}

/** Policies (other than `except`) whose podSelector selects a pod with `labels`. */
export function policiesSelecting(policies: readonly V1NetworkPolicy[], labels: Labels, except?: string): SelectingPolicy[] {
  return policies
    .filter((p) => p.metadata?.name !== except && selectorMatches(p.spec?.podSelector, labels))
    .map((p) => ({ name: p.metadata?.name ?? '', detachBy: labelsToDetach(p.spec?.podSelector, labels), policyTypes: p.spec?.policyTypes ?? ['Ingress'] }));
}

/** Deny-all: selects the quarantine label, both policy types, no rules. */
export function denyAllPolicy(name: string, namespace: string, label: { key: string; value: string }, findingId: string): V1NetworkPolicy {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name, namespace, labels: { 'app.kubernetes.io/managed-by': 'guardduty-responder' }, annotations: { 'guardduty-responder/finding': findingId } },
    spec: { podSelector: { matchLabels: { [label.key]: label.value } }, policyTypes: ['Ingress', 'Egress'] },
  };
}

export async function createPolicy(conn: KubeConnection, policy: V1NetworkPolicy): Promise<void> {
  const { net } = await conn.apis();
  const namespace = policy.metadata!.namespace!;
  await kubeCall({ cluster: conn.cluster, verb: 'create', resource: 'networkpolicies.networking.k8s.io', namespace, name: policy.metadata!.name! }, () =>
    net.createNamespacedNetworkPolicy({ namespace, body: policy }),
  );
}

export async function deletePolicy(conn: KubeConnection, namespace: string, name: string): Promise<void> {
  const { net } = await conn.apis();
  await kubeCall({ cluster: conn.cluster, verb: 'delete', resource: 'networkpolicies.networking.k8s.io', namespace, name }, () =>
    net.deleteNamespacedNetworkPolicy({ namespace, name }),
  );
}

export interface Enforcement {
  /** What was found that enforces policies. */
  enforcedBy: string[];
  /** What could not be checked or looks unenforced. */
  caveats: string[];
}

/**
 * Whether a network plugin enforces NetworkPolicy, from the kube-system DaemonSets: VPC CNI's
 * aws-node with its network policy agent (container `aws-network-policy-agent`, or
 * ENABLE_NETWORK_POLICY=true), Calico (`calico-node`), Cilium (`cilium`). Other plugins, and
 * an agent set up but failing, cannot be told apart from here.
 */
export async function checkEnforcement(conn: KubeConnection): Promise<Enforcement> {
  const { apps } = await conn.apis();
  let items: V1DaemonSet[];
  try {
    items = (
      await kubeCall({ cluster: conn.cluster, verb: 'list', resource: 'daemonsets.apps', namespace: 'kube-system' }, () =>
        apps.listNamespacedDaemonSet({ namespace: 'kube-system' }),
      )
    ).items;
  } catch (err) {
    return { enforcedBy: [], caveats: [`Could not check which network plugin enforces NetworkPolicy (${(err as Error).message}).`] };
  }
  const enforcedBy: string[] = [];
  for (const ds of items) {
    const name = ds.metadata?.name ?? '';
    const containers = ds.spec?.template.spec?.containers ?? [];
    if (name === 'aws-node') {
      const agent = containers.some((c) => c.name === 'aws-network-policy-agent');
      const flag = containers.some((c) => c.env?.some((e) => e.name === 'ENABLE_NETWORK_POLICY' && e.value === 'true'));
      if (agent || flag) enforcedBy.push('Amazon VPC CNI network policy agent (aws-node)');
    } else if (name === 'calico-node') enforcedBy.push('Calico (calico-node)');
    else if (name === 'cilium') enforcedBy.push('Cilium');
  }
  const caveats =
    enforcedBy.length > 0
      ? ["Whether the plugin is healthy on the pod's node cannot be checked from the API."]
      : [
          'No NetworkPolicy enforcement found in kube-system (VPC CNI network policy off, no Calico or Cilium): the policy would be stored but NOT enforced, and the pod keeps its network.',
        ];
  return { enforcedBy, caveats };
}
