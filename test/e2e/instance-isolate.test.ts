/**
 * Isolate / release an EC2 instance from its card, end to end: signed Slack interactions → Bolt →
 * the remediation runner → the real AWS SDK clients → the loopback AWS double.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ISOLATION_STATE_KEY } from '../../src/actions/state-keys.js';
import type { IsolationState } from '../../src/actions/ecs/isolate-task.js';
import { EVIDENCE_TAGS } from '../../src/aws/ec2/evidence.js';
import { ISOLATION_GROUP_NAME } from '../../src/aws/ec2/types.js';
import { readState } from '../helpers/resource-state.js';
import {
  callIndexes,
  changesSince,
  instanceFindingEvent,
  publishFinding,
  RESPONDER,
  startInstanceWorld,
  type InstanceWorld,
} from '../helpers/instance-world.js';
import { cardButtons, cardText, openPlan, runAction, submitAndSettle, threadText } from '../helpers/slack-interactions.js';

/**
 * An instance with three network interfaces in two subnets of one VPC, each with its own groups,
 * plus a third subnet (another tier) behind the same default network ACL.
 */
function multiEniInstance(w: InstanceWorld) {
  const { aws } = w;
  const net = aws.seed.network();
  const backend = aws.ec2.addSubnet({ vpcId: net.vpc.vpcId, cidrBlock: '10.0.16.0/20' });
  const otherTier = aws.ec2.addSubnet({ vpcId: net.vpc.vpcId, cidrBlock: '10.0.32.0/20' });
  const sg = (name: string) => aws.ec2.addSecurityGroup({ vpcId: net.vpc.vpcId, groupName: name }).groupId;
  const [web, ssm, internal, metrics] = [sg('web-public'), sg('ssm-endpoints'), sg('backend-internal'), sg('metrics')];
  const s = aws.seed.instance({ subnetId: net.subnet.subnetId, securityGroupIds: [web, ssm], enis: 2 });
  aws.ec2.networkInterfaces.get(s.eniIds[1]!)!.groupIds = [metrics];
  const third = aws.ec2.addNetworkInterface({
    subnetId: backend.subnetId,
    groupIds: [internal],
    description: 'backend leg',
    attachment: { instanceId: s.instanceId, deviceIndex: 2, deleteOnTermination: false },
  });
  const eniIds = aws.ec2.instances.get(s.instanceId)!.eniIds;
  assert.equal(eniIds.length, 3);
  const groupsBefore = new Map(eniIds.map((id) => [id, [...aws.ec2.networkInterfaces.get(id)!.groupIds]]));
  const ips = eniIds.map((id) => aws.ec2.networkInterfaces.get(id)!.privateIpAddress);
  return { net, backend, otherTier, s, third, eniIds, groupsBefore, ips, groups: { web, ssm, internal, metrics } };
}

const isolationGroup = (w: InstanceWorld, vpcId: string) =>
  [...w.aws.ec2.securityGroups.values()].find((g) => g.groupName === ISOLATION_GROUP_NAME && g.vpcId === vpcId);

