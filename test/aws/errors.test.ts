import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AppError } from '../../src/errors.js';
import { awsCall, normaliseAwsError, requestIdOf } from '../../src/aws/errors.js';
import { awsError } from './helpers.js';

describe('normaliseAwsError', () => {
  test('AccessDenied names the missing IAM permission and the resource', () => {
    const err = normaliseAwsError(awsError('AccessDeniedException', 'User is not authorized', 'rid-1'), {
      action: 'ecs:StopTask',
      resource: 'arn:aws:ecs:eu-west-1:123456789012:task/prod/abc',
    });
    assert.equal(err.code, 'aws_access_denied');
    assert.equal(
      err.message,
      "The app's AWS role is not allowed to call ecs:StopTask on arn:aws:ecs:eu-west-1:123456789012:task/prod/abc. Add ecs:StopTask to its policy.",
    );
    assert.equal(err.context.requestId, 'rid-1');
    assert.equal(err.context.awsErrorName, 'AccessDeniedException');
    assert.equal(err.context.action, 'ecs:StopTask');
  });

  test('EC2 UnauthorizedOperation is access denied too', () => {
    const err = normaliseAwsError(awsError('UnauthorizedOperation'), { action: 'ec2:CreateNetworkAclEntry', resource: 'acl-1' });
    assert.equal(err.code, 'aws_access_denied');
    assert.match(err.message, /Add ec2:CreateNetworkAclEntry to its policy\.$/);
  });

  test('throttling names', () => {
    for (const name of ['ThrottlingException', 'RequestLimitExceeded', 'TooManyRequestsException']) {
      assert.equal(normaliseAwsError(awsError(name), { action: 'ecs:ListTasks' }).code, 'aws_throttled', name);
    }
  });

  test('not-found names across ECS, ECR and EC2', () => {
    for (const name of [
      'ClusterNotFoundException',
      'ServiceNotFoundException',
      'RepositoryNotFoundException',
      'ImageNotFoundException',
      'InvalidNetworkInterfaceID.NotFound',
      'InvalidGroup.NotFound',
    ]) {
      const err = normaliseAwsError(awsError(name), { action: 'x:Y', resource: 'r' });
      assert.equal(err.code, 'aws_not_found', name);
      assert.equal(err.context.awsErrorName, name);
    }
  });

  test("ECS's generic InvalidParameterException for a missing task is not-found", () => {
    const err = normaliseAwsError(awsError('InvalidParameterException', 'The referenced task was not found.'), { action: 'ecs:StopTask' });
    assert.equal(err.code, 'aws_not_found');
  });

  test('anything else is aws_error with the AWS name; AppErrors pass through', () => {
    const err = normaliseAwsError(awsError('ServerException', 'boom', 'rid-9', 500), { action: 'ecs:ListTasks', resource: 'c' });
    assert.equal(err.code, 'aws_error');
    assert.equal(err.context.requestId, 'rid-9');
    assert.equal(err.context.httpStatusCode, 500);
    const app = new AppError('action_invalid', 'x');
    assert.equal(normaliseAwsError(app, { action: 'a:b' }), app);
  });
});

describe('request ids', () => {
  test('requestIdOf reads $metadata.requestId', () => {
    assert.equal(requestIdOf({ $metadata: { requestId: 'r-1' } }), 'r-1');
    assert.equal(requestIdOf({}), undefined);
    assert.equal(requestIdOf(undefined), undefined);
  });

  test('awsCall records ids of successes and failures', async () => {
    const ids: string[] = [];
    await awsCall({ action: 'ecs:ListTasks' }, ids, async () => ({ $metadata: { requestId: 'ok-1' } }));
    await assert.rejects(
      awsCall({ action: 'ecs:ListTasks' }, ids, async () => {
        throw awsError('AccessDeniedException', 'no', 'bad-1');
      }),
      (e: unknown) => e instanceof AppError && e.code === 'aws_access_denied',
    );
    assert.deepEqual(ids, ['ok-1', 'bad-1']);
  });
});
