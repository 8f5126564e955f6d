import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateNetworkAclEntryCommand,
  CreateSecurityGroupCommand,
  CreateTagsCommand,
  DeleteNetworkAclEntryCommand,
  DescribeInstancesCommand,
  DescribeNetworkAclsCommand,
  DescribeNetworkInterfacesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  ModifyNetworkInterfaceAttributeCommand,
  RevokeSecurityGroupEgressCommand,
} from '@aws-sdk/client-ec2';
import { startAwsDouble } from '../doubles/aws/index.js';
import { clients, rejectsWith, DIGEST, IMAGE } from './helpers.js';

test('DescribeNetworkInterfaces by id, by instance and by private IP; unknown ids are InvalidNetworkInterfaceID.NotFound', async () => {
  const aws = await startAwsDouble();
  try {
    const f = aws.seed.fargateTask({ cluster: 'prod', service: 'web', image: IMAGE, digest: DIGEST, ip: '10.0.1.20' });
    const e = aws.seed.ec2AwsvpcTask({ cluster: 'prod', service: 'api', image: IMAGE, digest: DIGEST });
    const { ec2 } = clients(aws);
    const byId = await ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [f.eniId] }));
    const eni = byId.NetworkInterfaces?.[0];
    assert.equal(eni?.RequesterManaged, true);
    assert.equal(eni?.Attachment?.InstanceId, undefined, 'Fargate hosts are not your instances');
    assert.match(eni?.Description ?? '', /^arn:aws:ecs:us-east-1:123456789012:attachment\//);
    assert.equal(eni?.PrivateIpAddress, '10.0.1.20');
    assert.equal(eni?.Groups?.[0]?.GroupName, 'default');
    assert.ok(byId.$metadata.requestId, 'EC2 request id reaches $metadata via the x-amzn-RequestId header');

    const byIp = await ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'addresses.private-ip-address', Values: ['10.0.1.20'] }] }));
    assert.deepEqual(
      byIp.NetworkInterfaces?.map((n) => n.NetworkInterfaceId),
      [f.eniId],
    );

    const byInstance = await ec2.send(
      new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'attachment.instance-id', Values: [e.instance!.instanceId] }] }),
    );
    assert.deepEqual(
      byInstance.NetworkInterfaces?.map((n) => [n.Attachment?.DeviceIndex, n.RequesterManaged]),
      [
        [0, false],
        [1, true],
      ],
      'the host primary ENI is yours; the awsvpc task ENI is ECS-managed',
    );
    const err = await rejectsWith(
      ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: ['eni-0000000000000dead'] })),
      'InvalidNetworkInterfaceID.NotFound',
    );
    assert.equal(err.$metadata.httpStatusCode, 400);
  } finally {
    await aws.close();
  }
});

test('ModifyNetworkInterfaceAttribute is refused on requester-managed ENIs (Fargate and EC2 awsvpc) and works on an instance ENI', async () => {
  const aws = await startAwsDouble();
  try {
    const f = aws.seed.fargateTask({ cluster: 'prod', image: IMAGE, digest: DIGEST });
    const e = aws.seed.ec2AwsvpcTask({ cluster: 'prod', image: IMAGE, digest: DIGEST });
    const b = aws.seed.bridgeTask({ cluster: 'prod', image: IMAGE, digest: DIGEST });
    const { ec2 } = clients(aws);
    const { GroupId } = await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'isolation', Description: 'deny all', VpcId: f.vpcId }));
    for (const eniId of [f.eniId, e.eniId]) {
      const err = await rejectsWith(ec2.send(new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: eniId, Groups: [GroupId!] })), 'AuthFailure');
      assert.equal(err.$fault, 'client');
      assert.equal(err.message, 'You do not have permission to access the specified resource.');
    }
    await ec2.send(new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: b.eniId, Groups: [GroupId!] }));
    assert.deepEqual(aws.ec2.networkInterfaces.get(b.eniId)?.groupIds, [GroupId]);
    // Tags are the one thing you may change on a requester-managed ENI.
    await ec2.send(new CreateTagsCommand({ Resources: [f.eniId], Tags: [{ Key: 'quarantine', Value: 'finding-1' }] }));
    assert.deepEqual(aws.ec2.networkInterfaces.get(f.eniId)?.tags, [{ key: 'quarantine', value: 'finding-1' }]);
    await rejectsWith(
      ec2.send(new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: b.eniId, Groups: ['sg-0000000000000000f'] })),
      'InvalidGroup.NotFound',
    );
  } finally {
    await aws.close();
  }
});

