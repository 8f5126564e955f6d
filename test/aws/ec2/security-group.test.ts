import { beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mockClient } from 'aws-sdk-client-mock';
import {
  CreateSecurityGroupCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
} from '@aws-sdk/client-ec2';
import { ensureIsolationSecurityGroup } from '../../../src/aws/ec2/security-group.js';
import { ISOLATION_GROUP_NAME } from '../../../src/aws/ec2/types.js';
import { awsError, meta } from '../helpers.js';

const ec2Mock = mockClient(EC2Client);
const clients = { ec2: new EC2Client({ region: 'eu-west-1' }) };
const byName = {
  Filters: [
    { Name: 'group-name', Values: [ISOLATION_GROUP_NAME] },
    { Name: 'vpc-id', Values: ['vpc-1'] },
  ],
};

beforeEach(() => ec2Mock.reset());

describe('ensureIsolationSecurityGroup', () => {
  test('existing empty group: found by name and VPC, nothing changed', async () => {
    ec2Mock.on(DescribeSecurityGroupsCommand).resolves({ ...meta('r-d'), SecurityGroups: [{ GroupId: 'sg-iso', IpPermissions: [], IpPermissionsEgress: [] }] });
    const g = await ensureIsolationSecurityGroup(clients, 'vpc-1');
    assert.deepEqual(ec2Mock.commandCalls(DescribeSecurityGroupsCommand)[0]!.args[0].input, byName);
    assert.deepEqual(g, { groupId: 'sg-iso', created: false, revoked: [], requestIds: ['r-d'] });
    assert.equal(ec2Mock.commandCalls(CreateSecurityGroupCommand).length, 0);
  });

  test('existing group someone added rules to: every rule revoked', async () => {
    ec2Mock.on(DescribeSecurityGroupsCommand).resolves({
      SecurityGroups: [
        {
          GroupId: 'sg-iso',
          IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0', Description: 'ssh' }] }],
          IpPermissionsEgress: [{ IpProtocol: '-1', UserIdGroupPairs: [{ GroupId: 'sg-x', UserId: '123456789012' }] }],
        },
      ],
    });
    const g = await ensureIsolationSecurityGroup(clients, 'vpc-1');
    assert.deepEqual(ec2Mock.commandCalls(RevokeSecurityGroupIngressCommand)[0]!.args[0].input, {
      GroupId: 'sg-iso',
      IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
    });
    assert.deepEqual(ec2Mock.commandCalls(RevokeSecurityGroupEgressCommand)[0]!.args[0].input, {
      GroupId: 'sg-iso',
      IpPermissions: [{ IpProtocol: '-1', UserIdGroupPairs: [{ GroupId: 'sg-x' }] }],
    });
    assert.deepEqual(g.revoked, [
      { egress: true, rule: 'all sg-x' },
      { egress: false, rule: 'tcp:22-22 0.0.0.0/0' },
    ]);
  });

  test('created by a concurrent isolation (InvalidGroup.Duplicate): uses that group', async () => {
    ec2Mock
      .on(DescribeSecurityGroupsCommand)
      .resolvesOnce({ SecurityGroups: [] })
      .resolves({ SecurityGroups: [{ GroupId: 'sg-theirs', IpPermissionsEgress: [] }] });
    ec2Mock.on(CreateSecurityGroupCommand).rejects(awsError('InvalidGroup.Duplicate'));
    const g = await ensureIsolationSecurityGroup(clients, 'vpc-1');
    assert.equal(g.groupId, 'sg-theirs');
    assert.equal(g.created, false);
  });

  test('created but not yet visible: revokes the default IPv4 egress rule by shape', async () => {
    ec2Mock.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [] });
    ec2Mock.on(CreateSecurityGroupCommand).resolves({ GroupId: 'sg-new' });
    const g = await ensureIsolationSecurityGroup(clients, 'vpc-1');
    assert.deepEqual(ec2Mock.commandCalls(RevokeSecurityGroupEgressCommand)[0]!.args[0].input, {
      GroupId: 'sg-new',
      IpPermissions: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
    });
    assert.equal(g.created, true);
  });
});
