import assert from 'node:assert/strict';
import { test } from 'node:test';
import { policiesSelecting } from '../../src/k8s/network-policy.js';
import { labelsToDetach, selectorMatches, toLabelValue } from '../../src/k8s/selector.js';
import { instanceIdFromProviderId } from '../../src/k8s/nodes.js';
import { digestOf } from '../../src/k8s/pods.js';

const labels = { app: 'shop', tier: 'web', track: 'stable' };

test('label selectors: matchLabels and every matchExpressions operator; empty selects all', () => {
  assert.equal(selectorMatches({}, labels), true);
  assert.equal(selectorMatches({ matchLabels: { app: 'shop' } }, labels), true);
  assert.equal(selectorMatches({ matchLabels: { app: 'cart' } }, labels), false);
  assert.equal(selectorMatches({ matchExpressions: [{ key: 'tier', operator: 'In', values: ['web', 'api'] }] }, labels), true);
  assert.equal(selectorMatches({ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['web'] }] }, labels), false);
  assert.equal(selectorMatches({ matchExpressions: [{ key: 'canary', operator: 'DoesNotExist' }] }, labels), true);
  assert.equal(selectorMatches({ matchExpressions: [{ key: 'canary', operator: 'Exists' }] }, labels), false);
  assert.equal(selectorMatches({ matchLabels: { app: 'shop' }, matchExpressions: [{ key: 'track', operator: 'In', values: ['canary'] }] }, labels), false);
});

test('labels that detach a policy: required keys only; absence-based and empty selectors cannot be detached', () => {
  assert.deepEqual(labelsToDetach({ matchLabels: { app: 'shop' }, matchExpressions: [{ key: 'tier', operator: 'Exists' }] }, labels), ['app', 'tier']);
  assert.deepEqual(labelsToDetach({ matchExpressions: [{ key: 'canary', operator: 'DoesNotExist' }] }, labels), []);
  assert.deepEqual(labelsToDetach({}, labels), []);
  const found = policiesSelecting(
    [
      { metadata: { name: 'mine' }, spec: { podSelector: { matchLabels: { app: 'shop' } } } },
      { metadata: { name: 'allow-lb' }, spec: { podSelector: { matchLabels: { app: 'shop' } }, policyTypes: ['Ingress'] } },
      { metadata: { name: 'everyone' }, spec: { podSelector: {} } },
      { metadata: { name: 'cart' }, spec: { podSelector: { matchLabels: { app: 'cart' } } } },
    ],
    labels,
    'mine',
  );
  assert.deepEqual(found, [
    { name: 'allow-lb', detachBy: ['app'], policyTypes: ['Ingress'] },
    { name: 'everyone', detachBy: [], policyTypes: ['Ingress'] },
  ]);
});

test('label values, providerIDs and image digests', () => {
  assert.equal(toLabelValue('abc/def:ghi'), 'abc-def-ghi');
  assert.equal(toLabelValue('x'.repeat(80)).length, 63);
  assert.equal(toLabelValue('--'), 'unknown');
  assert.equal(instanceIdFromProviderId('aws:///us-east-1a/i-0123456789abcdef0'), 'i-0123456789abcdef0');
  assert.equal(instanceIdFromProviderId('fargate:///x'), undefined);
  const d = `sha256:${'a'.repeat(64)}`;
  assert.equal(digestOf(`docker-pullable://repo@${d}`), d);
  assert.equal(digestOf('repo:tag'), undefined);
});
