import { beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mockClient } from 'aws-sdk-client-mock';
import { ECSClient, StopTaskCommand } from '@aws-sdk/client-ecs';
import { STOP_TASK_REASON_MAX_LENGTH, stopReason, stopTask, stopTasks, type StopTasksProgress } from '../../../src/aws/ecs/stop.js';
import { awsError, clusterArn, meta, taskArn } from '../helpers.js';

const ecsMock = mockClient(ECSClient);
const clients = { ecs: new ECSClient({ region: 'eu-west-1' }) };

beforeEach(() => ecsMock.reset());

describe('stopReason', () => {
  test('ECS limit is 255 characters', () => assert.equal(STOP_TASK_REASON_MAX_LENGTH, 255));

  test('trims, and cuts long reasons to exactly 255 with an ellipsis', () => {
    assert.equal(stopReason('  GuardDuty: crypto miner  '), 'GuardDuty: crypto miner');
    const long = stopReason('x'.repeat(400));
    assert.equal(long.length, 255);
    assert.ok(long.endsWith('…'));
  });

  test('never splits a surrogate pair', () => {
    const r = stopReason('a'.repeat(253) + '😀'.repeat(10));
    assert.ok(r.length <= 255);
    assert.doesNotMatch(r, /[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });
});

describe('stopTask', () => {
  test('sends cluster, task and the truncated reason; returns request id and stoppedAt', async () => {
    const stoppedAt = new Date('2025-01-02T03:04:05Z');
    ecsMock.on(StopTaskCommand).resolves({ ...meta('r-stop'), task: { stoppedAt, lastStatus: 'STOPPED', desiredStatus: 'STOPPED' } });
    const reason = `GuardDuty finding 123: ${'y'.repeat(300)}`;
    const out = await stopTask(clients, { cluster: clusterArn('prod'), taskArn: taskArn('prod', 't1'), reason });
    const input = ecsMock.commandCalls(StopTaskCommand)[0]!.args[0].input;
    assert.equal(input.cluster, clusterArn('prod'));
    assert.equal(input.task, taskArn('prod', 't1'));
    assert.equal(input.reason?.length, 255);
    assert.ok(input.reason?.startsWith('GuardDuty finding 123: yyy'));
    assert.deepEqual(out, { requestId: 'r-stop', stoppedAt: '2025-01-02T03:04:05.000Z', lastStatus: 'STOPPED', desiredStatus: 'STOPPED' });
  });
});

describe('stopTasks', () => {
  test('a failure never aborts the rest; each task is stopped once; progress is reported', async () => {
    const t = (id: string) => ({ clusterArn: clusterArn('prod'), taskArn: taskArn('prod', id) });
    ecsMock.on(StopTaskCommand).resolves(meta('r-ok'));
    ecsMock.on(StopTaskCommand, { task: taskArn('prod', 't2') }).rejects(awsError('AccessDeniedException', 'denied', 'r-denied'));
    const progress: StopTasksProgress[] = [];
    const out = await stopTasks(clients, [t('t1'), t('t2'), t('t1'), t('t3')], 'contain', { concurrency: 2, onProgress: (p) => progress.push(p) });

    assert.equal(ecsMock.commandCalls(StopTaskCommand).length, 3);
    assert.deepEqual(
      out.map((o) => [o.taskArn.split('/').pop(), o.ok]),
      [
        ['t1', true],
        ['t2', false],
        ['t3', true],
      ],
    );
    const failed = out[1]!;
    assert.ok(!failed.ok);
    assert.equal(failed.code, 'aws_access_denied');
    assert.equal(failed.requestId, 'r-denied');
    assert.match(failed.message, /not allowed to call ecs:StopTask on arn:aws:ecs:eu-west-1:123456789012:task\/prod\/t2\. Add ecs:StopTask to its policy\./);
    assert.deepEqual(
      progress.map((p) => [p.done, p.total]),
      [
        [1, 3],
        [2, 3],
        [3, 3],
      ],
    );
  });
});
