/**
 * Acting across an AWS Organization end to end: the app in the administrator account, findings
 * of member accounts, the real SDK (STS included) against the loopback organization double,
 * signed Slack interactions. Every step runs in the finding's own account through the member
 * role, attributed to the Slack user; accounts outside AWS_ACCOUNT_IDS are never called.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CARD_ACTION_PREFIX } from '../../src/slack/messages/action-messages.js';
import { createLogger } from '../../src/log.js';
import { startOrganizationDouble, type OrganizationDouble } from '../doubles/aws/organization.js';
import type { AwsDouble } from '../doubles/aws/index.js';
import { ecsFindingEvent, publishFinding, RESPONDER } from '../helpers/ecs-world.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { onlyAnswer, slash } from '../helpers/incident-world.js';
import { cardButtons, cardText, openPlan, runAction, sendBlockAction, threadText } from '../helpers/slack-interactions.js';

const ADMIN = '111111111111';
const PROD = '222222222222';
const STAGING = '333333333333';
const OUTSIDE = '444444444444';
const ROLE = 'arn:aws:iam::{accountId}:role/GuardDutyResponder';
const roleIn = (a: string) => ROLE.replace('{accountId}', a);
const EXTERNAL_ID = 'gdr-external-7f3a';

async function orgWorld(): Promise<{ h: Harness; org: OrganizationDouble; close(): Promise<void> }> {
  const org = await startOrganizationDouble({ admin: ADMIN, members: [PROD, STAGING, OUTSIDE], regions: ['us-east-1'] });
  org.sts.addRole(roleIn(PROD), { externalId: EXTERNAL_ID });
  // Staging's role trusts another external id: AssumeRole is refused.
  org.sts.addRole(roleIn(STAGING), { externalId: 'someone-else' });
  org.sts.addRole(roleIn(OUTSIDE), { externalId: EXTERNAL_ID });
  const h = await startHarness({
    env: {
      RESPONDER_USER_IDS: RESPONDER,
      AWS_MEMBER_ROLE_ARN: ROLE,
      AWS_MEMBER_ROLE_EXTERNAL_ID: EXTERNAL_ID,
      AWS_ACCOUNT_IDS: `${ADMIN},${PROD},${STAGING}`,
      AWS_ACCOUNT_NAMES: `${PROD}=prod,${STAGING}=staging`,
    },
    overrides: {
      awsOptions: { endpointUrl: org.endpoint, defaultRegion: 'us-east-1', credentials: org.adminCredentials, maxAttempts: 2, logger: createLogger('silent') },
    },
  });
  return {
    h,
    org,
    close: async () => {
      await h.close();
      await org.close();
    },
  };
}

/** A task in one account's world and the EventBridge event of its finding (delivered in the admin account). */
function memberTask(world: AwsDouble, accountId: string, opts: { repository?: string; image?: { uri: string; digest: string } } = {}) {
  const net = world.seed.network();
  world.ec2.addSubnet({ vpcId: net.vpc.vpcId, cidrBlock: '10.0.16.0/20' });
  const img = opts.image ?? world.seed.image({ repository: opts.repository ?? 'checkout', tag: '1.4' });
  const task = world.seed.fargateTask({
    cluster: 'prod',
    service: 'checkout',
    image: img.uri,
    digest: img.digest,
    subnetId: net.subnet.subnetId,
    ip: '10.0.1.20',
  });
  const { event, findingId } = ecsFindingEvent({ taskArn: task.taskArn, clusterArn: task.clusterArn, image: img.uri });
  event.account = ADMIN; // the envelope is the administrator's; the finding's account is detail.accountId
  event.detail.accountId = accountId;
  event.detail.arn = event.detail.arn.replace(/:\d{12}:/, `:${accountId}:`);
  return { net, img, task, event, findingId };
}

