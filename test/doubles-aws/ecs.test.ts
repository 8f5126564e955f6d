import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DescribeClustersCommand,
  DescribeContainerInstancesCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ListClustersCommand,
  ListServicesCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  StopTaskCommand,
  UpdateServiceCommand,
  paginateListTasks,
} from '@aws-sdk/client-ecs';
import { startAwsDouble, ECS_LIMITS } from '../doubles/aws/index.js';
import { clients, rejectsWith, DIGEST, IMAGE } from './helpers.js';

test('ListTasks pages of 100 round-trip through the SDK paginator: 250 tasks → exactly 3 calls', async () => {
  const aws = await startAwsDouble();
  try {
    for (let i = 0; i < 250; i++) aws.seed.fargateTask({ cluster: 'prod', service: 'web', image: IMAGE, digest: DIGEST });
    const { ecs } = clients(aws);
    const arns: string[] = [];
    for await (const page of paginateListTasks({ client: ecs }, { cluster: 'prod' })) arns.push(...(page.taskArns ?? []));
    assert.equal(arns.length, 250);
    assert.equal(new Set(arns).size, 250);
    const calls = aws.callsTo('ecs:ListTasks');
    assert.equal(calls.length, 3, 'default page size is 100, like ECS');
    assert.deepEqual(
      calls.map((c) => (c.params as { nextToken?: string }).nextToken === undefined),
      [true, false, false],
    );
  } finally {
    await aws.close();
  }
});

test('ListTasks filters by serviceName, family, desiredStatus (default RUNNING) and refuses maxResults > 100', async () => {
  const aws = await startAwsDouble();
  try {
    const a = aws.seed.fargateTask({ cluster: 'prod', service: 'web', image: IMAGE, digest: DIGEST });
    aws.seed.fargateTask({ cluster: 'prod', family: 'batch', image: IMAGE, digest: DIGEST });
    const { ecs } = clients(aws);
    await ecs.send(new StopTaskCommand({ cluster: 'prod', task: a.taskArn }));
    assert.equal((await ecs.send(new ListTasksCommand({ cluster: 'prod' }))).taskArns?.length, 1);
    assert.deepEqual((await ecs.send(new ListTasksCommand({ cluster: 'prod', desiredStatus: 'STOPPED' }))).taskArns, [a.taskArn]);
    assert.deepEqual((await ecs.send(new ListTasksCommand({ cluster: 'prod', serviceName: 'web', desiredStatus: 'STOPPED' }))).taskArns, [a.taskArn]);
    assert.equal((await ecs.send(new ListTasksCommand({ cluster: 'prod', family: 'batch' }))).taskArns?.length, 1);
    await rejectsWith(ecs.send(new ListTasksCommand({ cluster: 'prod', maxResults: 101 })), 'InvalidParameterException');
    await rejectsWith(ecs.send(new ListTasksCommand({ cluster: 'nope' })), 'ClusterNotFoundException');
  } finally {
    await aws.close();
  }
});

test('DescribeTasks answers tasks with ENI attachment and image digest; > 100 tasks is refused; unknown ids are failures', async () => {
  const aws = await startAwsDouble();
  try {
    const t = aws.seed.fargateTask({ cluster: 'prod', service: 'web', image: IMAGE, digest: DIGEST, ip: '10.0.3.7' });
    const { ecs } = clients(aws);
    const out = await ecs.send(new DescribeTasksCommand({ cluster: 'prod', tasks: [t.taskArn, 'deadbeefdeadbeefdeadbeefdeadbeef'] }));
    const task = out.tasks?.[0];
    assert.equal(task?.group, 'service:web');
    assert.equal(task?.launchType, 'FARGATE');
    assert.ok(task?.createdAt instanceof Date, 'timestamps arrive as epoch seconds and parse to Date');
    assert.equal(task?.containers?.[0]?.imageDigest, DIGEST);
    const details = Object.fromEntries((task?.attachments?.[0]?.details ?? []).map((d) => [d.name, d.value]));
    assert.equal(details.networkInterfaceId, t.eniId);
    assert.equal(details.privateIPv4Address, '10.0.3.7');
    assert.equal(details.subnetId, t.subnetId);
    assert.deepEqual(out.failures, [{ arn: 'arn:aws:ecs:us-east-1:123456789012:task/prod/deadbeefdeadbeefdeadbeefdeadbeef', reason: 'MISSING' }]);

    const tooMany = Array.from({ length: ECS_LIMITS.describeTasksMax + 1 }, () => t.taskArn);
    await rejectsWith(ecs.send(new DescribeTasksCommand({ cluster: 'prod', tasks: tooMany })), 'InvalidParameterException');
    assert.equal(out.$metadata.requestId, aws.callsTo('ecs:DescribeTasks')[0]?.requestId, 'request id visible in $metadata');
  } finally {
    await aws.close();
  }
});

