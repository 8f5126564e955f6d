import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connectCluster } from '../../src/k8s/client.js';
import { readPod, podsRunningDigest, patchPodLabels } from '../../src/k8s/pods.js';
import { startEksWorld } from './world.js';

test('smoke', async (t) => {
  const w = await startEksWorld();
  t.after(() => w.close());
  const c = w.addCluster('prod');
  c.addPod({ namespace: 'web', name: 'a', digest: 'sha256:' + 'a'.repeat(64) });
  const conn = await connectCluster(w.eks, 'prod', Date.now);
  const pod = await readPod(conn, { namespace: 'web', name: 'a' });
  assert.equal(pod.metadata?.name, 'a');
  await patchPodLabels(conn, { namespace: 'web', name: 'a' }, { x: 'y' });
  const r = await podsRunningDigest(conn, 'sha256:' + 'a'.repeat(64), 1);
  console.log(r, w.k8s.calls.map((x) => [x.method, x.path, x.status, x.contentType]));
});
