import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DescribeTasksCommand, ListTasksCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
import { BatchDeleteImageCommand } from '@aws-sdk/client-ecr';
import { DescribeNetworkInterfacesCommand, ModifyNetworkInterfaceAttributeCommand } from '@aws-sdk/client-ec2';
import { startAwsDouble, AWS_DEFAULT_LIMITS } from '../doubles/aws/index.js';
import { clients, rejectsWith, DIGEST, IMAGE } from './helpers.js';

function manualClock(start = Date.parse('2026-11-28T10:00:00Z')) {
  let t = start;
  return {
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
  };
}

test('an empty token bucket answers ThrottlingException (ECS) and refills on the injected clock', async () => {
  const clock = manualClock();
  const aws = await startAwsDouble({ now: clock.now, limits: { 'ecs:read': { burst: 3, perSecond: 2, ops: ['ListTasks', 'DescribeTasks'] } } });
  try {
    aws.ecs.addCluster('prod');
    const { ecs } = clients(aws);
    await ecs.send(new ListTasksCommand({ cluster: 'prod' }));
    await ecs.send(new ListTasksCommand({ cluster: 'prod' }));
    await ecs.send(new DescribeTasksCommand({ cluster: 'prod', tasks: ['x'] })); // same bucket as ListTasks
    const err = await rejectsWith(ecs.send(new ListTasksCommand({ cluster: 'prod' })), 'ThrottlingException');
    assert.equal(err.$metadata.httpStatusCode, 400);
    assert.equal(err.message, 'Rate exceeded');
    clock.advance(500); // one token at 2/s
    await ecs.send(new ListTasksCommand({ cluster: 'prod' }));
    await rejectsWith(ecs.send(new ListTasksCommand({ cluster: 'prod' })), 'ThrottlingException');
    assert.deepEqual(
      aws.calls.map((c) => c.error ?? c.status),
      [200, 200, 200, 'ThrottlingException', 200, 'ThrottlingException'],
    );
  } finally {
    await aws.close();
  }
});

test('EC2 throttles with RequestLimitExceeded (HTTP 503); the SDK retries it when allowed', async () => {
  const clock = manualClock();
  const aws = await startAwsDouble({ now: clock.now, limits: { 'ec2:describe': { burst: 1, perSecond: 1, ops: ['DescribeNetworkInterfaces'] } } });
  try {
    const t = aws.seed.fargateTask({ cluster: 'prod', image: IMAGE, digest: DIGEST });
    const { ec2 } = clients(aws);
    await ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [t.eniId] }));
    const err = await rejectsWith(ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [t.eniId] })), 'RequestLimitExceeded');
    assert.equal(err.$metadata.httpStatusCode, 503);
    assert.equal(err.$metadata.requestId, aws.calls.at(-1)?.requestId);

    // One injected throttle, then success: a client with retries sees one call fail and the second pass.
    aws.setLimits({});
    aws.failNext('ec2:DescribeNetworkInterfaces', 'RequestLimitExceeded');
    const retrying = clients(aws, 2).ec2;
    const out = await retrying.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [t.eniId] }));
    assert.equal(out.$metadata.attempts, 2);
  } finally {
    await aws.close();
  }
});

test('denyOperation answers AccessDeniedException (json) and UnauthorizedOperation (EC2) naming the action and resource', async () => {
  const aws = await startAwsDouble();
  try {
    const t = aws.seed.fargateTask({ cluster: 'prod', service: 'web', image: IMAGE, digest: DIGEST });
    const { ecs, ec2, ecr } = clients(aws);
    aws.denyOperation('ecs:StopTask');
    const denied = await rejectsWith(ecs.send(new StopTaskCommand({ cluster: 'prod', task: t.taskArn })), 'AccessDeniedException');
    assert.equal(
      denied.message,
      `User: arn:aws:sts::123456789012:assumed-role/GuardDutyResponder/responder is not authorized to perform: ecs:StopTask on resource: ${t.taskArn} because no identity-based policy allows the ecs:StopTask action`,
    );
    assert.equal(aws.ecs.task(t.taskArn)?.lastStatus, 'RUNNING');
    aws.allowOperation('ecs:StopTask');
    await ecs.send(new StopTaskCommand({ cluster: 'prod', task: t.taskArn }));

    aws.denyOperation('ec2:ModifyNetworkInterfaceAttribute');
    const unauthorized = await rejectsWith(
      ec2.send(new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: t.eniId, Groups: ['sg-1'] })),
      'UnauthorizedOperation',
    );
    assert.equal(unauthorized.$metadata.httpStatusCode, 403);
    assert.match(
      unauthorized.message,
      /not authorized to perform: ec2:ModifyNetworkInterfaceAttribute on resource: arn:aws:ec2:us-east-1:123456789012:network-interface\/eni-/,
    );

    aws.denyOperation('ecr:BatchDeleteImage');
    await rejectsWith(ecr.send(new BatchDeleteImageCommand({ repositoryName: 'web', imageIds: [{ imageDigest: DIGEST }] })), 'AccessDeniedException');
  } finally {
    await aws.close();
  }
});

test('failNext injects server errors and dropped connections for a number of calls, then lets calls through', async () => {
  const aws = await startAwsDouble();
  try {
    aws.ecs.addCluster('prod');
    const { ecs } = clients(aws);
    aws.failNext('ecs:ListTasks', 'ServerException', 2);
    const first = await rejectsWith(ecs.send(new ListTasksCommand({ cluster: 'prod' })), 'ServerException');
    assert.equal(first.$fault, 'server');
    assert.equal(first.$metadata.httpStatusCode, 500);
    await rejectsWith(ecs.send(new ListTasksCommand({ cluster: 'prod' })), 'ServerException');
    await ecs.send(new ListTasksCommand({ cluster: 'prod' }));

    aws.failNext('ecs:ListTasks', { code: 'ClusterNotFoundException', message: 'Cluster not found.' });
    await rejectsWith(ecs.send(new ListTasksCommand({ cluster: 'prod' })), 'ClusterNotFoundException');

    aws.failNext('*', { reset: true });
    await assert.rejects(ecs.send(new ListTasksCommand({ cluster: 'prod' })), (e: Error) =>
      /socket hang up|ECONNRESET/i.test(`${e.name} ${e.message} ${(e as { code?: string }).code ?? ''}`),
    );
    assert.equal(aws.callsTo('ecs:ListTasks').length, 5);
  } finally {
    await aws.close();
  }
});

test('AWS_DEFAULT_LIMITS encodes the documented ECS buckets', () => {
  assert.deepEqual(AWS_DEFAULT_LIMITS['ecs:read'], { burst: 100, perSecond: 20, ops: ['ListTasks', 'DescribeTasks'] });
  assert.deepEqual(AWS_DEFAULT_LIMITS['ecs:StopTask'], { burst: 100, perSecond: 40 });
});
