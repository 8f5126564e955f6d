/**
 * Runs left "running" across replicas: a starting replica leaves a live replica's run alone; once
 * that replica stops heartbeating, the periodic sweep reports the run interrupted, once, in the
 * thread, and it is never re-run.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HEARTBEAT_TTL_MS } from '../../src/replicas/replica.js';
import { publishFinding, RESPONDER, startEcsWorld, ecsFindingEvent } from '../helpers/ecs-world.js';
import { threadText } from '../helpers/slack-interactions.js';

test("a live replica's run is not interrupted by another replica's start; once that replica is dead it is reported once, never re-run", async (t) => {
  const w = await startEcsWorld();
  t.after(() => w.close());
  const { aws, h } = w;
  const img = aws.seed.image({ repository: 'checkout', tag: '1.4' });
  const task = aws.seed.fargateTask({ cluster: 'prod', service: 'checkout', image: img.uri, digest: img.digest });
  const { event, findingId } = ecsFindingEvent({ ...task, image: img.uri, digest: img.digest, group: 'service:checkout' });
  await publishFinding(h, event);
  const store = h.responder.store;
  // Another replica ("B") is running a step on this finding.
  await store.heartbeat('B', h.clock.now(), HEARTBEAT_TTL_MS);
  await store.createRun({ runId: 'run-on-b', findingId, action: 'stop_task', state: 'planned', requestedBy: RESPONDER, createdAt: h.clock.now() });
  assert.ok((await store.transitionRun('run-on-b', ['planned'], 'running', { owner: 'B', input: { inputs: {} } }, h.clock.now())).ok);
  const mark = aws.calls.length;

  await h.restart(); // this replica starts (again) while B is alive
  await h.settle();
  assert.equal((await h.responder.store.getRun('run-on-b'))?.state, 'running', "B's run is B's business while B is alive");
  assert.doesNotMatch(await threadText(h, findingId), /was interrupted/);

  // B dies (no heartbeat): the next sweep on this replica reports it.
  h.clock.advance(HEARTBEAT_TTL_MS + 1);
  await h.responder.replica.beat(); // this replica stays alive
  await h.responder.replica.sweepOrphans();
  await h.responder.replica.sweepOrphans();
  await h.settle();
  assert.equal((await h.responder.store.getRun('run-on-b'))?.state, 'interrupted');
  assert.equal((await threadText(h, findingId)).match(/was interrupted by a restart/g)?.length, 1, 'reported once');
  assert.deepEqual(
    aws.calls.slice(mark).filter((c) => c.op === 'StopTask'),
    [],
    'never re-run',
  );
});
