/**
 * Authorization that holds at execution, through the real app (issue 9, items 3 and 6): a
 * responder removed from the user group between click and confirm is refused; a burst of
 * clicks gets "slow down"; REQUIRE_APPROVAL makes a destructive step wait for a second person.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ecsFindingEvent, publishFinding, RESPONDER, startEcsWorld } from '../helpers/ecs-world.js';
import { clickCardButton, openPlan, submitAndSettle, threadText } from '../helpers/slack-interactions.js';
import { textOf } from '../helpers/incident-world.js';

async function world(env: Record<string, string>) {
  const w = await startEcsWorld({ env });
  const img = w.aws.seed.image({ repository: 'shop', tag: '1.0' });
  const task = w.aws.seed.fargateTask({ cluster: 'prod', service: 'checkout', image: img.uri, digest: img.digest });
  const { event, findingId } = ecsFindingEvent({ taskArn: task.taskArn, clusterArn: task.clusterArn, image: img.uri });
  await publishFinding(w.h, event);
  return { w, findingId };
}

const ephemerals = (w: Awaited<ReturnType<typeof world>>['w'], user: string) =>
  w.h.slack
    .callsTo('chat.postEphemeral')
    .filter((c) => c.args.user === user)
    .map((c) => textOf(c.args.blocks) || String(c.args.text));

test('removed from the responder user group after clicking: the confirmation is refused at execution, within the cache window, and nothing is stopped', async (t) => {
  const { w, findingId } = await world({ RESPONDER_USER_IDS: '', RESPONDER_USERGROUP_IDS: 'S0ONCALL' });
  t.after(() => w.close());
  w.h.slack.usergroups.set('S0ONCALL', ['U0LEAVER']);
  const modal = await openPlan(w.h, { findingId, action: 'stop_task', user: 'U0LEAVER' });
  w.h.slack.usergroups.set('S0ONCALL', []);
  w.h.clock.advance(2_000);
  await submitAndSettle(w.h, { runId: modal.runId, user: 'U0LEAVER', reason: 'contain' });
  assert.equal(w.aws.callsTo('ecs:StopTask').length, 0);
  assert.match(ephemerals(w, 'U0LEAVER').join('\n'), /not on the list of people allowed to run "stop_task"/);
  const audit = await w.h.responder.store.auditFor(findingId);
  assert.ok(
    audit.some((a) => a.event === 'refused' && (a.detail as { at?: string }).at === 'execute'),
    'the execution-time refusal is audited',
  );
});

test('12 Stop clicks in a burst by one person: 3 confirmations open, the rest get "slow down", audited; after the window it works again', async (t) => {
  const { w, findingId } = await world({ ACTION_RATE_LIMIT: '3/60s' });
  t.after(() => w.close());
  for (let i = 0; i < 12; i++) {
    assert.equal((await clickCardButton(w.h, { findingId, action: 'stop_task', user: RESPONDER })).status, 200);
    w.h.clock.advance(16);
  }
  await w.h.settle();
  assert.equal(w.h.slack.callsTo('views.open').length, 3);
  const answers = ephemerals(w, RESPONDER);
  assert.equal(answers.length, 9);
  assert.match(answers[0]!, /slow down: you already opened 3 changing steps in the last 60 s/);
  const refused = (await w.h.responder.store.auditFor(findingId)).filter((a) => a.event === 'refused');
  assert.equal(refused.length, 9);
  w.h.clock.advance(60_000);
  await clickCardButton(w.h, { findingId, action: 'stop_task', user: RESPONDER });
  await w.h.settle();
  assert.equal(w.h.slack.callsTo('views.open').length, 4);
});

test('REQUIRE_APPROVAL=destructive: Stop task waits for a second responder without any policy file', async (t) => {
  const { w, findingId } = await world({ REQUIRE_APPROVAL: 'destructive' });
  t.after(() => w.close());
  const modal = await openPlan(w.h, { findingId, action: 'stop_task', user: RESPONDER });
  await submitAndSettle(w.h, { runId: modal.runId, user: RESPONDER, reason: 'contain' });
  assert.equal(w.aws.callsTo('ecs:StopTask').length, 0, 'not run by one person');
  assert.equal((await w.h.responder.store.getRun(modal.runId))?.state, 'awaiting_approval');
  assert.match(await threadText(w.h, findingId), /approv/i);
});
