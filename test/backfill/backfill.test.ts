/**
 * Backfill after an outage: findings SNS dropped (only the GuardDuty double knows them) appear as
 * exactly one card each, through the same inbox and dedupe as SNS; a second pass posts nothing.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backfillMessageId, FIRST_LOOKBACK_MS, WATERMARK_OVERLAP_MS } from '../../src/backfill/backfill.js';
import { ecsFindingEvent, startEcsWorld, type EcsWorld } from '../helpers/ecs-world.js';
import type { Harness } from '../helpers/harness.js';

function findingAt(w: EcsWorld, n: number, updatedAt: number, count = 1) {
  const task = {
    taskArn: `arn:aws:ecs:us-east-1:123456789012:task/prod/${String(n).padStart(32, 'a')}`,
    clusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/prod',
    image: `123456789012.dkr.ecr.us-east-1.amazonaws.com/app${n}:1`,
  };
  const { event, findingId } = ecsFindingEvent(task, `bf${String(n).padStart(30, '0')}`);
  event.detail.updatedAt = new Date(updatedAt).toISOString();
  event.detail.service.count = count;
  void w;
  return { event, findingId };
}

/** Cards posted for this finding (messages carrying its buttons; several may share an incident thread). */
async function cardsOf(h: Harness, findingId: string) {
  const key = (await h.responder.store.getFinding(findingId))?.cardKey;
  if (!key) return [];
  return h.slack.callsTo('chat.postMessage').filter((c) => c.ts && JSON.stringify(c.args.blocks ?? '').includes(key));
}

async function backfill(w: EcsWorld): Promise<void> {
  await w.h.responder.replica.idle(); // the start-up pass
  assert.equal(await w.h.responder.replica.runIfLeader(w.h.responder.jobs.backfill), true, 'this (only) replica leads');
  await w.h.settle();
}

test('backfill after an outage: one card per finding SNS dropped, none for one already shown, none on the next pass', async (t) => {
  const w = await startEcsWorld({ env: { BACKFILL_INTERVAL_MINUTES: '5' } });
  t.after(() => w.close());
  const { h, aws } = w;
  await h.responder.replica.idle(); // the start-up pass (nothing to find yet)
  const now = h.clock.now();
  // Delivered over SNS before the outage: its card exists.
  const seen = findingAt(w, 1, now - 10 * 60_000);
  assert.equal((await h.publish(seen.event)).status, 200);
  await h.settle();
  assert.equal((await cardsOf(h, seen.findingId)).length, 1);

  // During the outage SNS dropped two new findings; GuardDuty knows them (and the one shown).
  const lost = [findingAt(w, 2, now - 5 * 60_000), findingAt(w, 3, now - 60_000)];
  const tooOld = findingAt(w, 4, now - FIRST_LOOKBACK_MS - WATERMARK_OVERLAP_MS - 60_000);
  for (const f of [seen, ...lost, tooOld]) aws.guardduty.putFinding(f.event.detail);

  await backfill(w);
  for (const f of lost) assert.equal((await cardsOf(h, f.findingId)).length, 1, `one card for ${f.findingId}`);
  assert.equal((await cardsOf(h, seen.findingId)).length, 1, 'no second card for a finding whose card shows that version');
  assert.equal((await cardsOf(h, tooOld.findingId)).length, 0, 'a fresh install looks back one hour, not through the whole history');
  const list = aws.callsTo('guardduty:ListFindings');
  assert.ok(list.length >= 1);
  assert.ok(aws.callsTo('guardduty:GetFindings').length >= 1);
  assert.ok(
    await h.responder.store.getMessage(backfillMessageId(lost[0]!.findingId, lost[0]!.event.detail.updatedAt, 1)),
    'fed through the inbox, under a stable id',
  );

  const posts = h.slack.callsTo('chat.postMessage').length;
  const updates = h.slack.callsTo('chat.update').length;
  await backfill(w);
  assert.equal(h.slack.callsTo('chat.postMessage').length, posts, 'second pass: nothing posted');
  assert.equal(h.slack.callsTo('chat.update').length, updates, 'second pass: nothing updated');

  // An update GuardDuty made during another outage updates the card, never a second one.
  h.clock.advance(10 * 60_000);
  const updated = findingAt(w, 2, h.clock.now() - 1_000, 5);
  aws.guardduty.putFinding(updated.event.detail);
  await backfill(w);
  assert.equal((await cardsOf(h, updated.findingId)).length, 1);
  assert.ok(h.slack.callsTo('chat.update').length > updates, 'the card now shows the new version');
  assert.equal((await h.responder.store.getFinding(updated.findingId))?.count, 5);
});

test('backfill reads every page, and a watermark in the store bounds the next read', async (t) => {
  const w = await startEcsWorld({ env: { BACKFILL_INTERVAL_MINUTES: '5' } });
  t.after(() => w.close());
  const { h, aws } = w;
  await h.responder.replica.idle(); // the start-up pass (nothing to find yet)
  const now = h.clock.now();
  const many = Array.from({ length: 60 }, (_, i) => findingAt(w, 100 + i, now - 30 * 60_000 + i * 1000));
  for (const f of many) aws.guardduty.putFinding(f.event.detail);
  const before = aws.calls.length;
  await backfill(w);
  const ops = aws.calls.slice(before).map((c) => c.op);
  assert.equal(ops.filter((o) => o === 'ListFindings').length, 2, '60 ids: two pages of 50');
  assert.equal(ops.filter((o) => o === 'GetFindings').length, 2, 'at most 50 ids per GetFindings');
  for (const f of many) assert.ok((await h.responder.store.getFinding(f.findingId))?.ts, `${f.findingId} has a card`);

  const mark = aws.calls.length;
  await backfill(w);
  const since = aws.calls.slice(mark).find((c) => c.op === 'ListFindings');
  const newest = now - 30 * 60_000 + 59 * 1000;
  assert.equal(JSON.stringify(since?.params).includes(String(newest - WATERMARK_OVERLAP_MS)), true, 'reads from the newest updatedAt seen, minus the overlap');
});

test('BACKFILL_INTERVAL_MINUTES=0 turns it off: no GuardDuty call at start', async (t) => {
  const w = await startEcsWorld({ env: { BACKFILL_INTERVAL_MINUTES: '0' } });
  t.after(() => w.close());
  await w.h.settle();
  await w.h.responder.replica.idle();
  assert.deepEqual(w.aws.callsTo('guardduty:ListDetectors'), []);
  assert.deepEqual(w.aws.callsTo('guardduty:ListFindings'), []);
});
