/**
 * Isolate / release an ECS task from the card, end to end: signed Slack interactions → Bolt →
 * the remediation runner → the real AWS SDK clients → the loopback AWS double.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ISOLATION_STATE_KEY } from '../../src/actions/state-keys.js';
import type { IsolationState } from '../../src/actions/ecs/isolate-task.js';
import { ISOLATION_GROUP_NAME } from '../../src/aws/ec2/types.js';
import { readState } from '../helpers/resource-state.js';
import { ecsFindingEvent, seedCheckoutTask, publishFinding, RESPONDER, startEcsWorld } from '../helpers/ecs-world.js';
import { cardButtons, cardText, currentCard, openPlan, runAction, submitAndSettle, threadText, threadTexts } from '../helpers/slack-interactions.js';

test('isolate a Fargate task: ACL deny entries in the other subnets, SG refused on the ECS-managed ENI, then release restores exactly', async (t) => {
  const w = await startEcsWorld();
  t.after(() => w.close());
  const { aws, h } = w;
  const { net, other, img, task } = seedCheckoutTask(aws);
  const { event, findingId } = ecsFindingEvent({ taskArn: task.taskArn, clusterArn: task.clusterArn, image: img.uri });
  assert.equal((await h.publish(event)).status, 200);
  await h.settle();
  const aclBefore = JSON.stringify(aws.ec2.networkAcls.get(net.networkAcl.networkAclId)!.entries);

  const { modal } = await runAction(h, { findingId, action: 'isolate_task', user: RESPONDER, reason: 'reverse shell' });
  assert.match(modal.text, /10\.0\.1\.20/);
  assert.match(modal.text, /ModifyNetworkInterfaceAttribute|CreateNetworkAclEntry/);

  const acl = aws.ec2.networkAcls.get(net.networkAcl.networkAclId)!;
  const denies = acl.entries.filter((e) => e.ruleAction === 'deny' && e.cidrBlock === '10.0.1.20/32');
  assert.equal(denies.length, 2, 'one inbound and one outbound deny for the task address');
  assert.ok(aws.callsTo('ec2:CreateNetworkAclEntry').length >= 2);
  const thread = (await threadTexts(h, findingId)).join('\n');
  assert.match(thread, /Isolate task/);
  assert.match(thread, /10\.0\.1\.20/);
  assert.match(thread, new RegExp(other.subnetId));
  assert.match(thread, /security group/i, 'says security groups could not be changed on the ECS-managed ENI');
  assert.match(JSON.stringify((await currentCard(h, findingId)).args.blocks), /release_isolation/, 'the card now offers Release isolation');

  await runAction(h, { findingId, action: 'release_isolation', user: RESPONDER });
  assert.equal(JSON.stringify(aws.ec2.networkAcls.get(net.networkAcl.networkAclId)!.entries), aclBefore, 'ACL back to exactly what it was');
  assert.match((await threadTexts(h, findingId)).join('\n'), /released/);
});

test('isolate an EC2-launch awsvpc task: its ECS-managed ENI is left alone (said so), ACL deny entries cut it from the other subnets; release restores the ACL', async (t) => {
  const w = await startEcsWorld();
  t.after(() => w.close());
  const { aws, h } = w;
  const net = aws.seed.network();
  const other = aws.ec2.addSubnet({ vpcId: net.vpc.vpcId, cidrBlock: '10.0.16.0/20' });
  const img = aws.seed.image({ repository: 'orders', tag: '3.1' });
  const task = aws.seed.ec2AwsvpcTask({
    cluster: 'prod-ec2',
    service: 'orders',
    image: img.uri,
    digest: img.digest,
    subnetId: net.subnet.subnetId,
    ip: '10.0.1.30',
  });
  const hostEni = aws.ec2.networkInterfaces.get(task.instance!.eniIds[0]!)!;
  const taskGroups = [...task.eni.groupIds];
  const hostGroups = [...hostEni.groupIds];
  const { event, findingId } = ecsFindingEvent({ taskArn: task.taskArn, clusterArn: task.clusterArn, image: img.uri, launchType: 'EC2' });
  await publishFinding(h, event);
  const aclBefore = JSON.stringify(aws.ec2.networkAcls.get(net.networkAcl.networkAclId)!.entries);

  const modal = await openPlan(h, { findingId, action: 'isolate_task', user: RESPONDER });
  assert.match(modal.text, /awsvpc/);
  assert.match(
    modal.text,
    new RegExp(`${task.eniId}[^"]*managed by ECS: security groups cannot be changed`),
    'the plan says the task ENI refuses security-group changes',
  );
  assert.match(modal.text, /CreateNetworkAclEntry[^"]*deny 10\.0\.1\.30\/32/);
  assert.doesNotMatch(modal.text, /ModifyNetworkInterfaceAttribute/, 'no security-group change is planned on a requester-managed ENI');
  assert.equal(modal.submit, 'Isolate');
  assert.equal(aws.callsTo('ec2:CreateNetworkAclEntry').length, 0, 'nothing changed before confirming');

  await submitAndSettle(h, { runId: modal.runId, user: RESPONDER, reason: 'miner on orders' });
  const denies = aws.ec2.networkAcls.get(net.networkAcl.networkAclId)!.entries.filter((e) => e.ruleAction === 'deny' && e.cidrBlock === '10.0.1.30/32');
  assert.deepEqual(denies.map((e) => e.egress).sort(), [false, true], 'one inbound and one outbound deny for the task address');
  assert.equal(aws.callsTo('ec2:ModifyNetworkInterfaceAttribute').length, 0);
  assert.deepEqual(aws.ec2.networkInterfaces.get(task.eniId)!.groupIds, taskGroups, 'task ENI groups untouched');
  assert.deepEqual(aws.ec2.networkInterfaces.get(hostEni.networkInterfaceId)!.groupIds, hostGroups, 'the container instance (and its other tasks) untouched');
  assert.equal(aws.ecs.task(task.taskArn)!.lastStatus, 'RUNNING', 'the task keeps running for forensics');

  const thread = await threadText(h, findingId);
  assert.match(thread, /Isolate task\* partly done/, 'honest status: security groups could not be applied');
  assert.match(thread, new RegExp(`All traffic between 10\\.0\\.1\\.30 and subnet ${other.subnetId}[^"]*connections already open included`));
  assert.match(thread, new RegExp(`Security groups of ${task.eniId} cannot be changed[^"]*requester-managed`));
  assert.match(thread, /its own subnet/, 'says same-subnet traffic is not cut');
  for (const c of aws.callsTo('ec2:CreateNetworkAclEntry')) assert.ok(thread.includes(c.requestId), 'request ids in the thread');
  assert.match(await cardText(h, findingId), /Task isolated/);
  assert.ok((await cardButtons(h, findingId)).some((b) => b.action_id.endsWith('release_isolation')));

  await runAction(h, { findingId, action: 'release_isolation', user: RESPONDER });
  assert.equal(JSON.stringify(aws.ec2.networkAcls.get(net.networkAcl.networkAclId)!.entries), aclBefore, 'ACL back to exactly what it was');
  assert.match(await threadText(h, findingId), /isolation released/);
  assert.match(await cardText(h, findingId), /Isolation released/);
});

test('isolate a bridge-mode task: the plan warns that every task on the instance is cut BEFORE confirming; the rule-less isolation group replaces the instance ENI groups, recorded, and release restores them exactly', async (t) => {
  const w = await startEcsWorld();
  t.after(() => w.close());
  const { aws, h } = w;
  const net = aws.seed.network();
  const other = aws.ec2.addSubnet({ vpcId: net.vpc.vpcId, cidrBlock: '10.0.32.0/20' });
  const sgHosts = aws.ec2.addSecurityGroup({ vpcId: net.vpc.vpcId, groupName: 'ecs-hosts' });
  const sgSsm = aws.ec2.addSecurityGroup({ vpcId: net.vpc.vpcId, groupName: 'ssm-endpoints' });
  const host = aws.seed.containerInstance({ cluster: 'legacy', subnetId: net.subnet.subnetId, securityGroupIds: [sgHosts.groupId, sgSsm.groupId] });
  const img = aws.seed.image({ repository: 'worker', tag: '7' });
  const other2 = aws.seed.image({ repository: 'cron', tag: '1' });
  const task = aws.seed.bridgeTask({ cluster: 'legacy', service: 'worker', image: img.uri, digest: img.digest, instanceId: host.instance.instanceId });
  const neighbour = aws.seed.bridgeTask({ cluster: 'legacy', service: 'cron', image: other2.uri, digest: other2.digest, instanceId: host.instance.instanceId });
  assert.equal(task.eniId, host.eni.networkInterfaceId);
  assert.equal(host.eni.requesterManaged, false);
  const { event, findingId } = ecsFindingEvent({ taskArn: task.taskArn, clusterArn: task.clusterArn, image: img.uri, launchType: 'EC2' });
  await publishFinding(h, event);
  const aclBefore = JSON.stringify(aws.ec2.networkAcls.get(net.networkAcl.networkAclId)!.entries);

  const modal = await openPlan(h, { findingId, action: 'isolate_task', user: RESPONDER });
  assert.match(modal.text, new RegExp(`Isolate EC2 instance ${host.instance.instanceId}`));
  assert.match(modal.text, /bridge network mode/);
  assert.match(modal.text, /EVERY task on that instance loses its network too/);
  assert.match(modal.text, /every task and container on the instance/);
  assert.match(modal.text, new RegExp(`ModifyNetworkInterfaceAttribute ${host.eni.networkInterfaceId}`));
  assert.match(modal.text, new RegExp(`${host.eni.networkInterfaceId} — groups now: ${sgHosts.groupId}, ${sgSsm.groupId}`));
  for (const op of ['ec2:ModifyNetworkInterfaceAttribute', 'ec2:CreateSecurityGroup', 'ec2:CreateNetworkAclEntry'])
    assert.equal(aws.callsTo(op).length, 0, `${op} not called before confirming`);

  await submitAndSettle(h, { runId: modal.runId, user: RESPONDER, reason: 'worker compromised' });
  const iso = [...aws.ec2.securityGroups.values()].find((g) => g.groupName === ISOLATION_GROUP_NAME && g.vpcId === net.vpc.vpcId);
  assert.ok(iso, 'isolation group created');
  assert.deepEqual(iso.rules, [], 'the isolation group has no rules at all (default egress revoked)');
  assert.deepEqual(aws.ec2.networkInterfaces.get(host.eni.networkInterfaceId)!.groupIds, [iso.groupId]);
  const modify = aws.callsTo('ec2:ModifyNetworkInterfaceAttribute');
  assert.equal(modify.length, 1);
  assert.equal((modify[0]!.params as Record<string, string>).NetworkInterfaceId, host.eni.networkInterfaceId);
  const state = await readState<IsolationState>(h.responder.store, findingId, ISOLATION_STATE_KEY);
  assert.equal(state?.active, true);
  assert.deepEqual(state.record.enis, [
    { eniId: host.eni.networkInterfaceId, previousGroupIds: [sgHosts.groupId, sgSsm.groupId], appliedGroupIds: [iso.groupId] },
  ]);
  assert.equal(state.record.target.kind, 'instance');
  assert.equal(aws.ecs.task(neighbour.taskArn)!.lastStatus, 'RUNNING');

  const thread = await threadText(h, findingId);
  assert.match(thread, /Isolate task\* done/);
  assert.match(thread, new RegExp(`Every task and container on instance ${host.instance.instanceId} is affected`));
  assert.match(thread, new RegExp(`New connections to and from ${host.eni.networkInterfaceId}[^"]*${ISOLATION_GROUP_NAME}, which has no rules`));
  assert.match(thread, new RegExp(`subnet ${other.subnetId}`));
  assert.match(thread, /Connections already open/, 'says security groups do not cut tracked connections in its subnet');
  assert.match(await cardText(h, findingId), /Task isolated/);

  const release = await openPlan(h, { findingId, action: 'release_isolation', user: RESPONDER });
  assert.match(release.text, new RegExp(`${host.eni.networkInterfaceId} → ${sgHosts.groupId}, ${sgSsm.groupId}`));
  await submitAndSettle(h, { runId: release.runId, user: RESPONDER });
  assert.deepEqual(
    aws.ec2.networkInterfaces.get(host.eni.networkInterfaceId)!.groupIds,
    [sgHosts.groupId, sgSsm.groupId],
    'exactly the previous groups, in order',
  );
  assert.equal(JSON.stringify(aws.ec2.networkAcls.get(net.networkAcl.networkAclId)!.entries), aclBefore, 'ACL back to exactly what it was');
  assert.equal((await readState<IsolationState>(h.responder.store, findingId, ISOLATION_STATE_KEY))?.active, false);
  assert.match(
    await threadText(h, findingId),
    new RegExp(`Security groups of ${host.eni.networkInterfaceId} restored to ${sgHosts.groupId}, ${sgSsm.groupId}`),
  );
  assert.ok(
    (await cardButtons(h, findingId)).some((b) => b.action_id.endsWith('isolate_task')),
    'Isolate task is offered again',
  );
});

test('the audit trail holds every AWS call of a step (operation, request id) with its run, next to the request and the result', async (t) => {
  const w = await startEcsWorld();
  t.after(() => w.close());
  const { aws, h } = w;
  const net = aws.seed.network();
  aws.ec2.addSubnet({ vpcId: net.vpc.vpcId, cidrBlock: '10.0.16.0/20' });
  const img = aws.seed.image({ repository: 'audit', tag: '1' });
  const task = aws.seed.fargateTask({ cluster: 'prod', image: img.uri, digest: img.digest, subnetId: net.subnet.subnetId, ip: '10.0.1.30' });
  const { event, findingId } = ecsFindingEvent({ taskArn: task.taskArn, clusterArn: task.clusterArn, image: img.uri });
  await h.publish(event);
  await h.settle();
  const { runId } = await runAction(h, { findingId, action: 'isolate_task', user: RESPONDER, reason: 'audit me' });

  const audit = await h.responder.store.auditFor(findingId);
  const events = audit.map((a) => a.event);
  assert.ok(events.indexOf('requested') < events.indexOf('started') && events.indexOf('started') < events.indexOf('result'));
  const calls = audit
    .filter((a) => a.event === 'aws_call' && a.runId === runId)
    .map((a) => a.detail as { service: string; operation: string; requestId?: string });
  const created = aws.callsTo('ec2:CreateNetworkAclEntry');
  assert.ok(created.length >= 2);
  for (const c of created) {
    assert.ok(
      calls.some((a) => a.operation === 'CreateNetworkAclEntry' && a.requestId === c.requestId),
      `audited ${c.requestId}`,
    );
  }
  assert.ok(calls.some((a) => a.service === 'ecs' || a.service === 'ec2'));
  // Plan-time reads are audited too (for the finding, without a run id yet).
  assert.ok(audit.some((a) => a.event === 'aws_call' && !a.runId && (a.detail as { operation: string }).operation === 'DescribeTasks'));
});
