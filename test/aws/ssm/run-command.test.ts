import { beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mockClient } from 'aws-sdk-client-mock';
import { DescribeInstanceInformationCommand, GetCommandInvocationCommand, SendCommandCommand, SSMClient } from '@aws-sdk/client-ssm';
import { dockerCommandLine, hasSsmAgent, runDockerCommand, validateContainerRef, OUTPUT_KEEP_CHARS } from '../../../src/aws/ssm/index.js';
import { isAppError } from '../../../src/errors.js';
import { awsError, meta, REGION } from '../helpers.js';

const ssmMock = mockClient(SSMClient);
const clients = { ssm: new SSMClient({ region: REGION }) };
const CID = 'a'.repeat(64);

beforeEach(() => ssmMock.reset());

describe('hasSsmAgent', () => {
  test('DescribeInstanceInformation filtered by InstanceIds; Online only counts', async () => {
    ssmMock.on(DescribeInstanceInformationCommand).resolvesOnce({
      ...meta('r-i'),
      InstanceInformationList: [
        { InstanceId: 'i-0abc', PingStatus: 'Online', AgentVersion: '3.3.0', PlatformType: 'Linux', LastPingDateTime: new Date('2025-05-01T09:59:00Z') },
      ],
    });
    const a = await hasSsmAgent(clients, 'i-0abc');
    assert.deepEqual(ssmMock.commandCalls(DescribeInstanceInformationCommand)[0]!.args[0].input, { Filters: [{ Key: 'InstanceIds', Values: ['i-0abc'] }] });
    assert.deepEqual(a, {
      instanceId: 'i-0abc',
      managed: true,
      online: true,
      pingStatus: 'Online',
      lastPingAt: '2025-05-01T09:59:00.000Z',
      agentVersion: '3.3.0',
      platformType: 'Linux',
      requestIds: ['r-i'],
    });

    ssmMock
      .on(DescribeInstanceInformationCommand)
      .resolvesOnce({ InstanceInformationList: [{ InstanceId: 'i-0abc', PingStatus: 'ConnectionLost' }] })
      .resolves({ InstanceInformationList: [] });
    assert.equal((await hasSsmAgent(clients, 'i-0abc')).online, false);
    assert.deepEqual(await hasSsmAgent(clients, 'i-0abc'), { instanceId: 'i-0abc', managed: false, online: false, requestIds: [] });
  });
});

describe('container reference validation', () => {
  test('hex ids of 12–64 and docker names pass; anything that could reach a shell does not', () => {
    for (const ok of ['0123456789ab', CID, 'web', 'web_1.blue-2']) assert.equal(validateContainerRef(ok), ok);
    for (const bad of ['', 'abc; rm -rf /', '$(id)', '`id`', "a'b", 'a b', '-rf', '.hidden', 'x'.repeat(129), 'A\nB', 'web|cat']) {
      assert.throws(
        () => validateContainerRef(bad),
        (e: unknown) => isAppError(e, 'action_invalid'),
        bad,
      );
    }
    assert.equal(dockerCommandLine('pause', CID), `docker pause ${CID}`);
    assert.throws(
      () => dockerCommandLine('rm' as 'stop', CID),
      (e: unknown) => isAppError(e, 'action_invalid'),
    );
  });
});

