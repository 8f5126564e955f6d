import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ecsTaskTargetFromFinding } from '../../../src/aws/ecs/from-finding.js';
import type { Finding } from '../../../src/findings/model.js';
import { isAppError } from '../../../src/errors.js';

const finding = (over: Partial<Finding>): Finding =>
  ({
    id: 'f1',
    accountId: '123456789012',
    region: 'eu-west-1',
    partition: 'aws',
    type: 'Execution:Runtime/NewBinaryExecuted',
    title: 't',
    description: 'd',
    severity: 5,
    createdAt: '',
    updatedAt: '',
    count: 1,
    sample: false,
    archived: false,
    resourceType: 'ECSCluster',
    kind: 'ECSCluster',
    raw: {},
    ...over,
  }) as Finding;

describe('ecsTaskTargetFromFinding', () => {
  test('task and cluster from the finding', () => {
    const t = ecsTaskTargetFromFinding(
      finding({
        ecs: { clusterArn: 'arn:aws:ecs:eu-west-1:123456789012:cluster/prod', taskArn: 'arn:aws:ecs:eu-west-1:123456789012:task/prod/abc', containers: [] },
      }),
    );
    assert.deepEqual(t, {
      accountId: '123456789012',
      region: 'eu-west-1',
      cluster: 'arn:aws:ecs:eu-west-1:123456789012:cluster/prod',
      taskArn: 'arn:aws:ecs:eu-west-1:123456789012:task/prod/abc',
    });
  });

  test('sample findings are refused before any AWS call', () => {
    assert.throws(
      () => ecsTaskTargetFromFinding(finding({ sample: true, ecs: { taskArn: 'arn:aws:ecs:eu-west-1:123456789012:task/prod/abc', containers: [] } })),
      (e: unknown) => isAppError(e, 'action_invalid') && /sample finding/.test(e.message),
    );
  });

  test('no task ARN → refused', () => {
    assert.throws(
      () => ecsTaskTargetFromFinding(finding({ ecs: { containers: [] } })),
      (e: unknown) => isAppError(e, 'action_invalid'),
    );
  });
});
