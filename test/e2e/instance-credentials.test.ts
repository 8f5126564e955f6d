/**
 * Revoke instance credentials (destructive, approval-capable) and the rules on instance actions:
 * second-person approval, release putting the profile back, refusal of an unauthorized click.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { INSTANCE_PROFILE_STATE_KEY, type RevokedProfileState } from '../../src/actions/ecs/release-isolation.js';
import { readState } from '../helpers/resource-state.js';
import {
  changesSince,
  instanceFindingEvent,
  OUTSIDER,
  publishFinding,
  RESPONDER,
  SECOND_RESPONDER,
  startInstanceWorld,
  writePolicyFile,
} from '../helpers/instance-world.js';
import {
  approvalRequests,
  cardText,
  clickCardButton,
  decideApproval,
  ephemeralTexts,
  openPlan,
  runAction,
  submitAndSettle,
  threadFiles,
  threadText,
} from '../helpers/slack-interactions.js';

test('revoke instance credentials with a policy requiring approval: waits for a second responder, then removes the association and records it; release puts the same profile back', async (t) => {
  const policy = writePolicyFile({ actions: { revoke_credentials: { requireApproval: true } } });
  const w = await startInstanceWorld({ env: { AUTHZ_POLICY_FILE: policy.path } });
  t.after(async () => {
    await w.close();
    policy.remove();
  });
  const { aws, h } = w;
  const s = aws.seed.instance({ instanceProfile: 'web-tier' });
  const inst = aws.ec2.instances.get(s.instanceId)!;
  const associationId = inst.iamAssociationId!;
  const { event, findingId } = instanceFindingEvent({ aws, instanceId: s.instanceId });
  await publishFinding(h, event);

  const modal = await openPlan(h, { findingId, action: 'revoke_credentials', user: RESPONDER });
  assert.equal(modal.submit, 'Ask for approval');
  assert.ok(modal.text.includes(`Remove instance profile ${s.instanceProfileArn} from ${s.instanceId}`));
  assert.ok(modal.text.includes(`ec2:DisassociateIamInstanceProfile ${associationId}`));
  assert.match(modal.text, /Credentials already issued stay valid until they expire/);
  assert.match(modal.text, /A second responder must approve this in the incident thread before it runs/);
  await submitAndSettle(h, { runId: modal.runId, user: RESPONDER, reason: 'IMDS credentials used from a Tor exit' });

  assert.deepEqual(await approvalRequests(h, findingId), [modal.runId]);
  assert.match(
    await threadText(h, findingId),
    new RegExp(`<@${RESPONDER}> asks to run \\*Revoke instance credentials\\* — reason: IMDS credentials used from a Tor exit`),
  );
  assert.equal((await h.responder.store.getRun(modal.runId))?.state, 'awaiting_approval');
  assert.equal(aws.callsTo('ec2:DisassociateIamInstanceProfile').length, 0, 'nothing ran yet');
  await decideApproval(h, { runId: modal.runId, user: RESPONDER, approve: true });
  await h.settle();
  assert.match(ephemeralTexts(h, RESPONDER).join('\n'), /A second responder must approve this; you requested it/);
  assert.equal(aws.callsTo('ec2:DisassociateIamInstanceProfile').length, 0, 'the requester cannot approve their own request');
  assert.equal(inst.iamInstanceProfileArn, s.instanceProfileArn);

  await decideApproval(h, { runId: modal.runId, user: SECOND_RESPONDER, approve: true });
  await h.settle();
  const disassociate = aws.callsTo('ec2:DisassociateIamInstanceProfile');
  assert.equal(disassociate.length, 1);
  assert.equal((disassociate[0]!.params as Record<string, string>).AssociationId, associationId);
  assert.equal(inst.iamInstanceProfileArn, undefined, 'the instance has no profile any more');
  const run = await h.responder.store.getRun(modal.runId);
  assert.deepEqual([run?.state, run?.approvedBy], ['succeeded', SECOND_RESPONDER]);
  const recorded = await readState<RevokedProfileState>(h.responder.store, findingId, INSTANCE_PROFILE_STATE_KEY);
  assert.deepEqual([recorded?.active, recorded?.record.instanceProfileArn, recorded?.record.associationId], [true, s.instanceProfileArn, associationId]);
  const thread = await threadText(h, findingId);
  assert.match(thread, new RegExp(`<@${SECOND_RESPONDER}> approved \\*Revoke instance credentials\\* requested by <@${RESPONDER}>`));
  assert.match(thread, /Revoke instance credentials\* done — instance profile removed/);
  assert.ok(thread.includes(`Disassociated ${s.instanceProfileArn} (association ${associationId}); recorded for Release isolation`));
  assert.match(thread, /Credentials the instance already received stay valid until they expire/);
  assert.doesNotMatch(thread.slice(thread.indexOf('Not done / not possible')), /^[^"]*removed from/, 'the success is not listed under "Not done"');
  const [file] = await threadFiles(h, findingId);
  assert.equal(file?.filename, 'revoke-older-sessions-policy.json', 'the policy that revokes older sessions is attached in the thread');
  assert.match(file!.content ?? '', /"aws:TokenIssueTime": "2026-11-28T10:00:\d\dZ"/);
  assert.match(await cardText(h, findingId), /Instance credentials revoked/);

  // Release (offered once the instance is isolated) restores the same profile.
  await runAction(h, { findingId, action: 'isolate_instance', user: RESPONDER, selects: { evidence_first: 'no' } });
  const release = await openPlan(h, { findingId, action: 'release_isolation', user: RESPONDER });
  assert.ok(release.text.includes(`instance profile ${s.instanceProfileArn}: associate again`));
  assert.match(release.text, /ec2:AssociateIamInstanceProfile \(needs iam:PassRole on its role\)/);
  await submitAndSettle(h, { runId: release.runId, user: RESPONDER });
  const [associate] = aws.callsTo('ec2:AssociateIamInstanceProfile');
  assert.deepEqual(associate?.params, {
    Action: 'AssociateIamInstanceProfile',
    Version: '2016-11-15',
    InstanceId: s.instanceId,
    'IamInstanceProfile.Arn': s.instanceProfileArn,
  });
  assert.equal(inst.iamInstanceProfileArn, s.instanceProfileArn, 'the same profile is back');
  assert.equal((await readState<RevokedProfileState>(h.responder.store, findingId, INSTANCE_PROFILE_STATE_KEY))?.active, false);
  assert.match(await threadText(h, findingId), /Instance profile web-tier associated with [^ ]+ again/);
});

test('revoke instance credentials on an instance without a profile: the plan says there is nothing to revoke and cannot be submitted', async (t) => {
  const w = await startInstanceWorld();
  t.after(() => w.close());
  const { aws, h } = w;
  const s = aws.seed.instance({ instanceProfile: false });
  const { event, findingId } = instanceFindingEvent({ aws, instanceId: s.instanceId });
  await publishFinding(h, event);
  const modal = await openPlan(h, { findingId, action: 'revoke_credentials', user: RESPONDER });
  assert.equal(modal.submit, undefined);
  assert.match(modal.text, /the instance has no instance profile: there are no role credentials to revoke/);
  await submitAndSettle(h, { runId: modal.runId, user: RESPONDER, reason: 'forged submit' });
  assert.equal(aws.callsTo('ec2:DisassociateIamInstanceProfile').length, 0);
});

test('unauthorized click on an instance action: an ephemeral explanation, a "refused" audit entry, no modal and no AWS call', async (t) => {
  const w = await startInstanceWorld();
  t.after(() => w.close());
  const { aws, h } = w;
  const s = aws.seed.instance({ asg: 'web-asg', targetGroups: 1 });
  const { event, findingId } = instanceFindingEvent({ aws, instanceId: s.instanceId });
  await publishFinding(h, event);
  const groupsBefore = [...aws.ec2.networkInterfaces.get(s.eniIds[0]!)!.groupIds];
  const mark = aws.calls.length;

  for (const action of ['isolate_instance', 'revoke_credentials', 'preserve_evidence']) {
    assert.equal((await clickCardButton(h, { findingId, action, user: OUTSIDER })).status, 200);
    await h.settle();
  }

  const answers = ephemeralTexts(h, OUTSIDER);
  assert.equal(answers.length, 3);
  assert.match(answers[0]!, /You can't run \*Isolate instance\*: you are not on the list of people allowed to run \\"isolate_instance\\"/);
  assert.match(answers[1]!, /You can't run \*Revoke instance credentials\*/);
  assert.match(answers[2]!, /You can't run \*Preserve evidence\*/);
  for (const a of answers) assert.match(a, /Nothing was changed/);
  assert.equal(h.slack.callsTo('views.open').length, 0, 'no confirmation was opened');
  assert.deepEqual(aws.calls.slice(mark), [], 'no AWS call at all, not even a read');
  const refused = (await h.responder.store.auditFor(findingId)).filter((a) => a.event === 'refused');
  assert.deepEqual(
    refused.map((a) => [a.actor, (a.detail as { action: string; at: string }).action, (a.detail as { at: string }).at]),
    [
      [OUTSIDER, 'isolate_instance', 'click'],
      [OUTSIDER, 'revoke_credentials', 'click'],
      [OUTSIDER, 'preserve_evidence', 'click'],
    ],
  );
  assert.deepEqual(await h.responder.store.runsForFinding(findingId), []);
  assert.deepEqual(aws.ec2.networkInterfaces.get(s.eniIds[0]!)!.groupIds, groupsBefore);
  assert.ok(aws.autoscaling.groups.get('web-asg')!.instances.has(s.instanceId));
  assert.ok(aws.ec2.instances.get(s.instanceId)!.iamInstanceProfileArn);
  assert.match(await cardText(h, findingId), /New — no action taken yet/);

  // The read-only malware scan is open to the channel by default; it still changes nothing else.
  const plan = await openPlan(h, { findingId, action: 'malware_scan', user: OUTSIDER });
  assert.equal(plan.submit, 'Start scan');
  assert.deepEqual(changesSince(aws, mark), []);
});