test('CreateSecurityGroup comes with the allow-all egress rule; RevokeSecurityGroupEgress removes it', async () => {
  const aws = await startAwsDouble();
  try {
    const net = aws.seed.network();
    const { ec2 } = clients(aws);
    const created = await ec2.send(
      new CreateSecurityGroupCommand({
        GroupName: 'gd-isolation',
        Description: 'GuardDuty isolation',
        VpcId: net.vpc.vpcId,
        TagSpecifications: [{ ResourceType: 'security-group', Tags: [{ Key: 'purpose', Value: 'isolation' }] }],
      }),
    );
    assert.match(created.GroupId ?? '', /^sg-[0-9a-f]{17}$/);
    const described = await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [created.GroupId!] }));
    const sg = described.SecurityGroups?.[0];
    assert.equal(sg?.Description, 'GuardDuty isolation');
    assert.deepEqual(sg?.IpPermissions, []);
    assert.deepEqual(sg?.IpPermissionsEgress, [
      { IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }], Ipv6Ranges: [], PrefixListIds: [], UserIdGroupPairs: [] },
    ]);

    const revoked = await ec2.send(
      new RevokeSecurityGroupEgressCommand({ GroupId: created.GroupId, IpPermissions: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] }),
    );
    assert.equal(revoked.Return, true);
    assert.equal(revoked.RevokedSecurityGroupRules?.[0]?.IsEgress, true);
    const after = await ec2.send(
      new DescribeSecurityGroupsCommand({
        Filters: [
          { Name: 'tag:purpose', Values: ['isolation'] },
          { Name: 'vpc-id', Values: [net.vpc.vpcId] },
        ],
      }),
    );
    assert.deepEqual(
      after.SecurityGroups?.map((g) => [g.GroupId, g.IpPermissionsEgress]),
      [[created.GroupId, []]],
    );
    const byName = await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'group-name', Values: ['gd-*'] }] }));
    assert.equal(byName.SecurityGroups?.length, 1);

    await rejectsWith(
      ec2.send(new CreateSecurityGroupCommand({ GroupName: 'gd-isolation', Description: 'again', VpcId: net.vpc.vpcId })),
      'InvalidGroup.Duplicate',
    );
    await rejectsWith(
      ec2.send(new RevokeSecurityGroupEgressCommand({ GroupId: created.GroupId, IpPermissions: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] })),
      'InvalidPermission.NotFound',
    );
  } finally {
    await aws.close();
  }
});

test('CreateNetworkAclEntry adds a deny for the task IP; the same rule number is NetworkAclEntryAlreadyExists', async () => {
  const aws = await startAwsDouble();
  try {
    const t = aws.seed.fargateTask({ cluster: 'prod', image: IMAGE, digest: DIGEST, ip: '10.0.2.9' });
    const { ec2 } = clients(aws);
    const acls = await ec2.send(new DescribeNetworkAclsCommand({ Filters: [{ Name: 'association.subnet-id', Values: [t.subnetId] }] }));
    const acl = acls.NetworkAcls?.[0];
    assert.equal(acl?.NetworkAclId, t.networkAclId);
    assert.equal(acl?.IsDefault, true);
    const entry = { NetworkAclId: t.networkAclId, RuleNumber: 10, Protocol: '-1', RuleAction: 'deny' as const, CidrBlock: '10.0.2.9/32' };
    await ec2.send(new CreateNetworkAclEntryCommand({ ...entry, Egress: false }));
    await ec2.send(new CreateNetworkAclEntryCommand({ ...entry, Egress: true }));
    const err = await rejectsWith(ec2.send(new CreateNetworkAclEntryCommand({ ...entry, Egress: true })), 'NetworkAclEntryAlreadyExists');
    assert.match(err.message, /identified by 10 already exists/);
    const after = (await ec2.send(new DescribeNetworkAclsCommand({ NetworkAclIds: [t.networkAclId] }))).NetworkAcls?.[0];
    assert.deepEqual(
      after?.Entries?.filter((e) => e.RuleNumber === 10).map((e) => [e.Egress, e.RuleAction, e.CidrBlock]),
      [
        [true, 'deny', '10.0.2.9/32'],
        [false, 'deny', '10.0.2.9/32'],
      ],
    );
    await ec2.send(new DeleteNetworkAclEntryCommand({ NetworkAclId: t.networkAclId, RuleNumber: 10, Egress: true }));
    await rejectsWith(
      ec2.send(new DeleteNetworkAclEntryCommand({ NetworkAclId: t.networkAclId, RuleNumber: 10, Egress: true })),
      'InvalidNetworkAclEntry.NotFound',
    );
    await rejectsWith(ec2.send(new DescribeNetworkAclsCommand({ NetworkAclIds: ['acl-00000000000000000'] })), 'InvalidNetworkAclID.NotFound');
  } finally {
    await aws.close();
  }
});

test('DescribeInstances shows the container instance with its ENIs, state and tags; subnets and VPCs describe', async () => {
  const aws = await startAwsDouble();
  try {
    const e = aws.seed.ec2AwsvpcTask({ cluster: 'prod', image: IMAGE, digest: DIGEST });
    const { ec2 } = clients(aws);
    const out = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [e.instance!.instanceId] }));
    const inst = out.Reservations?.[0]?.Instances?.[0];
    assert.equal(inst?.State?.Name, 'running');
    assert.equal(inst?.VpcId, e.vpcId);
    assert.deepEqual(inst?.Tags, [{ Key: 'Name', Value: 'ecs-prod' }]);
    assert.deepEqual(inst?.NetworkInterfaces?.map((n) => n.NetworkInterfaceId).sort(), [...e.instance!.eniIds].sort());
    const filtered = await ec2.send(
      new DescribeInstancesCommand({
        Filters: [
          { Name: 'instance-state-name', Values: ['running'] },
          { Name: 'tag:Name', Values: ['ecs-*'] },
        ],
      }),
    );
    assert.equal(filtered.Reservations?.length, 1);
    await rejectsWith(ec2.send(new DescribeInstancesCommand({ InstanceIds: ['i-00000000000000000'] })), 'InvalidInstanceID.NotFound');
    const subnets = await ec2.send(new DescribeSubnetsCommand({ SubnetIds: [e.subnetId] }));
    assert.equal(subnets.Subnets?.[0]?.VpcId, e.vpcId);
    const vpcs = await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'vpc-id', Values: [e.vpcId] }] }));
    assert.equal(vpcs.Vpcs?.[0]?.CidrBlock, '10.0.0.0/16');
  } finally {
    await aws.close();
  }
});
