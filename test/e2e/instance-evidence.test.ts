/**
 * Preserve evidence on an Instance card, end to end: signed Slack interactions → Bolt → the
 * remediation runner → the real AWS SDK clients → the loopback AWS double.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EVIDENCE_TAGS, UNDER_INVESTIGATION } from '../../src/aws/ec2/evidence.js';
import { callIndexes, changesSince, instanceFindingEvent, publishFinding, RESPONDER, startInstanceWorld } from '../helpers/instance-world.js';
import { cardText, openPlan, runAction, submitAndSettle, threadText } from '../helpers/slack-interactions.js';

const tag = (tags: { key: string; value: string }[], key: string) => tags.find((t) => t.key === key)?.value;

test('preserve evidence: every attached volume snapshotted (tagged with the finding id) and listed in the thread and on the card; termination protection on, volumes kept, shutdown stops, instance tagged', async (t) => {
  const w = await startInstanceWorld();
  t.after(() => w.close());
  const { aws, h } = w;
  const s = aws.seed.instance({ volumes: 3, shutdownBehavior: 'terminate' });
  const inst = aws.ec2.instances.get(s.instanceId)!;
  assert.deepEqual([inst.disableApiTermination, inst.shutdownBehavior], [false, 'terminate']);
  const { event, findingId } = instanceFindingEvent({ aws, instanceId: s.instanceId });
  await publishFinding(h, event);
  const mark = aws.calls.length;

  const modal = await openPlan(h, { findingId, action: 'preserve_evidence', user: RESPONDER });
  assert.equal(modal.submit, 'Preserve');
  assert.match(modal.text, new RegExp(`Snapshot 3 EBS volumes of ${s.instanceId}`));
  for (const v of s.volumeIds) {
    assert.match(modal.text, new RegExp(`ec2:CreateSnapshot ${v}`), `the plan names the snapshot of ${v}`);
    assert.match(modal.text, new RegExp(`keep ${v} \\([^)]+\\) when the instance terminates \\(DeleteOnTermination=false\\)`));
  }
  assert.match(modal.text, /turn on termination protection \(DisableApiTermination\)/);
  assert.match(modal.text, /make a shutdown from inside the instance stop it instead of terminating it/);
  assert.deepEqual(changesSince(aws, mark), [], 'only reads before confirming');

  await submitAndSettle(h, { runId: modal.runId, user: RESPONDER, reason: 'miner on web-01' });

  // The AWS account: one snapshot per attached volume, tagged with the finding id.
  const snaps = [...aws.ec2.snapshots.values()];
  assert.deepEqual(snaps.map((x) => x.volumeId).sort(), [...s.volumeIds].sort(), 'exactly one snapshot per attached volume');
  for (const snap of snaps) {
    assert.equal(tag(snap.tags, EVIDENCE_TAGS.findingId), findingId);
    assert.equal(tag(snap.tags, EVIDENCE_TAGS.sourceInstance), s.instanceId);
    assert.equal(tag(snap.tags, EVIDENCE_TAGS.actor), RESPONDER);
    assert.match(snap.description, new RegExp(`GuardDuty finding ${findingId}: evidence of ${s.instanceId}`));
  }
  assert.equal(inst.disableApiTermination, true, 'termination protection on');
  assert.equal(inst.shutdownBehavior, 'stop', 'a shutdown from inside stops the instance');
  assert.deepEqual(
    s.volumeIds.map((v) => aws.ec2.volumes.get(v)!.attachment!.deleteOnTermination),
    [false, false, false],
    'every volume survives termination',
  );
  assert.equal(tag(inst.tags, EVIDENCE_TAGS.status), UNDER_INVESTIGATION);
  assert.equal(tag(inst.tags, EVIDENCE_TAGS.findingId), findingId);
  // ModifyInstanceAttribute takes one attribute per call; protection goes before the snapshots.
  const modifies = aws.callsTo('ec2:ModifyInstanceAttribute');
  assert.equal(modifies.length, 1 + 3 + 1, 'termination protection, DeleteOnTermination × 3, shutdown behaviour');
  for (const m of modifies)
    assert.equal(
      Object.keys(m.params as object).filter((k) => !['Action', 'Version', 'InstanceId'].includes(k) && !k.endsWith('.DeviceName')).length,
      1,
      JSON.stringify(m.params),
    );
  assert.ok(
    Math.max(...callIndexes(aws, 'ec2:ModifyInstanceAttribute')) < Math.min(...callIndexes(aws, 'ec2:CreateSnapshot')),
    'protected before the snapshots are requested',
  );

  // What the responder sees.
  const thread = await threadText(h, findingId);
  assert.match(thread, /Preserve evidence\* done — 3 snapshots started/);
  for (const snap of snaps) assert.match(thread, new RegExp(`Snapshot ${snap.snapshotId} of ${snap.volumeId}`), `the thread lists ${snap.snapshotId}`);
  assert.match(thread, /Termination protection turned on/);
  assert.match(thread, /A shutdown from inside the instance now stops it instead of terminating it/);
  assert.match(thread, /Instance tagged guardduty-responder:status=under-investigation/);
  for (const c of aws.callsTo('ec2:CreateSnapshot')) assert.ok(thread.includes(c.requestId), 'CreateSnapshot request ids in the thread');
  const card = await cardText(h, findingId);
  assert.match(card, /Evidence preserved/);
  assert.match(
    card,
    new RegExp(`\\*Evidence\\*\\\\n3 snapshots \\(${snaps.map((x) => x.snapshotId).join(', ')}\\)`),
    'the card shows the snapshot ids as a fact',
  );

  // Preserving again (repeatable) plans only what is left: new snapshots and the tag.
  const again = await openPlan(h, { findingId, action: 'preserve_evidence', user: RESPONDER });
  assert.doesNotMatch(again.text, /ec2:ModifyInstanceAttribute/);
  assert.match(again.text, /Termination protection is already on/);
  assert.match(again.text, /Shutdown from inside the instance already stops it/);
});

test('preserve evidence on a Spot instance whose data volume is already kept: the plan says what it will not do and why, and the thread agrees', async (t) => {
  const w = await startInstanceWorld();
  t.after(() => w.close());
  const { aws, h } = w;
  const s = aws.seed.instance({ volumes: 2, deleteOnTermination: [true, false], spot: true, shutdownBehavior: 'stop' });
  const { event, findingId } = instanceFindingEvent({ aws, instanceId: s.instanceId });
  await publishFinding(h, event);

  const { modal } = await runAction(h, { findingId, action: 'preserve_evidence', user: RESPONDER });
  assert.match(modal.text, /Termination protection: not possible, this is a Spot Instance/);
  assert.match(modal.text, new RegExp(`${s.volumeIds[1]} \\([^)]+\\) is already kept on termination`));
  assert.equal(aws.callsTo('ec2:ModifyInstanceAttribute').length, 1, 'only the root volume flag changes');
  assert.equal(aws.callsTo('ec2:CreateSnapshot').length, 2);
  assert.equal(aws.ec2.instances.get(s.instanceId)!.disableApiTermination, false);
  const thread = await threadText(h, findingId);
  assert.match(thread, /Preserve evidence\* done — 2 snapshots started/);
  assert.match(thread, /this is a Spot Instance/);
});