test('credentials revoked without isolating: the card offers Release, which puts only the instance profile back', async (t) => {
  const w = await startInstanceWorld();
  t.after(() => w.close());
  const { aws, h } = w;
  const s = aws.seed.instance({ instanceProfile: 'batch' });
  const inst = aws.ec2.instances.get(s.instanceId)!;
  const { event, findingId } = instanceFindingEvent({ aws, instanceId: s.instanceId });
  await publishFinding(h, event);
  await runAction(h, { findingId, action: 'revoke_credentials', user: RESPONDER, reason: 'stolen credentials' });
  assert.equal(inst.iamInstanceProfileArn, undefined);

  const release = await openPlan(h, { findingId, action: 'release_isolation', user: RESPONDER });
  assert.ok(release.text.includes(`instance profile ${s.instanceProfileArn}: associate again`));
  assert.doesNotMatch(release.text, /ModifyNetworkInterfaceAttribute|DeleteNetworkAclEntry/, 'no network change to undo');
  await submitAndSettle(h, { runId: release.runId, user: RESPONDER });
  assert.equal(inst.iamInstanceProfileArn, s.instanceProfileArn, 'the same profile is back');
  assert.equal(aws.callsTo('ec2:ModifyNetworkInterfaceAttribute').length, 0);
  assert.equal((await readState<RevokedProfileState>(h.responder.store, findingId, INSTANCE_PROFILE_STATE_KEY))?.active, false);
});