test('isolate a multi-ENI instance with the network ACL option and evidence first: rule-less group on every ENI, previous groups recorded per ENI, deny entries for every address, snapshots before the cut', async (t) => {
  const w = await startInstanceWorld();
  t.after(() => w.close());
  const { aws, h } = w;
  const m = multiEniInstance(w);
  const { event, findingId } = instanceFindingEvent({ aws, instanceId: m.s.instanceId });
  await publishFinding(h, event);
  const mark = aws.calls.length;

  const modal = await openPlan(h, { findingId, action: 'isolate_instance', user: RESPONDER });
  assert.equal(modal.submit, 'Isolate');
  for (const id of m.eniIds) {
    assert.match(modal.text, new RegExp(`ENI ${id} — groups now: ${m.groupsBefore.get(id)!.join(', ')}`), `the plan shows the current groups of ${id}`);
    assert.match(modal.text, new RegExp(`ec2:ModifyNetworkInterfaceAttribute ${id} → isolation group only`));
  }
  assert.match(modal.text, /A security-group change does not cut connections that are already open/, 'says open connections survive a security-group change');
  assert.match(modal.text, /"value":"sg_acl"/, 'offers the network ACL option');
  assert.match(modal.text, /Security group \+ network ACL deny entries \(also cuts open connections\)/);
  assert.match(modal.text, /ec2:CreateNetworkAclEntry × 6 \(deny 10\.0\.0\.4\/32, 10\.0\.0\.5\/32, 10\.0\.16\.4\/32\)/);
  assert.match(modal.text, /"block_id":"gd_in_evidence_first"/, 'offers evidence first: none was taken yet');
  assert.match(modal.text, /Evidence has not been preserved yet/);
  assert.deepEqual(changesSince(aws, mark), [], 'only reads before confirming');

  await submitAndSettle(h, { runId: modal.runId, user: RESPONDER, reason: 'reverse shell', selects: { network: 'sg_acl', evidence_first: 'yes' } });

  // Every ENI carries only the isolation group, which has no rules at all.
  const iso = isolationGroup(w, m.net.vpc.vpcId);
  assert.ok(iso, 'isolation group created in the VPC');
  assert.deepEqual(iso.rules, [], 'no inbound and no outbound rule (the default egress was revoked)');
  for (const id of m.eniIds) assert.deepEqual(aws.ec2.networkInterfaces.get(id)!.groupIds, [iso.groupId], `${id} isolated`);
  assert.equal(aws.callsTo('ec2:CreateSecurityGroup').length, 1, 'one group per VPC, shared by the three ENIs');
  const state = await readState<IsolationState>(h.responder.store, findingId, ISOLATION_STATE_KEY);
  assert.equal(state?.active, true);
  assert.deepEqual(
    state.record.enis.map((e) => [e.eniId, e.previousGroupIds]),
    m.eniIds.map((id) => [id, m.groupsBefore.get(id)]),
    'previous groups recorded per ENI, in order',
  );

  // Deny entries in the ACL the other tier sits behind, both directions, every address.
  const acl = aws.ec2.aclForSubnet(m.otherTier.subnetId)!;
  const denies = acl.entries.filter((e) => e.ruleAction === 'deny' && e.ruleNumber < 32767);
  assert.deepEqual(denies.map((e) => `${e.egress ? 'out' : 'in'} ${e.cidrBlock}`).sort(), m.ips.flatMap((ip) => [`in ${ip}/32`, `out ${ip}/32`]).sort());
  assert.deepEqual(state.record.aclEntries.length, 6);

  // Evidence first: the volumes were snapshotted before anything was cut.
  const snaps = [...aws.ec2.snapshots.values()];
  assert.equal(snaps.length, 1);
  assert.equal(snaps[0]!.tags.find((x) => x.key === EVIDENCE_TAGS.findingId)?.value, findingId);
  assert.ok(
    callIndexes(aws, 'ec2:CreateSnapshot')[0]! <
      Math.min(...callIndexes(aws, 'ec2:CreateNetworkAclEntry'), ...callIndexes(aws, 'ec2:ModifyNetworkInterfaceAttribute')),
  );

  const thread = await threadText(h, findingId);
  assert.match(thread, /Isolate instance\* done — instance isolated \(3 ENIs, 6 ACL entries\)/);
  assert.match(thread, new RegExp(`Evidence: 1 snapshot\\(s\\) ${snaps[0]!.snapshotId}`));
  for (const id of m.eniIds) assert.match(thread, new RegExp(`New connections to and from ${id}[^"]*${ISOLATION_GROUP_NAME}, which has no rules`));
  assert.match(
    thread,
    new RegExp(`and subnet ${m.otherTier.subnetId} \\(network ACL ${acl.networkAclId}, the VPC default\\), connections already open included`),
  );
  assert.match(await cardText(h, findingId), /Instance isolated/);
  const buttons = (await cardButtons(h, findingId)).map((b) => b.action_id.split(':')[1]);
  assert.ok(buttons.includes('release_isolation'));
  assert.ok(!buttons.includes('isolate_instance'), 'not offered twice');
});

