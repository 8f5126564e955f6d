import { beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mockClient } from 'aws-sdk-client-mock';
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
  type TaskDefinition,
} from '@aws-sdk/client-ecs';
import { pinServiceToImage, scaleServiceToZero } from '../../../src/aws/ecs/services.js';
import { TASK_DEFINITION_READ_ONLY_FIELDS, usesCompromisedImage } from '../../../src/aws/ecs/task-definition.js';
import { isAppError } from '../../../src/errors.js';
import { clusterArn, DIGEST_A, DIGEST_B, meta, REPO_URI, taskDefArn } from '../helpers.js';

const ecsMock = mockClient(ECSClient);
const clients = { ecs: new ECSClient({ region: 'eu-west-1' }) };
const SERVICE_ARN = 'arn:aws:ecs:eu-west-1:123456789012:service/prod/web';

beforeEach(() => ecsMock.reset());

const currentRevision: TaskDefinition = {
  taskDefinitionArn: taskDefArn('web', 7),
  family: 'web',
  revision: 7,
  status: 'ACTIVE',
  taskRoleArn: 'arn:aws:iam::123456789012:role/web-task',
  executionRoleArn: 'arn:aws:iam::123456789012:role/exec',
  networkMode: 'awsvpc',
  requiresCompatibilities: ['FARGATE'],
  compatibilities: ['EC2', 'FARGATE'],
  requiresAttributes: [{ name: 'com.amazonaws.ecs.capability.logging-driver.awslogs' }],
  cpu: '512',
  memory: '1024',
  runtimePlatform: { cpuArchitecture: 'ARM64', operatingSystemFamily: 'LINUX' },
  volumes: [{ name: 'scratch' }],
  registeredAt: new Date('2025-01-01T00:00:00Z'),
  registeredBy: 'arn:aws:iam::123456789012:role/deployer',
  containerDefinitions: [
    { name: 'app', image: `${REPO_URI}:1.0`, essential: true, portMappings: [{ containerPort: 8080 }], environment: [{ name: 'MODE', value: 'prod' }] },
    { name: 'sidecar', image: 'public.ecr.aws/aws-observability/aws-otel-collector:v0.40.0', essential: false },
  ],
};

function givenService(extra: Record<string, unknown> = {}) {
  ecsMock.on(DescribeServicesCommand).resolves({
    ...meta('r-ds'),
    services: [{ serviceArn: SERVICE_ARN, serviceName: 'web', status: 'ACTIVE', desiredCount: 3, taskDefinition: taskDefArn('web', 7), ...extra }],
    failures: [],
  });
}

