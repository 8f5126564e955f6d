import { beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mockClient } from 'aws-sdk-client-mock';
import {
  CreateSnapshotCommand,
  CreateTagsCommand,
  DescribeInstanceAttributeCommand,
  DescribeInstancesCommand,
  EC2Client,
  ModifyInstanceAttributeCommand,
  type Instance,
} from '@aws-sdk/client-ec2';
import { planEvidence, snapshotDescription, tagValue, takeEvidence, SNAPSHOT_DESCRIPTION_MAX } from '../../../src/aws/ec2/evidence.js';
import { isAppError } from '../../../src/errors.js';
import { awsError, meta, REGION } from '../helpers.js';

const ec2Mock = mockClient(EC2Client);
const clients = { ec2: new EC2Client({ region: REGION }) };
const NOW = () => new Date('2025-05-01T10:00:00Z');

const instance = (over: Partial<Instance> = {}): Instance => ({
  InstanceId: 'i-0abc',
  State: { Name: 'running', Code: 16 },
  RootDeviceName: '/dev/xvda',
  RootDeviceType: 'ebs',
  BlockDeviceMappings: [
    { DeviceName: '/dev/xvda', Ebs: { VolumeId: 'vol-root', DeleteOnTermination: true, Status: 'attached' } },
    { DeviceName: '/dev/sdf', Ebs: { VolumeId: 'vol-data', DeleteOnTermination: false, Status: 'attached' } },
  ],
  Tags: [{ Key: 'Name', Value: 'web-1' }],
  ...over,
});

function seed(opts: { instance?: Instance; protection?: boolean; shutdown?: string } = {}) {
  ec2Mock.on(DescribeInstancesCommand).resolves({ ...meta('r-di'), Reservations: [{ Instances: [opts.instance ?? instance()] }] });
  ec2Mock
    .on(DescribeInstanceAttributeCommand, { Attribute: 'disableApiTermination' })
    .resolves({ ...meta('r-dat'), DisableApiTermination: { Value: opts.protection ?? false } });
  ec2Mock
    .on(DescribeInstanceAttributeCommand, { Attribute: 'instanceInitiatedShutdownBehavior' })
    .resolves({ ...meta('r-dsb'), InstanceInitiatedShutdownBehavior: { Value: opts.shutdown ?? 'terminate' } });
}

beforeEach(() => ec2Mock.reset());

describe('planEvidence', () => {
  test('reads the instance by filter and both attributes; lists every call to come', async () => {
    seed();
    const plan = await planEvidence(clients, 'i-0abc', { now: NOW });
    assert.deepEqual(ec2Mock.commandCalls(DescribeInstancesCommand)[0]!.args[0].input, { Filters: [{ Name: 'instance-id', Values: ['i-0abc'] }] });
    assert.deepEqual(
      ec2Mock.commandCalls(DescribeInstanceAttributeCommand).map((c) => c.args[0].input),
      [
        { InstanceId: 'i-0abc', Attribute: 'disableApiTermination' },
        { InstanceId: 'i-0abc', Attribute: 'instanceInitiatedShutdownBehavior' },
      ],
    );
    assert.deepEqual(plan.current, { disableApiTermination: false, shutdownBehavior: 'terminate', tags: { Name: 'web-1' } });
    assert.deepEqual(
      plan.volumes.map((v) => [v.volumeId, v.deviceName, v.deleteOnTermination, v.isRoot]),
      [
        ['vol-root', '/dev/xvda', true, true],
        ['vol-data', '/dev/sdf', false, false],
      ],
    );
    assert.deepEqual(
      plan.steps.map((s) => s.action),
      [
        'ec2:ModifyInstanceAttribute',
        'ec2:ModifyInstanceAttribute',
        'ec2:ModifyInstanceAttribute',
        'ec2:CreateSnapshot',
        'ec2:CreateSnapshot',
        'ec2:CreateTags',
      ],
    );
    assert.match(plan.skipped.join(' '), /vol-data \(\/dev\/sdf\) is already kept/);
    assert.deepEqual(plan.requestIds, ['r-di', 'r-dat', 'r-dsb']);
    assert.match(plan.notes.join(' '), /does not stop Auto Scaling/);
  });

  test('Spot instance: no termination protection; instance-store root: shutdown stays terminate', async () => {
    seed({ instance: instance({ InstanceLifecycle: 'spot', RootDeviceType: 'instance-store', BlockDeviceMappings: [] }) });
    const plan = await planEvidence(clients, 'i-0abc');
    assert.equal(plan.spot, true);
    assert.equal(plan.instanceStoreRoot, true);
    assert.deepEqual(
      plan.steps.map((s) => s.action),
      ['ec2:CreateTags'],
    );
    assert.match(plan.skipped.join(' '), /Spot Instance/);
    assert.match(plan.skipped.join(' '), /instance-store-backed instance cannot be stopped/);
    assert.match(plan.notes.join(' '), /no EBS volume/);
  });

  test('a missing instance (or a sample finding id) is aws_not_found, not an EC2 error', async () => {
    ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [] });
    await assert.rejects(planEvidence(clients, 'i-99999999'), (e: unknown) => isAppError(e, 'aws_not_found') && /was not found/.test(e.message));
  });
});

