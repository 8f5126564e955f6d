/**
 * The instance containment adapters end to end: the real client factory (retries, rate limits)
 * and the real SDK clients against the loopback AWS double.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DescribeTargetGroupsCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { createAwsClientFactory, type AwsClientFactory, type AwsClients } from '../../src/aws/clients.js';
import {
  planEvidence,
  takeEvidence,
  revokeInstanceProfile,
  restoreInstanceProfile,
  describeInstance,
  eksClusterOfInstance,
  instanceArn,
} from '../../src/aws/ec2/index.js';
import { findAutoScalingGroup, protectAndDetach, reattach } from '../../src/aws/autoscaling/index.js';
import { deregister, findTargetGroupsForInstance, reregister } from '../../src/aws/elbv2/index.js';
import { startMalwareScan, waitForMalwareScan } from '../../src/aws/guardduty/index.js';
import { hasSsmAgent, runDockerCommand } from '../../src/aws/ssm/index.js';
import { isAppError } from '../../src/errors.js';
import { startAwsDouble, type AwsDouble } from '../doubles/aws/index.js';

let aws: AwsDouble;
let factory: AwsClientFactory;
let c: AwsClients;
const noSleep = { sleep: async () => {} };

before(async () => {
  aws = await startAwsDouble();
  factory = createAwsClientFactory({
    endpointUrl: aws.endpoint,
    defaultRegion: aws.region,
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' },
    maxAttempts: 3,
    // The client-side limiter runs, but never waits for real (no sleeping in tests).
    clock: { now: () => Date.now(), sleep: async () => {} },
  });
  c = factory.forTarget({ accountId: aws.accountId });
});
after(async () => {
  factory.destroy();
  await aws.close();
});

test('evidence: plan from live state, take it, and the double shows every change; a second plan has nothing left to protect', async () => {
  const s = aws.seed.instance({ volumes: 2, enis: 2 });
  const plan = await planEvidence(c, s.instanceId);
  assert.deepEqual(plan.current, { disableApiTermination: false, shutdownBehavior: 'terminate', tags: { Name: 'app-server' } });
  const r = await takeEvidence(c, plan, { findingId: 'f-123', actor: 'U0RESPONDER' });
  assert.equal(r.complete, true, JSON.stringify(r.failures));
  assert.equal(r.snapshots.length, 2);
  const inst = aws.ec2.instances.get(s.instanceId)!;
  assert.equal(inst.disableApiTermination, true);
  assert.equal(inst.shutdownBehavior, 'stop');
  assert.deepEqual(
    s.volumeIds.map((v) => aws.ec2.volumes.get(v)?.attachment?.deleteOnTermination),
    [false, false],
  );
  for (const snap of r.snapshots) {
    const stored = aws.ec2.snapshots.get(snap.snapshotId)!;
    assert.equal(stored.volumeId, snap.volumeId);
    assert.ok(stored.tags.some((t) => t.key === 'guardduty-finding-id' && t.value === 'f-123'));
    assert.ok(stored.tags.some((t) => t.key === 'guardduty-responder:actor' && t.value === 'U0RESPONDER'));
  }
  assert.ok(inst.tags.some((t) => t.key === 'guardduty-responder:status' && t.value === 'under-investigation'));
  assert.equal(r.requestIds.length, 4 + 2 + 1, 'four attribute changes (protection, DeleteOnTermination × 2, shutdown), two snapshots, one tag');

  const again = await planEvidence(c, s.instanceId);
  assert.deepEqual(
    again.steps.map((x) => x.action),
    ['ec2:CreateSnapshot', 'ec2:CreateSnapshot', 'ec2:CreateTags'],
  );
});

test('evidence with CreateSnapshot denied: the protections stay, the failure names ec2:CreateSnapshot', async () => {
  const s = aws.seed.instance({ volumes: 1 });
  aws.denyOperation('ec2:CreateSnapshot');
  try {
    const r = await takeEvidence(c, await planEvidence(c, s.instanceId), { findingId: 'f-9', actor: 'U1' });
    assert.equal(r.snapshots.length, 0);
    assert.match(r.changed.join(' '), /Termination protection turned on/);
    assert.equal(r.failures[0]?.code, 'aws_access_denied');
    assert.match(r.failures[0]!.message, /Add ec2:CreateSnapshot to its policy/);
    assert.ok(r.failures[0]!.requestId);
  } finally {
    aws.allowOperation('ec2:CreateSnapshot');
  }
});

test('Auto Scaling + load balancers: detach (deregisters from the group target group), find and deregister the rest, then release', async () => {
  const s = aws.seed.instance({ asg: { name: 'shop-asg', maxSize: 3 }, targetGroups: [{ name: 'shop-web', port: 80, extraPorts: [8443] }] });
  const direct = aws.elbv2.addTargetGroup({ name: 'shop-admin', port: 9000, vpcId: s.vpcId });
  aws.elbv2.register(direct.arn, s.instanceId, 9000);

  const info = await describeInstance(c, s.instanceId, []);
  const group = await findAutoScalingGroup(c, s.instanceId);
  assert.equal(group?.groupName, 'shop-asg');
  const detached = await protectAndDetach(c, { group: group!, instanceId: s.instanceId });
  assert.equal(detached.detached, true, JSON.stringify(detached.failures));
  assert.equal(aws.autoscaling.groups.get('shop-asg')!.instances.size, 1, 'replacement launched');

  const found = await findTargetGroupsForInstance(c, s.instanceId, { vpcId: info.vpcId!, ips: info.privateIps });
  assert.deepEqual(
    found.registrations.map((x) => [x.targetGroupName, x.port, x.state]).sort(),
    [
      ['shop-admin', 9000, 'healthy'],
      ['shop-web', 80, 'draining'],
      ['shop-web', 8443, 'healthy'],
    ],
    'the group deregistered its own registration (port 80); the port override and the direct group remain',
  );
  assert.equal(found.calls, 1 + 2);
  const live = found.registrations.filter((x) => x.state !== 'draining');
  const dereg = await deregister(c, live);
  assert.equal(dereg.failures.length, 0);
  const after = await findTargetGroupsForInstance(c, s.instanceId, { vpcId: info.vpcId! });
  assert.ok(after.registrations.every((x) => x.state === 'draining'));

  const rereg = await reregister(c, live);
  assert.equal(rereg.done.length, 2);
  const back = await reattach(c, detached.record!);
  assert.equal(back.attached, true, JSON.stringify(back.failures));
  assert.equal(aws.autoscaling.groups.get('shop-asg')!.desiredCapacity, 2);
});

test('instance profile: revoke records the ARN, release restores it; EKS node and instance ARN from live data', async () => {
  const s = aws.seed.instance({ instanceProfile: 'node-profile', eksCluster: 'prod' });
  const revoked = await revokeInstanceProfile(c, s.instanceId);
  assert.equal(revoked.record?.instanceProfileArn, s.instanceProfileArn);
  assert.equal(aws.ec2.instances.get(s.instanceId)?.iamInstanceProfileArn, undefined);
  const restored = await restoreInstanceProfile(c, revoked.record!);
  assert.equal(restored.status, 'associated');
  assert.equal(aws.ec2.instances.get(s.instanceId)?.iamInstanceProfileArn, s.instanceProfileArn);
  const info = await describeInstance(c, s.instanceId, []);
  assert.deepEqual(eksClusterOfInstance(info.tags), { clusterName: 'prod', source: 'eks:cluster-name', nodegroupName: 'prod-ng' });
  assert.equal(instanceArn({ region: aws.region, accountId: aws.accountId, instanceId: s.instanceId }), s.instanceArn);
});

test('malware scan: start with an idempotency key, wait (injected sleep) for INFECTED with counts', async () => {
  const s = aws.seed.instance({
    malwareScan: { status: 'COMPLETED', result: 'INFECTED', threats: [{ name: 'Linux.Miner', count: 3 }], completesAfterPolls: 2 },
  });
  const arn = instanceArn({ region: aws.region, accountId: aws.accountId, instanceId: s.instanceId });
  const started = await startMalwareScan(c, { instanceArn: arn, idempotencyKey: 'act-77' });
  const again = await startMalwareScan(c, { instanceArn: arn, idempotencyKey: 'act-77' });
  assert.equal(again.scanId, started.scanId);
  const r = await waitForMalwareScan(c, { scanId: started.scanId }, noSleep);
  assert.equal(r.text, 'INFECTED: 1 threat found (Linux.Miner)');
  assert.equal(r.polls, 3);
  await assert.rejects(startMalwareScan(c, { instanceArn: arn }), (e: unknown) => isAppError(e, 'aws_scan_unavailable'));
});

test('container: pause fails, the caller falls back to stop; no SSM agent is aws_ssm_unavailable', async () => {
  const s = aws.seed.instance({ ssm: 'online' });
  const none = aws.seed.instance({ ssm: 'none' });
  assert.equal((await hasSsmAgent(c, s.instanceId)).online, true);
  const noAgent = await hasSsmAgent(c, none.instanceId);
  assert.deepEqual([noAgent.managed, noAgent.online, noAgent.requestIds.length], [false, false, 1]);
  const cid = 'f'.repeat(64);
  aws.ssm.setOutcome(s.instanceId, { status: 'Failed', stderr: 'Error response from daemon: Container is already paused', responseCode: 1 }, 'pause');
  const paused = await runDockerCommand(c, { instanceId: s.instanceId, containerId: cid, verb: 'pause' }, noSleep);
  assert.equal(paused.status, 'Failed');
  assert.match(paused.stderr, /already paused/);
  const stopped = await runDockerCommand(c, { instanceId: s.instanceId, containerId: cid, verb: 'stop' }, noSleep);
  assert.deepEqual([stopped.status, stopped.stdout], ['Success', `${cid}\n`]);
  assert.deepEqual(aws.ssm.commandsSentTo(s.instanceId), [`docker pause ${cid}`, `docker stop ${cid}`]);
  await assert.rejects(runDockerCommand(c, { instanceId: none.instanceId, containerId: cid, verb: 'pause' }, noSleep), (e: unknown) =>
    isAppError(e, 'aws_ssm_unavailable'),
  );
});

test('a DescribeTargetHealth still throttled after the client gave up is one failure (aws_throttled); the other groups are searched', async () => {
  const s = aws.seed.instance({ targetGroups: ['throttled-tg', 'fine-tg'] });
  // One attempt per call, so the SDK's real-time backoff never runs in this test.
  const single = createAwsClientFactory({
    endpointUrl: aws.endpoint,
    defaultRegion: aws.region,
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' },
    maxAttempts: 1,
  });
  try {
    aws.failNext('elasticloadbalancing:DescribeTargetHealth', 'Throttling');
    const found = await findTargetGroupsForInstance(single.forTarget({ accountId: aws.accountId }), s.instanceId, { vpcId: s.vpcId, concurrency: 1 });
    assert.equal(found.failures.length, 1);
    assert.equal(found.failures[0]?.code, 'aws_throttled');
    assert.match(found.failures[0]!.message, /AWS throttled elasticloadbalancing:DescribeTargetHealth/);
    assert.ok(found.registrations.some((r) => r.targetGroupName === 'fine-tg'));
  } finally {
    single.destroy();
  }
});

test('the factory paces ELBv2 Describe* calls with the 40-token, 10/s bucket (fake clock)', async () => {
  let t = 0;
  const waits: number[] = [];
  const paced = createAwsClientFactory({
    endpointUrl: aws.endpoint,
    defaultRegion: aws.region,
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' },
    maxAttempts: 1,
    clock: {
      now: () => t,
      sleep: async (ms) => {
        waits.push(ms);
        t += ms;
      },
    },
  });
  try {
    const { elbv2 } = paced.forTarget({ accountId: aws.accountId });
    for (let i = 0; i < 42; i++) await elbv2.send(new DescribeTargetGroupsCommand({ PageSize: 1 }));
    assert.deepEqual(waits, [100, 100], 'the 41st and 42nd calls wait one refill (100 ms) each');
  } finally {
    paced.destroy();
  }
});
