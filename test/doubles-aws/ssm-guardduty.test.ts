import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DescribeInstanceInformationCommand, GetCommandInvocationCommand, SendCommandCommand } from '@aws-sdk/client-ssm';
import {
  ArchiveFindingsCommand,
  CreateFilterCommand,
  DescribeMalwareScansCommand,
  GetMalwareScanCommand,
  ListDetectorsCommand,
  StartMalwareScanCommand,
  UpdateFindingsFeedbackCommand,
} from '@aws-sdk/client-guardduty';
import { startAwsDouble } from '../doubles/aws/index.js';
import { clients, rejectsWith } from './helpers.js';

function manualClock(start = Date.parse('2026-11-28T10:00:00Z')) {
  let t = start;
  return {
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
  };
}

test('SSM (awsJson1_1, AmazonSSM.*): instance information, SendCommand, GetCommandInvocation through InvocationDoesNotExist to the outcome', async () => {
  const aws = await startAwsDouble();
  try {
    const online = aws.seed.instance({ ssm: 'online' });
    const lost = aws.seed.instance({ ssm: 'lost' });
    const unmanaged = aws.seed.instance({ ssm: 'none' });
    const { ssm } = clients(aws);
    const info = await ssm.send(
      new DescribeInstanceInformationCommand({ Filters: [{ Key: 'InstanceIds', Values: [online.instanceId, lost.instanceId, unmanaged.instanceId] }] }),
    );
    assert.deepEqual(
      info.InstanceInformationList?.map((i) => [i.InstanceId, i.PingStatus, i.PlatformType]),
      [
        [online.instanceId, 'Online', 'Linux'],
        [lost.instanceId, 'ConnectionLost', 'Linux'],
      ],
    );
    assert.ok(info.InstanceInformationList?.[0]?.LastPingDateTime instanceof Date);
    await rejectsWith(
      ssm.send(new DescribeInstanceInformationCommand({ Filters: [{ Key: 'Bogus', Values: ['x'] }] })),
      'InvalidInstanceInformationFilterValue',
    );

    aws.ssm.setOutcome(online.instanceId, { status: 'Failed', stderr: 'Error response from daemon: container web is not running', responseCode: 1 }, 'pause');
    const sent = await ssm.send(
      new SendCommandCommand({
        DocumentName: 'AWS-RunShellScript',
        InstanceIds: [online.instanceId],
        Parameters: { commands: ['docker pause web'] },
        TimeoutSeconds: 60,
        Comment: 'test',
      }),
    );
    const commandId = sent.Command?.CommandId ?? '';
    assert.match(commandId, /^[0-9a-f-]{36}$/);
    assert.equal(sent.Command?.Status, 'Pending');
    assert.ok(sent.Command?.RequestedDateTime instanceof Date);
    const get = () => ssm.send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: online.instanceId }));
    await rejectsWith(get(), 'InvocationDoesNotExist');
    assert.equal((await get()).Status, 'InProgress');
    const done = await get();
    assert.deepEqual([done.Status, done.ResponseCode, done.StandardErrorContent], ['Failed', 1, 'Error response from daemon: container web is not running']);
    assert.deepEqual(aws.ssm.commandsSentTo(online.instanceId), ['docker pause web']);

    // Default outcome: docker prints the reference it acted on; stdout is cut at 24,000 characters.
    const stop = await ssm.send(
      new SendCommandCommand({ DocumentName: 'AWS-RunShellScript', InstanceIds: [online.instanceId], Parameters: { commands: ['docker stop web'] } }),
    );
    await rejectsWith(
      ssm.send(new GetCommandInvocationCommand({ CommandId: stop.Command!.CommandId, InstanceId: online.instanceId })),
      'InvocationDoesNotExist',
    );
    await ssm.send(new GetCommandInvocationCommand({ CommandId: stop.Command!.CommandId, InstanceId: online.instanceId }));
    const ok = await ssm.send(new GetCommandInvocationCommand({ CommandId: stop.Command!.CommandId, InstanceId: online.instanceId }));
    assert.deepEqual([ok.Status, ok.StandardOutputContent], ['Success', 'web\n']);
    aws.ssm.setOutcome(online.instanceId, { status: 'Success', stdout: 'x'.repeat(30_000), finishesAfterPolls: 1 });
    aws.ssm.invisiblePolls = 0;
    const big = await ssm.send(
      new SendCommandCommand({ DocumentName: 'AWS-RunShellScript', InstanceIds: [online.instanceId], Parameters: { commands: ['echo'] } }),
    );
    const bigOut = await ssm.send(new GetCommandInvocationCommand({ CommandId: big.Command!.CommandId, InstanceId: online.instanceId }));
    assert.equal(bigOut.StandardOutputContent?.length, 24_000);

    for (const id of [lost.instanceId, unmanaged.instanceId]) {
      const e = await rejectsWith(
        ssm.send(new SendCommandCommand({ DocumentName: 'AWS-RunShellScript', InstanceIds: [id], Parameters: { commands: ['docker pause web'] } })),
        'InvalidInstanceId',
      );
      assert.match(e.message, /not in a valid state/);
    }
    await rejectsWith(
      ssm.send(new SendCommandCommand({ DocumentName: 'AWS-RunPowerShellScript', InstanceIds: [online.instanceId], Parameters: { commands: ['x'] } })),
      'InvalidDocument',
    );
    aws.denyOperation('ssm:SendCommand');
    const denied = await rejectsWith(
      ssm.send(new SendCommandCommand({ DocumentName: 'AWS-RunShellScript', InstanceIds: [online.instanceId], Parameters: { commands: ['x'] } })),
      'AccessDeniedException',
    );
    assert.match(denied.message, /ssm:SendCommand/);
  } finally {
    await aws.close();
  }
});

