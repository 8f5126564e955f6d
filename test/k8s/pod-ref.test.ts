import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parsePodRef } from '../../src/k8s/pod-ref.js';

test('pod target: namespace/pod with --cluster, before or after, with = or a space', () => {
  const want = { ok: true, target: { cluster: 'prod-eks', namespace: 'web', pod: 'shop-7d9f-x2kqp' } };
  assert.deepEqual(parsePodRef('web/shop-7d9f-x2kqp --cluster prod-eks'), want);
  assert.deepEqual(parsePodRef('--cluster=prod-eks   web/shop-7d9f-x2kqp '), want);
});

test('pod target: clear refusals for what is not a pod reference', () => {
  const err = (s: string) => {
    const r = parsePodRef(s);
    assert.equal(r.ok, false, s);
    return (r as { error: string }).error;
  };
  assert.match(err('web/shop'), /Which cluster\?/);
  assert.match(err('--cluster prod'), /No pod named/);
  assert.match(err('shop --cluster prod'), /is not namespace\/pod/);
  assert.match(err('a/b c/d --cluster prod'), /One pod at a time/);
  assert.match(err('web/shop --cluster'), /needs a cluster name/);
  assert.match(err('web/shop --cluster a --cluster b'), /given twice/);
  assert.match(err('Web/shop --cluster prod'), /not a Kubernetes namespace/);
  assert.match(err('web/../../nodes --cluster prod'), /is not namespace\/pod/);
  assert.match(err('web/sh%2Fop --cluster prod'), /not a Kubernetes pod name/);
  assert.match(err('web/shop --cluster -bad'), /not an EKS cluster name/);
});
