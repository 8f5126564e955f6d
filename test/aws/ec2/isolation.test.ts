import { beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mockClient } from 'aws-sdk-client-mock';
import {
  CreateNetworkAclEntryCommand,
  CreateSecurityGroupCommand,
  DescribeNetworkAclsCommand,
  DescribeNetworkInterfacesCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
  ModifyNetworkInterfaceAttributeCommand,
  RevokeSecurityGroupEgressCommand,
} from '@aws-sdk/client-ec2';
import { executeIsolation } from '../../../src/aws/ec2/execute.js';
import { planIsolation } from '../../../src/aws/ec2/plan.js';
import type { IsolationTarget } from '../../../src/aws/ec2/types.js';
import { isAppError } from '../../../src/errors.js';
import { awsError, meta } from '../helpers.js';
import { fargateEni, instanceEnis, vpcAcls } from './fixtures.js';

const ec2Mock = mockClient(EC2Client);
const clients = { ec2: new EC2Client({ region: 'eu-west-1' }) };
const now = () => new Date('2025-03-01T12:00:00Z');
const fargate: IsolationTarget = {
  kind: 'awsvpc-task',
  eniId: 'eni-task',
  ips: ['10.0.1.5'],
  subnetId: 'subnet-task',
  taskArn: 'arn:aws:ecs:eu-west-1:123456789012:task/prod/abc',
};

beforeEach(() => {
  ec2Mock.reset();
  ec2Mock.on(DescribeNetworkAclsCommand).resolves({ ...meta('r-acls'), NetworkAcls: vpcAcls() });
  ec2Mock.on(CreateNetworkAclEntryCommand).resolves(meta('r-create'));
});

describe('planIsolation: Fargate task (requester-managed ENI)', () => {
  test('reads live state and plans deny entries in every other subnet ACL, says what it will not cut', async () => {
    ec2Mock.on(DescribeNetworkInterfacesCommand).resolves({ ...meta('r-eni'), NetworkInterfaces: [fargateEni] });
    const plan = await planIsolation(clients, fargate, { now });

    assert.deepEqual(ec2Mock.commandCalls(DescribeNetworkInterfacesCommand)[0]!.args[0].input, {
      Filters: [{ Name: 'network-interface-id', Values: ['eni-task'] }],
    });
    assert.deepEqual(ec2Mock.commandCalls(DescribeNetworkAclsCommand)[0]!.args[0].input, { Filters: [{ Name: 'vpc-id', Values: ['vpc-1'] }] });
    assert.equal(ec2Mock.commandCalls(DescribeSecurityGroupsCommand).length, 0, 'no group needed: the ENI cannot take one');

    assert.deepEqual(plan.hosts, ['10.0.1.5/32']);
    assert.deepEqual(plan.ownSubnetIds, ['subnet-task']);
    assert.deepEqual(plan.publicIps, ['54.1.2.3']);
    assert.equal(plan.enis[0]!.securityGroup.action, 'cannot');
    assert.deepEqual(plan.enis[0]!.groupIds, ['sg-app']);
    assert.deepEqual(
      plan.acls.map((a) => [a.networkAclId, a.otherSubnetIds, a.entries.map((e) => [e.ruleNumber, e.egress, e.cidr]), a.problem ?? null]),
      [
        [
          'acl-default',
          ['subnet-d'],
          [
            [1, false, '10.0.1.5/32'],
            [1, true, '10.0.1.5/32'],
          ],
          null,
        ],
        ['acl-full', ['subnet-e'], [], 'is full: it has 20 inbound IPv4 rules and the quota is 20 (adding 1 would exceed it)'],
        [
          'acl-shared',
          ['subnet-b', 'subnet-c'],
          [
            [2, false, '10.0.1.5/32'],
            [1, true, '10.0.1.5/32'],
          ],
          null,
        ],
      ],
    );
    assert.deepEqual(
      plan.skippedAcls.map((s) => s.networkAclId),
      ['acl-own'],
    );
    assert.equal(plan.createdAt, '2025-03-01T12:00:00.000Z');
    assert.deepEqual(plan.requestIds, ['r-eni', 'r-acls']);

    assert.ok(
      plan.cut.some((l) =>
        l.startsWith('All traffic between 10.0.1.5 and subnets subnet-b and subnet-c (network ACL acl-shared), connections already open included'),
      ),
    );
    assert.ok(plan.notCut.some((l) => l.startsWith('Security groups of eni-task cannot be changed: it is managed by')));
    assert.ok(plan.notCut.some((l) => l.includes('subnet subnet-e (network ACL acl-full): that network ACL is full')));
    assert.ok(plan.notCut.some((l) => l.startsWith('Traffic between 10.0.1.5 and other resources in its own subnet subnet-task')));
    assert.ok(plan.notCut.some((l) => l.startsWith('Internet traffic to and from public IP 54.1.2.3 through the internet gateway')));
    assert.ok(plan.next.some((l) => l.startsWith('Stop the task once evidence is collected')));
  });

  test('a vanished ENI is aws_not_found', async () => {
    ec2Mock.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [] });
    await assert.rejects(planIsolation(clients, fargate), (e: unknown) => isAppError(e, 'aws_not_found'));
  });
});

