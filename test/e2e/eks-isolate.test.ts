/**
 * Isolate and release an EKS pod from the card, over real HTTPS to the Kubernetes double (own CA,
 * EKS token checked) and the EKS DescribeCluster of the AWS double.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ISOLATION_STATE_KEY } from '../../src/actions/card-view.js';
import type { PodIsolationState } from '../../src/actions/eks/isolate-pod.js';
import { readState } from '../helpers/resource-state.js';
import { eksFindingEvent, OUTSIDER, publishFinding, RESPONDER, startEksE2eWorld } from '../helpers/eks-world.js';
import { cardText, clickCardButton, ephemeralTexts, openPlan, runAction, submitAndSettle, threadText } from '../helpers/slack-interactions.js';

test('isolate pod: the plan lists the other policy selecting the pod and the enforcing plugin; the step labels the pod, removes the label that policy matches, creates a deny-all policy; release undoes exactly that', async (t) => {
  const w = await startEksE2eWorld();
  t.after(() => w.close());
  const c = w.addCluster('prod');
  c.addDaemonSet('aws-node', [{ name: 'aws-node', env: [{ name: 'ENABLE_NETWORK_POLICY', value: 'true' }] }, { name: 'aws-network-policy-agent' }]);
  const [pod] = c.addDeployment({ namespace: 'web', name: 'shop', replicas: 1, labels: { app: 'shop' } });
  c.addPolicy('web', 'allow-shop-from-lb', { podSelector: { matchLabels: { app: 'shop' } }, policyTypes: ['Ingress'], ingress: [{}] });
  c.addPolicy('web', 'unrelated', { podSelector: { matchLabels: { app: 'other' } }, policyTypes: ['Ingress'] });
  const { event, findingId } = eksFindingEvent({ aws: w.aws, cluster: 'prod', namespace: 'web', pod: pod! });
  await publishFinding(w.h, event);
  assert.match(await cardText(w.h, findingId), /Isolate pod/);

  const modal = await openPlan(w.h, { findingId, action: 'isolate_pod', user: RESPONDER });
  assert.ok(modal.text.includes(`pod web/${pod} (cluster prod)`));
  assert.match(modal.text, /NetworkPolicy allow-shop-from-lb also selects the pod: labels app will be removed/);
  assert.doesNotMatch(modal.text, /unrelated/);
  assert.match(modal.text, /enforced by: Amazon VPC CNI network policy agent/);
  assert.match(modal.text, /may detach the pod from its ReplicaSet/);
  await submitAndSettle(w.h, { runId: modal.runId, user: RESPONDER });

  const label = `guardduty-responder/quarantine`;
  const live = c.pods.get(`web/${pod}`)!;
  assert.equal(live.metadata.labels[label], findingId);
  assert.equal(live.metadata.labels.app, undefined, 'the label the other policy matched is gone');
  const policy = c.policies.get(`web/guardduty-quarantine-${findingId}`);
  assert.deepEqual(policy?.spec, { podSelector: { matchLabels: { [label]: findingId } }, policyTypes: ['Ingress', 'Egress'] });
  const patch = w.k8s.calls.find((x) => x.method === 'PATCH')!;
  assert.deepEqual(
    [patch.path, patch.contentType, patch.body],
    [`/api/v1/namespaces/web/pods/${pod}`, 'application/merge-patch+json', { metadata: { labels: { [label]: findingId, app: null } } }],
  );
  assert.equal(c.podsOf('web', 'shop').length, 2, 'the ReplicaSet started a replacement for the detached pod');
  const thread = await threadText(w.h, findingId);
  assert.match(thread, /isolated by NetworkPolicy/);
  const state = await readState<PodIsolationState>(w.h.responder.store, findingId, ISOLATION_STATE_KEY);
  assert.deepEqual([state?.active, state?.removedLabels], [true, { app: 'shop' }]);
  assert.match(await cardText(w.h, findingId), /Pod isolated/);

  await runAction(w.h, { findingId, action: 'release_pod', user: RESPONDER });
  assert.equal(c.policies.has(`web/guardduty-quarantine-${findingId}`), false, 'the deny-all policy is deleted');
  assert.equal(c.policies.size, 2, 'the other policies are untouched');
  const back = c.pods.get(`web/${pod}`);
  assert.deepEqual(
    back?.metadata.labels ?? { gone: 'ReplicaSet removed the surplus pod' },
    back ? { app: 'shop' } : { gone: 'ReplicaSet removed the surplus pod' },
  );
  assert.match(await threadText(w.h, findingId), /released/);
  assert.equal((await readState<PodIsolationState>(w.h.responder.store, findingId, ISOLATION_STATE_KEY))?.active, false);
});

test('isolate pod: a policy selecting every pod of the namespace blocks the step (it would keep allowing traffic); no NetworkPolicy enforcement found is said', async (t) => {
  const w = await startEksE2eWorld();
  t.after(() => w.close());
  const c = w.addCluster('prod');
  c.addPod({ namespace: 'web', name: 'bare', labels: { app: 'x' } });
  c.addPolicy('web', 'allow-all-in-namespace', { podSelector: {}, policyTypes: ['Ingress'], ingress: [{}] });
  const { event, findingId } = eksFindingEvent({ aws: w.aws, cluster: 'prod', namespace: 'web', pod: 'bare' });
  await publishFinding(w.h, event);
  const modal = await openPlan(w.h, { findingId, action: 'isolate_pod', user: RESPONDER });
  assert.equal(modal.submit, undefined, 'no submit button');
  assert.match(modal.text, /allow-all-in-namespace selects the pod without a label that can be removed/);
  assert.match(modal.text, /No NetworkPolicy enforcement found in kube-system/);
  assert.equal(w.k8s.calls.filter((x) => x.method !== 'GET' && x.resource !== 'selfsubjectaccessreviews.authorization.k8s.io').length, 0);
});

test('RBAC refusal: the cluster may not create NetworkPolicies — the plan names the verb and resource, nothing is changed', async (t) => {
  const w = await startEksE2eWorld();
  t.after(() => w.close());
  const c = w.addCluster('prod');
  c.addPod({ namespace: 'web', name: 'bare', labels: { app: 'x' } });
  c.deny('create', 'networkpolicies.networking.k8s.io');
  const { event, findingId } = eksFindingEvent({ aws: w.aws, cluster: 'prod', namespace: 'web', pod: 'bare' });
  await publishFinding(w.h, event);
  const modal = await openPlan(w.h, { findingId, action: 'isolate_pod', user: RESPONDER });
  assert.equal(modal.submit, undefined);
  assert.match(
    modal.text,
    /cluster prod does not let the app create networkpolicies\.networking\.k8s\.io in namespace web\. Add it to the guardduty-responder ClusterRole/,
  );
  assert.equal(
    w.k8s.calls.filter(
      (x) => x.method === 'PATCH' || x.method === 'DELETE' || (x.method === 'POST' && x.resource !== 'selfsubjectaccessreviews.authorization.k8s.io'),
    ).length,
    0,
  );
  assert.deepEqual(c.pods.get('web/bare')!.metadata.labels, { app: 'x' });
});

test('an unauthorized click: refused before any Kubernetes or EKS call', async (t) => {
  const w = await startEksE2eWorld();
  t.after(() => w.close());
  const c = w.addCluster('prod');
  c.addPod({ namespace: 'web', name: 'bare' });
  const { event, findingId } = eksFindingEvent({ aws: w.aws, cluster: 'prod', namespace: 'web', pod: 'bare' });
  await publishFinding(w.h, event);
  assert.equal((await clickCardButton(w.h, { findingId, action: 'isolate_pod', user: OUTSIDER })).status, 200);
  await w.h.settle();
  assert.match(ephemeralTexts(w.h, OUTSIDER).join('\n'), /You can't run \*Isolate pod\*: you are not on the list of people allowed to run \\"isolate_pod\\"/);
  assert.equal(w.k8s.calls.length, 0, 'no Kubernetes call');
  assert.equal(w.aws.callsTo('eks:DescribeCluster').length, 0, 'no EKS call');
});
