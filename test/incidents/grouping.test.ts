import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chooseIncident, DEFAULT_GROUPING_WINDOW_MS, incidentKeysFor, MAX_INCIDENT_KEYS, mergeKeys } from '../../src/incidents/grouping.js';
import { fixtureFinding } from '../fixtures/findings/load.js';
import { ecsFinding, HOUR, incident, T0 } from './fixtures.js';

test('ECS task finding: finding, task ARN, task family (account/region scoped) and image digest keys', () => {
  assert.deepEqual(incidentKeysFor(fixtureFinding('ecs-fargate-runtime.json')), [
    'finding:c2c6f0b7e1a94d0f8a5f2e6d4b3a1c90',
    'ecs-task:arn:aws:ecs:us-east-1:123456789012:task/prod-payments/8f3e2d1c0b9a48f7a6e5d4c3b2a19f8e',
    'ecs-family:123456789012:us-east-1:checkout-api',
    'image:sha256:4f1c9b2a7d3e8f6051a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708',
  ]);
});

test('image tags are not keys (mutable); only digests are', () => {
  const keys = incidentKeysFor(fixtureFinding('ecs-ec2-awsvpc.json'));
  assert.ok(!keys.some((k) => k.startsWith('image:')), 'report-worker:2024.06.1 has no digest');
  const f = ecsFinding();
  const withDigestField = { ...f, ecs: { ...f.ecs!, containers: [{ image: 'repo:1', imageDigest: `sha256:${'a'.repeat(64)}` }] } };
  assert.ok(incidentKeysFor(withDigestField).includes(`image:sha256:${'a'.repeat(64)}`));
  const bogus = { ...f, ecs: { ...f.ecs!, containers: [{ image: 'repo@sha256:not-a-digest' }] } };
  assert.ok(!incidentKeysFor(bogus).some((k) => k.startsWith('image:')));
});

test('family falls back to an ECS group of the form family:NAME', () => {
  const f = ecsFinding();
  const keys = incidentKeysFor({ ...f, ecs: { ...f.ecs!, taskDefinitionArn: undefined, group: 'family:batch' } } as typeof f);
  assert.ok(keys.includes('ecs-family:123456789012:us-east-1:batch'));
});

test('instance, EKS pod, standalone container and other findings get their own keys', () => {
  assert.deepEqual(incidentKeysFor(fixtureFinding('instance-ec2-runtime.json')), ['finding:5e7f9a1b3c5d4e6f8a0b2c4d6e8f0a1b', 'instance:i-0abc1234def567890']);
  const pod = incidentKeysFor(fixtureFinding('eks-pod-runtime.json'));
  assert.ok(pod.includes('eks-pod:0b2c4d6e-8f0a-4b1c-9d3e-5f7a9b1c3d5e'));
  assert.ok(!pod.some((k) => k.startsWith('eks-workload:')), 'a bare pod has no wider workload');
  assert.ok(!pod.some((k) => k.startsWith('instance:')), 'the node is not a key of a pod finding');
  assert.ok(incidentKeysFor(fixtureFinding('container-standalone.json')).some((k) => k.startsWith('container:9a8b7c6d5e4f')));
  assert.deepEqual(incidentKeysFor(fixtureFinding('s3-block-public-access-disabled.json')).slice(1), [
    'access-key:ASIAEXAMPLEKEY000001',
    's3-bucket:acme-invoices-prod',
  ]);
});

test('an EKS deployment workload is a key (replacement pods join)', () => {
  const f = fixtureFinding('eks-pod-runtime.json');
  const keys = incidentKeysFor({ ...f, eks: { ...f.eks!, workloadType: 'deployments', workloadName: 'image-resizer' } });
  assert.ok(keys.includes('eks-workload:345678901234:ap-southeast-2:prod-eks/media/deployments/image-resizer'));
});

test('sample findings are namespaced so their shared fake ids never join a real incident', () => {
  const keys = incidentKeysFor(fixtureFinding('sample-ecs.json'));
  assert.ok(keys.length >= 2);
  assert.ok(keys.every((k) => k.startsWith('sample/')));
});

test('chooseIncident: intersecting keys within the window; closed or stale incidents never', () => {
  const keys = ['finding:new', 'ecs-task:T', 'ecs-family:F'];
  const now = T0 + 10 * HOUR;
  const a = incident({ id: 'INC-1', keys: ['ecs-family:F'], lastSeenAt: T0 + 9 * HOUR });
  const b = incident({ id: 'INC-2', keys: ['ecs-task:T', 'ecs-family:F'], lastSeenAt: T0 });
  const closed = incident({ id: 'INC-3', keys, state: 'resolved', lastSeenAt: now });
  const stale = incident({ id: 'INC-4', keys, lastSeenAt: now - DEFAULT_GROUPING_WINDOW_MS - 1 });
  const other = incident({ id: 'INC-5', keys: ['instance:i-1'], lastSeenAt: now });
  assert.equal(chooseIncident([a, b, closed, stale, other], keys, now)?.id, 'INC-2', 'most shared keys wins');
  assert.equal(chooseIncident([a, closed, stale, other], keys, now)?.id, 'INC-1');
  assert.equal(chooseIncident([closed, stale, other], keys, now), undefined);
  assert.equal(chooseIncident([incident({ keys, lastSeenAt: now - DEFAULT_GROUPING_WINDOW_MS })], keys, now)?.id, 'INC-1', 'the window is inclusive');
  assert.equal(chooseIncident([b], keys, now, HOUR), undefined, 'configurable window');
});

test('chooseIncident: equal overlap → most recently active, then the oldest', () => {
  const keys = ['k'];
  const x = incident({ id: 'INC-7', keys, lastSeenAt: T0 + 2, openedAt: T0 });
  const y = incident({ id: 'INC-8', keys, lastSeenAt: T0 + 5, openedAt: T0 + 1 });
  const z = incident({ id: 'INC-9', keys, lastSeenAt: T0 + 5, openedAt: T0 });
  assert.equal(chooseIncident([x, y, z], keys, T0 + 10)?.id, 'INC-9');
});

test('mergeKeys keeps order, removes duplicates and caps the list', () => {
  assert.deepEqual(mergeKeys(['a', 'b'], ['b', 'c']), ['a', 'b', 'c']);
  const many = Array.from({ length: MAX_INCIDENT_KEYS + 50 }, (_, i) => `k${i}`);
  assert.equal(mergeKeys(['first'], many).length, MAX_INCIDENT_KEYS);
  assert.equal(mergeKeys(['first'], many)[0], 'first');
});
