import { beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mockClient } from 'aws-sdk-client-mock';
import {
  DeleteNetworkAclEntryCommand,
  DescribeNetworkAclsCommand,
  DescribeNetworkInterfacesCommand,
  EC2Client,
  ModifyNetworkInterfaceAttributeCommand,
} from '@aws-sdk/client-ec2';
import { releaseIsolation } from '../../../src/aws/ec2/release.js';
import type { IsolationRecord } from '../../../src/aws/ec2/types.js';
import { awsError, meta } from '../helpers.js';
import { allow, deny } from './fixtures.js';

const ec2Mock = mockClient(EC2Client);
const clients = { ec2: new EC2Client({ region: 'eu-west-1' }) };

const entry = (networkAclId: string, ruleNumber: number, egress: boolean, cidr = '10.0.1.20/32') =>
  ({ networkAclId, ruleNumber, egress, cidr, family: 'ipv4', protocol: '-1', ruleAction: 'deny' }) as const;

const record: IsolationRecord = {
  version: 1,
  createdAt: '2025-03-01T12:00:00.000Z',
  target: { kind: 'instance', instanceId: 'i-0abc' },
  vpcIds: ['vpc-1'],
  isolationGroupId: 'sg-iso',
  enis: [
    { eniId: 'eni-i0', previousGroupIds: ['sg-node', 'sg-ssh'], appliedGroupIds: ['sg-iso'] },
    { eniId: 'eni-i1', previousGroupIds: ['sg-node'], appliedGroupIds: ['sg-iso'] },
    { eniId: 'eni-gone', previousGroupIds: ['sg-x'], appliedGroupIds: ['sg-iso'] },
  ],
  aclEntries: [entry('acl-a', 1, false), entry('acl-a', 1, true), entry('acl-b', 2, false), entry('acl-b', 3, true), entry('acl-gone', 1, false)],
};

beforeEach(() => {
  ec2Mock.reset();
  ec2Mock.on(ModifyNetworkInterfaceAttributeCommand).resolves(meta('r-mod'));
  ec2Mock.on(DeleteNetworkAclEntryCommand).resolves(meta('r-del'));
});

describe('releaseIsolation', () => {
  test('restores exactly the recorded groups and deletes exactly our entries; leaves changed ones alone', async () => {
    ec2Mock.on(DescribeNetworkInterfacesCommand).resolves({
      NetworkInterfaces: [
        { NetworkInterfaceId: 'eni-i0', Groups: [{ GroupId: 'sg-iso' }] },
        { NetworkInterfaceId: 'eni-i1', Groups: [{ GroupId: 'sg-other' }] }, // changed by someone since
      ],
    });
    ec2Mock.on(DescribeNetworkAclsCommand).resolves({
      NetworkAcls: [
        { NetworkAclId: 'acl-a', Entries: [deny(1, false, '10.0.1.20/32'), deny(1, true, '10.0.1.20/32'), allow(100, false), allow(100, true)] },
        // rule 2 inbound is now someone else's entry; rule 3 outbound was already removed.
        { NetworkAclId: 'acl-b', Entries: [deny(2, false, '203.0.113.7/32'), allow(100, false), allow(100, true)] },
      ],
    });

    const r = await releaseIsolation(clients, record);

    assert.deepEqual(ec2Mock.commandCalls(DescribeNetworkInterfacesCommand)[0]!.args[0].input, {
      Filters: [{ Name: 'network-interface-id', Values: ['eni-i0', 'eni-i1', 'eni-gone'] }],
    });
    assert.deepEqual(ec2Mock.commandCalls(DescribeNetworkAclsCommand)[0]!.args[0].input, {
      Filters: [{ Name: 'network-acl-id', Values: ['acl-a', 'acl-b', 'acl-gone'] }],
    });
    assert.deepEqual(
      ec2Mock.commandCalls(ModifyNetworkInterfaceAttributeCommand).map((c) => c.args[0].input),
      [{ NetworkInterfaceId: 'eni-i0', Groups: ['sg-node', 'sg-ssh'] }],
    );
    assert.deepEqual(
      ec2Mock.commandCalls(DeleteNetworkAclEntryCommand).map((c) => c.args[0].input),
      [
        { NetworkAclId: 'acl-a', RuleNumber: 1, Egress: false },
        { NetworkAclId: 'acl-a', RuleNumber: 1, Egress: true },
      ],
    );
    assert.deepEqual(r.restored, [
      'Security groups of eni-i0 restored to sg-node, sg-ssh.',
      'Removed rule 1 (inbound deny 10.0.1.20/32) of acl-a.',
      'Removed rule 1 (outbound deny 10.0.1.20/32) of acl-a.',
    ]);
    assert.deepEqual(r.notRestored, [
      'Security groups of eni-i1: they were changed since isolation (now sg-other), so they were left as they are; previous groups were sg-node.',
      'Rule 2 of acl-b is no longer our deny entry for 10.0.1.20/32 (now deny 203.0.113.7/32): left as it is.',
    ]);
    assert.deepEqual(r.alreadyGone, [
      'eni-gone no longer exists: no security groups to restore.',
      'Rule 3 (outbound deny 10.0.1.20/32) of acl-b was already removed.',
      'Network ACL acl-gone no longer exists: rule 1 (inbound deny 10.0.1.20/32) of acl-gone is gone with it.',
    ]);
    assert.equal(r.complete, false);
    assert.deepEqual(r.requestIds, ['r-mod', 'r-del', 'r-del']);
  });

  test('a failed delete is reported and the rest continue', async () => {
    ec2Mock.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [] });
    ec2Mock.on(DescribeNetworkAclsCommand).resolves({
      NetworkAcls: [{ NetworkAclId: 'acl-a', Entries: [deny(1, false, '10.0.1.20/32'), deny(1, true, '10.0.1.20/32')] }],
    });
    ec2Mock.on(DeleteNetworkAclEntryCommand, { Egress: false }).rejects(awsError('UnauthorizedOperation'));
    const r = await releaseIsolation(clients, { ...record, enis: [], aclEntries: [entry('acl-a', 1, false), entry('acl-a', 1, true)] });
    assert.equal(ec2Mock.commandCalls(DeleteNetworkAclEntryCommand).length, 2);
    assert.deepEqual(r.restored, ['Removed rule 1 (outbound deny 10.0.1.20/32) of acl-a.']);
    assert.equal(r.failures[0]!.code, 'aws_access_denied');
    assert.match(r.notRestored[0]!, /Add ec2:DeleteNetworkAclEntry to its policy/);
  });

  test('everything undone → complete', async () => {
    ec2Mock.on(DescribeNetworkAclsCommand).resolves({ NetworkAcls: [{ NetworkAclId: 'acl-a', Entries: [deny(1, false, '10.0.1.20/32')] }] });
    const r = await releaseIsolation(clients, { ...record, enis: [], aclEntries: [entry('acl-a', 1, false)] });
    assert.equal(r.complete, true);
    assert.equal(ec2Mock.commandCalls(DescribeNetworkInterfacesCommand).length, 0);
  });
});