test('isolate after evidence was preserved: "evidence first" is not offered and no snapshot is taken; security groups only (the default) adds no ACL entry and says open connections survive — without claiming there is no other subnet', async (t) => {
  const w = await startInstanceWorld();
  t.after(() => w.close());
  const { aws, h } = w;
  const m = multiEniInstance(w);
  const { event, findingId } = instanceFindingEvent({ aws, instanceId: m.s.instanceId });
  await publishFinding(h, event);
  await runAction(h, { findingId, action: 'preserve_evidence', user: RESPONDER });
  const snapshotsBefore = aws.ec2.snapshots.size;
  const aclBefore = JSON.stringify(aws.ec2.aclForSubnet(m.otherTier.subnetId)!.entries);

  const modal = await openPlan(h, { findingId, action: 'isolate_instance', user: RESPONDER });
  assert.doesNotMatch(modal.text, /gd_in_evidence_first/, 'no evidence choice: it was taken');
  assert.doesNotMatch(modal.text, /Preserve evidence first|Evidence has not been preserved/);
  assert.match(modal.text, /"block_id":"gd_in_network"/, 'the network ACL option is still offered');
  await submitAndSettle(h, { runId: modal.runId, user: RESPONDER });

  assert.equal(aws.ec2.snapshots.size, snapshotsBefore, 'no second set of snapshots');
  assert.equal(JSON.stringify(aws.ec2.aclForSubnet(m.otherTier.subnetId)!.entries), aclBefore, 'no ACL entry without the option');
  assert.equal(aws.callsTo('ec2:CreateNetworkAclEntry').length, 0);
  const iso = isolationGroup(w, m.net.vpc.vpcId)!;
  for (const id of m.eniIds) assert.deepEqual(aws.ec2.networkInterfaces.get(id)!.groupIds, [iso.groupId]);
  const thread = await threadText(h, findingId);
  assert.match(thread, /Isolate instance\* done — instance isolated \(3 ENIs\)/);
  assert.match(thread, /Connections already open survive a security-group change/);
  assert.doesNotMatch(thread, /No other subnet in the VPC/, 'there are other subnets: the ACL option was simply not chosen');
});

test('release restores exactly what was recorded: each ENI its own previous groups, only our ACL entries removed (a rule added since by someone else stays)', async (t) => {
  const w = await startInstanceWorld();
  t.after(() => w.close());
  const { aws, h } = w;
  const m = multiEniInstance(w);
  const { event, findingId } = instanceFindingEvent({ aws, instanceId: m.s.instanceId });
  await publishFinding(h, event);
  const acl = aws.ec2.aclForSubnet(m.otherTier.subnetId)!;
  const aclBefore = acl.entries.map((e) => ({ ...e }));
  await runAction(h, { findingId, action: 'isolate_instance', user: RESPONDER, selects: { network: 'sg_acl', evidence_first: 'no' } });
  assert.equal(aws.ec2.snapshots.size, 0, '"Isolate without evidence" takes no snapshot');
  const ours = acl.entries.filter((e) => e.ruleAction === 'deny' && e.ruleNumber < 32767).map((e) => e.ruleNumber);
  // Meanwhile someone blocks a scanner by hand, in the same ACL.
  const foreign = { ruleNumber: 90, protocol: '-1', ruleAction: 'deny' as const, egress: false, cidrBlock: '198.51.100.7/32' };
  acl.entries.push(foreign);

  const release = await openPlan(h, { findingId, action: 'release_isolation', user: RESPONDER });
  for (const id of m.eniIds) assert.match(release.text, new RegExp(`ENI ${id}: back to ${m.groupsBefore.get(id)!.join(', ')}`));
  for (const n of new Set(ours)) assert.match(release.text, new RegExp(`network ACL ${acl.networkAclId}: remove rule ${n} `));
  const mark = aws.calls.length;
  await submitAndSettle(h, { runId: release.runId, user: RESPONDER, reason: 'reimaged' });

  for (const id of m.eniIds)
    assert.deepEqual(aws.ec2.networkInterfaces.get(id)!.groupIds, m.groupsBefore.get(id), `${id} has exactly its own previous groups, in order`);
  const modify = aws.calls.slice(mark).filter((c) => c.op === 'ModifyNetworkInterfaceAttribute');
  assert.equal(modify.length, 3, 'one call per ENI');
  assert.deepEqual(
    [...acl.entries].sort((a, b) => a.ruleNumber - b.ruleNumber || Number(a.egress) - Number(b.egress)),
    [...aclBefore, foreign].sort((a, b) => a.ruleNumber - b.ruleNumber || Number(a.egress) - Number(b.egress)),
    'our six deny entries are gone; the ACL is as before plus the foreign rule',
  );
  assert.equal(aws.calls.slice(mark).filter((c) => c.op === 'DeleteNetworkAclEntry').length, 6);
  assert.equal((await readState<IsolationState>(h.responder.store, findingId, ISOLATION_STATE_KEY))?.active, false);
  const thread = await threadText(h, findingId);
  assert.match(thread, /Release isolation\* done — isolation released: everything recorded was restored/);
  for (const id of m.eniIds) assert.match(thread, new RegExp(`Security groups of ${id} restored to ${m.groupsBefore.get(id)!.join(', ')}`));
  assert.match(await cardText(h, findingId), /Isolation released/);
  assert.ok(
    (await cardButtons(h, findingId)).some((b) => b.action_id.endsWith('isolate_instance')),
    'Isolate instance is offered again',
  );
});

