import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AssociateIamInstanceProfileCommand,
  CreateSnapshotCommand,
  CreateTagsCommand,
  DescribeIamInstanceProfileAssociationsCommand,
  DescribeInstanceAttributeCommand,
  DescribeInstancesCommand,
  DescribeNetworkInterfacesCommand,
  DescribeSnapshotsCommand,
  DescribeVolumesCommand,
  DisassociateIamInstanceProfileCommand,
  ModifyInstanceAttributeCommand,
} from '@aws-sdk/client-ec2';
import { startAwsDouble } from '../doubles/aws/index.js';
import { clients, rejectsWith } from './helpers.js';

test('seed.instance: DescribeInstances shows EBS volumes with DeleteOnTermination, both ENIs, profile, EKS tags', async () => {
  const aws = await startAwsDouble();
  try {
    const s = aws.seed.instance({ enis: 2, volumes: 2, eksCluster: 'prod', deleteOnTermination: [true, false] });
    const { ec2 } = clients(aws);
    const out = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [s.instanceId] }));
    const i = out.Reservations?.[0]?.Instances?.[0];
    assert.equal(i?.RootDeviceName, '/dev/xvda');
    assert.equal(i?.RootDeviceType, 'ebs');
    assert.deepEqual(
      i?.BlockDeviceMappings?.map((b) => [b.DeviceName, b.Ebs?.VolumeId, b.Ebs?.DeleteOnTermination, b.Ebs?.Status]),
      [
        ['/dev/xvda', s.volumeIds[0], true, 'attached'],
        ['/dev/sdf', s.volumeIds[1], false, 'attached'],
      ],
    );
    assert.deepEqual(i?.NetworkInterfaces?.map((n) => n.NetworkInterfaceId).sort(), [...s.eniIds].sort());
    assert.equal(i?.IamInstanceProfile?.Arn, 'arn:aws:iam::123456789012:instance-profile/app-instance-profile');
    assert.equal(i?.Tags?.find((t) => t.Key === 'eks:cluster-name')?.Value, 'prod');
    assert.equal(i?.Tags?.find((t) => t.Key === 'kubernetes.io/cluster/prod')?.Value, 'owned');
    const enis = await ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'attachment.instance-id', Values: [s.instanceId] }] }));
    assert.deepEqual(
      enis.NetworkInterfaces?.map((n) => n.Attachment?.DeviceIndex),
      [0, 1],
    );
    const byFilter = await ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'instance-id', Values: ['i-0000000000000dead'] }] }));
    assert.deepEqual(byFilter.Reservations, [], 'a filter on a missing id is an empty answer, not an error');
    const vols = await ec2.send(new DescribeVolumesCommand({ Filters: [{ Name: 'attachment.instance-id', Values: [s.instanceId] }] }));
    assert.deepEqual(
      vols.Volumes?.map((v) => [v.Size, v.Attachments?.[0]?.Device]),
      [
        [8, '/dev/xvda'],
        [100, '/dev/sdf'],
      ],
    );
  } finally {
    await aws.close();
  }
});

