import { beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mockClient } from 'aws-sdk-client-mock';
import {
  AssociateIamInstanceProfileCommand,
  DescribeIamInstanceProfileAssociationsCommand,
  DisassociateIamInstanceProfileCommand,
  EC2Client,
  type IamInstanceProfileAssociation,
} from '@aws-sdk/client-ec2';
import {
  findInstanceProfileAssociation,
  instanceProfileName,
  restoreInstanceProfile,
  revokeInstanceProfile,
  revokeSessionsAdvice,
} from '../../../src/aws/ec2/instance-profile.js';
import { eksClusterOfInstance, instanceArn } from '../../../src/aws/ec2/instance.js';
import { isAppError } from '../../../src/errors.js';
import { ACCOUNT, awsError, meta, REGION } from '../helpers.js';

const ec2Mock = mockClient(EC2Client);
const clients = { ec2: new EC2Client({ region: REGION }) };
const PROFILE = `arn:aws:iam::${ACCOUNT}:instance-profile/app/web-profile`;
const assoc = (id: string, state: NonNullable<IamInstanceProfileAssociation['State']>, arn = PROFILE): IamInstanceProfileAssociation => ({
  AssociationId: id,
  InstanceId: 'i-0abc',
  IamInstanceProfile: { Arn: arn, Id: 'AIPAEXAMPLE' },
  State: state,
});

beforeEach(() => ec2Mock.reset());

describe('instance profile association', () => {
  test('paged lookup by instance-id filter; ignores disassociated associations', async () => {
    ec2Mock
      .on(DescribeIamInstanceProfileAssociationsCommand)
      .resolvesOnce({ ...meta('r-p1'), IamInstanceProfileAssociations: [assoc('iip-assoc-old', 'disassociated')], NextToken: 't2' })
      .resolvesOnce({ ...meta('r-p2'), IamInstanceProfileAssociations: [assoc('iip-assoc-1', 'associated')] });
    const ids: string[] = [];
    const a = await findInstanceProfileAssociation(clients, 'i-0abc', ids);
    assert.deepEqual(
      ec2Mock.commandCalls(DescribeIamInstanceProfileAssociationsCommand).map((c) => c.args[0].input),
      [{ Filters: [{ Name: 'instance-id', Values: ['i-0abc'] }] }, { Filters: [{ Name: 'instance-id', Values: ['i-0abc'] }], NextToken: 't2' }],
    );
    assert.equal(a?.associationId, 'iip-assoc-1');
    assert.deepEqual(ids, ['r-p1', 'r-p2']);
  });

  test('revoke: DisassociateIamInstanceProfile by association id, record the profile ARN, offer the TokenIssueTime policy', async () => {
    ec2Mock.on(DescribeIamInstanceProfileAssociationsCommand).resolves({ IamInstanceProfileAssociations: [assoc('iip-assoc-1', 'associated')] });
    ec2Mock.on(DisassociateIamInstanceProfileCommand).resolves({ ...meta('r-dis'), IamInstanceProfileAssociation: assoc('iip-assoc-1', 'disassociating') });
    const r = await revokeInstanceProfile(clients, 'i-0abc', { now: () => new Date('2025-05-01T10:00:00.123Z') });
    assert.deepEqual(ec2Mock.commandCalls(DisassociateIamInstanceProfileCommand)[0]!.args[0].input, { AssociationId: 'iip-assoc-1' });
    assert.deepEqual(r.record, {
      version: 1,
      instanceId: 'i-0abc',
      instanceProfileArn: PROFILE,
      associationId: 'iip-assoc-1',
      removedAt: '2025-05-01T10:00:00.123Z',
    });
    assert.equal(r.state, 'disassociating');
    assert.ok(r.requestIds.includes('r-dis'));
    assert.match(r.notes.join(' '), /stay valid until they expire/);
    assert.match(r.notes.join(' '), /web-profile/);
  });

  test('revoke on an instance without a profile changes nothing', async () => {
    ec2Mock.on(DescribeIamInstanceProfileAssociationsCommand).resolves({ IamInstanceProfileAssociations: [] });
    const r = await revokeInstanceProfile(clients, 'i-0abc');
    assert.equal(r.record, undefined);
    assert.equal(ec2Mock.commandCalls(DisassociateIamInstanceProfileCommand).length, 0);
  });

  test('AccessDenied on DisassociateIamInstanceProfile names the permission', async () => {
    ec2Mock.on(DescribeIamInstanceProfileAssociationsCommand).resolves({ IamInstanceProfileAssociations: [assoc('iip-assoc-1', 'associated')] });
    ec2Mock
      .on(DisassociateIamInstanceProfileCommand)
      .rejects(awsError('UnauthorizedOperation', 'You are not authorized to perform this operation.', 'r-x', 403));
    await assert.rejects(
      revokeInstanceProfile(clients, 'i-0abc'),
      (e: unknown) => isAppError(e, 'aws_access_denied') && /Add ec2:DisassociateIamInstanceProfile to its policy/.test(e.message),
    );
  });

  test('restore: AssociateIamInstanceProfile with the recorded ARN; leaves another profile alone', async () => {
    const record = { version: 1 as const, instanceId: 'i-0abc', instanceProfileArn: PROFILE, associationId: 'iip-assoc-1', removedAt: 'x' };
    ec2Mock.on(DescribeIamInstanceProfileAssociationsCommand).resolves({ IamInstanceProfileAssociations: [] });
    ec2Mock.on(AssociateIamInstanceProfileCommand).resolves({ ...meta('r-as'), IamInstanceProfileAssociation: assoc('iip-assoc-2', 'associating') });
    const r = await restoreInstanceProfile(clients, record);
    assert.deepEqual(ec2Mock.commandCalls(AssociateIamInstanceProfileCommand)[0]!.args[0].input, {
      InstanceId: 'i-0abc',
      IamInstanceProfile: { Arn: PROFILE },
    });
    assert.equal(r.status, 'associated');
    assert.equal(r.associationId, 'iip-assoc-2');

    ec2Mock.reset();
    ec2Mock
      .on(DescribeIamInstanceProfileAssociationsCommand)
      .resolves({ IamInstanceProfileAssociations: [assoc('iip-assoc-9', 'associated', `arn:aws:iam::${ACCOUNT}:instance-profile/other`)] });
    const other = await restoreInstanceProfile(clients, record);
    assert.equal(other.status, 'other-profile-present');
    assert.equal(ec2Mock.commandCalls(AssociateIamInstanceProfileCommand).length, 0);
  });

  test('restore refused for iam:PassRole says iam:PassRole, not the EC2 action', async () => {
    ec2Mock.on(DescribeIamInstanceProfileAssociationsCommand).resolves({ IamInstanceProfileAssociations: [] });
    ec2Mock
      .on(AssociateIamInstanceProfileCommand)
      .rejects(
        awsError(
          'UnauthorizedOperation',
          `You are not authorized to perform this operation. User: arn:aws:sts::${ACCOUNT}:assumed-role/R/s is not authorized to perform: iam:PassRole on resource: arn:aws:iam::${ACCOUNT}:role/web`,
          'r-p',
          403,
        ),
      );
    await assert.rejects(
      restoreInstanceProfile(clients, { version: 1, instanceId: 'i-0abc', instanceProfileArn: PROFILE, associationId: 'a', removedAt: 'x' }),
      (e: unknown) => isAppError(e, 'aws_access_denied') && /Add iam:PassRole/.test(e.message) && e.context.action === 'iam:PassRole',
    );
  });

  test('revoke-sessions advice: a Deny-all with aws:TokenIssueTime, to the second', () => {
    const a = revokeSessionsAdvice({ instanceProfileArn: PROFILE, issuedBefore: new Date('2025-05-01T10:00:00.999Z') });
    assert.deepEqual(JSON.parse(a.policy), {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Deny', Action: '*', Resource: '*', Condition: { DateLessThan: { 'aws:TokenIssueTime': '2025-05-01T10:00:00Z' } } }],
    });
    assert.match(a.text, /other instances that use the same role/);
    assert.equal(instanceProfileName(PROFILE), 'web-profile');
  });
});

