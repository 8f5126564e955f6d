import { beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mockClient } from 'aws-sdk-client-mock';
import {
  DeregisterTargetsCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  RegisterTargetsCommand,
  type TargetGroup,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { deregister, findTargetGroupsForInstance, reregister, type Registration } from '../../../src/aws/elbv2/targets.js';
import { ELBV2_DESCRIBE_LIMIT, elbv2OperationGroup } from '../../../src/aws/elbv2/rate-limit.js';
import { ACCOUNT, awsError, meta, REGION } from '../helpers.js';

const elbMock = mockClient(ElasticLoadBalancingV2Client);
const clients = { elbv2: new ElasticLoadBalancingV2Client({ region: REGION }) };
const tgArn = (name: string) => `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:targetgroup/${name}/0123456789abcdef`;
const tg = (name: string, over: Partial<TargetGroup> = {}): TargetGroup => ({
  TargetGroupArn: tgArn(name),
  TargetGroupName: name,
  TargetType: 'instance',
  Port: 80,
  VpcId: 'vpc-1',
  LoadBalancerArns: [`arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:loadbalancer/app/web/1`],
  ...over,
});

beforeEach(() => elbMock.reset());

describe('findTargetGroupsForInstance', () => {
  test('pages DescribeTargetGroups (400), one DescribeTargetHealth per candidate group, no Targets filter, every port kept', async () => {
    elbMock
      .on(DescribeTargetGroupsCommand)
      .resolvesOnce({
        ...meta('r-g1'),
        TargetGroups: [tg('web'), tg('lambda', { TargetType: 'lambda' }), tg('other-vpc', { VpcId: 'vpc-2' })],
        NextMarker: 'm2',
      })
      .resolvesOnce({ ...meta('r-g2'), TargetGroups: [tg('api', { Port: 8080 }), tg('by-ip', { TargetType: 'ip' })] });
    elbMock.on(DescribeTargetHealthCommand, { TargetGroupArn: tgArn('web') }).resolves({
      TargetHealthDescriptions: [
        { Target: { Id: 'i-0abc', Port: 80 }, TargetHealth: { State: 'healthy' } },
        { Target: { Id: 'i-0abc', Port: 8443 }, TargetHealth: { State: 'healthy' } },
        { Target: { Id: 'i-other', Port: 80 }, TargetHealth: { State: 'healthy' } },
      ],
    });
    elbMock.on(DescribeTargetHealthCommand, { TargetGroupArn: tgArn('api') }).resolves({
      TargetHealthDescriptions: [{ Target: { Id: 'i-0abc', Port: 8080 }, TargetHealth: { State: 'draining', Reason: 'Target.DeregistrationInProgress' } }],
    });
    elbMock.on(DescribeTargetHealthCommand, { TargetGroupArn: tgArn('by-ip') }).resolves({
      TargetHealthDescriptions: [{ Target: { Id: '10.0.1.20', Port: 443, AvailabilityZone: 'all' }, TargetHealth: { State: 'healthy' } }],
    });

    const r = await findTargetGroupsForInstance(clients, 'i-0abc', { vpcId: 'vpc-1', ips: ['10.0.1.20'], concurrency: 2 });
    assert.deepEqual(
      elbMock.commandCalls(DescribeTargetGroupsCommand).map((c) => c.args[0].input),
      [{ PageSize: 400 }, { PageSize: 400, Marker: 'm2' }],
    );
    assert.deepEqual(
      elbMock
        .commandCalls(DescribeTargetHealthCommand)
        .map((c) => c.args[0].input)
        .sort((a, b) => a.TargetGroupArn!.localeCompare(b.TargetGroupArn!)),
      [{ TargetGroupArn: tgArn('api') }, { TargetGroupArn: tgArn('by-ip') }, { TargetGroupArn: tgArn('web') }],
      'lambda groups and groups of other VPCs are never described',
    );
    assert.equal(r.calls, 5);
    assert.equal(r.targetGroupsScanned, 3);
    assert.deepEqual(
      r.registrations.map((x) => [x.targetGroupName, x.id, x.port, x.state, x.availabilityZone]),
      [
        ['web', 'i-0abc', 80, 'healthy', undefined],
        ['web', 'i-0abc', 8443, 'healthy', undefined],
        ['api', 'i-0abc', 8080, 'draining', undefined],
        ['by-ip', '10.0.1.20', 443, 'healthy', 'all'],
      ],
    );
  });

  test('a group deleted meanwhile is skipped; a refused DescribeTargetHealth is a failure naming the permission, the rest still found', async () => {
    elbMock.on(DescribeTargetGroupsCommand).resolves({ TargetGroups: [tg('gone'), tg('denied'), tg('web')] });
    elbMock
      .on(DescribeTargetHealthCommand, { TargetGroupArn: tgArn('gone') })
      .rejects(awsError('TargetGroupNotFoundException', 'One or more target groups not found'));
    elbMock.on(DescribeTargetHealthCommand, { TargetGroupArn: tgArn('denied') }).rejects(awsError('AccessDenied', 'not authorized', 'r-ad', 403));
    elbMock.on(DescribeTargetHealthCommand, { TargetGroupArn: tgArn('web') }).resolves({ TargetHealthDescriptions: [{ Target: { Id: 'i-0abc', Port: 80 } }] });
    const r = await findTargetGroupsForInstance(clients, 'i-0abc');
    assert.deepEqual(
      r.registrations.map((x) => x.targetGroupName),
      ['web'],
    );
    assert.equal(r.failures.length, 1);
    assert.match(r.failures[0]!.message, /Add elasticloadbalancing:DescribeTargetHealth to its policy/);
  });
});

describe('deregister / reregister', () => {
  const regs: Registration[] = [
    { targetGroupArn: tgArn('web'), targetGroupName: 'web', targetType: 'instance', id: 'i-0abc', port: 80, loadBalancerArns: [] },
    { targetGroupArn: tgArn('web'), targetGroupName: 'web', targetType: 'instance', id: 'i-0abc', port: 8443, loadBalancerArns: [] },
    { targetGroupArn: tgArn('by-ip'), targetGroupName: 'by-ip', targetType: 'ip', id: '10.0.1.20', port: 443, availabilityZone: 'all', loadBalancerArns: [] },
  ];

  test('one DeregisterTargets per group with the exact ports; partial failure keeps the rest', async () => {
    elbMock.on(DeregisterTargetsCommand, { TargetGroupArn: tgArn('web') }).resolves(meta('r-dw'));
    elbMock.on(DeregisterTargetsCommand, { TargetGroupArn: tgArn('by-ip') }).rejects(awsError('AccessDenied', 'not authorized', 'r-ad', 403));
    const r = await deregister(clients, regs);
    assert.deepEqual(
      elbMock.commandCalls(DeregisterTargetsCommand).map((c) => c.args[0].input),
      [
        {
          TargetGroupArn: tgArn('web'),
          Targets: [
            { Id: 'i-0abc', Port: 80 },
            { Id: 'i-0abc', Port: 8443 },
          ],
        },
        { TargetGroupArn: tgArn('by-ip'), Targets: [{ Id: '10.0.1.20', Port: 443 }] },
      ],
    );
    assert.equal(r.done.length, 2);
    assert.match(r.failures[0]!.message, /not allowed to call elasticloadbalancing:DeregisterTargets/);
    assert.equal(r.failures[0]!.requestId, 'r-ad');
    assert.match(r.notes.join(' '), /deregistration delay/);
  });

  test('RegisterTargets with the recorded ports and AZ "all" for IP targets outside the VPC', async () => {
    elbMock.on(RegisterTargetsCommand).resolves(meta('r-r'));
    const r = await reregister(clients, regs);
    assert.deepEqual(
      elbMock.commandCalls(RegisterTargetsCommand).map((c) => c.args[0].input),
      [
        {
          TargetGroupArn: tgArn('web'),
          Targets: [
            { Id: 'i-0abc', Port: 80 },
            { Id: 'i-0abc', Port: 8443 },
          ],
        },
        { TargetGroupArn: tgArn('by-ip'), Targets: [{ Id: '10.0.1.20', Port: 443, AvailabilityZone: 'all' }] },
      ],
    );
    assert.equal(r.done.length, 3);
    assert.deepEqual(r.requestIds, ['r-r', 'r-r']);
  });
});

describe('ELBv2 Describe bucket', () => {
  test('40 tokens at 10/s, Describe* only', () => {
    assert.deepEqual(ELBV2_DESCRIBE_LIMIT, { burst: 40, perSecond: 10 });
    assert.equal(elbv2OperationGroup('DescribeTargetHealth'), 'elbv2:describe');
    assert.equal(elbv2OperationGroup('RegisterTargets'), undefined);
  });
});
