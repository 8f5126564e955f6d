import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ECRClient } from '@aws-sdk/client-ecr';
import type { SdkError } from '@smithy/types';
import { createAwsClientFactory } from '../../../src/aws/clients.js';
import { NoQuotaRetryStrategy } from '../../../src/aws/ecr/retry-strategy.js';

test('the ECR strategy gives up on a quota refusal at once and still retries throttling', async () => {
  const strategy = new NoQuotaRetryStrategy(3);
  const token = await strategy.acquireInitialRetryToken('ecr');
  const quota = { name: 'LimitExceededException', message: 'quota', $metadata: {} } as SdkError;
  await assert.rejects(strategy.refreshRetryTokenForRetry(token, { error: quota, errorType: 'THROTTLING' }), quota);
  const throttled = { name: 'ThrottlingException', message: 'slow down', $metadata: {} } as SdkError;
  const next = await strategy.refreshRetryTokenForRetry(token, { error: throttled, errorType: 'THROTTLING' });
  assert.equal(next.getRetryCount(), 1);
});

test('the factory hands the ECR client that strategy through its config, with the factory attempts', async () => {
  const factory = createAwsClientFactory({ defaultRegion: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, maxAttempts: 4 });
  const { ecr } = factory.forTarget({ accountId: '123456789012' });
  assert.ok(ecr instanceof ECRClient);
  const strategy = await ecr.config.retryStrategy();
  assert.ok(strategy instanceof NoQuotaRetryStrategy);
  assert.equal(await (strategy as NoQuotaRetryStrategy).maxAttempts(), 4);
  factory.destroy();
});
