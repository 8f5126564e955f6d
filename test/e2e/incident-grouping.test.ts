/**
 * Grouping end to end (signed SNS → ingest → incidents → Slack double): repeated findings on the
 * same task, image digest or instance within INCIDENT_WINDOW_HOURS join one incident and land in
 * its thread instead of posting a new top-level card; after the window (on the injected clock) a
 * finding on the same resource opens a new incident with its own card.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { publishFinding, RESPONDER, startEcsWorld } from '../helpers/ecs-world.js';
import { CHANNEL } from '../helpers/harness.js';
import {
  clickIncidentButton,
  ephemeralsTo,
  HOUR,
  incidentOf,
  incidentButtons,
  incidentThread,
  instanceFinding,
  MINUTE,
  publishTaskFinding,
  taskFinding,
  textOf,
  topLevelPosts,
  topLine,
} from '../helpers/incident-world.js';

test("a second finding on the same task within the window joins the incident: its card is a reply in the first card's thread, not a new top-level card", async (t) => {
  const w = await startEcsWorld();
  t.after(() => w.close());
  const { h } = w;
  const first = await taskFinding(w, { service: 'checkout' });
  const incident = await incidentOf(h, first.findingId);
  const firstCard = (await h.responder.store.getFinding(first.findingId))!;
  assert.equal(incident.threadTs, firstCard.ts, 'the first card is the incident thread');

  h.clock.advance(45 * MINUTE);
  const again = await publishTaskFinding(w, {
    ...first,
    taskDefinitionArn: first.event.detail.resource.ecsClusterDetails.taskDetails.definitionArn,
    group: 'service:checkout',
    publish: false,
  });
  again.event.detail.type = 'Execution:Runtime/NewBinaryExecuted';
  again.event.detail.title = 'A newly created binary was executed in an ECS task.';
  again.event.detail.severity = 9.2;
  await publishFinding(h, again.event);

  assert.equal((await incidentOf(h, again.findingId)).id, incident.id, 'one incident');
  assert.equal(topLevelPosts(h, CHANNEL).length, 1, 'no new top-level card');
  const secondPost = h.slack.callsTo('chat.postMessage').find((c) => textOf(c.args.blocks).includes('A newly created binary was executed'));
  assert.ok(secondPost, 'the second finding has its card');
  assert.equal(secondPost.args.channel, CHANNEL);
  assert.equal(secondPost.args.thread_ts, incident.threadTs, 'posted as a reply in the incident thread');
  const secondCard = (await h.responder.store.getFinding(again.findingId))!;
  assert.equal(secondCard.threadTs, incident.threadTs);

  const now = (await h.responder.store.getIncident(incident.id))!;
  assert.equal(now.severity, 9.2, 'the incident takes the highest severity');
  assert.equal(now.lastSeenAt, h.clock.now());
  const seen = (await h.responder.store.incidentEvents(incident.id)).filter((e) => e.kind === 'finding_seen');
  assert.deepEqual(
    seen.map((e) => e.kind === 'finding_seen' && e.findingId),
    [first.findingId, again.findingId],
  );
  // Both cards carry the same incident and its buttons.
  assert.match(await topLine(h, again.findingId), new RegExp(`^\\*${incident.id}\\* · :rotating_light: Open · 🔴 CRITICAL 9\\.2`));
  assert.deepEqual(
    (await incidentButtons(h, again.findingId)).map((b) => [b.text, b.value]),
    [
      ['Take it', incident.id],
      ['Follow', incident.id],
      ['Close…', incident.id],
      ['False positive…', incident.id],
    ],
  );

  // Take it on the joined card, inside the thread: both cards show the assignee; the responder,
  // already in the thread, gets no "posted in the thread" answer.
  await clickIncidentButton(h, { findingId: again.findingId, button: 'take', user: RESPONDER });
  for (const id of [first.findingId, again.findingId])
    assert.match(await topLine(h, id), new RegExp(`:eyes: Acknowledged · .* · Assignee <@${RESPONDER}>`), id);
  assert.equal(incidentThread(h, (await h.responder.store.getIncident(incident.id))!).at(-1), `:raising_hand: <@${RESPONDER}> took ${incident.id}`);
  assert.deepEqual(ephemeralsTo(h, RESPONDER), []);
});

test('findings on the same image digest (two services) and on the same instance each group into one incident; unrelated resources get their own', async (t) => {
  const w = await startEcsWorld();
  t.after(() => w.close());
  const { aws, h } = w;
  // Two services running the very same image (same digest, different task definition families).
  const img = aws.seed.image({ repository: 'shared', tag: '2.0' });
  const onDigest = async (service: string) => {
    const task = aws.seed.fargateTask({ cluster: 'prod', service, image: img.uri, digest: img.digest });
    return publishTaskFinding(w, {
      taskArn: task.taskArn,
      clusterArn: task.clusterArn,
      image: img.uri,
      digest: img.digest,
      taskDefinitionArn: task.task.taskDefinitionArn!,
      group: task.task.group!,
      withDigest: true,
    });
  };
  const a = await onDigest('checkout');
  h.clock.advance(10 * MINUTE);
  const b = await onDigest('billing');
  const byDigest = await incidentOf(h, a.findingId);
  assert.equal((await incidentOf(h, b.findingId)).id, byDigest.id, 'same image digest → same incident');

  h.clock.advance(10 * MINUTE);
  const i1 = await instanceFinding(w, 'i-0a1b2c3d4e5f60718');
  h.clock.advance(10 * MINUTE);
  const i2 = await instanceFinding(w, 'i-0a1b2c3d4e5f60718');
  const byInstance = await incidentOf(h, i1.findingId);
  assert.equal((await incidentOf(h, i2.findingId)).id, byInstance.id, 'same instance → same incident');
  assert.notEqual(byInstance.id, byDigest.id);

  const other = await taskFinding(w, { service: 'search', repository: 'search', tag: '7' });
  const otherInstance = await instanceFinding(w, 'i-0ffffffffffffffff');
  const ids = new Set([byDigest.id, byInstance.id, (await incidentOf(h, other.findingId)).id, (await incidentOf(h, otherInstance.findingId)).id]);
  assert.equal(ids.size, 4, 'unrelated resources open their own incidents');
  assert.equal(topLevelPosts(h, CHANNEL).length, 4, 'one top-level card per incident');
  for (const [joined, incident] of [
    [b.findingId, byDigest],
    [i2.findingId, byInstance],
  ] as const) {
    const card = (await h.responder.store.getFinding(joined))!;
    const post = h.slack.callsTo('chat.postMessage').find((c) => c.ts === card.ts)!;
    assert.equal(post.args.thread_ts, (await h.responder.store.getIncident(incident.id))!.threadTs, `${joined} is in ${incident.id}'s thread`);
  }
});

test('the window runs from the last finding (INCIDENT_WINDOW_HOURS): inside it findings keep joining; past it the same task opens a new incident with its own top-level card', async (t) => {
  const w = await startEcsWorld({ env: { INCIDENT_WINDOW_HOURS: '2' } });
  t.after(() => w.close());
  const { h } = w;
  const f1 = await taskFinding(w, { service: 'checkout' });
  const inc1 = await incidentOf(h, f1.findingId);
  const same = { ...f1, taskDefinitionArn: f1.event.detail.resource.ecsClusterDetails.taskDetails.definitionArn as string, group: 'service:checkout' };

  h.clock.advance(90 * MINUTE);
  const f2 = await publishTaskFinding(w, same);
  h.clock.advance(2 * HOUR - MINUTE); // 3 h 29 m after the first, 1 h 59 m after the last
  const f3 = await publishTaskFinding(w, same);
  assert.deepEqual([(await incidentOf(h, f2.findingId)).id, (await incidentOf(h, f3.findingId)).id], [inc1.id, inc1.id]);
  assert.equal(topLevelPosts(h, CHANNEL).length, 1);

  h.clock.advance(2 * HOUR + MINUTE); // past the window since the last finding
  const f4 = await publishTaskFinding(w, same);
  const inc2 = await incidentOf(h, f4.findingId);
  assert.notEqual(inc2.id, inc1.id, 'a new incident');
  const tops = topLevelPosts(h, CHANNEL);
  assert.equal(tops.length, 2, 'its card is a new top-level card');
  const card4 = (await h.responder.store.getFinding(f4.findingId))!;
  assert.equal(tops[1]!.ts, card4.ts);
  assert.equal(card4.threadTs, undefined);
  assert.equal(inc2.threadTs, card4.ts, 'the new incident has its own thread');
  assert.match(await topLine(h, f4.findingId), new RegExp(`^\\*${inc2.id}\\* · :rotating_light: Open`));
  assert.ok((await incidentButtons(h, f4.findingId)).every((b) => b.value === inc2.id));
  assert.equal((await h.responder.store.incidentFindingIds(inc1.id)).length, 3, 'the old incident keeps its three findings');
});