test('GuardDuty (restJson1): detector, start scan (idempotent token, one per hour), describe by SCAN_ID RUNNING → COMPLETED, threat counts', async () => {
  const clock = manualClock();
  const aws = await startAwsDouble({ now: clock.now });
  try {
    const s = aws.seed.instance({
      volumes: 2,
      malwareScan: { status: 'COMPLETED', result: 'INFECTED', fileCount: 4200, threats: [{ name: 'EICAR-Test-File', count: 2 }], completesAfterPolls: 2 },
    });
    const { guardduty } = clients(aws);
    const detectors = await guardduty.send(new ListDetectorsCommand({}));
    assert.deepEqual(detectors.DetectorIds, [aws.guardduty.detectorId]);
    const detectorId = detectors.DetectorIds![0]!;

    const started = await guardduty.send(new StartMalwareScanCommand({ ResourceArn: s.instanceArn, ClientToken: 'action-1' }));
    assert.match(started.ScanId ?? '', /^[0-9a-f]{32}$/);
    assert.ok(started.$metadata.requestId);
    const retried = await guardduty.send(new StartMalwareScanCommand({ ResourceArn: s.instanceArn, ClientToken: 'action-1' }));
    assert.equal(retried.ScanId, started.ScanId, 'same client token, same scan');
    const tooSoon = await rejectsWith(guardduty.send(new StartMalwareScanCommand({ ResourceArn: s.instanceArn })), 'BadRequestException');
    assert.match(tooSoon.message, /one hour after the previous scan start time/);
    await rejectsWith(
      guardduty.send(new StartMalwareScanCommand({ ResourceArn: 'arn:aws:ec2:us-east-1:123456789012:instance/i-0000000000000dead' })),
      'BadRequestException',
    );

    const describe = () =>
      guardduty.send(
        new DescribeMalwareScansCommand({
          DetectorId: detectorId,
          FilterCriteria: { FilterCriterion: [{ CriterionKey: 'SCAN_ID', FilterCondition: { EqualsValue: started.ScanId } }] },
        }),
      );
    assert.equal((await describe()).Scans?.[0]?.ScanStatus, 'RUNNING');
    assert.equal((await describe()).Scans?.[0]?.ScanStatus, 'RUNNING');
    const done = (await describe()).Scans?.[0];
    assert.equal(done?.ScanStatus, 'COMPLETED');
    assert.equal(done?.ScanResultDetails?.ScanResult, 'INFECTED');
    assert.equal(done?.FileCount, 4200);
    assert.ok(done?.ScanStartTime instanceof Date && done.ScanEndTime instanceof Date);
    assert.equal(done?.ResourceDetails?.InstanceArn, s.instanceArn);
    assert.deepEqual(
      done?.AttachedVolumes?.map((v) => v.DeviceName),
      ['/dev/xvda', '/dev/sdf'],
    );
    const detail = await guardduty.send(new GetMalwareScanCommand({ ScanId: started.ScanId }));
    assert.deepEqual(
      [detail.ScanResultDetails?.UniqueThreatCount, detail.ScanResultDetails?.ThreatFoundFileCount, detail.ScanResultDetails?.Threats?.[0]?.Name],
      [1, 2, 'EICAR-Test-File'],
    );
    assert.equal(detail.ScanResultDetails?.ScanResultStatus, 'THREATS_FOUND');

    await rejectsWith(
      guardduty.send(
        new DescribeMalwareScansCommand({
          DetectorId: detectorId,
          FilterCriteria: {
            FilterCriterion: [
              { CriterionKey: 'SCAN_ID', FilterCondition: { EqualsValue: 'a' } },
              { CriterionKey: 'SCAN_TYPE', FilterCondition: { EqualsValue: 'ON_DEMAND' } },
            ],
          },
        }),
      ),
      'BadRequestException',
    );
    const wrongDetector = await rejectsWith(guardduty.send(new DescribeMalwareScansCommand({ DetectorId: 'abc' })), 'BadRequestException');
    assert.match(wrongDetector.message, /not owned by the current account/);

    clock.advance(60 * 60 * 1000);
    const later = await guardduty.send(new StartMalwareScanCommand({ ResourceArn: s.instanceArn }));
    assert.notEqual(later.ScanId, started.ScanId, 'a new scan is allowed one hour later');

    aws.denyOperation('guardduty:StartMalwareScan');
    const denied = await rejectsWith(guardduty.send(new StartMalwareScanCommand({ ResourceArn: s.instanceArn })), 'AccessDeniedException');
    assert.equal(denied.$metadata.httpStatusCode, 403);
    assert.match(denied.message, new RegExp(`guardduty:StartMalwareScan on resource: ${s.instanceArn.replace(/[/.]/g, '\\$&')}`));
  } finally {
    await aws.close();
  }
});

