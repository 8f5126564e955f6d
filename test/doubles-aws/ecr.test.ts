import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BatchDeleteImageCommand,
  BatchGetImageCommand,
  DescribeImageScanFindingsCommand,
  DescribeImagesCommand,
  StartImageScanCommand,
} from '@aws-sdk/client-ecr';
import { startAwsDouble } from '../doubles/aws/index.js';
import { clients, rejectsWith, DIGEST } from './helpers.js';

test('BatchGetImage returns manifests by digest and by tag, and failures for missing images', async () => {
  const aws = await startAwsDouble();
  try {
    const { image } = aws.seed.image({ repository: 'web', tag: '1.4.2', digest: DIGEST });
    const { ecr } = clients(aws);
    const out = await ecr.send(
      new BatchGetImageCommand({
        repositoryName: 'web',
        imageIds: [{ imageDigest: DIGEST }, { imageTag: '1.4.2' }, { imageTag: 'nope' }, { imageDigest: `sha256:${'0'.repeat(64)}` }],
      }),
    );
    assert.equal(out.images?.length, 2);
    assert.equal(out.images?.[0]?.imageManifest, image.imageManifest);
    assert.equal(out.images?.[0]?.imageManifestMediaType, 'application/vnd.docker.distribution.manifest.v2+json');
    assert.deepEqual(out.images?.[1]?.imageId, { imageDigest: DIGEST, imageTag: '1.4.2' });
    assert.deepEqual(
      out.failures?.map((f) => [f.imageId?.imageTag ?? f.imageId?.imageDigest, f.failureCode]),
      [
        ['nope', 'ImageNotFound'],
        [`sha256:${'0'.repeat(64)}`, 'ImageNotFound'],
      ],
    );
    assert.ok(out.$metadata.requestId);
    await rejectsWith(ecr.send(new BatchGetImageCommand({ repositoryName: 'ghost', imageIds: [{ imageTag: 'x' }] })), 'RepositoryNotFoundException');
  } finally {
    await aws.close();
  }
});

test('BatchDeleteImage by digest removes the image and all its tags; missing ones are failures', async () => {
  const aws = await startAwsDouble();
  try {
    aws.seed.image({ repository: 'web', tag: '1.4.2', digest: DIGEST });
    aws.ecr.putImage({ repository: 'web', digest: DIGEST, tags: ['latest'] });
    const { ecr } = clients(aws);
    const out = await ecr.send(
      new BatchDeleteImageCommand({ repositoryName: 'web', imageIds: [{ imageDigest: DIGEST }, { imageDigest: `sha256:${'1'.repeat(64)}` }] }),
    );
    assert.deepEqual(out.imageIds, [
      { imageDigest: DIGEST, imageTag: '1.4.2' },
      { imageDigest: DIGEST, imageTag: 'latest' },
    ]);
    assert.equal(out.failures?.[0]?.failureCode, 'ImageNotFound');
    assert.equal(aws.ecr.repositories.get('web')?.images.size, 0);
    await rejectsWith(ecr.send(new DescribeImagesCommand({ repositoryName: 'web', imageIds: [{ imageDigest: DIGEST }] })), 'ImageNotFoundException');
  } finally {
    await aws.close();
  }
});

test('BatchDeleteImage by tag only untags, and deletes the image with its last tag', async () => {
  const aws = await startAwsDouble();
  try {
    aws.ecr.putImage({ repository: 'web', digest: DIGEST, tags: ['a', 'b'] });
    const { ecr } = clients(aws);
    await ecr.send(new BatchDeleteImageCommand({ repositoryName: 'web', imageIds: [{ imageTag: 'a' }] }));
    const still = await ecr.send(new DescribeImagesCommand({ repositoryName: 'web' }));
    assert.deepEqual(still.imageDetails?.[0]?.imageTags, ['b']);
    await ecr.send(new BatchDeleteImageCommand({ repositoryName: 'web', imageIds: [{ imageTag: 'b' }] }));
    assert.deepEqual((await ecr.send(new DescribeImagesCommand({ repositoryName: 'web' }))).imageDetails, []);
  } finally {
    await aws.close();
  }
});

test('an image scan is IN_PROGRESS, then COMPLETE on the configured poll, with severity counts', async () => {
  const aws = await startAwsDouble({ scanCompletesAfterPolls: 3 });
  try {
    aws.seed.image({ repository: 'web', tag: '1.4.2', digest: DIGEST, findingSeverityCounts: { CRITICAL: 2, HIGH: 5 } });
    const { ecr } = clients(aws);
    const imageId = { imageDigest: DIGEST };
    await rejectsWith(ecr.send(new DescribeImageScanFindingsCommand({ repositoryName: 'web', imageId })), 'ScanNotFoundException');
    const started = await ecr.send(new StartImageScanCommand({ repositoryName: 'web', imageId }));
    assert.equal(started.imageScanStatus?.status, 'IN_PROGRESS');
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push(await ecr.send(new DescribeImageScanFindingsCommand({ repositoryName: 'web', imageId })));
    assert.deepEqual(
      statuses.map((s) => s.imageScanStatus?.status),
      ['IN_PROGRESS', 'IN_PROGRESS', 'COMPLETE'],
    );
    assert.equal(statuses[0]?.imageScanFindings, undefined);
    assert.deepEqual(statuses[2]?.imageScanFindings?.findingSeverityCounts, { CRITICAL: 2, HIGH: 5 });
    const details = await ecr.send(new DescribeImagesCommand({ repositoryName: 'web' }));
    assert.equal(details.imageDetails?.[0]?.imageScanFindingsSummary?.findingSeverityCounts?.CRITICAL, 2);
    await rejectsWith(ecr.send(new StartImageScanCommand({ repositoryName: 'web', imageId })), 'LimitExceededException');
    await rejectsWith(ecr.send(new StartImageScanCommand({ repositoryName: 'web', imageId: { imageTag: 'gone' } })), 'ImageNotFoundException');
  } finally {
    await aws.close();
  }
});