test('DescribeInstanceAttribute / ModifyInstanceAttribute: one attribute per call, Spot refuses termination protection', async () => {
  const aws = await startAwsDouble();
  try {
    const s = aws.seed.instance({ volumes: 2 });
    const { ec2 } = clients(aws);
    const read = async () => ({
      protection: (await ec2.send(new DescribeInstanceAttributeCommand({ InstanceId: s.instanceId, Attribute: 'disableApiTermination' }))).DisableApiTermination
        ?.Value,
      shutdown: (await ec2.send(new DescribeInstanceAttributeCommand({ InstanceId: s.instanceId, Attribute: 'instanceInitiatedShutdownBehavior' })))
        .InstanceInitiatedShutdownBehavior?.Value,
      mapping: (await ec2.send(new DescribeInstanceAttributeCommand({ InstanceId: s.instanceId, Attribute: 'blockDeviceMapping' }))).BlockDeviceMappings?.map(
        (b) => b.Ebs?.DeleteOnTermination,
      ),
    });
    assert.deepEqual(await read(), { protection: false, shutdown: 'terminate', mapping: [true, true] });
    await ec2.send(new ModifyInstanceAttributeCommand({ InstanceId: s.instanceId, DisableApiTermination: { Value: true } }));
    await ec2.send(new ModifyInstanceAttributeCommand({ InstanceId: s.instanceId, InstanceInitiatedShutdownBehavior: { Value: 'stop' } }));
    const out = await ec2.send(
      new ModifyInstanceAttributeCommand({ InstanceId: s.instanceId, BlockDeviceMappings: [{ DeviceName: '/dev/sdf', Ebs: { DeleteOnTermination: false } }] }),
    );
    assert.ok(out.$metadata.requestId);
    assert.deepEqual(await read(), { protection: true, shutdown: 'stop', mapping: [true, false] });

    const both = await rejectsWith(
      ec2.send(
        new ModifyInstanceAttributeCommand({
          InstanceId: s.instanceId,
          DisableApiTermination: { Value: true },
          InstanceInitiatedShutdownBehavior: { Value: 'stop' },
        }),
      ),
      'InvalidParameterCombination',
    );
    assert.match(both.message, /multiple attribute types/);
    await rejectsWith(
      ec2.send(
        new ModifyInstanceAttributeCommand({
          InstanceId: s.instanceId,
          BlockDeviceMappings: [{ DeviceName: '/dev/sdz', Ebs: { DeleteOnTermination: false } }],
        }),
      ),
      'InvalidInstanceAttributeValue',
    );
    await rejectsWith(ec2.send(new DescribeInstanceAttributeCommand({ InstanceId: s.instanceId, Attribute: 'nonsense' as 'kernel' })), 'InvalidParameterValue');

    const spot = aws.seed.instance({ spot: true });
    await rejectsWith(
      ec2.send(new ModifyInstanceAttributeCommand({ InstanceId: spot.instanceId, DisableApiTermination: { Value: true } })),
      'UnsupportedOperation',
    );
    const desc = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [spot.instanceId] }));
    assert.equal(desc.Reservations?.[0]?.Instances?.[0]?.InstanceLifecycle, 'spot');
  } finally {
    await aws.close();
  }
});

test('CreateSnapshot with TagSpecifications; DescribeSnapshots by id/owner/filter moves pending → completed; tags on snapshots', async () => {
  const aws = await startAwsDouble();
  try {
    const s = aws.seed.instance({ volumes: 1 });
    const { ec2 } = clients(aws);
    const snap = await ec2.send(
      new CreateSnapshotCommand({
        VolumeId: s.volumeIds[0],
        Description: 'GuardDuty finding f1: evidence',
        TagSpecifications: [{ ResourceType: 'snapshot', Tags: [{ Key: 'guardduty-finding-id', Value: 'f1' }] }],
      }),
    );
    assert.match(snap.SnapshotId ?? '', /^snap-[0-9a-f]{17}$/);
    assert.equal(snap.State, 'pending');
    assert.equal(snap.VolumeId, s.volumeIds[0]);
    assert.equal(snap.VolumeSize, 8);
    assert.ok(snap.StartTime instanceof Date);
    assert.deepEqual(snap.Tags, [{ Key: 'guardduty-finding-id', Value: 'f1' }]);

    const first = await ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [snap.SnapshotId!], OwnerIds: ['self'] }));
    assert.equal(first.Snapshots?.[0]?.State, 'pending');
    const second = await ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [snap.SnapshotId!], OwnerIds: ['self'] }));
    assert.equal(second.Snapshots?.[0]?.State, 'completed', 'completes on the second DescribeSnapshots (snapshotCompletesAfterPolls)');
    assert.equal(second.Snapshots?.[0]?.Progress, '100%');
    const byTag = await ec2.send(new DescribeSnapshotsCommand({ Filters: [{ Name: 'tag:guardduty-finding-id', Values: ['f1'] }] }));
    assert.deepEqual(
      byTag.Snapshots?.map((x) => x.SnapshotId),
      [snap.SnapshotId],
    );
    await ec2.send(new CreateTagsCommand({ Resources: [snap.SnapshotId!, s.volumeIds[0]!], Tags: [{ Key: 'case', Value: '42' }] }));
    assert.deepEqual(aws.ec2.volumes.get(s.volumeIds[0]!)?.tags, [{ key: 'case', value: '42' }]);

    await rejectsWith(ec2.send(new CreateSnapshotCommand({ VolumeId: 'vol-0000000000000dead' })), 'InvalidVolume.NotFound');
    await rejectsWith(
      ec2.send(new CreateSnapshotCommand({ VolumeId: s.volumeIds[0], TagSpecifications: [{ ResourceType: 'volume', Tags: [{ Key: 'a', Value: 'b' }] }] })),
      'InvalidParameterValue',
    );
    await rejectsWith(ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: ['snap-0000000000000dead'] })), 'InvalidSnapshot.NotFound');
  } finally {
    await aws.close();
  }
});

