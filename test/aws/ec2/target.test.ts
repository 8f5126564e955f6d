import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isolationTargetForTask } from '../../../src/aws/ec2/target.js';
import type { TaskContext } from '../../../src/aws/ecs/task-context.js';
import { isAppError } from '../../../src/errors.js';

const base: TaskContext = {
  clusterArn: 'arn:aws:ecs:eu-west-1:123456789012:cluster/prod',
  taskArn: 'arn:aws:ecs:eu-west-1:123456789012:task/prod/abc',
  taskDefinitionArn: 'arn:aws:ecs:eu-west-1:123456789012:task-definition/web:1',
  networkMode: 'awsvpc',
  privateIps: ['10.0.1.5'],
  ipv6Addresses: [],
  containers: [],
  tags: {},
  requestIds: [],
};

describe('isolationTargetForTask', () => {
  test('awsvpc: the task ENI', () => {
    assert.deepEqual(isolationTargetForTask({ ...base, eniId: 'eni-1', subnetId: 'subnet-1' }), {
      kind: 'awsvpc-task',
      eniId: 'eni-1',
      ips: ['10.0.1.5'],
      subnetId: 'subnet-1',
      taskArn: base.taskArn,
      clusterArn: base.clusterArn,
    });
  });

  test('bridge/host: the whole instance, and says why', () => {
    const t = isolationTargetForTask({ ...base, networkMode: 'bridge', ec2InstanceId: 'i-0abc', privateIps: [] });
    assert.equal(t.kind, 'instance');
    assert.equal(t.kind === 'instance' && t.instanceId, 'i-0abc');
    assert.match(t.kind === 'instance' ? (t.reason ?? '') : '', /bridge network mode/);
  });

  test('nothing to isolate', () => {
    assert.throws(
      () => isolationTargetForTask({ ...base, networkMode: 'none' }),
      (e: unknown) => isAppError(e, 'action_invalid'),
    );
    assert.throws(
      () => isolationTargetForTask({ ...base, networkMode: 'bridge' }),
      (e: unknown) => isAppError(e, 'action_invalid'),
    );
  });
});
