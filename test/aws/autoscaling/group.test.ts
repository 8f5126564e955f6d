import { beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mockClient } from 'aws-sdk-client-mock';
import {
  AttachInstancesCommand,
  AutoScalingClient,
  DescribeAutoScalingInstancesCommand,
  DetachInstancesCommand,
  SetInstanceProtectionCommand,
} from '@aws-sdk/client-auto-scaling';
import { findAutoScalingGroup, protectAndDetach, reattach } from '../../../src/aws/autoscaling/index.js';
import { awsError, meta, REGION } from '../helpers.js';

const asMock = mockClient(AutoScalingClient);
const clients = { autoscaling: new AutoScalingClient({ region: REGION }) };
const NOW = () => new Date('2025-05-01T10:00:00Z');

beforeEach(() => asMock.reset());

describe('findAutoScalingGroup', () => {
  test('DescribeAutoScalingInstances by id; undefined when not in a group', async () => {
    asMock.on(DescribeAutoScalingInstancesCommand).resolvesOnce({
      ...meta('r-d'),
      AutoScalingInstances: [
        {
          InstanceId: 'i-0abc',
          AutoScalingGroupName: 'web-asg',
          AvailabilityZone: 'eu-west-1a',
          LifecycleState: 'InService',
          HealthStatus: 'HEALTHY',
          ProtectedFromScaleIn: false,
        },
      ],
    });
    const m = await findAutoScalingGroup(clients, 'i-0abc');
    assert.deepEqual(asMock.commandCalls(DescribeAutoScalingInstancesCommand)[0]!.args[0].input, { InstanceIds: ['i-0abc'] });
    assert.deepEqual(m, {
      groupName: 'web-asg',
      instanceId: 'i-0abc',
      lifecycleState: 'InService',
      healthStatus: 'HEALTHY',
      protectedFromScaleIn: false,
      availabilityZone: 'eu-west-1a',
      requestIds: ['r-d'],
    });
    asMock.on(DescribeAutoScalingInstancesCommand).resolves({ AutoScalingInstances: [] });
    assert.equal(await findAutoScalingGroup(clients, 'i-0abc'), undefined);
  });
});

describe('protectAndDetach', () => {
  test('SetInstanceProtection(true) then DetachInstances(ShouldDecrementDesiredCapacity=false); recorded for release', async () => {
    asMock.on(SetInstanceProtectionCommand).resolves(meta('r-p'));
    asMock.on(DetachInstancesCommand).resolves({
      ...meta('r-det'),
      Activities: [
        {
          ActivityId: 'act-1',
          AutoScalingGroupName: 'web-asg',
          Cause: 'detached by user request',
          StartTime: new Date(),
          StatusCode: 'InProgress',
          Description: 'Detaching EC2 instance: i-0abc',
        },
      ],
    });
    const r = await protectAndDetach(
      clients,
      { group: { groupName: 'web-asg', protectedFromScaleIn: false, availabilityZone: 'eu-west-1a' }, instanceId: 'i-0abc' },
      { now: NOW },
    );
    assert.deepEqual(asMock.commandCalls(SetInstanceProtectionCommand)[0]!.args[0].input, {
      AutoScalingGroupName: 'web-asg',
      InstanceIds: ['i-0abc'],
      ProtectedFromScaleIn: true,
    });
    assert.deepEqual(asMock.commandCalls(DetachInstancesCommand)[0]!.args[0].input, {
      AutoScalingGroupName: 'web-asg',
      InstanceIds: ['i-0abc'],
      ShouldDecrementDesiredCapacity: false,
    });
    assert.deepEqual(
      asMock.calls().map((c) => c.args[0].constructor.name),
      ['SetInstanceProtectionCommand', 'DetachInstancesCommand'],
    );
    assert.equal(r.detached, true);
    assert.deepEqual(r.record, {
      version: 1,
      groupName: 'web-asg',
      instanceId: 'i-0abc',
      availabilityZone: 'eu-west-1a',
      wasProtectedFromScaleIn: false,
      detachedAt: '2025-05-01T10:00:00.000Z',
      decrementedDesiredCapacity: false,
      activityId: 'act-1',
    });
    assert.deepEqual(r.requestIds, ['r-p', 'r-det']);
    assert.match(r.notes.join(' '), /launches a replacement/);
    assert.match(r.notes.join(' '), /deregisters it from the group's load balancer target groups/);
  });

  test('refused protection still detaches; refused detach says what that leaves (health checks still replace it)', async () => {
    asMock.on(SetInstanceProtectionCommand).rejects(awsError('AccessDenied', 'User is not authorized', 'r-ad', 403));
    asMock.on(DetachInstancesCommand).resolves({ Activities: [] });
    const a = await protectAndDetach(clients, { group: 'web-asg', instanceId: 'i-0abc' });
    assert.equal(a.detached, true);
    assert.equal(a.protectedFromScaleIn, false);
    assert.equal(a.failures[0]?.code, 'aws_access_denied');
    assert.match(a.failures[0]!.message, /Add autoscaling:SetInstanceProtection to its policy/);

    asMock.reset();
    asMock.on(SetInstanceProtectionCommand).resolves({});
    asMock.on(DetachInstancesCommand).rejects(awsError('ResourceContention', 'You already have a pending update to an Auto Scaling resource', 'r-rc', 500));
    const b = await protectAndDetach(clients, { group: 'web-asg', instanceId: 'i-0abc' });
    assert.equal(b.detached, false);
    assert.equal(b.record, undefined);
    assert.equal(b.protectedFromScaleIn, true);
    assert.deepEqual(
      b.failures.map((f) => f.step),
      ['autoscaling:DetachInstances'],
    );
    assert.match(b.notes.join(' '), /still replaces \(terminates\) it if it fails a health check/);
  });
});

describe('reattach', () => {
  const record = {
    version: 1 as const,
    groupName: 'web-asg',
    instanceId: 'i-0abc',
    wasProtectedFromScaleIn: true,
    detachedAt: 'x',
    decrementedDesiredCapacity: false as const,
  };

  test('AttachInstances with the recorded group; says it is not an exact undo', async () => {
    asMock.on(AttachInstancesCommand).resolves(meta('r-a'));
    const r = await reattach(clients, record);
    assert.deepEqual(asMock.commandCalls(AttachInstancesCommand)[0]!.args[0].input, { AutoScalingGroupName: 'web-asg', InstanceIds: ['i-0abc'] });
    assert.equal(r.attached, true);
    assert.match(r.notes.join(' '), /desired capacity went up by one/);
    assert.match(r.notes.join(' '), /it was on before/);
  });

  test('max size reached: ValidationError reported with what AttachInstances needs', async () => {
    asMock.on(AttachInstancesCommand).rejects(awsError('ValidationError', 'Desired capacity:3 must be between the specified min size:1 and max size:2'));
    const r = await reattach(clients, record);
    assert.equal(r.attached, false);
    assert.match(r.failures[0]!.message, /max size:2/);
    assert.match(r.notes.join(' '), /room under the group's maximum size/);
  });
});