test('GuardDuty findings: archive (≤ 50 ids), feedback, CreateFilter (duplicate refused); no detector when GuardDuty is off', async () => {
  const aws = await startAwsDouble();
  try {
    const { guardduty } = clients(aws);
    const detectorId = aws.guardduty.detectorId!;
    await guardduty.send(new ArchiveFindingsCommand({ DetectorId: detectorId, FindingIds: ['f1', 'f2'] }));
    assert.deepEqual([...aws.guardduty.archived], ['f1', 'f2']);
    await rejectsWith(
      guardduty.send(new ArchiveFindingsCommand({ DetectorId: detectorId, FindingIds: Array.from({ length: 51 }, (_, i) => `f${i}`) })),
      'BadRequestException',
    );
    await guardduty.send(new UpdateFindingsFeedbackCommand({ DetectorId: detectorId, FindingIds: ['f1'], Feedback: 'NOT_USEFUL', Comments: 'build agent' }));
    assert.deepEqual(aws.guardduty.feedback.get('f1'), { feedback: 'NOT_USEFUL', comments: 'build agent' });
    const created = await guardduty.send(
      new CreateFilterCommand({
        DetectorId: detectorId,
        Name: 'suppress-build',
        Action: 'ARCHIVE',
        FindingCriteria: { Criterion: { type: { Equals: ['Execution:Runtime/NewBinaryExecuted'] } } },
      }),
    );
    assert.equal(created.Name, 'suppress-build');
    assert.deepEqual(
      aws.guardduty.filters.get('suppress-build')?.criterion,
      { type: { equals: ['Execution:Runtime/NewBinaryExecuted'] } },
      'wire JSON is camelCase',
    );
    await rejectsWith(
      guardduty.send(new CreateFilterCommand({ DetectorId: detectorId, Name: 'suppress-build', FindingCriteria: { Criterion: { type: { Equals: ['x'] } } } })),
      'BadRequestException',
    );
  } finally {
    await aws.close();
  }
  const off = await startAwsDouble({ guardDutyEnabled: false });
  try {
    assert.deepEqual((await clients(off).guardduty.send(new ListDetectorsCommand({}))).DetectorIds, []);
  } finally {
    await off.close();
  }
});