test('StopTask sets STOPPED with the reason; reasons over 255 characters are refused', async () => {
  const aws = await startAwsDouble();
  try {
    const t = aws.seed.fargateTask({ cluster: 'prod', service: 'web', image: IMAGE, digest: DIGEST });
    const { ecs } = clients(aws);
    await rejectsWith(ecs.send(new StopTaskCommand({ cluster: 'prod', task: t.taskArn, reason: 'x'.repeat(256) })), 'InvalidParameterException');
    const out = await ecs.send(new StopTaskCommand({ cluster: 'prod', task: t.taskArn, reason: 'GuardDuty finding abc: compromised image' }));
    assert.equal(out.task?.desiredStatus, 'STOPPED');
    assert.equal(out.task?.stoppedReason, 'GuardDuty finding abc: compromised image');
    assert.equal(aws.ecs.task(t.taskArn)?.lastStatus, 'STOPPED');
    await rejectsWith(ecs.send(new StopTaskCommand({ cluster: 'prod', task: 'ffffffffffffffffffffffffffffffff' })), 'InvalidParameterException');
  } finally {
    await aws.close();
  }
});

test('with the service scheduler on, a stopped service task is replaced from the same task definition', async () => {
  const aws = await startAwsDouble({ serviceScheduler: true });
  try {
    const t = aws.seed.fargateTask({ cluster: 'prod', service: 'web', image: IMAGE, digest: DIGEST });
    const { ecs } = clients(aws);
    await ecs.send(new StopTaskCommand({ cluster: 'prod', task: t.taskArn }));
    const running = (await ecs.send(new ListTasksCommand({ cluster: 'prod', serviceName: 'web' }))).taskArns ?? [];
    assert.equal(running.length, 1);
    assert.notEqual(running[0], t.taskArn);
    const replacement = aws.ecs.task(running[0]!);
    assert.equal(replacement?.containers?.[0]?.imageDigest, DIGEST, 'the replacement runs the same image');
    const eniId = replacement?.attachments?.[0]?.details?.find((d) => d.name === 'networkInterfaceId')?.value;
    assert.equal(aws.ec2.networkInterfaces.get(eniId!)?.requesterManaged, true);
  } finally {
    await aws.close();
  }
});

test('RegisterTaskDefinition creates the next revision; UpdateService moves the service to it', async () => {
  const aws = await startAwsDouble();
  try {
    aws.seed.fargateTask({ cluster: 'prod', service: 'web', image: IMAGE, digest: DIGEST });
    const { ecs } = clients(aws);
    const current = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'web' }));
    assert.equal(current.taskDefinition?.revision, 1);
    assert.equal(current.taskDefinition?.networkMode, 'awsvpc');
    const td = current.taskDefinition!;
    const next = await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: td.family,
        networkMode: td.networkMode,
        requiresCompatibilities: td.requiresCompatibilities,
        cpu: td.cpu,
        memory: td.memory,
        containerDefinitions: td.containerDefinitions?.map((c) => ({ ...c, image: 'web:1.4.3' })),
      }),
    );
    assert.equal(next.taskDefinition?.revision, 2);
    assert.equal(next.taskDefinition?.taskDefinitionArn, 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:2');
    const updated = await ecs.send(new UpdateServiceCommand({ cluster: 'prod', service: 'web', taskDefinition: 'web:2', desiredCount: 0 }));
    assert.equal(updated.service?.taskDefinition, next.taskDefinition?.taskDefinitionArn);
    assert.equal(updated.service?.desiredCount, 0);
    const described = await ecs.send(new DescribeServicesCommand({ cluster: 'prod', services: ['web', 'ghost'] }));
    assert.equal(described.services?.[0]?.runningCount, 1);
    assert.equal(described.failures?.[0]?.reason, 'MISSING');
    assert.deepEqual((await ecs.send(new ListServicesCommand({ cluster: 'prod' }))).serviceArns, ['arn:aws:ecs:us-east-1:123456789012:service/prod/web']);
    await rejectsWith(ecs.send(new UpdateServiceCommand({ cluster: 'prod', service: 'ghost', desiredCount: 0 })), 'ServiceNotFoundException');
    await rejectsWith(ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'nope' })), 'ClientException');
  } finally {
    await aws.close();
  }
});

test('ListClusters pages, DescribeClusters counts tasks, DescribeContainerInstances maps to EC2 instance ids', async () => {
  const aws = await startAwsDouble();
  try {
    for (let i = 0; i < 3; i++) aws.ecs.addCluster(`c${i}`);
    const b = aws.seed.bridgeTask({ cluster: 'c0', image: IMAGE, digest: DIGEST });
    const { ecs } = clients(aws);
    const first = await ecs.send(new ListClustersCommand({ maxResults: 2 }));
    assert.equal(first.clusterArns?.length, 2);
    const second = await ecs.send(new ListClustersCommand({ maxResults: 2, nextToken: first.nextToken }));
    assert.deepEqual(second.clusterArns, ['arn:aws:ecs:us-east-1:123456789012:cluster/c2']);
    assert.equal(second.nextToken, undefined);
    const clusters = await ecs.send(new DescribeClustersCommand({ clusters: ['c0', 'missing'] }));
    assert.equal(clusters.clusters?.[0]?.runningTasksCount, 1);
    assert.equal(clusters.clusters?.[0]?.registeredContainerInstancesCount, 1);
    assert.equal(clusters.failures?.[0]?.reason, 'MISSING');
    const ci = await ecs.send(new DescribeContainerInstancesCommand({ cluster: 'c0', containerInstances: [b.task.containerInstanceArn!] }));
    assert.equal(ci.containerInstances?.[0]?.ec2InstanceId, b.instance?.instanceId);
  } finally {
    await aws.close();
  }
});
