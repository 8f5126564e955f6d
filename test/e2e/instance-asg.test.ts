/**
 * Isolating an instance that serves traffic: Auto Scaling membership and load balancer target
 * groups, end to end through signed Slack payloads against the loopback AWS double.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ISOLATION_STATE_KEY } from '../../src/actions/state-keys.js';
import type { IsolationState } from '../../src/actions/ecs/isolate-task.js';
import { readState } from '../helpers/resource-state.js';
import {
  callIndexes,
  changesSince,
  instanceFindingEvent,
  liveRegistrations,
  publishFinding,
  RESPONDER,
  startInstanceWorld,
} from '../helpers/instance-world.js';
import { cardButtons, cardText, openPlan, submitAndSettle, threadText } from '../helpers/slack-interactions.js';

test('instance in an Auto Scaling group and target groups: the plan lists the detach and every deregistration before confirming; after, it is protected from scale-in, detached without shrinking the group, deregistered; release re-attaches it and re-registers the same ports', async (t) => {
  const w = await startInstanceWorld();
  t.after(() => w.close());
  const { aws, h } = w;
  // web-tg is the group's target group, with a port override (8443) besides its port 80;
  // admin-tg is registered directly, outside the group.
  const s = aws.seed.instance({ asg: { name: 'web-asg', maxSize: 4 }, targetGroups: [{ name: 'web-tg', port: 80, extraPorts: [8443] }] });
  const admin = aws.elbv2.addTargetGroup({ name: 'admin-tg', port: 9000, vpcId: s.vpcId });
  aws.elbv2.register(admin.arn, s.instanceId, 9000);
  const group = aws.autoscaling.groups.get('web-asg')!;
  const member = group.instances.get(s.instanceId)!;
  assert.equal(member.protectedFromScaleIn, false);
  const desired = group.desiredCapacity;
  const registrationsBefore = liveRegistrations(aws, s.instanceId);
  assert.deepEqual(registrationsBefore, [`admin-tg ${s.instanceId}:9000`, `web-tg ${s.instanceId}:80`, `web-tg ${s.instanceId}:8443`]);
  const { event, findingId } = instanceFindingEvent({ aws, instanceId: s.instanceId });
  await publishFinding(h, event);
  const mark = aws.calls.length;

  const modal = await openPlan(h, { findingId, action: 'isolate_instance', user: RESPONDER });
  assert.match(modal.text, /Auto Scaling group web-asg/);
  assert.match(modal.text, /autoscaling:SetInstanceProtection \+ autoscaling:DetachInstances web-asg/);
  assert.match(modal.text, /It belongs to Auto Scaling group web-asg: it will be protected from scale-in and detached; the group launches a replacement/);
  for (const r of ['web-tg (%:80)', 'web-tg (%:8443)', 'admin-tg (%:9000)'])
    assert.ok(modal.text.includes(`target group ${r.replace('%', s.instanceId)}`), `the plan lists ${r}`);
  assert.match(modal.text, /elasticloadbalancing:DeregisterTargets × 2/);
  assert.match(modal.text, /registered in 3 target group registration\(s\): they will be deregistered \(traffic drains first\)/);
  assert.deepEqual(changesSince(aws, mark), [], 'nothing detached or deregistered before confirming');
  assert.ok(group.instances.has(s.instanceId));

  await submitAndSettle(h, { runId: modal.runId, user: RESPONDER, reason: 'crypto miner', selects: { evidence_first: 'no' } });

  // Auto Scaling: protected, then detached without decrementing; the group replaced it.
  const [protect] = aws.callsTo('autoscaling:SetInstanceProtection');
  const [detach] = aws.callsTo('autoscaling:DetachInstances');
  assert.deepEqual(
    [(protect!.params as Record<string, string>).ProtectedFromScaleIn, (protect!.params as Record<string, string>)['InstanceIds.member.1']],
    ['true', s.instanceId],
  );
  assert.equal((detach!.params as Record<string, string>).ShouldDecrementDesiredCapacity, 'false');
  assert.equal(member.protectedFromScaleIn, true, 'it was protected from scale-in while still in the group');
  assert.ok(callIndexes(aws, 'autoscaling:SetInstanceProtection')[0]! < callIndexes(aws, 'autoscaling:DetachInstances')[0]!);
  assert.ok(
    callIndexes(aws, 'autoscaling:DetachInstances')[0]! < callIndexes(aws, 'ec2:ModifyNetworkInterfaceAttribute')[0]!,
    'detached before the network is cut (an isolated member fails its health checks and would be replaced, i.e. terminated)',
  );
  assert.equal(group.instances.has(s.instanceId), false, 'detached');
  assert.equal(group.desiredCapacity, desired, 'desired capacity kept');
  assert.equal(group.instances.size, 1, 'the group launched a replacement');
  // Load balancers: no live registration left.
  assert.deepEqual(liveRegistrations(aws, s.instanceId), []);
  const dereg = aws.callsTo('elasticloadbalancing:DeregisterTargets').map((c) => c.params as Record<string, string>);
  assert.deepEqual(dereg.map((p) => p.TargetGroupArn).sort(), [admin.arn, s.targetGroupArns[0]!].sort());
  assert.deepEqual(
    dereg
      .flatMap((p) =>
        Object.keys(p)
          .filter((k) => k.endsWith('.Port'))
          .map((k) => p[k]),
      )
      .sort(),
    ['80', '8443', '9000'],
    'each registration deregistered with its exact port (a port override needs it)',
  );
  const state = await readState<IsolationState>(h.responder.store, findingId, ISOLATION_STATE_KEY);
  assert.equal(state?.asg?.groupName, 'web-asg');
  assert.deepEqual(state?.registrations?.map((r) => `${r.targetGroupName} ${r.id}:${r.port}`).sort(), registrationsBefore);

  const thread = await threadText(h, findingId);
  assert.match(thread, /Detached from Auto Scaling group web-asg \(protected from scale-in; the group launches a replacement\)/);
  for (const r of registrationsBefore) {
    const [tg, target] = r.split(' ');
    assert.ok(thread.includes(`Deregistered from target group ${tg} (${target})`), `thread: ${r}`);
  }
  assert.match(thread, /Isolate instance\* done/);

  // Release: back in the group, registered again on the same ports.
  const release = await openPlan(h, { findingId, action: 'release_isolation', user: RESPONDER });
  assert.match(release.text, new RegExp(`Auto Scaling group web-asg: attach ${s.instanceId} again`));
  for (const r of registrationsBefore) {
    const [tg, target] = r.split(' ');
    assert.ok(release.text.includes(`target group ${tg}: register ${target} again`), `release plan: ${r}`);
  }
  assert.match(release.text, /Re-attaching raises the group's desired capacity by one/);
  await submitAndSettle(h, { runId: release.runId, user: RESPONDER });

  assert.ok(group.instances.has(s.instanceId), 'attached to web-asg again');
  assert.equal(aws.callsTo('autoscaling:AttachInstances').length, 1);
  assert.deepEqual(liveRegistrations(aws, s.instanceId), registrationsBefore, 'registered again, on exactly the same ports');
  const rereg = aws.callsTo('elasticloadbalancing:RegisterTargets').map((c) => c.params as Record<string, string>);
  assert.deepEqual(
    rereg
      .flatMap((p) =>
        Object.keys(p)
          .filter((k) => k.endsWith('.Port'))
          .map((k) => p[k]),
      )
      .sort(),
    ['80', '8443', '9000'],
  );
  const after = await threadText(h, findingId);
  assert.match(after, /Release isolation\* done — isolation released: everything recorded was restored/);
  assert.match(after, /Attached to Auto Scaling group web-asg again/);
  assert.ok(after.includes(`Registered in target group web-tg again (${s.instanceId}:8443)`));
  assert.match(await cardText(h, findingId), /Isolation released/);
  assert.ok((await cardButtons(h, findingId)).some((b) => b.action_id.endsWith('isolate_instance')));
});

test('an instance in no Auto Scaling group and no target group: the plan has no detach and no deregistration, and none is called', async (t) => {
  const w = await startInstanceWorld();
  t.after(() => w.close());
  const { aws, h } = w;
  const s = aws.seed.instance({});
  const { event, findingId } = instanceFindingEvent({ aws, instanceId: s.instanceId });
  await publishFinding(h, event);
  const modal = await openPlan(h, { findingId, action: 'isolate_instance', user: RESPONDER });
  assert.doesNotMatch(modal.text, /Auto Scaling group|DetachInstances|DeregisterTargets|target group/);
  await submitAndSettle(h, { runId: modal.runId, user: RESPONDER, selects: { evidence_first: 'no' } });
  assert.deepEqual(
    aws.calls
      .filter((c) => c.service === 'autoscaling' || c.service === 'elasticloadbalancing')
      .map((c) => c.op)
      .filter((op) => !op.startsWith('Describe')),
    [],
  );
  assert.match(await threadText(h, findingId), /Isolate instance\* done/);
});
