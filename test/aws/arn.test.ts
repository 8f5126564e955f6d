import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  isEcrImage,
  parseClusterArn,
  parseContainerInstanceArn,
  parseEcrImageUri,
  parseImageReference,
  parseServiceArn,
  parseTaskArn,
  parseTaskDefinitionArn,
  serviceNameFromGroup,
} from '../../src/aws/arn.js';
import { DIGEST_A } from './helpers.js';

describe('ECS ARNs', () => {
  test('cluster', () => {
    const a = parseClusterArn('arn:aws:ecs:eu-west-1:123456789012:cluster/prod');
    assert.equal(a?.clusterName, 'prod');
    assert.equal(a?.accountId, '123456789012');
    assert.equal(a?.region, 'eu-west-1');
    assert.equal(parseClusterArn('arn:aws:ecs:eu-west-1:123456789012:service/prod/x'), undefined);
    assert.equal(parseClusterArn('prod'), undefined);
  });

  test('task: current and old formats, China partition', () => {
    const a = parseTaskArn('arn:aws:ecs:eu-west-1:123456789012:task/prod/0123456789abcdef0123456789abcdef');
    assert.equal(a?.clusterName, 'prod');
    assert.equal(a?.taskId, '0123456789abcdef0123456789abcdef');
    const old = parseTaskArn('arn:aws:ecs:us-east-1:123456789012:task/1dc5c17a-422b-4dc4-b493-371970c6c4d6');
    assert.equal(old?.clusterName, undefined);
    assert.equal(old?.taskId, '1dc5c17a-422b-4dc4-b493-371970c6c4d6');
    assert.equal(parseTaskArn('arn:aws-cn:ecs:cn-north-1:123456789012:task/c/abc')?.partition, 'aws-cn');
  });

  test('service, task definition, container instance', () => {
    assert.deepEqual(
      [
        parseServiceArn('arn:aws:ecs:eu-west-1:123456789012:service/prod/web')?.clusterName,
        parseServiceArn('arn:aws:ecs:eu-west-1:123456789012:service/prod/web')?.serviceName,
      ],
      ['prod', 'web'],
    );
    assert.equal(parseServiceArn('arn:aws:ecs:eu-west-1:123456789012:service/web')?.serviceName, 'web');
    const td = parseTaskDefinitionArn('arn:aws:ecs:eu-west-1:123456789012:task-definition/web:42');
    assert.equal(td?.family, 'web');
    assert.equal(td?.revision, 42);
    assert.equal(parseTaskDefinitionArn('arn:aws:ecs:eu-west-1:123456789012:task-definition/web'), undefined);
    assert.equal(parseContainerInstanceArn('arn:aws:ecs:eu-west-1:123456789012:container-instance/prod/abc123')?.containerInstanceId, 'abc123');
  });

  test('service name from group', () => {
    assert.equal(serviceNameFromGroup('service:web'), 'web');
    assert.equal(serviceNameFromGroup('family:web'), undefined);
    assert.equal(serviceNameFromGroup(undefined), undefined);
  });
});

describe('image references', () => {
  test('ECR URI with tag and digest', () => {
    const u = parseEcrImageUri(`123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/web:1.2.3@${DIGEST_A}`);
    assert.deepEqual(u, {
      registryId: '123456789012',
      fips: false,
      region: 'eu-west-1',
      domain: 'amazonaws.com',
      registry: '123456789012.dkr.ecr.eu-west-1.amazonaws.com',
      repositoryName: 'shop/web',
      tag: '1.2.3',
      digest: DIGEST_A,
    });
  });

  test('ECR in China, digest only, no tag', () => {
    const u = parseEcrImageUri(`123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/web@${DIGEST_A}`);
    assert.equal(u?.domain, 'amazonaws.com.cn');
    assert.equal(u?.region, 'cn-north-1');
    assert.equal(u?.tag, undefined);
    assert.equal(u?.digest, DIGEST_A);
    assert.equal(parseEcrImageUri('123456789012.dkr.ecr.eu-west-1.amazonaws.com/web')?.repositoryName, 'web');
  });

  test('isEcrImage rejects Docker Hub, other registries and look-alikes', () => {
    assert.equal(isEcrImage('nginx:latest'), false);
    assert.equal(isEcrImage('docker.io/library/nginx'), false);
    assert.equal(isEcrImage('ghcr.io/acme/app:1'), false);
    assert.equal(isEcrImage('123456789012.dkr.ecr.eu-west-1.amazonaws.com.evil.example/web'), false);
    assert.equal(isEcrImage('123456789012.dkr.ecr.eu-west-1.amazonaws.com/web:1'), true);
    assert.equal(isEcrImage('123456789012.dkr.ecr.eu-west-1.amazonaws.com/web@sha256:short'), false);
  });

  test('general references: registry detection and Docker Hub library/', () => {
    assert.deepEqual(parseImageReference('nginx'), { registry: 'docker.io', repository: 'library/nginx' });
    assert.deepEqual(parseImageReference('localhost:5000/a/b:2'), { registry: 'localhost:5000', repository: 'a/b', tag: '2' });
    assert.deepEqual(parseImageReference('acme/app:1'), { registry: 'docker.io', repository: 'acme/app', tag: '1' });
    assert.equal(parseImageReference('has space'), undefined);
  });
});
