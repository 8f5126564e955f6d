import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AttachInstancesCommand,
  DescribeAutoScalingInstancesCommand,
  DetachInstancesCommand,
  SetInstanceProtectionCommand,
} from '@aws-sdk/client-auto-scaling';
import {
  DeregisterTargetsCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  paginateDescribeTargetGroups,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { startAwsDouble } from '../doubles/aws/index.js';
import { clients, rejectsWith } from './helpers.js';

function manualClock(start = Date.parse('2026-11-28T10:00:00Z')) {
  let t = start;
  return {
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
  };
}

test('Auto Scaling (awsQuery): describe membership, protect, detach without decrement (replacement + deregistration), attach back', async () => {
  const aws = await startAwsDouble();
  try {
    const s = aws.seed.instance({ asg: { name: 'web-asg', maxSize: 2 }, targetGroups: ['web-tg'] });
    const { autoscaling, elbv2 } = clients(aws);
    const d = await autoscaling.send(new DescribeAutoScalingInstancesCommand({ InstanceIds: [s.instanceId, 'i-0000000000000dead'] }));
    assert.deepEqual(
      d.AutoScalingInstances?.map((i) => [i.InstanceId, i.AutoScalingGroupName, i.LifecycleState, i.HealthStatus, i.ProtectedFromScaleIn]),
      [[s.instanceId, 'web-asg', 'InService', 'HEALTHY', false]],
      'an instance in no group is simply absent',
    );
    assert.ok(d.$metadata.requestId, 'request id reaches $metadata');

    await autoscaling.send(new SetInstanceProtectionCommand({ AutoScalingGroupName: 'web-asg', InstanceIds: [s.instanceId], ProtectedFromScaleIn: true }));
    assert.equal(aws.autoscaling.groups.get('web-asg')?.instances.get(s.instanceId)?.protectedFromScaleIn, true);

    const det = await autoscaling.send(
      new DetachInstancesCommand({ AutoScalingGroupName: 'web-asg', InstanceIds: [s.instanceId], ShouldDecrementDesiredCapacity: false }),
    );
    const activity = det.Activities?.[0];
    assert.match(activity?.ActivityId ?? '', /^[0-9a-f-]{36}$/);
    assert.equal(activity?.StatusCode, 'InProgress');
    assert.equal(activity?.Description, `Detaching EC2 instance: ${s.instanceId}`);
    assert.ok(activity?.StartTime instanceof Date);
    const group = aws.autoscaling.groups.get('web-asg')!;
    assert.equal(group.instances.has(s.instanceId), false);
    assert.equal(group.instances.size, 1, 'the group launched a replacement');
    assert.equal(group.desiredCapacity, 1);

    // Detaching deregistered it from the group's target group (draining), and registered the replacement.
    const health = await elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: s.targetGroupArns[0] }));
    const states = Object.fromEntries(health.TargetHealthDescriptions!.map((h) => [h.Target!.Id!, h.TargetHealth?.State]));
    assert.equal(states[s.instanceId], 'draining');
    assert.equal(Object.values(states).filter((x) => x === 'initial').length, 1);

    await rejectsWith(
      autoscaling.send(new SetInstanceProtectionCommand({ AutoScalingGroupName: 'web-asg', InstanceIds: [s.instanceId], ProtectedFromScaleIn: true })),
      'ValidationError',
    );
    await rejectsWith(
      autoscaling.send(new DetachInstancesCommand({ AutoScalingGroupName: 'nope', InstanceIds: [s.instanceId], ShouldDecrementDesiredCapacity: false })),
      'ValidationError',
    );

    // Attach back: desired 1 → 2 (max 2); a third would exceed max.
    await autoscaling.send(new AttachInstancesCommand({ AutoScalingGroupName: 'web-asg', InstanceIds: [s.instanceId] }));
    assert.equal(group.desiredCapacity, 2);
    const again = await elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: s.targetGroupArns[0], Targets: [{ Id: s.instanceId }] }));
    assert.equal(again.TargetHealthDescriptions?.[0]?.TargetHealth?.State, 'initial', 'the group registers it again');
    const extra = aws.seed.instance({});
    const max = await rejectsWith(
      autoscaling.send(new AttachInstancesCommand({ AutoScalingGroupName: 'web-asg', InstanceIds: [extra.instanceId] })),
      'ValidationError',
    );
    assert.match(max.message, /above max value 2/);

    aws.denyOperation('autoscaling:DetachInstances');
    const denied = await rejectsWith(
      autoscaling.send(new DetachInstancesCommand({ AutoScalingGroupName: 'web-asg', InstanceIds: [s.instanceId], ShouldDecrementDesiredCapacity: false })),
      'AccessDenied',
    );
    assert.equal(denied.$metadata.httpStatusCode, 403);
    assert.match(denied.message, /autoscaling:DetachInstances on resource: arn:aws:autoscaling:/);
    aws.allowOperation('autoscaling:DetachInstances');
    aws.failNext('autoscaling:DetachInstances', { code: 'ResourceContention', message: 'You already have a pending update', status: 500 });
    const contention = await rejectsWith(
      autoscaling.send(new DetachInstancesCommand({ AutoScalingGroupName: 'web-asg', InstanceIds: [s.instanceId], ShouldDecrementDesiredCapacity: false })),
      'ResourceContentionFault',
    );
    assert.equal(contention.$fault, 'server', 'the SDK maps the awsQuery code to its modelled exception');
  } finally {
    await aws.close();
  }
});

