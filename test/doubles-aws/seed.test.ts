import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DescribeTasksCommand, paginateListClusters, paginateListTasks } from '@aws-sdk/client-ecs';
import { startAwsDouble } from '../doubles/aws/index.js';
import { clients, DIGEST, IMAGE } from './helpers.js';

test('manyTasks seeds 10 000 tasks over 50 clusters quickly, consistently with EC2', async () => {
  const aws = await startAwsDouble();
  try {
    const started = performance.now();
    const seeded = aws.seed.manyTasks({ clusters: 50, tasks: 10_000, image: IMAGE, digest: DIGEST, fraction: 0.1 });
    const elapsed = performance.now() - started;
    assert.ok(elapsed < 3000, `seeding took ${elapsed.toFixed(0)} ms`);
    assert.equal(seeded.clusterArns.length, 50);
    assert.equal(seeded.matchingTaskArns.length, 1000);
    assert.equal(seeded.otherTaskArns.length, 9000);
    assert.equal(aws.ec2.networkInterfaces.size, 10_000);
    const sample = aws.ecs.task(seeded.matchingTaskArns[777]!)!;
    const eniId = sample.attachments?.[0]?.details?.find((d) => d.name === 'networkInterfaceId')?.value;
    const ip = sample.attachments?.[0]?.details?.find((d) => d.name === 'privateIPv4Address')?.value;
    assert.equal(aws.ec2.networkInterfaces.get(eniId!)?.privateIpAddress, ip);
    assert.equal(sample.group, 'service:web');
  } finally {
    await aws.close();
  }
});

test('finding every task that runs a digest costs ListClusters + ListTasks pages + DescribeTasks batches, no more', async () => {
  const aws = await startAwsDouble();
  try {
    const seeded = aws.seed.manyTasks({ clusters: 5, tasks: 1_000, image: IMAGE, digest: DIGEST, fraction: 0.05 });
    const { ecs } = clients(aws);
    const found: string[] = [];
    for await (const clusters of paginateListClusters({ client: ecs }, {})) {
      for (const cluster of clusters.clusterArns ?? []) {
        for await (const page of paginateListTasks({ client: ecs }, { cluster })) {
          const out = await ecs.send(new DescribeTasksCommand({ cluster, tasks: page.taskArns ?? [] }));
          for (const t of out.tasks ?? []) if (t.containers?.some((c) => c.imageDigest === DIGEST)) found.push(t.taskArn!);
        }
      }
    }
    assert.deepEqual(found.sort(), [...seeded.matchingTaskArns].sort());
    assert.equal(aws.callsTo('ecs:ListClusters').length, 1);
    assert.equal(aws.callsTo('ecs:ListTasks').length, 10, '5 clusters × 200 tasks = 2 pages each');
    assert.equal(aws.callsTo('ecs:DescribeTasks').length, 10);
  } finally {
    await aws.close();
  }
});

test('seeded task shapes: Fargate, EC2 awsvpc (plain and trunked) and bridge', async () => {
  const aws = await startAwsDouble();
  try {
    const f = aws.seed.fargateTask({ cluster: 'prod', service: 'web', image: IMAGE, digest: DIGEST });
    assert.equal(f.eni.requesterManaged, true);
    assert.equal(f.eni.attachment?.instanceId, undefined);
    assert.equal(f.task.launchType, 'FARGATE');

    const e = aws.seed.ec2AwsvpcTask({ cluster: 'prod', service: 'api', image: IMAGE, digest: DIGEST });
    assert.equal(e.eni.requesterManaged, true);
    assert.equal(e.eni.attachment?.instanceId, e.instance?.instanceId);
    assert.equal(e.task.containerInstanceArn !== undefined, true);

    const tr = aws.seed.ec2AwsvpcTask({ cluster: 'prod', image: IMAGE, digest: DIGEST, trunked: true });
    assert.equal(tr.eni.interfaceType, 'branch');
    const hostEnis = tr.instance!.eniIds.map((id) => aws.ec2.networkInterfaces.get(id)!);
    assert.deepEqual(
      hostEnis.map((n) => n.interfaceType),
      ['interface', 'trunk'],
    );

    const b = aws.seed.bridgeTask({ cluster: 'prod', image: IMAGE, digest: DIGEST, instanceId: e.instance!.instanceId });
    assert.equal(b.eni.requesterManaged, false, 'bridge tasks share the instance primary ENI');
    assert.equal(b.task.attachments?.length, 0);
    assert.equal(b.task.containers?.[0]?.networkBindings?.[0]?.hostPort, 32768);
    assert.equal(aws.ecs.taskDefinition('app')?.networkMode, 'bridge');
  } finally {
    await aws.close();
  }
});
