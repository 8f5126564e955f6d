/**
 * Isolate / release an ECS task from the card, end to end: signed Slack interactions → Bolt →
 * the remediation runner → the real AWS SDK clients → the loopback AWS double.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ecsFindingEvent, RESPONDER, startEcsWorld } from '../helpers/ecs-world.js';
import { currentCard, runAction, threadTexts } from '../helpers/slack-interactions.js';

test('isolate a Fargate task: ACL deny entries in the other subnets, SG refused on the ECS-managed ENI, then release restores exactly', async (t) => {
  const w = await startEcsWorld();
  t.after(() => w.close());
  const { aws, h } = w;
  const net = aws.seed.network();
  const other = aws.ec2.addSubnet({ vpcId: net.vpc.vpcId, cidrBlock: '10.0.16.0/20' });
  const img = aws.seed.image({ repository: 'checkout', tag: '1.4' });
  const task = aws.seed.fargateTask({ cluster: 'prod', service: 'checkout', image: img.uri, digest: img.digest, subnetId: net.subnet.subnetId, ip: '10.0.1.20' });
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
