/**
 * Containment belongs to the resource (issue 9 items 1 and 2): two cards about one instance read
 * and change one record, and a failed isolation is recorded as exactly what took effect.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ISOLATION_GROUP_NAME } from '../../src/aws/ec2/types.js';
import { instanceFindingEvent, publishFinding, RESPONDER, SECOND_RESPONDER, startInstanceWorld } from '../helpers/instance-world.js';
import { cardButtons, cardText, lastModal, openPlan, sendBlockAction, runAction, submitAndSettle, threadText } from '../helpers/slack-interactions.js';

const buttonsOf = async (h: Parameters<typeof cardButtons>[0], id: string) => (await cardButtons(h, id)).map((b) => b.action_id.split(':')[1]);

test('two findings on one instance: isolated from card A, card B says so and refuses a second isolation (no second snapshot set); released from card B, card A offers Isolate again and the instance has its old groups', async (t) => {
  const w = await startInstanceWorld();
  t.after(() => w.close());
  const { aws, h } = w;
  const s = aws.seed.instance({ enis: 2 });
  const before = s.eniIds.map((id) => [...aws.ec2.networkInterfaces.get(id)!.groupIds]);
  const a = instanceFindingEvent({ aws, instanceId: s.instanceId });
  const b = instanceFindingEvent({ aws, instanceId: s.instanceId });
  await publishFinding(h, a.event);
  await publishFinding(h, b.event);

  await runAction(h, { findingId: a.findingId, action: 'isolate_instance', user: RESPONDER, selects: { evidence_first: 'yes' } });
  const snapshots = aws.ec2.snapshots.size;
  assert.ok(snapshots > 0);
  const iso = [...aws.ec2.securityGroups.values()].find((g) => g.groupName === ISOLATION_GROUP_NAME)!;
  for (const id of s.eniIds) assert.deepEqual(aws.ec2.networkInterfaces.get(id)!.groupIds, [iso.groupId]);

  // Card B is about the same instance: it shows the isolation and offers Release, not Isolate.
  const bButtons = await buttonsOf(h, b.findingId);
  assert.ok(bButtons.includes('release_isolation'), `card B offers Release (${bButtons.join(', ')})`);
  assert.ok(!bButtons.includes('isolate_instance'), 'card B does not offer a second isolation');
  assert.match(await cardText(h, b.findingId), new RegExp(`isolated by Slack user ${RESPONDER} from the card of finding ${a.findingId}`));

  // A forged or stale "isolate" from card B is blocked with who and where.
  // (a card B rendered before the isolation still had the button: click it as it was)
  const cardKey = (await cardButtons(h, b.findingId))[0]!.value;
  const modals = h.slack.callsTo('views.update').length;
  await sendBlockAction(h, { actionId: 'gd_action:isolate_instance', value: cardKey, user: SECOND_RESPONDER });
  await h.settle();
  assert.equal(h.slack.callsTo('views.update').length, modals + 1);
  const second = lastModal(h);
  assert.equal(second.submit, undefined, 'no submit button');
  assert.match(second.text, new RegExp(`already isolated \\(by Slack user ${RESPONDER}, from the card of finding ${a.findingId}\\)`));
  await submitAndSettle(h, { runId: second.runId, user: SECOND_RESPONDER, selects: { evidence_first: 'yes' } });
  assert.equal(aws.ec2.snapshots.size, snapshots, 'no second snapshot set');

  // Release from card B restores the instance; card A reflects it.
  await runAction(h, { findingId: b.findingId, action: 'release_isolation', user: SECOND_RESPONDER, reason: 'cleaned' });
  s.eniIds.forEach((id, i) => {
    assert.deepEqual(aws.ec2.networkInterfaces.get(id)!.groupIds, before[i], `${id} back on its own groups`);
  });
  assert.match(await threadText(h, b.findingId), /Release isolation\* done/);
  const aButtons = await buttonsOf(h, a.findingId);
  assert.ok(aButtons.includes('isolate_instance'), `card A offers Isolate again (${aButtons.join(', ')})`);
  assert.ok(!aButtons.includes('release_isolation'), 'card A no longer offers Release');
  assert.match(await cardText(h, a.findingId), /Isolation released/, 'card A no longer says the instance is isolated');
  assert.doesNotMatch(await cardText(h, a.findingId), /Instance isolated/);
});

test('every ModifyNetworkInterfaceAttribute refused after the Auto Scaling detach and target deregistration: the record holds only what took effect; the card offers Isolate (retry) and Release; the retry cuts the ENIs and Release undoes all of it', async (t) => {
  const w = await startInstanceWorld();
  t.after(() => w.close());
  const { aws, h } = w;
  const s = aws.seed.instance({ enis: 2, asg: { name: 'web-asg', maxSize: 4 }, targetGroups: [{ name: 'web-tg', port: 80 }] });
  const before = s.eniIds.map((id) => [...aws.ec2.networkInterfaces.get(id)!.groupIds]);
  const { event, findingId } = instanceFindingEvent({ aws, instanceId: s.instanceId });
  await publishFinding(h, event);
  aws.denyOperation('ec2:ModifyNetworkInterfaceAttribute');

  await runAction(h, { findingId, action: 'isolate_instance', user: RESPONDER, selects: { evidence_first: 'no' } });
  s.eniIds.forEach((id, i) => {
    assert.deepEqual(aws.ec2.networkInterfaces.get(id)!.groupIds, before[i], 'nothing was cut');
  });
  const thread = await threadText(h, findingId);
  assert.match(thread, /could not be isolated/);
  assert.match(thread, /Detached from Auto Scaling group web-asg/, 'the detach did take effect');
  assert.match(thread, new RegExp(`Not cut: ${s.eniIds.join(', ')}\\. Fix the cause and run Isolate instance again`));
  assert.match(await cardText(h, findingId), /Isolation failed/);
  const buttons = await buttonsOf(h, findingId);
  assert.ok(buttons.includes('isolate_instance'), `a failed isolation can be retried (${buttons.join(', ')})`);
  assert.ok(buttons.includes('release_isolation'), 'what did take effect can be released');

  // Retry: not refused as "already isolated"; it cuts the ENIs and keeps the earlier record.
  const retry = await openPlan(h, { findingId, action: 'isolate_instance', user: RESPONDER });
  assert.doesNotMatch(retry.text, /already isolated/);
  assert.equal(retry.submit, 'Isolate');
  aws.allowOperation('ec2:ModifyNetworkInterfaceAttribute');
  await submitAndSettle(h, { runId: retry.runId, user: RESPONDER });
  const iso = [...aws.ec2.securityGroups.values()].find((g) => g.groupName === ISOLATION_GROUP_NAME)!;
  for (const id of s.eniIds) assert.deepEqual(aws.ec2.networkInterfaces.get(id)!.groupIds, [iso.groupId]);
  const after = await buttonsOf(h, findingId);
  assert.ok(!after.includes('isolate_instance'), 'fully isolated now: Isolate is no longer offered');

  await runAction(h, { findingId, action: 'release_isolation', user: RESPONDER, reason: 'fixed' });
  s.eniIds.forEach((id, i) => {
    assert.deepEqual(aws.ec2.networkInterfaces.get(id)!.groupIds, before[i], `${id} restored`);
  });
  assert.match(await threadText(h, findingId), /Attached to Auto Scaling group web-asg again/);
});
