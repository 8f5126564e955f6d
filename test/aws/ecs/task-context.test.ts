import { beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mockClient } from 'aws-sdk-client-mock';
import { DescribeContainerInstancesCommand, DescribeTaskDefinitionCommand, DescribeTasksCommand, ECSClient } from '@aws-sdk/client-ecs';
import { describeTaskContext } from '../../../src/aws/ecs/task-context.js';
import { isAppError } from '../../../src/errors.js';
import { clusterArn, DIGEST_A, meta, REPO_URI, taskArn, taskDefArn } from '../helpers.js';

const ecsMock = mockClient(ECSClient);
const clients = { ecs: new ECSClient({ region: 'eu-west-1' }) };
const TASK = taskArn('prod', 'abc');

beforeEach(() => ecsMock.reset());

describe('describeTaskContext', () => {
  test('Fargate awsvpc task: ENI, subnet, IPs, service, digests, tags', async () => {
    ecsMock.on(DescribeTasksCommand).resolves({
      ...meta('r-tasks'),
      tasks: [
        {
          taskArn: TASK,
          clusterArn: clusterArn('prod'),
          taskDefinitionArn: taskDefArn('web', 7),
          launchType: 'FARGATE',
          group: 'service:web',
          lastStatus: 'RUNNING',
          desiredStatus: 'RUNNING',
          availabilityZone: 'eu-west-1a',
          attachments: [
            {
              type: 'ElasticNetworkInterface',
              status: 'ATTACHED',
              details: [
                { name: 'subnetId', value: 'subnet-1' },
                { name: 'networkInterfaceId', value: 'eni-1' },
                { name: 'privateIPv4Address', value: '10.0.1.5' },
              ],
            },
          ],
          containers: [
            { name: 'app', image: `${REPO_URI}:1.0`, imageDigest: DIGEST_A, lastStatus: 'RUNNING', networkInterfaces: [{ privateIpv4Address: '10.0.1.5' }] },
          ],
          tags: [{ key: 'team', value: 'shop' }],
        },
      ],
      failures: [],
    });
    ecsMock.on(DescribeTaskDefinitionCommand).resolves({ ...meta('r-td'), taskDefinition: { networkMode: 'awsvpc' } });

    const ctx = await describeTaskContext(clients, { cluster: 'prod', taskArn: TASK });

    assert.deepEqual(ecsMock.commandCalls(DescribeTasksCommand)[0]!.args[0].input, { cluster: 'prod', tasks: [TASK], include: ['TAGS'] });
    assert.deepEqual(ecsMock.commandCalls(DescribeTaskDefinitionCommand)[0]!.args[0].input, { taskDefinition: taskDefArn('web', 7) });
    assert.equal(ecsMock.commandCalls(DescribeContainerInstancesCommand).length, 0);
    assert.equal(ctx.networkMode, 'awsvpc');
    assert.equal(ctx.eniId, 'eni-1');
    assert.equal(ctx.subnetId, 'subnet-1');
    assert.deepEqual(ctx.privateIps, ['10.0.1.5']);
    assert.equal(ctx.serviceName, 'web');
    assert.equal(ctx.launchType, 'FARGATE');
    assert.deepEqual(ctx.containers, [{ name: 'app', image: `${REPO_URI}:1.0`, imageDigest: DIGEST_A, lastStatus: 'RUNNING' }]);
    assert.deepEqual(ctx.tags, { team: 'shop' });
    assert.deepEqual(ctx.requestIds, ['r-tasks', 'r-td']);
  });

  test('EC2 bridge task: resolves the container instance to its EC2 instance', async () => {
    const ci = 'arn:aws:ecs:eu-west-1:123456789012:container-instance/prod/ci-1';
    ecsMock.on(DescribeTasksCommand).resolves({
      tasks: [
        {
          taskArn: TASK,
          clusterArn: clusterArn('prod'),
          taskDefinitionArn: taskDefArn('batch', 1),
          launchType: 'EC2',
          containerInstanceArn: ci,
          group: 'family:batch',
          containers: [],
        },
      ],
    });
    ecsMock.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition: {} }); // networkMode unset → bridge
    ecsMock.on(DescribeContainerInstancesCommand).resolves({ ...meta('r-ci'), containerInstances: [{ ec2InstanceId: 'i-0abc' }] });

    const ctx = await describeTaskContext(clients, { taskArn: TASK });

    assert.deepEqual(ecsMock.commandCalls(DescribeTasksCommand)[0]!.args[0].input, { cluster: 'prod', tasks: [TASK], include: ['TAGS'] });
    assert.deepEqual(ecsMock.commandCalls(DescribeContainerInstancesCommand)[0]!.args[0].input, {
      cluster: clusterArn('prod'),
      containerInstances: [ci],
    });
    assert.equal(ctx.networkMode, 'bridge');
    assert.equal(ctx.ec2InstanceId, 'i-0abc');
    assert.equal(ctx.serviceName, undefined);
    assert.equal(ctx.eniId, undefined);
  });

  test('a missing task (failures MISSING) is aws_not_found', async () => {
    ecsMock.on(DescribeTasksCommand).resolves({ ...meta('r-miss'), tasks: [], failures: [{ arn: TASK, reason: 'MISSING' }] });
    await assert.rejects(describeTaskContext(clients, { cluster: 'prod', taskArn: TASK }), (e: unknown) => {
      assert.ok(isAppError(e, 'aws_not_found'));
      assert.deepEqual(e.context.requestIds, ['r-miss']);
      return true;
    });
    assert.equal(ecsMock.commandCalls(DescribeTaskDefinitionCommand).length, 0);
  });
});