test('instance profile: describe by instance-id filter, disassociate, associate again; a second association is IncorrectState', async () => {
  const aws = await startAwsDouble();
  try {
    const s = aws.seed.instance({ instanceProfile: 'web-profile' });
    const none = aws.seed.instance({ instanceProfile: false });
    const { ec2 } = clients(aws);
    const listed = await ec2.send(new DescribeIamInstanceProfileAssociationsCommand({ Filters: [{ Name: 'instance-id', Values: [s.instanceId] }] }));
    const a = listed.IamInstanceProfileAssociations?.[0];
    assert.equal(a?.InstanceId, s.instanceId);
    assert.equal(a?.State, 'associated');
    assert.equal(a?.IamInstanceProfile?.Arn, s.instanceProfileArn);
    assert.match(a?.AssociationId ?? '', /^iip-assoc-/);
    const empty = await ec2.send(new DescribeIamInstanceProfileAssociationsCommand({ Filters: [{ Name: 'instance-id', Values: [none.instanceId] }] }));
    assert.deepEqual(empty.IamInstanceProfileAssociations, []);

    const dis = await ec2.send(new DisassociateIamInstanceProfileCommand({ AssociationId: a!.AssociationId }));
    assert.equal(dis.IamInstanceProfileAssociation?.State, 'disassociating');
    const after = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [s.instanceId] }));
    assert.equal(after.Reservations?.[0]?.Instances?.[0]?.IamInstanceProfile, undefined);
    await rejectsWith(ec2.send(new DisassociateIamInstanceProfileCommand({ AssociationId: a!.AssociationId })), 'InvalidAssociationID.NotFound');

    const back = await ec2.send(new AssociateIamInstanceProfileCommand({ InstanceId: s.instanceId, IamInstanceProfile: { Arn: s.instanceProfileArn } }));
    assert.equal(back.IamInstanceProfileAssociation?.State, 'associating');
    assert.notEqual(back.IamInstanceProfileAssociation?.AssociationId, a!.AssociationId);
    await rejectsWith(ec2.send(new AssociateIamInstanceProfileCommand({ InstanceId: s.instanceId, IamInstanceProfile: { Name: 'other' } })), 'IncorrectState');

    aws.denyOperation('ec2:DisassociateIamInstanceProfile');
    const denied = await rejectsWith(
      ec2.send(new DisassociateIamInstanceProfileCommand({ AssociationId: back.IamInstanceProfileAssociation!.AssociationId })),
      'UnauthorizedOperation',
    );
    assert.match(denied.message, /ec2:DisassociateIamInstanceProfile/);
  } finally {
    await aws.close();
  }
});