test('ELBv2 (awsQuery): paged DescribeTargetGroups, DescribeTargetHealth with ports, deregister needs the port override, drains on the injected clock', async () => {
  const clock = manualClock();
  const aws = await startAwsDouble({ now: clock.now });
  try {
    const s = aws.seed.instance({ targetGroups: [{ name: 'web', port: 80, extraPorts: [8443] }, 'api', 'metrics'] });
    for (let i = 0; i < 5; i++) aws.elbv2.addTargetGroup({ name: `other-${i}`, vpcId: s.vpcId });
    const { elbv2 } = clients(aws);

    const pages: number[] = [];
    for await (const page of paginateDescribeTargetGroups({ client: elbv2 }, { PageSize: 3 })) pages.push(page.TargetGroups?.length ?? 0);
    assert.deepEqual(pages, [3, 3, 2]);
    const one = await elbv2.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [s.targetGroupArns[0]!] }));
    const tg = one.TargetGroups?.[0];
    assert.deepEqual([tg?.TargetGroupName, tg?.Port, tg?.TargetType, tg?.VpcId, tg?.LoadBalancerArns?.length], ['web', 80, 'instance', s.vpcId, 1]);
    await rejectsWith(
      elbv2.send(new DescribeTargetGroupsCommand({ TargetGroupArns: ['arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/x/0'] })),
      'TargetGroupNotFoundException',
    );
    await rejectsWith(elbv2.send(new DescribeTargetGroupsCommand({ PageSize: 401 })), 'ValidationError');

    const web = s.targetGroupArns[0]!;
    const all = await elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: web }));
    assert.deepEqual(
      all.TargetHealthDescriptions?.map((h) => [h.Target?.Id, h.Target?.Port, h.TargetHealth?.State]),
      [
        [s.instanceId, 80, 'healthy'],
        [s.instanceId, 8443, 'healthy'],
      ],
    );
    const notThere = await elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: web, Targets: [{ Id: 'i-0000000000000dead' }] }));
    assert.deepEqual(
      [notThere.TargetHealthDescriptions?.[0]?.TargetHealth?.State, notThere.TargetHealthDescriptions?.[0]?.TargetHealth?.Reason],
      ['unused', 'Target.NotRegistered'],
    );

    // Without the port, only the default-port registration goes; the 8443 override stays.
    await elbv2.send(new DeregisterTargetsCommand({ TargetGroupArn: web, Targets: [{ Id: s.instanceId }] }));
    await elbv2.send(new DeregisterTargetsCommand({ TargetGroupArn: web, Targets: [{ Id: 'i-0000000000000dead' }] })); // unknown target: success
    let now = await elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: web }));
    assert.deepEqual(
      now.TargetHealthDescriptions?.map((h) => [h.Target?.Port, h.TargetHealth?.State, h.TargetHealth?.Reason]),
      [
        [80, 'draining', 'Target.DeregistrationInProgress'],
        [8443, 'healthy', undefined],
      ],
    );
    await elbv2.send(new DeregisterTargetsCommand({ TargetGroupArn: web, Targets: [{ Id: s.instanceId, Port: 8443 }] }));
    clock.advance(300_000);
    now = await elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: web }));
    assert.deepEqual(now.TargetHealthDescriptions, [], 'gone after the 300 s deregistration delay');

    await elbv2.send(
      new RegisterTargetsCommand({
        TargetGroupArn: web,
        Targets: [
          { Id: s.instanceId, Port: 80 },
          { Id: s.instanceId, Port: 8443 },
        ],
      }),
    );
    now = await elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: web }));
    assert.deepEqual(
      now.TargetHealthDescriptions?.map((h) => [h.Target?.Port, h.TargetHealth?.State]),
      [
        [80, 'initial'],
        [8443, 'initial'],
      ],
    );
    await rejectsWith(elbv2.send(new RegisterTargetsCommand({ TargetGroupArn: web, Targets: [{ Id: 'i-0000000000000dead' }] })), 'InvalidTargetException');

    aws.denyOperation('elasticloadbalancing:DeregisterTargets');
    const denied = await rejectsWith(
      elbv2.send(new DeregisterTargetsCommand({ TargetGroupArn: web, Targets: [{ Id: s.instanceId, Port: 80 }] })),
      'AccessDenied',
    );
    assert.match(denied.message, new RegExp(`elasticloadbalancing:DeregisterTargets on resource: ${web.replace(/[/.]/g, '\\$&')}`));
    aws.setLimits({ 'elasticloadbalancing:describe': { burst: 1, perSecond: 1, ops: ['DescribeTargetHealth'] } });
    await elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: web }));
    const throttled = await rejectsWith(elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: web })), 'Throttling');
    assert.equal(throttled.$metadata.httpStatusCode, 400);
  } finally {
    await aws.close();
  }
});