test("isolate a member account's task: the member's network changes, the administrator's does not; the member's trail shows the Slack user as SourceIdentity", async (t) => {
  const w = await orgWorld();
  t.after(() => w.close());
  const prod = w.org.world(PROD);
  const admin = w.org.world(ADMIN);
  const m = memberTask(prod, PROD);
  const lookalike = memberTask(admin, ADMIN); // same cluster, service and address in the admin account
  const adminAclBefore = JSON.stringify(admin.ec2.networkAcls.get(lookalike.net.networkAcl.networkAclId)!.entries);
  await publishFinding(w.h, m.event);
  assert.match(await cardText(w.h, m.findingId), /222222222222` \(prod\)/, 'the card names the account');

  await runAction(w.h, { findingId: m.findingId, action: 'isolate_task', user: RESPONDER, reason: 'reverse shell' });
  const denies = prod.ec2.networkAcls.get(m.net.networkAcl.networkAclId)!.entries.filter((e) => e.ruleAction === 'deny' && e.cidrBlock === '10.0.1.20/32');
  assert.equal(denies.length, 2, "the member account's ACL denies the task address");
  assert.equal(
    JSON.stringify(admin.ec2.networkAcls.get(lookalike.net.networkAcl.networkAclId)!.entries),
    adminAclBefore,
    'the administrator account is untouched',
  );
  assert.equal(
    w.org.callsIn(ADMIN).filter((r) => r.event.startsWith('ec2:') || r.event.startsWith('ecs:')).length,
    0,
    'no ECS/EC2 call in the administrator account',
  );

  const changes = w.org.callsIn(PROD, 'ec2:CreateNetworkAclEntry');
  assert.ok(changes.length >= 2);
  for (const c of changes) {
    assert.equal(c.sourceIdentity, RESPONDER, 'CloudTrail in the member account shows who did it');
    assert.match(c.principal, /assumed-role\/GuardDutyResponder\/gdr-isolate_task-U0RESPONDER$/);
  }
  const assumed = w.org.sts.assumeRoleCalls.filter((c) => c.roleArn === roleIn(PROD));
  assert.ok(assumed.length >= 1);
  assert.ok(assumed.every((c) => c.externalId === EXTERNAL_ID && c.sourceIdentity === RESPONDER));
  assert.match(await threadText(w.h, m.findingId), /Isolate task/);
});

test('an account outside AWS_ACCOUNT_IDS: the card says the app does not act there and has no step buttons; a stale button and a command are refused; zero AssumeRole, zero calls', async (t) => {
  const w = await orgWorld();
  t.after(() => w.close());
  const outside = w.org.world(OUTSIDE);
  const m = memberTask(outside, OUTSIDE);
  await publishFinding(w.h, m.event);
  const card = await cardText(w.h, m.findingId);
  assert.match(card, /does not act in this account or Region/);
  assert.deepEqual(
    (await cardButtons(w.h, m.findingId)).map((b) => b.action_id),
    [],
    'no remediation step is offered',
  );

  // A button from before the allowlist changed (same card key): the plan is refused, nothing called.
  const { value } = JSON.parse(JSON.stringify({ value: (await w.h.responder.store.getFinding(m.findingId))!.cardKey })) as { value: string };
  await sendBlockAction(w.h, { actionId: `${CARD_ACTION_PREFIX}stop_task`, value, user: RESPONDER });
  await w.h.settle();
  const modal = JSON.stringify(w.h.slack.callsTo('views.update').at(-1)?.args ?? {});
  assert.match(modal, /does not act in account 444444444444/);

  const c = await slash(w.h, { text: `stop ${m.task.taskArn}`, user: RESPONDER });
  const a = onlyAnswer(w.h, c.id);
  assert.match(a.text, /Nothing was done/);
  assert.match(a.text, /444444444444 is not covered/);

  assert.equal(w.org.sts.assumeRoleCalls.length, 0, 'no AssumeRole into the unlisted account');
  assert.equal(w.org.callsIn(OUTSIDE).length, 0, 'no call of any kind into it');
  assert.equal(outside.ecs.task(m.task.taskArn)?.lastStatus, 'RUNNING');
});

test('a refused role: the plan modal names the role ARN and the likely cause; nothing changed', async (t) => {
  const w = await orgWorld();
  t.after(() => w.close());
  const staging = w.org.world(STAGING);
  const m = memberTask(staging, STAGING);
  await publishFinding(w.h, m.event);
  assert.ok(
    (await cardButtons(w.h, m.findingId)).some((b) => b.action_id.endsWith('stop_task')),
    'a listed account gets its buttons',
  );
  const modal = await openPlan(w.h, { findingId: m.findingId, action: 'stop_task', user: RESPONDER });
  assert.ok(modal.text.includes(roleIn(STAGING)), modal.text);
  assert.match(modal.text, /AccessDenied/);
  assert.match(modal.text, /trust policy/);
  assert.match(modal.text, /external id/);
  assert.equal(modal.submit, undefined, 'the modal cannot be submitted');
  assert.equal(w.org.sts.assumeRoleCalls.at(-1)?.error, 'AccessDenied');
  assert.equal(w.org.callsIn(STAGING).filter((r) => !r.event.startsWith('sts:')).length, 0);
  assert.equal(staging.ecs.task(m.task.taskArn)?.lastStatus, 'RUNNING');
});

test('"Find tasks using this image" sweeps every allowed account: tasks found in two accounts, per-account results, the account that could not be searched and why', async (t) => {
  const w = await orgWorld();
  t.after(() => w.close());
  const prod = w.org.world(PROD);
  const admin = w.org.world(ADMIN);
  const m = memberTask(prod, PROD, { repository: 'shared/base' });
  // The same image (same digest, from the shared registry) also runs in the administrator account.
  admin.seed.fargateTask({ cluster: 'tools', service: 'runner', image: m.img.uri, digest: m.img.digest });
  admin.seed.fargateTask({ cluster: 'tools', service: 'runner', image: m.img.uri, digest: m.img.digest });
  await publishFinding(w.h, m.event);

  await runAction(w.h, { findingId: m.findingId, action: 'find_image_tasks', user: RESPONDER });
  const thread = await threadText(w.h, m.findingId);
  assert.match(thread, /account 222222222222 \(prod\) us-east-1: 1 running task\(s\) in 1 cluster\(s\)/);
  assert.match(thread, /account 111111111111 us-east-1: 2 running task\(s\) in 1 cluster\(s\)/);
  assert.match(thread, /account 333333333333 \(staging\) us-east-1 could not be searched: [^"]*AccessDenied/);
  assert.match(thread, /3 running tasks in 2 clusters/);
  assert.match(await cardText(w.h, m.findingId), /incomplete: 1 account-Region could not be searched/);
  for (const acct of [PROD, ADMIN]) assert.ok(w.org.callsIn(acct, 'ecs:DescribeTasks').length >= 1, `${acct} was searched with its own credentials`);
  assert.ok(w.org.callsIn(PROD, 'ecs:ListClusters').every((r) => r.sourceIdentity === RESPONDER));
});

test("an image in a shared registry account is quarantined with the registry account's credentials (its session of the same person)", async (t) => {
  const w = await orgWorld();
  t.after(() => w.close());
  const prod = w.org.world(PROD);
  const admin = w.org.world(ADMIN);
  // The registry is PROD's ECR; the task that runs the image is in the administrator account.
  const img = prod.seed.image({ repository: 'shared/base', tag: '7' });
  const m = memberTask(admin, ADMIN, { image: img });
  await publishFinding(w.h, m.event);
  await runAction(w.h, { findingId: m.findingId, action: 'quarantine_image', user: RESPONDER, reason: 'cryptominer in the base image' });
  const deletes = w.org.callsIn(PROD, 'ecr:BatchDeleteImage');
  assert.equal(deletes.length, 1, 'deleted in the registry account');
  assert.equal(deletes[0]!.sourceIdentity, RESPONDER);
  assert.equal(w.org.callsIn(ADMIN, 'ecr:BatchDeleteImage').length, 0);
  assert.match(await threadText(w.h, m.findingId), /deleted/);
});