describe('executeIsolation', () => {
  test('requester-managed ENI: no ModifyNetworkInterfaceAttribute, ACL entries added and recorded exactly', async () => {
    ec2Mock.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [fargateEni] });
    const plan = await planIsolation(clients, fargate, { now });
    ec2Mock.resetHistory();
    const r = await executeIsolation(clients, plan, { now });

    assert.equal(ec2Mock.commandCalls(ModifyNetworkInterfaceAttributeCommand).length, 0);
    assert.deepEqual(
      ec2Mock.commandCalls(CreateNetworkAclEntryCommand).map((c) => c.args[0].input),
      [
        { NetworkAclId: 'acl-default', RuleNumber: 1, Egress: false, Protocol: '-1', RuleAction: 'deny', CidrBlock: '10.0.1.5/32' },
        { NetworkAclId: 'acl-default', RuleNumber: 1, Egress: true, Protocol: '-1', RuleAction: 'deny', CidrBlock: '10.0.1.5/32' },
        { NetworkAclId: 'acl-shared', RuleNumber: 2, Egress: false, Protocol: '-1', RuleAction: 'deny', CidrBlock: '10.0.1.5/32' },
        { NetworkAclId: 'acl-shared', RuleNumber: 1, Egress: true, Protocol: '-1', RuleAction: 'deny', CidrBlock: '10.0.1.5/32' },
      ],
    );
    assert.deepEqual(r.record, {
      version: 1,
      createdAt: '2025-03-01T12:00:00.000Z',
      target: fargate,
      vpcIds: ['vpc-1'],
      enis: [],
      aclEntries: [
        { networkAclId: 'acl-default', ruleNumber: 1, egress: false, cidr: '10.0.1.5/32', family: 'ipv4', protocol: '-1', ruleAction: 'deny' },
        { networkAclId: 'acl-default', ruleNumber: 1, egress: true, cidr: '10.0.1.5/32', family: 'ipv4', protocol: '-1', ruleAction: 'deny' },
        { networkAclId: 'acl-shared', ruleNumber: 2, egress: false, cidr: '10.0.1.5/32', family: 'ipv4', protocol: '-1', ruleAction: 'deny' },
        { networkAclId: 'acl-shared', ruleNumber: 1, egress: true, cidr: '10.0.1.5/32', family: 'ipv4', protocol: '-1', ruleAction: 'deny' },
      ],
    });
    assert.deepEqual(JSON.parse(JSON.stringify(r.record)), r.record, 'record is JSON-serialisable');
    assert.deepEqual(
      r.cannot.map((c) => c.eniId),
      ['eni-task'],
    );
    assert.deepEqual(r.failures, []);
    assert.equal(r.nothingCut, false);
    assert.equal(r.cut.length, 2);
    assert.deepEqual(r.requestIds, ['r-create', 'r-create', 'r-create', 'r-create']);
  });

  test('ModifyNetworkInterfaceAttribute refused (ENI not flagged in the describe): SG "cannot", ACL entries still added', async () => {
    ec2Mock.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [{ ...fargateEni, RequesterManaged: undefined }] });
    ec2Mock
      .on(DescribeSecurityGroupsCommand)
      .resolves({ SecurityGroups: [{ GroupId: 'sg-iso', GroupName: 'guardduty-responder-isolation', IpPermissions: [], IpPermissionsEgress: [] }] });
    ec2Mock.on(ModifyNetworkInterfaceAttributeCommand).rejects(awsError('AuthFailure', 'You do not have permission to access the specified resource.'));
    const plan = await planIsolation(clients, fargate, { now });
    assert.equal(plan.enis[0]!.securityGroup.action, 'apply');
    const r = await executeIsolation(clients, plan, { now });

    assert.deepEqual(
      ec2Mock.commandCalls(ModifyNetworkInterfaceAttributeCommand).map((c) => c.args[0].input),
      [{ NetworkInterfaceId: 'eni-task', Groups: ['sg-iso'] }],
    );
    assert.equal(ec2Mock.commandCalls(CreateNetworkAclEntryCommand).length, 4);
    assert.equal(r.record.aclEntries.length, 4);
    assert.deepEqual(r.record.enis, []);
    assert.deepEqual(r.failures, [], 'a refusal is "cannot", not a failure');
    assert.match(r.cannot[0]!.reason, /AuthFailure/);
    assert.ok(r.notCut.some((l) => l.startsWith('Security groups of eni-task cannot be changed: AWS refused to change them (AuthFailure)')));
    assert.ok(r.cut.some((l) => l.includes('network ACL acl-shared')));
  });

  test('instance (bridge mode): isolation group created and emptied, every ENI swapped, previous groups recorded', async () => {
    const target = { kind: 'instance', instanceId: 'i-0abc', reason: 'the task uses bridge network mode' } as const;
    ec2Mock.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: instanceEnis });
    ec2Mock
      .on(DescribeSecurityGroupsCommand)
      .resolvesOnce({ SecurityGroups: [] })
      .resolvesOnce({ SecurityGroups: [] })
      .resolves({
        SecurityGroups: [
          {
            GroupId: 'sg-iso',
            IpPermissions: [],
            IpPermissionsEgress: [
              { IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }], Ipv6Ranges: [{ CidrIpv6: '::/0' }], PrefixListIds: [], UserIdGroupPairs: [] },
            ],
          },
        ],
      });
    ec2Mock.on(CreateSecurityGroupCommand).resolves({ ...meta('r-csg'), GroupId: 'sg-iso' });
    ec2Mock.on(RevokeSecurityGroupEgressCommand).resolves(meta('r-rev'));
    ec2Mock.on(ModifyNetworkInterfaceAttributeCommand).resolves(meta('r-mod'));

    const plan = await planIsolation(clients, target, { now });
    assert.deepEqual(ec2Mock.commandCalls(DescribeNetworkInterfacesCommand)[0]!.args[0].input, {
      Filters: [{ Name: 'attachment.instance-id', Values: ['i-0abc'] }],
    });
    assert.equal(plan.affectsWholeInstance, true);
    assert.equal(plan.isolationGroup.groupIdsByVpc['vpc-1'], undefined, 'plan reports the group does not exist yet');
    assert.match(plan.cut[0]!, /^Every task and container on instance i-0abc is affected/);
    assert.deepEqual(plan.hosts, ['10.0.1.20/32', '10.0.1.21/32']);

    const r = await executeIsolation(clients, plan, { now });
    assert.deepEqual(ec2Mock.commandCalls(CreateSecurityGroupCommand)[0]!.args[0].input, {
      GroupName: 'guardduty-responder-isolation',
      Description: 'GuardDuty Runtime Responder: no inbound or outbound rules. Attached to isolated network interfaces; do not add rules.',
      VpcId: 'vpc-1',
      TagSpecifications: [
        {
          ResourceType: 'security-group',
          Tags: [
            { Key: 'Name', Value: 'guardduty-responder-isolation' },
            { Key: 'managed-by', Value: 'guardduty-responder' },
          ],
        },
      ],
    });
    assert.deepEqual(ec2Mock.commandCalls(RevokeSecurityGroupEgressCommand)[0]!.args[0].input, {
      GroupId: 'sg-iso',
      IpPermissions: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }], Ipv6Ranges: [{ CidrIpv6: '::/0' }] }],
    });
    assert.deepEqual(
      ec2Mock.commandCalls(ModifyNetworkInterfaceAttributeCommand).map((c) => c.args[0].input),
      [
        { NetworkInterfaceId: 'eni-i0', Groups: ['sg-iso'] },
        { NetworkInterfaceId: 'eni-i1', Groups: ['sg-iso'] },
      ],
    );
    assert.deepEqual(r.record.enis, [
      { eniId: 'eni-i0', previousGroupIds: ['sg-node', 'sg-ssh'], appliedGroupIds: ['sg-iso'] },
      { eniId: 'eni-i1', previousGroupIds: ['sg-node'], appliedGroupIds: ['sg-iso'] },
    ]);
    assert.equal(r.record.isolationGroupId, 'sg-iso');
    assert.equal(r.record.aclEntries.length, 8); // 2 hosts × in/out × 2 ACLs with room
    assert.ok(r.cut.some((l) => l.startsWith('New connections to and from eni-i0')));
    assert.ok(
      r.notCut.some((l) => l.startsWith('Connections already open between the isolated addresses (10.0.1.20, 10.0.1.21) and other resources in subnet-task')),
    );
  });

  test('AccessDenied on one ACL is a failure naming the permission; the other ACL is still cut', async () => {
    ec2Mock.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [fargateEni] });
    ec2Mock
      .on(CreateNetworkAclEntryCommand, { NetworkAclId: 'acl-default' })
      .rejects(awsError('UnauthorizedOperation', 'You are not authorized to perform this operation.', 'r-denied'));
    const plan = await planIsolation(clients, fargate);
    const r = await executeIsolation(clients, plan);
    assert.equal(r.failures.length, 2);
    assert.equal(r.failures[0]!.code, 'aws_access_denied');
    assert.equal(r.failures[0]!.requestId, 'r-denied');
    assert.equal(
      r.failures[0]!.message,
      "The app's AWS role is not allowed to call ec2:CreateNetworkAclEntry on acl-default. Add ec2:CreateNetworkAclEntry to its policy.",
    );
    assert.deepEqual([...new Set(r.record.aclEntries.map((e) => e.networkAclId))], ['acl-shared']);
    assert.ok(r.notCut.some((l) => l.includes('(network ACL acl-default, the VPC default): adding the deny entries failed')));
    assert.equal(r.nothingCut, false);
  });

  function takenSincePlan(extra: { RuleNumber: number; Egress: boolean; RuleAction: 'allow' | 'deny'; Protocol: string; CidrBlock: string }) {
    ec2Mock
      .on(CreateNetworkAclEntryCommand, { NetworkAclId: 'acl-default', RuleNumber: 1, Egress: false })
      .rejectsOnce(awsError('NetworkAclEntryAlreadyExists'));
    const live = vpcAcls().find((a) => a.NetworkAclId === 'acl-default')!;
    ec2Mock.on(DescribeNetworkAclsCommand, { Filters: [{ Name: 'network-acl-id', Values: ['acl-default'] }] }).resolves({
      NetworkAcls: [{ ...live, Entries: [extra, ...(live.Entries ?? [])] }],
    });
  }

  test('a rule number taken since the plan: picks the next free one from live state', async () => {
    ec2Mock.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [fargateEni] });
    const plan = await planIsolation(clients, fargate);
    const onlyDefault = { ...plan, acls: plan.acls.filter((a) => a.networkAclId === 'acl-default') };
    takenSincePlan({ RuleNumber: 1, Egress: false, RuleAction: 'deny', Protocol: '-1', CidrBlock: '198.51.100.1/32' });
    const r = await executeIsolation(clients, onlyDefault);
    assert.deepEqual(
      ec2Mock.commandCalls(CreateNetworkAclEntryCommand).map((c) => [c.args[0].input.RuleNumber, c.args[0].input.Egress]),
      [
        [1, false],
        [2, false],
        [1, true],
      ],
    );
    assert.deepEqual(
      r.record.aclEntries.map((e) => [e.ruleNumber, e.egress]),
      [
        [2, false],
        [1, true],
      ],
    );
    assert.deepEqual(r.failures, []);
  });

  test('a rule number taken by a new allow rule: no deny can go first any more, reported', async () => {
    ec2Mock.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [fargateEni] });
    const plan = await planIsolation(clients, fargate);
    const onlyDefault = { ...plan, acls: plan.acls.filter((a) => a.networkAclId === 'acl-default') };
    takenSincePlan({ RuleNumber: 1, Egress: false, RuleAction: 'allow', Protocol: '6', CidrBlock: '10.0.0.0/8' });
    const r = await executeIsolation(clients, onlyDefault);
    assert.equal(r.failures.length, 1);
    assert.deepEqual(
      r.record.aclEntries.map((e) => [e.ruleNumber, e.egress]),
      [[1, true]],
    );
    assert.ok(r.notCut.some((l) => l.includes('is only partly cut')));
  });

  test('nothing could be cut: says so', async () => {
    ec2Mock.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [fargateEni] });
    ec2Mock.on(CreateNetworkAclEntryCommand).rejects(awsError('UnauthorizedOperation'));
    const plan = await planIsolation(clients, fargate);
    const r = await executeIsolation(clients, plan);
    assert.equal(r.nothingCut, true);
    assert.equal(r.notCut[0], 'Nothing was cut.');
    assert.deepEqual(r.record.aclEntries, []);
    assert.equal(r.failures.length, 4);
  });
});
