/** Real SDK v3 clients pointed at the AWS double, and an assertion for the error the SDK surfaces. */
import assert from 'node:assert/strict';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ECRClient } from '@aws-sdk/client-ecr';
import { EC2Client } from '@aws-sdk/client-ec2';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { SSMClient } from '@aws-sdk/client-ssm';
import { GuardDutyClient } from '@aws-sdk/client-guardduty';
import type { AwsDouble } from '../doubles/aws/index.js';

export function clients(aws: AwsDouble, maxAttempts = 1) {
  return {
    ecs: new ECSClient(aws.clientConfig({ maxAttempts })),
    ecr: new ECRClient(aws.clientConfig({ maxAttempts })),
    ec2: new EC2Client(aws.clientConfig({ maxAttempts })),
    autoscaling: new AutoScalingClient(aws.clientConfig({ maxAttempts })),
    elbv2: new ElasticLoadBalancingV2Client(aws.clientConfig({ maxAttempts })),
    ssm: new SSMClient(aws.clientConfig({ maxAttempts })),
    guardduty: new GuardDutyClient(aws.clientConfig({ maxAttempts })),
  };
}

export interface SdkError {
  name: string;
  message: string;
  $fault: 'client' | 'server';
  $metadata: { httpStatusCode?: number; requestId?: string; attempts?: number };
}

export async function rejectsWith(promise: Promise<unknown>, name: string): Promise<SdkError> {
  try {
    await promise;
  } catch (e) {
    const err = e as SdkError;
    assert.equal(err.name, name, `expected ${name}, got ${err.name}: ${err.message}`);
    return err;
  }
  assert.fail(`expected ${name}, but the call succeeded`);
}

export const DIGEST = `sha256:${'ab'.repeat(32)}`;
export const OTHER_DIGEST = `sha256:${'cd'.repeat(32)}`;
export const IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/web:1.4.2';
