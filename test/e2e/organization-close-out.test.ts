/**
 * A false positive on a member account's finding, in a delegated-administrator set-up: GuardDuty
 * archive, feedback and the suppression rule go to the administrator's detector (the app's own
 * account) in the finding's Region — never to the member account, and even when the
 * administrator runs no workloads (left out of AWS_ACCOUNT_IDS).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLogger } from '../../src/log.js';
import { startOrganizationDouble } from '../doubles/aws/organization.js';
import { ecsFindingEvent, publishFinding, RESPONDER } from '../helpers/ecs-world.js';
import { CHANNEL, startHarness } from '../helpers/harness.js';
import { clickCreateSuppression, closeFromCard, incidentOf, incidentThread } from '../helpers/incident-world.js';

const ADMIN = '111111111111';
const PROD = '222222222222';
const ROLE = 'arn:aws:iam::{accountId}:role/GuardDutyResponder';
const EXTERNAL_ID = 'gdr-external-7f3a';

test("false positive on a member finding: archived, NOT_USEFUL feedback and the suppression rule in the administrator account's detector; the member account is not touched", async (t) => {
  const org = await startOrganizationDouble({ admin: ADMIN, members: [PROD], regions: ['us-east-1'] });
  org.sts.addRole(ROLE.replace('{accountId}', PROD), { externalId: EXTERNAL_ID });
  const h = await startHarness({
    env: {
      RESPONDER_USER_IDS: RESPONDER,
      AWS_MEMBER_ROLE_ARN: ROLE,
      AWS_MEMBER_ROLE_EXTERNAL_ID: EXTERNAL_ID,
      AWS_ACCOUNT_IDS: PROD,
      AWS_REGIONS: 'us-east-1',
    },
    overrides: {
      awsOptions: { endpointUrl: org.endpoint, defaultRegion: 'us-east-1', credentials: org.adminCredentials, maxAttempts: 2, logger: createLogger('silent') },
    },
  });
  t.after(async () => {
    await h.close();
    await org.close();
  });
  const prod = org.world(PROD);
  const admin = org.world(ADMIN);
  const net = prod.seed.network();
  const img = prod.seed.image({ repository: 'checkout', tag: '1.4' });
  const task = prod.seed.fargateTask({
    cluster: 'prod',
    service: 'checkout',
    image: img.uri,
    digest: img.digest,
    subnetId: net.subnet.subnetId,
    ip: '10.0.1.20',
  });
  const { event, findingId } = ecsFindingEvent({ taskArn: task.taskArn, clusterArn: task.clusterArn, image: img.uri });
  event.account = ADMIN;
  event.detail.accountId = PROD;
  event.detail.arn = event.detail.arn.replace(/:\d{12}:/, `:${PROD}:`);
  await publishFinding(h, event);
  const incident = await incidentOf(h, findingId);

  await closeFromCard(h, { findingId, user: RESPONDER, reason: 'red team exercise', falsePositive: true, propose: true });
  assert.deepEqual([...admin.guardduty.archived], [findingId], "archived by the administrator's detector");
  assert.deepEqual(admin.guardduty.feedback.get(findingId), { feedback: 'NOT_USEFUL', comments: 'red team exercise' });
  assert.deepEqual([prod.guardduty.archived.size, prod.guardduty.feedback.size], [0, 0], 'nothing in the member account');
  const thread = incidentThread(h, incident).join('\n');
  assert.ok(thread.includes(`Archived 1/1 finding(s) in ${ADMIN} us-east-1 (administrator account; findings of ${PROD})`), thread);

  await clickCreateSuppression(h, { incidentId: incident.id, user: RESPONDER, channel: CHANNEL });
  assert.deepEqual([...admin.guardduty.filters.keys()], [`gd-responder-${incident.id}`], "the rule is the administrator's: it covers every member account");
  assert.equal(prod.guardduty.filters.size, 0);
  assert.ok(incidentThread(h, incident).join('\n').includes(`created GuardDuty suppression rule *gd-responder-${incident.id}* in ${ADMIN} us-east-1`));
  assert.equal(org.callsIn(PROD).filter((r) => r.event.startsWith('guardduty:')).length, 0, 'no GuardDuty call in the member account');
});