describe('runDockerCommand', () => {
  test('SendCommand AWS-RunShellScript with only the built command; polls through InvocationDoesNotExist until Success', async () => {
    ssmMock.on(SendCommandCommand).resolves({ ...meta('r-send'), Command: { CommandId: 'cmd-1', Status: 'Pending' } });
    ssmMock
      .on(GetCommandInvocationCommand)
      .rejectsOnce(awsError('InvocationDoesNotExist', ''))
      .resolvesOnce({ Status: 'InProgress' })
      .resolves({ ...meta('r-get'), Status: 'Success', ResponseCode: 0, StandardOutputContent: `${CID}\n`, StandardErrorContent: '' });
    const sleeps: number[] = [];
    const r = await runDockerCommand(
      clients,
      { instanceId: 'i-0abc', containerId: CID, verb: 'pause', findingId: 'f1' },
      { sleep: async (ms) => void sleeps.push(ms), intervalMs: 500 },
    );
    assert.deepEqual(ssmMock.commandCalls(SendCommandCommand)[0]!.args[0].input, {
      DocumentName: 'AWS-RunShellScript',
      InstanceIds: ['i-0abc'],
      Parameters: { commands: [`docker pause ${CID}`], executionTimeout: ['60'] },
      TimeoutSeconds: 60,
      Comment: 'GuardDuty responder: docker pause (finding f1)',
    });
    assert.deepEqual(ssmMock.commandCalls(GetCommandInvocationCommand)[0]!.args[0].input, { CommandId: 'cmd-1', InstanceId: 'i-0abc' });
    assert.deepEqual(sleeps, [500, 500, 500]);
    assert.equal(r.status, 'Success');
    assert.equal(r.succeeded, true);
    assert.equal(r.stdout, `${CID}\n`);
    assert.equal(r.polls, 3);
    assert.deepEqual(r.requestIds, ['r-send', 'req-InvocationDoesNotExist', 'r-get'], 'refused polls carry request ids too');
  });

  test('Failed is reported with stderr (the caller decides to fall back to stop); long output is cut', async () => {
    ssmMock.on(SendCommandCommand).resolves({ Command: { CommandId: 'cmd-2' } });
    ssmMock
      .on(GetCommandInvocationCommand)
      .resolves({ Status: 'Failed', ResponseCode: 1, StandardErrorContent: `Error response from daemon: ${'x'.repeat(5000)}`, StatusDetails: 'Failed' });
    const r = await runDockerCommand(clients, { instanceId: 'i-0abc', containerId: 'web', verb: 'pause' }, { sleep: async () => {} });
    assert.equal(r.finished, true);
    assert.equal(r.succeeded, false);
    assert.equal(r.responseCode, 1);
    assert.equal(r.stderr.length, OUTPUT_KEEP_CHARS + 1);
    assert.equal(r.stderrTruncated, true);
  });

  test('gives up after maxPolls with the last status', async () => {
    ssmMock.on(SendCommandCommand).resolves({ Command: { CommandId: 'cmd-3' } });
    ssmMock.on(GetCommandInvocationCommand).resolves({ Status: 'InProgress' });
    const r = await runDockerCommand(clients, { instanceId: 'i-0abc', containerId: 'web', verb: 'stop' }, { sleep: async () => {}, maxPolls: 4 });
    assert.equal(r.finished, false);
    assert.equal(r.status, 'InProgress');
    assert.equal(r.polls, 4);
  });

  test('no agent: InvalidInstanceId becomes aws_ssm_unavailable; AccessDenied names ssm:SendCommand; a bad id sends nothing', async () => {
    ssmMock.on(SendCommandCommand).rejectsOnce(awsError('InvalidInstanceId', 'Instances [[i-0abc]] not in a valid state for account 123456789012'));
    await assert.rejects(
      runDockerCommand(clients, { instanceId: 'i-0abc', containerId: 'web', verb: 'pause' }, { sleep: async () => {} }),
      (e: unknown) => isAppError(e, 'aws_ssm_unavailable') && /Isolate the host/.test(e.message),
    );
    ssmMock.on(SendCommandCommand).rejects(awsError('AccessDeniedException', 'denied', 'r', 400));
    await assert.rejects(
      runDockerCommand(clients, { instanceId: 'i-0abc', containerId: 'web', verb: 'pause' }, { sleep: async () => {} }),
      (e: unknown) => isAppError(e, 'aws_access_denied') && /Add ssm:SendCommand/.test(e.message),
    );
    ssmMock.reset();
    await assert.rejects(runDockerCommand(clients, { instanceId: 'i-0abc', containerId: 'web;reboot', verb: 'pause' }), (e: unknown) =>
      isAppError(e, 'action_invalid'),
    );
    assert.equal(ssmMock.calls().length, 0);
  });
});