test('EKS node: the plan names the cluster and node group and says its pods are cut off too', async (t) => {
  const w = await startInstanceWorld();
  t.after(() => w.close());
  const { aws, h } = w;
  const s = aws.seed.instance({ eksCluster: 'prod-eks' });
  const { event, findingId } = instanceFindingEvent({ aws, instanceId: s.instanceId, fixture: 'instance-eks-node' });
  await publishFinding(h, event);
  const mark = aws.calls.length;

  const modal = await openPlan(h, { findingId, action: 'isolate_instance', user: RESPONDER });
  assert.match(modal.text, /This is a node of EKS cluster prod-eks \(node group prod-eks-ng\): every pod on it is cut off too/);
  assert.equal(modal.submit, 'Isolate');
  assert.deepEqual(changesSince(aws, mark), []);

  await submitAndSettle(h, { runId: modal.runId, user: RESPONDER, selects: { evidence_first: 'no' } });
  const iso = isolationGroup(w, s.vpcId)!;
  assert.deepEqual(aws.ec2.networkInterfaces.get(s.eniIds[0]!)!.groupIds, [iso.groupId]);
  assert.match(await threadText(h, findingId), /Isolate instance\* done/);
});

test('EC2 throttling: ModifyNetworkInterfaceAttribute answers RequestLimitExceeded once, then twice; the SDK retries it as throttling and the isolation completes', async (t) => {
  const w = await startInstanceWorld();
  t.after(() => w.close());
  const { aws, h } = w;
  for (const times of [1, 2]) {
    const s = aws.seed.instance({ enis: 2 });
    const { event, findingId } = instanceFindingEvent({ aws, instanceId: s.instanceId });
    await publishFinding(h, event);
    const modal = await openPlan(h, { findingId, action: 'isolate_instance', user: RESPONDER });
    const mark = aws.calls.length;
    const retries = w.backoffs.length;
    aws.failNext('ec2:ModifyNetworkInterfaceAttribute', 'RequestLimitExceeded', times);

    await submitAndSettle(h, { runId: modal.runId, user: RESPONDER, selects: { evidence_first: 'no' } });

    const modify = aws.calls.slice(mark).filter((c) => c.op === 'ModifyNetworkInterfaceAttribute');
    assert.deepEqual(
      modify.map((c) => [(c.params as Record<string, string>).NetworkInterfaceId, c.status, c.error ?? 'ok']),
      [...Array.from({ length: times }, () => [s.eniIds[0], 503, 'RequestLimitExceeded']), [s.eniIds[0], 200, 'ok'], [s.eniIds[1], 200, 'ok']],
      `${times} throttled attempt(s), then success; the second ENI is not affected`,
    );
    assert.deepEqual(
      w.backoffs.slice(retries).map((b) => [b.client, b.delayBase]),
      Array.from({ length: times }, () => ['ec2', 1000]),
      'the SDK backed off with its throttling delay base (not the transient one)',
    );
    const iso = isolationGroup(w, s.vpcId)!;
    for (const id of s.eniIds) assert.deepEqual(aws.ec2.networkInterfaces.get(id)!.groupIds, [iso.groupId]);
    assert.equal((await h.responder.store.getRun(modal.runId))?.state, 'succeeded');
    const thread = await threadText(h, findingId);
    assert.match(thread, /Isolate instance\* done — instance isolated \(2 ENIs\)/);
    assert.doesNotMatch(thread, /RequestLimitExceeded|throttl/i, 'a retried throttle is not a failure');
  }
});
