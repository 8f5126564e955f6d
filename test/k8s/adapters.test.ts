/**
 * The Kubernetes adapters against the loopback API double over real HTTPS: the exact requests,
 * paging, token refresh, and errors that name what is missing.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connectCluster, kubeApis } from '../../src/k8s/client.js';
import { isAppError } from '../../src/errors.js';
import { createPolicy, denyAllPolicy } from '../../src/k8s/network-policy.js';
import { patchNode } from '../../src/k8s/nodes.js';
import { deletePod, patchPodLabels, podsRunningDigest, readPod } from '../../src/k8s/pods.js';
import { missingPermissions } from '../../src/k8s/access.js';
import { irsaRole } from '../../src/k8s/service-account.js';
import { sweepClusters } from '../../src/k8s/image-sweep.js';
import { generate } from 'selfsigned';
import { startEksWorld } from './world.js';

const DIGEST = `sha256:${'e'.repeat(64)}`;

test('exact requests: label patch, deny-all policy, node cordon, pod delete', async (t) => {
  const w = await startEksWorld();
  t.after(() => w.close());
  const c = w.addCluster('prod');
  c.addPod({ namespace: 'web', name: 'p', labels: { app: 'shop' } });
  c.addNode('n1', 'i-0123456789abcdef0');
  const conn = await connectCluster(w.eks, 'prod', Date.now);
  await patchPodLabels(conn, { namespace: 'web', name: 'p' }, { q: 'f1', app: null });
  await createPolicy(conn, denyAllPolicy('guardduty-quarantine-f1', 'web', { key: 'q', value: 'f1' }, 'f1'));
  await patchNode(conn, 'n1', { unschedulable: true, labels: { inv: 'f1' } });
  await deletePod(conn, { namespace: 'web', name: 'p' });
  assert.deepEqual(
    w.k8s.calls.map((x) => [x.method, x.path, x.contentType ?? '', x.body]),
    [
      ['PATCH', '/api/v1/namespaces/web/pods/p', 'application/merge-patch+json', { metadata: { labels: { q: 'f1', app: null } } }],
      [
        'POST',
        '/apis/networking.k8s.io/v1/namespaces/web/networkpolicies',
        'application/json',
        {
          apiVersion: 'networking.k8s.io/v1',
          kind: 'NetworkPolicy',
          metadata: {
            name: 'guardduty-quarantine-f1',
            namespace: 'web',
            labels: { 'app.kubernetes.io/managed-by': 'guardduty-responder' },
            annotations: { 'guardduty-responder/finding': 'f1' },
          },
          spec: { podSelector: { matchLabels: { q: 'f1' } }, policyTypes: ['Ingress', 'Egress'] },
        },
      ],
      ['PATCH', '/api/v1/nodes/n1', 'application/merge-patch+json', { spec: { unschedulable: true }, metadata: { labels: { inv: 'f1' } } }],
      ['DELETE', '/api/v1/namespaces/web/pods/p', 'application/json', undefined],
    ],
  );
  assert.equal(w.aws.callsTo('eks:DescribeCluster').length, 1);
});

test('the client trusts only the cluster CA from DescribeCluster', async (t) => {
  const w = await startEksWorld();
  t.after(() => w.close());
  const c = w.addCluster('prod');
  c.addPod({ namespace: 'web', name: 'p' });
  const other = await generate([{ name: 'commonName', value: 'impostor' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    extensions: [{ name: 'basicConstraints', cA: true }],
  });
  const otherCa = Buffer.from(other.cert).toString('base64');
  const apis = kubeApis({ name: 'prod', endpoint: c.endpoint, caData: otherCa }, 'k8s-aws-v1.x');
  await assert.rejects(apis.core.readNamespacedPod({ namespace: 'web', name: 'p' }));
  assert.equal(w.k8s.calls.length, 0, 'no request reached the server');
});

test('401 names the missing access entry; 403 names the verb and resource; SelfSubjectAccessReview reports a denied verb', async (t) => {
  const w = await startEksWorld();
  t.after(() => w.close());
  const c = w.addCluster('prod');
  c.addPod({ namespace: 'web', name: 'p' });
  c.deny('delete', 'pods');
  const conn = await connectCluster(w.eks, 'prod', Date.now);
  await assert.rejects(
    deletePod(conn, { namespace: 'web', name: 'p' }),
    (e) => isAppError(e, 'k8s_forbidden') && /refused to let the app delete pods "p" in namespace web \(403, RBAC\)\. Add "delete" on "pods"/.test(e.message),
  );
  assert.deepEqual(
    await missingPermissions(conn, [
      { verb: 'delete', resource: 'pods', namespace: 'web' },
      { verb: 'get', resource: 'pods', namespace: 'web' },
    ]),
    [{ verb: 'delete', resource: 'pods', namespace: 'web' }],
  );
  const stale = await connectCluster(w.eks, 'prod', () => Date.now() - 20 * 60_000);
  await assert.rejects(
    readPod(stale, { namespace: 'web', name: 'p' }),
    (e) => isAppError(e, 'k8s_unauthorized') && /does not accept the app's IAM role \(401\)\. Add an EKS access entry/.test(e.message),
  );
  assert.ok(c.pods.has('web/p'));
});

test('a token near expiry is replaced before the next request', async (t) => {
  let now = Date.now();
  const w = await startEksWorld({ now: () => now });
  t.after(() => w.close());
  w.addCluster('prod').addPod({ namespace: 'web', name: 'p' });
  const conn = await connectCluster(w.eks, 'prod', () => now);
  await readPod(conn, { namespace: 'web', name: 'p' });
  now += 16 * 60_000;
  await readPod(conn, { namespace: 'web', name: 'p' });
  assert.deepEqual(
    w.k8s.calls.map((x) => x.status),
    [200, 200],
    'the second request carried a new token (the first, 16 min old, would get 401)',
  );
});

test('pods by digest: every page once (limit + continue), across namespaces, init containers included; IRSA annotation', async (t) => {
  const w = await startEksWorld();
  t.after(() => w.close());
  const c = w.addCluster('prod');
  for (let i = 0; i < 25; i++)
    c.addPod({ namespace: `ns${i % 3}`, name: `p${String(i).padStart(2, '0')}`, digest: i % 5 === 0 ? DIGEST : `sha256:${'f'.repeat(64)}` });
  c.addServiceAccount('web', 'shop', { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::123456789012:role/shop' });
  const conn = await connectCluster(w.eks, 'prod', Date.now);
  const r = await podsRunningDigest(conn, DIGEST, 10);
  assert.deepEqual([r.requests, r.scanned, r.pods.length], [3, 25, 5]);
  const lists = w.k8s.calls.filter((x) => x.path === '/api/v1/pods');
  assert.deepEqual(
    lists.map((x) => [x.query.get('limit'), x.query.has('continue')]),
    [
      ['10', false],
      ['10', true],
      ['10', true],
    ],
  );
  assert.equal(await irsaRole(conn, 'web', 'shop'), 'arn:aws:iam::123456789012:role/shop');
});

test('sweep across clusters: one cluster refusing does not hide the others', async (t) => {
  const w = await startEksWorld();
  t.after(() => w.close());
  w.addCluster('a').addPod({ namespace: 'x', name: 'hit', digest: DIGEST });
  w.addCluster('b').deny('list', 'pods');
  const r = await sweepClusters(w.eks, ['a', 'b', 'missing'], DIGEST, Date.now);
  assert.deepEqual(
    r.map((x) => [x.cluster, x.pods.length]),
    [
      ['a', 1],
      ['b', 0],
      ['missing', 0],
    ],
  );
  assert.match(r[1]!.error ?? '', /Add "list" on "pods"/);
  assert.match(r[2]!.error ?? '', /eks:DescribeCluster/);
});
