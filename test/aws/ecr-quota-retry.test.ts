import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StartImageScanCommand } from '@aws-sdk/client-ecr';
import { createAwsClientFactory } from '../../src/aws/clients.js';
import { startAwsDouble } from '../doubles/aws/index.js';

test('an ECR quota refusal (one scan per image per 24 h) is answered at once, not retried as throttling', async (t) => {
  const aws = await startAwsDouble({ enforceScanQuota: true });
  const factory = createAwsClientFactory({ endpointUrl: aws.endpoint, defaultRegion: aws.region, credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
  t.after(async () => {
    factory.destroy();
    await aws.close();
  });
  const img = aws.seed.image({ repository: 'r', tag: 't' });
  const { ecr } = factory.forTarget({ accountId: aws.accountId });
  await ecr.send(new StartImageScanCommand({ repositoryName: 'r', imageId: { imageDigest: img.digest } }));
  await assert.rejects(
    ecr.send(new StartImageScanCommand({ repositoryName: 'r', imageId: { imageDigest: img.digest } })),
    (e: Error & { $metadata?: { attempts?: number } }) => {
      assert.equal(e.name, 'LimitExceededException');
      assert.equal(e.$metadata?.attempts, 1);
      return true;
    },
  );
  assert.equal(aws.callsTo('ecr:StartImageScan').length, 2);
});
