/**
 * deploy/eks/rbac.yaml against what the EKS steps really call: every step, planned and run
 * through Slack against the Kubernetes double, makes only calls the ClusterRole allows, and the
 * ClusterRole allows nothing the steps never use.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { loadAllYaml } from '@kubernetes/client-node';
import { eksFindingEvent, publishFinding, RESPONDER, startEksE2eWorld } from '../helpers/eks-world.js';
import { runAction } from '../helpers/slack-interactions.js';

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

const docs = loadAllYaml(readFileSync(new URL('../../deploy/eks/rbac.yaml', import.meta.url), 'utf8')) as { kind: string; rules?: Rule[] }[];
const role = docs.find((d) => d.kind === 'ClusterRole')!;
const granted = new Set(
  role.rules!.flatMap((r) => r.apiGroups.flatMap((g) => r.resources.flatMap((res) => r.verbs.map((v) => `${v} ${res}${g ? `.${g}` : ''}`)))),
);

test('the ClusterRole grants exactly the verbs and resources the EKS steps use', async (t) => {
  const w = await startEksE2eWorld();
  t.after(() => w.close());
  const c = w.addCluster('prod');
  c.addDaemonSet('calico-node', [{ name: 'calico-node' }]);
  c.addNode('ip-10-0-1-20.ec2.internal', 'i-0123456789abcdef0');
  const [pod, other] = c.addDeployment({ namespace: 'web', name: 'shop', replicas: 2, digest: `sha256:${'ab'.repeat(32)}` });
  c.addPolicy('web', 'allow-shop', { podSelector: { matchLabels: { app: 'shop' } }, policyTypes: ['Ingress'] });
  c.addServiceAccount('web', 'default', { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::123456789012:role/shop' });
  c.addDaemonSet('log-agent', [{ name: 'agent', image: 'web:1' }], 'web');
  const a = eksFindingEvent({ aws: w.aws, cluster: 'prod', namespace: 'web', pod: pod! });
  await publishFinding(w.h, a.event);
  for (const action of ['preserve_pod_evidence', 'isolate_pod', 'release_pod', 'cordon_node', 'cordon_node', 'find_image_pods', 'revoke_pod_credentials']) {
    await runAction(w.h, { findingId: a.findingId, action, user: RESPONDER });
  }
  await runAction(w.h, { findingId: a.findingId, action: 'update_workload_image', user: RESPONDER, reason: 'clean', inputs: { image: 'web:2' } });
  const b = eksFindingEvent({ aws: w.aws, cluster: 'prod', namespace: 'web', pod: other! });
  await publishFinding(w.h, b.event);
  await runAction(w.h, { findingId: b.findingId, action: 'stop_pod', user: RESPONDER, reason: 'x', selects: { mode: 'scale' } });
  c.addPod({ namespace: 'web', name: 'agent-x', owner: { kind: 'DaemonSet', name: 'log-agent' } });
  const d = eksFindingEvent({ aws: w.aws, cluster: 'prod', namespace: 'web', pod: 'agent-x' });
  await publishFinding(w.h, d.event);
  await runAction(w.h, { findingId: d.findingId, action: 'update_workload_image', user: RESPONDER, reason: 'clean', inputs: { image: 'web:2' } });
  await runAction(w.h, { findingId: d.findingId, action: 'stop_pod', user: RESPONDER, reason: 'x' });
  c.addPod({ namespace: 'web', name: 'sts-0', owner: { kind: 'StatefulSet', name: 'db' } });
  w.k8s.cluster('prod').workloads.set('statefulsets/web/db', {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'db', namespace: 'web' },
    spec: { replicas: 1, template: { spec: { containers: [{ name: 'app', image: 'web:1' }] } } },
  });
  const e = eksFindingEvent({ aws: w.aws, cluster: 'prod', namespace: 'web', pod: 'sts-0' });
  await publishFinding(w.h, e.event);
  await runAction(w.h, { findingId: e.findingId, action: 'update_workload_image', user: RESPONDER, reason: 'clean', inputs: { image: 'web:2' } });

  const used = new Set(
    w.k8s
      .changes()
      .filter((x) => x.status !== 401)
      .map((x) => `${x.verb} ${x.resource}`),
  );
  assert.deepEqual([...used].filter((u) => !granted.has(u)).sort(), [], 'every call is allowed by the ClusterRole');
  assert.deepEqual([...granted].filter((g) => !used.has(g)).sort(), [], 'the ClusterRole grants nothing unused');
});
