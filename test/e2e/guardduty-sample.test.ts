/**
 * `/guardduty sample`: an authorized user has GuardDuty create Runtime Monitoring sample findings
 * in the app's own account (real SDK against the AWS double); everyone else is refused with no
 * AWS call; a Region outside AWS_REGIONS is refused before any call.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RUNTIME_SAMPLE_TYPES } from '../../src/aws/guardduty/sample-findings.js';
import { OUTSIDER, RESPONDER, startEcsWorld } from '../helpers/ecs-world.js';
import { onlyAnswer, slash } from '../helpers/incident-world.js';

test("/guardduty sample: runtime sample findings in the app's account and default Region, said back; an outsider and another Region are refused with nothing created", async (t) => {
  const w = await startEcsWorld({ env: { AWS_REGIONS: 'us-east-1' } });
  t.after(() => w.close());
  const { aws, h } = w;
  assert.equal(aws.region, 'us-east-1');

  const outsider = await slash(h, { text: 'sample', user: OUTSIDER });
  assert.match(onlyAnswer(h, outsider.id).text, /^:lock: You may not create GuardDuty sample findings: .*Nothing was changed\.$/);
  assert.equal(aws.callsTo('guardduty:CreateSampleFindings').length, 0);

  const cmd = await slash(h, { text: 'sample', user: RESPONDER });
  assert.deepEqual(aws.guardduty.sampleRequests, [[...RUNTIME_SAMPLE_TYPES]], 'one request, runtime types only');
  const call = aws.callsTo('guardduty:CreateSampleFindings')[0]!;
  assert.equal((call.params as { labels: Record<string, string> }).labels.DetectorId, aws.guardduty.detectorId);
  const answer = onlyAnswer(h, cmd.id);
  assert.equal(answer.responseType, 'ephemeral');
  assert.ok(
    answer.text.startsWith(
      `:test_tube: Asked GuardDuty for ${RUNTIME_SAMPLE_TYPES.length} Runtime Monitoring sample finding(s) in account ${aws.accountId} us-east-1 (detector ${aws.guardduty.detectorId}):`,
    ),
    answer.text,
  );
  assert.ok(answer.text.includes('`Execution:Runtime/ReverseShell`'));
  assert.match(answer.text, /arrive as cards marked SAMPLE/);
  assert.ok(answer.text.includes(call.requestId!), 'the request id is given');

  const elsewhere = await slash(h, { text: 'sample --region eu-west-1', user: RESPONDER });
  assert.match(onlyAnswer(h, elsewhere.id).text, /not created: The app does not act in eu-west-1 \(AWS_REGIONS: us-east-1\)\. Nothing was called in AWS\./);
  const bad = await slash(h, { text: 'sample --region mars', user: RESPONDER });
  assert.match(onlyAnswer(h, bad.id).text, /"mars" is not an AWS Region/);
  assert.equal(aws.guardduty.sampleRequests.length, 1, 'nothing more was created');
});
