import assert from 'node:assert/strict';
import { test } from 'node:test';
import { actionIdFor, findingResource, isActionVerb } from '../../src/commands/actions.js';
import { commandErrorMessage, helpMessage } from '../../src/commands/replies.js';
import { isCommandError, parseCommand } from '../../src/commands/parse.js';
import { buildCatalog } from '../../src/actions/catalog.js';
import { fixtureFinding } from '../fixtures/findings/load.js';
import { assertNoSlackMarkup, assertWithinBlockKitLimits } from '../cards/limits-helper.js';

test('verb × resource kind → the remediation catalog’s action id', () => {
  const table: [Parameters<typeof actionIdFor>[0], Parameters<typeof actionIdFor>[1], string | undefined][] = [
    ['isolate', 'ecs_task', 'isolate_task'],
    ['isolate', 'instance', 'isolate_instance'],
    ['release', 'ecs_task', 'release_isolation'],
    ['release', 'instance', 'release_isolation'],
    ['stop', 'ecs_task', 'stop_task'],
    ['stop', 'instance', undefined],
    ['quarantine', 'image', 'quarantine_image'],
    ['image', 'image', 'find_image_tasks'],
    ['scan', 'image', 'scan_image'],
    ['evidence', 'instance', 'preserve_evidence'],
    ['evidence', 'ecs_task', undefined],
    ['malware-scan', 'instance', 'malware_scan'],
    ['isolate', 'image', undefined],
    ['isolate', 'pod', 'isolate_pod'],
    ['release', 'pod', 'release_pod'],
    ['stop', 'pod', 'stop_pod'],
    ['evidence', 'pod', 'preserve_pod_evidence'],
    ['cordon', 'pod', 'cordon_node'],
    ['pods', 'pod', 'find_image_pods'],
    ['update-image', 'pod', 'update_workload_image'],
    ['revoke', 'pod', 'revoke_pod_credentials'],
    ['malware-scan', 'pod', undefined],
  ];
  for (const [verb, kind, id] of table) assert.equal(actionIdFor(verb, kind), id, `${verb} ${kind}`);
  assert.ok(isActionVerb('quarantine'));
  assert.ok(!isActionVerb('status'));
  assert.ok(!isActionVerb('toString'), 'no prototype keys');
});

test('the ECS action ids a command maps to exist in the remediation catalog', () => {
  const catalog = buildCatalog();
  for (const id of ['isolate_task', 'release_isolation', 'stop_task', 'quarantine_image', 'find_image_tasks', 'scan_image']) {
    assert.ok(catalog.has(id as never), `catalog has ${id}`);
  }
});

test('findingResource: what a finding-id target acts on, or why it cannot', () => {
  assert.deepEqual(findingResource(fixtureFinding('ecs-fargate-runtime.json')), {
    kind: 'ecs_task',
    taskArn: 'arn:aws:ecs:us-east-1:123456789012:task/prod-payments/8f3e2d1c0b9a48f7a6e5d4c3b2a19f8e',
  });
  assert.deepEqual(findingResource(fixtureFinding('instance-ec2-runtime.json')), { kind: 'instance', instanceId: 'i-0abc1234def567890' });
  const pod = findingResource(fixtureFinding('eks-pod-runtime.json'));
  assert.deepEqual(pod, { kind: 'pod', cluster: 'prod-eks', namespace: 'media', pod: 'image-resizer-6d8f9c7b5-x2kqp' });
  const s3 = findingResource(fixtureFinding('s3-block-public-access-disabled.json'));
  assert.ok(s3.kind === 'unsupported' && /S3Bucket|resource/.test(s3.problem));
});

test('error and help replies are valid Block Kit, escape user input, and show the usage', () => {
  const err = parseCommand('isolate <!channel>&<@U0123ABCD>');
  assert.ok(isCommandError(err));
  const msg = commandErrorMessage(err);
  assertWithinBlockKitLimits(msg);
  assertNoSlackMarkup(msg);
  assert.match(JSON.stringify(msg.blocks), /\/guardduty isolate TASK_ARN\|INSTANCE_ID\|FINDING_ID/);
  const long = parseCommand(`isolate ${'<!here>'.repeat(1000)}`);
  assert.ok(isCommandError(long));
  assertWithinBlockKitLimits(commandErrorMessage(long));
  assertWithinBlockKitLimits(helpMessage());
});
