import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ECSClient, ListClustersCommand } from '@aws-sdk/client-ecs';
import { EC2Client, DescribeVpcsCommand } from '@aws-sdk/client-ec2';
import { ECRClient, DescribeRepositoriesCommand } from '@aws-sdk/client-ecr';
import { startAwsDouble } from '../doubles/aws/index.js';

test('AWS_ENDPOINT_URL alone sends every service to the one double, routed by protocol', async () => {
  const aws = await startAwsDouble();
  const saved = process.env.AWS_ENDPOINT_URL;
  process.env.AWS_ENDPOINT_URL = aws.endpoint;
  try {
    aws.ecs.addCluster('prod');
    aws.seed.image({ repository: 'web', tag: '1' });
    const config = { region: 'us-east-1', credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' }, maxAttempts: 1 };
    const clusters = await new ECSClient(config).send(new ListClustersCommand({}));
    const repos = await new ECRClient(config).send(new DescribeRepositoriesCommand({}));
    const vpcs = await new EC2Client(config).send(new DescribeVpcsCommand({}));
    assert.deepEqual(clusters.clusterArns, ['arn:aws:ecs:us-east-1:123456789012:cluster/prod']);
    assert.equal(repos.repositories?.[0]?.repositoryUri, '123456789012.dkr.ecr.us-east-1.amazonaws.com/web');
    assert.deepEqual(vpcs.Vpcs, []);
    assert.deepEqual(
      aws.calls.map((c) => `${c.service}:${c.op}`),
      ['ecs:ListClusters', 'ecr:DescribeRepositories', 'ec2:DescribeVpcs'],
    );
  } finally {
    if (saved === undefined) delete process.env.AWS_ENDPOINT_URL;
    else process.env.AWS_ENDPOINT_URL = saved;
    await aws.close();
  }
});