describe('instance helpers', () => {
  test('EKS cluster from tags, in order of reliability', () => {
    assert.deepEqual(eksClusterOfInstance({ 'eks:cluster-name': 'prod', 'eks:nodegroup-name': 'ng-1', 'kubernetes.io/cluster/prod': 'owned' }), {
      clusterName: 'prod',
      source: 'eks:cluster-name',
      nodegroupName: 'ng-1',
    });
    assert.deepEqual(eksClusterOfInstance({ 'aws:eks:cluster-name': 'auto' }), { clusterName: 'auto', source: 'aws:eks:cluster-name' });
    assert.deepEqual(eksClusterOfInstance({ 'kubernetes.io/cluster/a': 'shared', 'kubernetes.io/cluster/b': 'owned' }), {
      clusterName: 'b',
      source: 'kubernetes.io/cluster/b',
    });
    assert.equal(eksClusterOfInstance({ Name: 'web' }), undefined);
    assert.equal(eksClusterOfInstance({ 'kubernetes.io/cluster/': 'owned' }), undefined);
  });

  test('instance ARN per partition', () => {
    assert.equal(instanceArn({ region: 'eu-west-1', accountId: ACCOUNT, instanceId: 'i-0abc' }), `arn:aws:ec2:eu-west-1:${ACCOUNT}:instance/i-0abc`);
    assert.equal(instanceArn({ region: 'cn-north-1', accountId: ACCOUNT, instanceId: 'i-0abc' }), `arn:aws-cn:ec2:cn-north-1:${ACCOUNT}:instance/i-0abc`);
    assert.equal(
      instanceArn({ region: 'us-gov-west-1', accountId: ACCOUNT, instanceId: 'i-0abc' }),
      `arn:aws-us-gov:ec2:us-gov-west-1:${ACCOUNT}:instance/i-0abc`,
    );
  });
});