describe('pinServiceToImage', () => {
  test('re-registers every registrable field, strips read-only ones, swaps only the compromised image, keeps tags', async () => {
    givenService();
    ecsMock.on(DescribeTaskDefinitionCommand).resolves({ ...meta('r-dtd'), taskDefinition: currentRevision, tags: [{ key: 'team', value: 'shop' }] });
    ecsMock.on(RegisterTaskDefinitionCommand).resolves({ ...meta('r-reg'), taskDefinition: { taskDefinitionArn: taskDefArn('web', 8) } });
    ecsMock.on(UpdateServiceCommand).resolves(meta('r-upd'));
    const clean = `${REPO_URI}@${DIGEST_B}`;

    const r = await pinServiceToImage(clients, {
      cluster: clusterArn('prod'),
      service: 'web',
      compromisedImage: `${REPO_URI}:1.0`,
      compromisedDigest: DIGEST_A,
      cleanImage: clean,
    });

    assert.deepEqual(ecsMock.commandCalls(DescribeServicesCommand)[0]!.args[0].input, { cluster: clusterArn('prod'), services: ['web'] });
    assert.deepEqual(ecsMock.commandCalls(DescribeTaskDefinitionCommand)[0]!.args[0].input, { taskDefinition: taskDefArn('web', 7), include: ['TAGS'] });
    const reg = ecsMock.commandCalls(RegisterTaskDefinitionCommand)[0]!.args[0].input as unknown as Record<string, unknown>;
    for (const f of TASK_DEFINITION_READ_ONLY_FIELDS) assert.ok(!(f in reg), `${f} must be stripped`);
    assert.deepEqual(reg, {
      family: 'web',
      taskRoleArn: 'arn:aws:iam::123456789012:role/web-task',
      executionRoleArn: 'arn:aws:iam::123456789012:role/exec',
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      cpu: '512',
      memory: '1024',
      runtimePlatform: { cpuArchitecture: 'ARM64', operatingSystemFamily: 'LINUX' },
      volumes: [{ name: 'scratch' }],
      containerDefinitions: [
        { name: 'app', image: clean, essential: true, portMappings: [{ containerPort: 8080 }], environment: [{ name: 'MODE', value: 'prod' }] },
        { name: 'sidecar', image: 'public.ecr.aws/aws-observability/aws-otel-collector:v0.40.0', essential: false },
      ],
      tags: [{ key: 'team', value: 'shop' }],
    });
    assert.deepEqual(ecsMock.commandCalls(UpdateServiceCommand)[0]!.args[0].input, {
      cluster: clusterArn('prod'),
      service: 'web',
      taskDefinition: taskDefArn('web', 8),
    });
    assert.deepEqual(r, {
      serviceArn: SERVICE_ARN,
      oldTaskDefinitionArn: taskDefArn('web', 7),
      newTaskDefinitionArn: taskDefArn('web', 8),
      swaps: [{ containerName: 'app', from: `${REPO_URI}:1.0`, to: clean }],
      changed: true,
      requestIds: ['r-ds', 'r-dtd', 'r-reg', 'r-upd'],
    });
  });

  test('nothing uses the compromised image: no registration, no update', async () => {
    givenService();
    ecsMock.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition: currentRevision });
    const r = await pinServiceToImage(clients, { cluster: 'prod', service: 'web', compromisedDigest: DIGEST_A, cleanImage: `${REPO_URI}:2.0` });
    assert.equal(r.changed, false);
    assert.equal(ecsMock.commandCalls(RegisterTaskDefinitionCommand).length, 0);
    assert.equal(ecsMock.commandCalls(UpdateServiceCommand).length, 0);
  });

  test('CodeDeploy-controlled service is refused before anything is registered', async () => {
    givenService({ deploymentController: { type: 'CODE_DEPLOY' } });
    await assert.rejects(
      pinServiceToImage(clients, { cluster: 'prod', service: 'web', compromisedImage: `${REPO_URI}:1.0`, cleanImage: `${REPO_URI}:2.0` }),
      (e: unknown) => isAppError(e, 'action_invalid') && /CodeDeploy/.test(e.message),
    );
    assert.equal(ecsMock.commandCalls(RegisterTaskDefinitionCommand).length, 0);
  });

  test('refuses a replacement that is the compromised image', async () => {
    await assert.rejects(
      pinServiceToImage(clients, { cluster: 'prod', service: 'web', compromisedDigest: DIGEST_A, cleanImage: `${REPO_URI}@${DIGEST_A}` }),
      (e: unknown) => isAppError(e, 'action_invalid'),
    );
    assert.equal(ecsMock.calls().length, 0);
  });

  test('missing service → aws_not_found', async () => {
    ecsMock.on(DescribeServicesCommand).resolves({ services: [], failures: [{ arn: 'web', reason: 'MISSING' }] });
    await assert.rejects(
      pinServiceToImage(clients, { cluster: 'prod', service: 'web', compromisedDigest: DIGEST_A, cleanImage: `${REPO_URI}:2.0` }),
      (e: unknown) => isAppError(e, 'aws_not_found'),
    );
  });
});

describe('scaleServiceToZero', () => {
  test('records the previous desired count and sets it to 0', async () => {
    givenService();
    ecsMock.on(UpdateServiceCommand).resolves(meta('r-upd'));
    const r = await scaleServiceToZero(clients, { cluster: 'prod', service: 'web' });
    assert.deepEqual(ecsMock.commandCalls(UpdateServiceCommand)[0]!.args[0].input, { cluster: 'prod', service: 'web', desiredCount: 0 });
    assert.deepEqual(r, { serviceArn: SERVICE_ARN, previousDesiredCount: 3, requestIds: ['r-ds', 'r-upd'] });
  });
});

describe('usesCompromisedImage', () => {
  test('digest, tag, and the implicit latest', () => {
    assert.ok(usesCompromisedImage(`${REPO_URI}@${DIGEST_A}`, { digest: DIGEST_A }));
    assert.ok(usesCompromisedImage(`${REPO_URI}:1.0@${DIGEST_A}`, { digest: DIGEST_A }));
    assert.ok(usesCompromisedImage(`${REPO_URI}:1.0`, { image: `${REPO_URI}:1.0@${DIGEST_A}` }));
    assert.ok(!usesCompromisedImage(`${REPO_URI}:1.0@${DIGEST_B}`, { image: `${REPO_URI}:1.0@${DIGEST_A}` }));
    assert.ok(usesCompromisedImage(REPO_URI, { image: `${REPO_URI}:latest` }));
    assert.ok(!usesCompromisedImage(`${REPO_URI}:1.1`, { image: `${REPO_URI}:1.0` }));
    assert.ok(!usesCompromisedImage('other/web:1.0', { image: `${REPO_URI}:1.0` }));
    assert.ok(!usesCompromisedImage(`${REPO_URI}:1.0`, { digest: DIGEST_A })); // tag only: cannot tell
  });
});