describe('takeEvidence', () => {
  test('exact calls: protection, DeleteOnTermination=false per volume, stop on shutdown, one snapshot per volume, instance tags', async () => {
    seed();
    const plan = await planEvidence(clients, 'i-0abc', { now: NOW });
    ec2Mock.on(ModifyInstanceAttributeCommand).resolves(meta('r-mod'));
    ec2Mock
      .on(CreateSnapshotCommand, { VolumeId: 'vol-root' })
      .resolves({ ...meta('r-s1'), SnapshotId: 'snap-1', State: 'pending', StartTime: new Date('2025-05-01T10:00:01Z') });
    ec2Mock.on(CreateSnapshotCommand, { VolumeId: 'vol-data' }).resolves({ ...meta('r-s2'), SnapshotId: 'snap-2', State: 'pending' });
    ec2Mock.on(CreateTagsCommand).resolves(meta('r-tag'));

    const r = await takeEvidence(clients, plan, { findingId: 'f0123456789abcdef', actor: 'U123 (alice)' }, { now: NOW });

    assert.deepEqual(
      ec2Mock.commandCalls(ModifyInstanceAttributeCommand).map((c) => c.args[0].input),
      [
        { InstanceId: 'i-0abc', DisableApiTermination: { Value: true } },
        { InstanceId: 'i-0abc', BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { DeleteOnTermination: false } }] },
        { InstanceId: 'i-0abc', InstanceInitiatedShutdownBehavior: { Value: 'stop' } },
      ],
    );
    const snaps = ec2Mock.commandCalls(CreateSnapshotCommand).map((c) => c.args[0].input);
    assert.equal(snaps.length, 2);
    assert.deepEqual(snaps[0], {
      VolumeId: 'vol-root',
      Description: 'GuardDuty finding f0123456789abcdef: evidence of i-0abc /dev/xvda, requested by U123 (alice) at 2025-05-01T10:00:00.000Z',
      TagSpecifications: [
        {
          ResourceType: 'snapshot',
          Tags: [
            { Key: 'guardduty-finding-id', Value: 'f0123456789abcdef' },
            { Key: 'guardduty-responder:actor', Value: 'U123 _alice_' },
            { Key: 'guardduty-responder:source-instance', Value: 'i-0abc' },
            { Key: 'guardduty-responder:device', Value: '/dev/xvda' },
            { Key: 'Name', Value: 'evidence i-0abc /dev/xvda' },
          ],
        },
      ],
    });
    assert.deepEqual(ec2Mock.commandCalls(CreateTagsCommand)[0]!.args[0].input, {
      Resources: ['i-0abc'],
      Tags: [
        { Key: 'guardduty-responder:status', Value: 'under-investigation' },
        { Key: 'guardduty-finding-id', Value: 'f0123456789abcdef' },
      ],
    });
    // Protection goes before the snapshots.
    const order = ec2Mock
      .calls()
      .map((c) => c.args[0].constructor.name)
      .filter((n) => n !== 'DescribeInstancesCommand' && n !== 'DescribeInstanceAttributeCommand');
    assert.deepEqual(order, [
      'ModifyInstanceAttributeCommand',
      'ModifyInstanceAttributeCommand',
      'ModifyInstanceAttributeCommand',
      'CreateSnapshotCommand',
      'CreateSnapshotCommand',
      'CreateTagsCommand',
    ]);

    assert.deepEqual(r.snapshots, [
      { volumeId: 'vol-root', deviceName: '/dev/xvda', snapshotId: 'snap-1', state: 'pending', startTime: '2025-05-01T10:00:01.000Z', requestId: 'r-s1' },
      { volumeId: 'vol-data', deviceName: '/dev/sdf', snapshotId: 'snap-2', state: 'pending', requestId: 'r-s2' },
    ]);
    assert.equal(r.complete, true);
    assert.deepEqual(r.record.previous, {
      disableApiTermination: false,
      shutdownBehavior: 'terminate',
      deleteOnTermination: [
        { deviceName: '/dev/xvda', volumeId: 'vol-root', value: true },
        { deviceName: '/dev/sdf', volumeId: 'vol-data', value: false },
      ],
      tags: [{ key: 'guardduty-responder:status' }, { key: 'guardduty-finding-id' }],
    });
    assert.deepEqual(r.record.snapshotIds, ['snap-1', 'snap-2']);
    assert.deepEqual(r.requestIds, ['r-mod', 'r-mod', 'r-mod', 'r-s1', 'r-s2', 'r-tag']);
  });

  test('partial failure: a refused snapshot and a refused attribute keep every success, and name the permission', async () => {
    seed({ protection: true, shutdown: 'stop' });
    const plan = await planEvidence(clients, 'i-0abc');
    ec2Mock.on(ModifyInstanceAttributeCommand).rejects(awsError('UnauthorizedOperation', 'You are not authorized to perform this operation.', 'r-denied', 403));
    ec2Mock.on(CreateSnapshotCommand, { VolumeId: 'vol-root' }).resolves({ SnapshotId: 'snap-1', State: 'pending' });
    ec2Mock
      .on(CreateSnapshotCommand, { VolumeId: 'vol-data' })
      .rejects(awsError('SnapshotCreationPerVolumeRateExceeded', 'The maximum per volume CreateSnapshot request rate has been exceeded.'));
    ec2Mock.on(CreateTagsCommand).resolves({});

    const r = await takeEvidence(clients, plan, { findingId: 'f1', actor: 'U1' });
    assert.equal(ec2Mock.commandCalls(ModifyInstanceAttributeCommand).length, 1, 'only DeleteOnTermination for the root volume was still to do');
    assert.deepEqual(
      r.snapshots.map((s) => s.snapshotId),
      ['snap-1'],
    );
    assert.equal(r.complete, false);
    assert.deepEqual(
      r.failures.map((f) => [f.step, f.code]),
      [
        ['ec2:ModifyInstanceAttribute', 'aws_access_denied'],
        ['ec2:CreateSnapshot', 'aws_error'],
      ],
    );
    assert.match(r.failures[0]!.message, /not allowed to call ec2:ModifyInstanceAttribute on i-0abc\. Add ec2:ModifyInstanceAttribute to its policy\./);
    assert.equal(r.failures[0]!.requestId, 'r-denied');
    assert.match(r.unchanged.join(' '), /Termination protection is already on/);
    assert.match(r.changed.join(' '), /Snapshot snap-1 of vol-root/);
    assert.match(r.changed.join(' '), /tagged guardduty-responder:status=under-investigation/);
  });
});

describe('limits', () => {
  test('snapshot description ≤ 255 printable characters; tag values cleaned and ≤ 256', () => {
    const d = snapshotDescription({
      findingId: 'f'.repeat(200),
      instanceId: 'i-0abc',
      deviceName: '/dev/xvda',
      actor: 'Zoë <@U1>',
      at: '2025-01-01T00:00:00Z',
    });
    assert.equal(d.length, SNAPSHOT_DESCRIPTION_MAX);
    assert.match(d, /^[\x20-\x7e]+$/);
    assert.equal(tagValue('Zoë <@U1>\n$(rm -rf)'), 'Zoë _@U1_ __rm -rf_');
    assert.equal([...tagValue('x'.repeat(500))].length, 256);
  });
});

describe('terminated instance', () => {
  test('no steps, one honest note', async () => {
    seed({ instance: instance({ State: { Name: 'terminated', Code: 48 } }) });
    const plan = await planEvidence(clients, 'i-0abc');
    assert.deepEqual(plan.steps, []);
    assert.match(plan.notes.join(' '), /terminated: nothing can be protected/);
  });
});
