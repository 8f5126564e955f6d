import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withStore, type StoreFactory } from './contract.js';

const msg = (messageId: string, receivedAt: number) => ({ messageId, topicArn: 'arn:aws:sns:us-east-1:1:t', receivedAt, payload: 'p' });

export function replicaContract(factory: StoreFactory): void {
  test('inbox leases: each message goes to one replica; a dead holder loses nothing', () =>
    withStore(factory, async (s, replica) => {
      const r = await replica();
      for (let i = 0; i < 6; i++) await s.acceptMessage(msg(`m${i}`, i));
      const [a, b] = await Promise.all([s.claimMessages('A', 4, 1000, 100), r.claimMessages('B', 4, 1000, 100)]);
      const ids = [...a, ...b].map((m) => m.messageId).sort();
      assert.deepEqual(ids, ['m0', 'm1', 'm2', 'm3', 'm4', 'm5'], 'every message claimed exactly once');
      assert.deepEqual(await s.claimMessages('C', 10, 1000, 500), [], 'leased messages are not handed out again');
      // A finishes its messages; B dies holding its own.
      for (const m of a) await s.finishMessage(m.messageId, 'done');
      assert.deepEqual(await s.claimMessages('C', 10, 1000, 1099), []);
      const reclaimed = await s.claimMessages('C', 10, 1000, 1100);
      assert.deepEqual(
        reclaimed.map((m) => m.messageId),
        b.map((m) => m.messageId),
        'after the lease expires, oldest first',
      );
      assert.ok(reclaimed.every((m) => m.state === 'pending'));
      await s.acceptMessage(msg('m9', 9));
      assert.deepEqual(
        (await r.claimMessages('B', 10, 1000, 1200)).map((m) => m.messageId),
        ['m9'],
      );
    }));

  test('releasing leases: a replica gives back what it did not finish, only its own and only pending ones', () =>
    withStore(factory, async (s) => {
      for (let i = 0; i < 4; i++) await s.acceptMessage(msg(`r${i}`, i));
      const a = await s.claimMessages('A', 2, 60_000, 100);
      const b = await s.claimMessages('B', 2, 60_000, 100);
      await s.finishMessage(a[0]!.messageId, 'done');
      await s.releaseMessages('A');
      assert.deepEqual(
        (await s.claimMessages('C', 10, 60_000, 200)).map((m) => m.messageId),
        [a[1]!.messageId],
        "A's unfinished message at once; B's stays leased; the done one is not pending",
      );
      assert.equal((await s.getMessage(a[0]!.messageId))?.state, 'done');
      assert.equal(b.length, 2);
    }));

  test('run ownership: a survivor interrupts runs of a dead replica once, never those of a live one', () =>
    withStore(factory, async (s, replica) => {
      const r = await replica();
      const run = (runId: string, findingId: string) => ({ runId, findingId, action: 'stop_task', requestedBy: 'U1', createdAt: 1, state: 'planned' as const });
      await s.createRun(run('alive', 'f1'));
      await s.createRun(run('dead', 'f2'));
      await s.createRun(run('waiting', 'f3'));
      await s.heartbeat('A', 0, 30_000);
      await s.heartbeat('B', 0, 10_000);
      assert.ok((await s.transitionRun('alive', ['planned'], 'running', { owner: 'A' })).ok);
      assert.ok((await s.transitionRun('dead', ['planned'], 'running', { owner: 'B' })).ok);
      assert.ok((await s.transitionRun('waiting', ['planned'], 'awaiting_approval')).ok);
      assert.deepEqual(await s.interruptOrphanedRuns(5_000), [], 'both owners alive');
      await s.heartbeat('A', 15_000, 30_000);
      const [x, y] = await Promise.all([s.interruptOrphanedRuns(20_000), r.interruptOrphanedRuns(20_000)]);
      const got = [...x, ...y];
      assert.deepEqual(
        got.map((g) => [g.runId, g.state, g.updatedAt]),
        [['dead', 'interrupted', 20_000]],
        'reported by one survivor only',
      );
      assert.equal((await s.getRun('alive'))!.state, 'running');
      assert.equal((await s.getRun('waiting'))!.state, 'awaiting_approval');
      assert.deepEqual(await s.interruptOrphanedRuns(30_000), []);
    }));

  test('leadership: one holder at a time; renewable; taken over after it expires', () =>
    withStore(factory, async (s, replica) => {
      const r = await replica();
      const [a, b] = await Promise.all([s.tryLeadership('refresh', 'A', 1000, 0), r.tryLeadership('refresh', 'B', 1000, 0)]);
      assert.equal(Number(a) + Number(b), 1, 'exactly one leader');
      const leader = a ? 'A' : 'B';
      const other = a ? 'B' : 'A';
      assert.equal(await s.tryLeadership('refresh', leader, 1000, 500), true, 'renewed');
      assert.equal(await s.tryLeadership('refresh', other, 1000, 1400), false, 'still held (renewed at 500)');
      assert.equal(await s.tryLeadership('backfill', other, 1000, 1400), true, 'another name is independent');
      assert.equal(await r.tryLeadership('refresh', other, 1000, 1500), true, 'expired: taken over');
      assert.equal(await s.tryLeadership('refresh', leader, 1000, 1600), false);
    }));

  test('rate slots: replicas share one budget per key', () =>
    withStore(factory, async (s, replica) => {
      const r = await replica();
      const slots = await Promise.all([s.reserveSlot('post:C1', 1000, 100), r.reserveSlot('post:C1', 1000, 100), s.reserveSlot('post:C1', 1000, 100)]);
      assert.deepEqual(
        slots.sort((p, q) => p - q),
        [100, 1100, 2100],
        'one post per second across replicas',
      );
      assert.equal(await r.reserveSlot('post:C2', 1000, 100), 100, 'other channels are not held up');
      assert.equal(await s.reserveSlot('post:C1', 1000, 10_000), 10_000, 'an idle budget does not bank slots');
    }));
}
