import { beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { mockClient } from 'aws-sdk-client-mock';
import { CreateSampleFindingsCommand, GuardDutyClient, ListDetectorsCommand } from '@aws-sdk/client-guardduty';
import { createRuntimeSampleFindings, RUNTIME_SAMPLE_TYPES } from '../../../src/aws/guardduty/sample-findings.js';
import { isAppError } from '../../../src/errors.js';
import { REGION } from '../helpers.js';

const gdMock = mockClient(GuardDutyClient);
const clients = { guardduty: new GuardDutyClient({ region: REGION }) };
beforeEach(() => gdMock.reset());

test("creates runtime sample findings in the account's detector (from ListDetectors)", async () => {
  gdMock.on(ListDetectorsCommand).resolves({ DetectorIds: ['det-1'] });
  gdMock.on(CreateSampleFindingsCommand).resolves({ $metadata: { requestId: 'req-2' } });
  const r = await createRuntimeSampleFindings(clients);
  const sent = gdMock.commandCalls(CreateSampleFindingsCommand)[0]!.args[0].input;
  assert.equal(sent.DetectorId, 'det-1');
  assert.deepEqual(sent.FindingTypes, [...RUNTIME_SAMPLE_TYPES]);
  assert.ok(sent.FindingTypes!.every((t) => t.includes(':Runtime/')));
  assert.equal(r.detectorId, 'det-1');
  assert.ok(r.requestIds.includes('req-2'));
});

test('refuses non-runtime types before any AWS call', async () => {
  await assert.rejects(
    createRuntimeSampleFindings(clients, ['Recon:EC2/PortProbeUnprotectedPort']),
    (e) => isAppError(e, 'action_invalid') && /Runtime Monitoring/.test(e.message),
  );
  assert.equal(gdMock.calls().length, 0);
});

test('no detector: says GuardDuty is not enabled', async () => {
  gdMock.on(ListDetectorsCommand).resolves({ DetectorIds: [] });
  await assert.rejects(createRuntimeSampleFindings(clients), (e) => isAppError(e, 'aws_guardduty_disabled'));
  assert.equal(gdMock.commandCalls(CreateSampleFindingsCommand).length, 0);
});
