/**
 * An image's quarantine belongs to the image (issue 9 item 1): two findings on one ECR digest
 * (two tasks, so two incidents) are two cards about ONE image. Quarantined from card A, card B
 * says so (who, from which card) and its plan refuses a second delete. The same for an ECS task's
 * isolation refused from a second card (item 2): the refusal names the card that isolated it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IMAGE_EVIDENCE_KEY } from '../../src/actions/ecs/quarantine-image.js';
import { imageStateOwner } from '../../src/actions/resource-keys.js';
import type { ImageEvidence } from '../../src/aws/ecr/image.js';
import { ecsFindingEvent, seedCheckoutTask, publishFinding, RESPONDER, SECOND_RESPONDER, startEcsWorld } from '../helpers/ecs-world.js';
import { cardButtons, cardText, lastModal, openPlan, runAction, sendBlockAction, submitAndSettle, threadText } from '../helpers/slack-interactions.js';
import { ISOLATION_STATE_KEY, type IsolationState } from '../../src/actions/state-keys.js';

test('two findings on one image digest: quarantined from card A, card B shows it (by whom, from which finding) and a second quarantine plan is blocked saying so', async (t) => {
  const w = await startEcsWorld();
  t.after(() => w.close());
  const { aws, h } = w;
  const bad = aws.seed.image({ repository: 'payments', tag: '9.1' });
  const p1 = aws.seed.fargateTask({ cluster: 'prod', service: 'payments', image: bad.uri, digest: bad.digest });
  const p2 = aws.seed.fargateTask({ cluster: 'batch', family: 'payments-jobs', image: bad.uri, digest: bad.digest });
  const a = ecsFindingEvent({ taskArn: p1.taskArn, clusterArn: p1.clusterArn, image: bad.uri, digest: bad.digest });
  const b = ecsFindingEvent({ taskArn: p2.taskArn, clusterArn: p2.clusterArn, image: bad.uri, digest: bad.digest });
  await publishFinding(h, a.event);
  await publishFinding(h, b.event);

  await runAction(h, { findingId: a.findingId, action: 'quarantine_image', user: RESPONDER, reason: 'backdoored base layer' });
  assert.equal(aws.ecr.repositories.get('payments')!.images.has(bad.digest), false, 'deleted from ECR');

  // The evidence is the image's record (registry account/Region, repository, digest), not finding A's.
  const owner = imageStateOwner(`${bad.uri.replace(/:[^/:]+$/, '')}@${bad.digest}`)!;
  assert.match(owner, new RegExp(`^resource:\\d{12}/[a-z0-9-]+/image/payments@${bad.digest}$`));
  const evidence = await h.responder.store.getFindingState<ImageEvidence & { fromFinding: string; savedBy: string }>(owner, IMAGE_EVIDENCE_KEY);
  assert.equal(evidence?.imageDigest, bad.digest);
  assert.equal(evidence?.fromFinding, a.findingId);
  assert.equal(evidence?.savedBy, RESPONDER);

  // Card B (re-rendered after A's run) says who quarantined it and from which card.
  assert.match(
    await cardText(h, b.findingId),
    new RegExp(`quarantined \\(deleted from ECR\\) by Slack user ${RESPONDER} from the card of finding ${a.findingId}`),
  );

  // A second quarantine from card B is blocked, saying by whom and from which finding.
  const again = await openPlan(h, { findingId: b.findingId, action: 'quarantine_image', user: SECOND_RESPONDER });
  assert.equal(again.submit, undefined, 'no submit button');
  assert.match(again.text, new RegExp(`already quarantined by Slack user ${RESPONDER} from the card of finding ${a.findingId}`));
  assert.match(again.text, new RegExp(`earlier quarantine \\(from the card of finding ${a.findingId}\\); there is nothing left to delete`));
  assert.equal(aws.callsTo('ecr:BatchDeleteImage').length, 1, 'no second delete');
});

test('two findings on one ECS task: isolated from card A, a second isolation from card B is refused naming who and the card of finding A', async (t) => {
  const w = await startEcsWorld();
  t.after(() => w.close());
  const { aws, h } = w;
  const { img, task } = seedCheckoutTask(aws);
  const a = ecsFindingEvent({ taskArn: task.taskArn, clusterArn: task.clusterArn, image: img.uri });
  const b = ecsFindingEvent({ taskArn: task.taskArn, clusterArn: task.clusterArn, image: img.uri });
  await publishFinding(h, a.event);
  await publishFinding(h, b.event);

  await runAction(h, { findingId: a.findingId, action: 'isolate_task', user: RESPONDER, reason: 'reverse shell' });
  const entries = aws.callsTo('ec2:CreateNetworkAclEntry').length;
  assert.ok(entries > 0);

  // Card B offers Release, not Isolate; a stale card B (rendered before) still had the button: click it.
  const bButtons = (await cardButtons(h, b.findingId)).map((x) => x.action_id);
  assert.ok(!bButtons.includes('gd_action:isolate_task') && bButtons.includes('gd_action:release_isolation'), bButtons.join(', '));
  const modals = h.slack.callsTo('views.update').length;
  await sendBlockAction(h, { actionId: 'gd_action:isolate_task', value: (await cardButtons(h, b.findingId))[0]!.value, user: SECOND_RESPONDER });
  await h.settle();
  assert.equal(h.slack.callsTo('views.update').length, modals + 1);
  const again = lastModal(h);
  assert.equal(again.submit, undefined, 'no submit button');
  assert.match(again.text, new RegExp(`already isolated \\(by Slack user ${RESPONDER}, from the card of finding ${a.findingId}\\)`));
  assert.equal(aws.callsTo('ec2:CreateNetworkAclEntry').length, entries, 'no second set of deny entries');
});

test('ECS task isolation with one network ACL deny entry refused: the record holds only the entry that took effect, the card offers Isolate (retry) and Release; the retry adds only the missing entry and Release removes both', async (t) => {
  const w = await startEcsWorld();
  t.after(() => w.close());
  const { aws, h } = w;
  const { other, img, task } = seedCheckoutTask(aws);
  const { event, findingId } = ecsFindingEvent({ taskArn: task.taskArn, clusterArn: task.clusterArn, image: img.uri });
  await publishFinding(h, event);
  const aclOf = () => [...aws.ec2.networkAcls.values()].find((a) => a.associations.some((x: { subnetId: string }) => x.subnetId === other.subnetId))!;
  const before = JSON.stringify(aclOf().entries);
  const denies = () => aclOf().entries.filter((e: { cidrBlock?: string; ruleAction: string }) => e.cidrBlock === '10.0.1.20/32' && e.ruleAction === 'deny');

  aws.failNext('ec2:CreateNetworkAclEntry', 'UnauthorizedOperation', 1);
  await runAction(h, { findingId, action: 'isolate_task', user: RESPONDER, reason: 'reverse shell' });
  assert.equal(denies().length, 1, 'one of the two deny entries took effect');
  const state = (await h.responder.store.getFindingState<IsolationState>(
    `resource:${task.taskArn.split(':')[4]}/us-east-1/task/${task.taskArn}`,
    ISOLATION_STATE_KEY,
  ))!;
  assert.equal(state.record.aclEntries.length, 1, 'the record holds exactly what took effect');
  assert.equal(state.incomplete?.length, 1);
  assert.match(await threadText(h, findingId), /the isolation record lists the 1 entries created/, 'says what was created, not what was planned');
  assert.match(await threadText(h, findingId), /Not cut: acl-\w+ rule \d+ inbound 10\.0\.1\.20\/32\. Fix the cause and run Isolate task again/);
  const buttons = (await cardButtons(h, findingId)).map((x) => x.action_id);
  assert.ok(buttons.includes('gd_action:isolate_task'), `retry offered (${buttons.join(', ')})`);
  assert.ok(buttons.includes('gd_action:release_isolation'), 'release offered');

  const retry = await openPlan(h, { findingId, action: 'isolate_task', user: RESPONDER });
  assert.doesNotMatch(retry.text, /already isolated/);
  assert.equal(retry.submit, 'Isolate');
  const calls = aws.callsTo('ec2:CreateNetworkAclEntry').length;
  await submitAndSettle(h, { runId: retry.runId, user: RESPONDER });
  assert.equal(aws.callsTo('ec2:CreateNetworkAclEntry').length, calls + 1, 'only the missing entry');
  assert.equal(denies().length, 2);
  assert.ok(!(await cardButtons(h, findingId)).some((x) => x.action_id === 'gd_action:isolate_task'), 'fully isolated: no Isolate');

  await runAction(h, { findingId, action: 'release_isolation', user: RESPONDER, reason: 'done' });
  assert.equal(JSON.stringify(aclOf().entries), before, 'Release removed both entries');
});
