/**
 * The replica wiring on one shared PostgreSQL: inbox workers claim (one message, one replica; an
 * outage hands the rest back at once), periodic jobs run on the leader only, and a survivor
 * takes over a job once the leader is gone.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { AppError } from '../../src/errors.js';
import { createInboxWorker } from '../../src/ingest/worker.js';
import { createLogger } from '../../src/log.js';
import { LEADERSHIP_TTL_PERIODS, newReplicaId, startReplica, type PeriodicJob } from '../../src/replicas/replica.js';
import { createSharedPacer } from '../../src/slack/pacing.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';
import { fakeClock } from '../helpers/clock.js';
import { freshStoreUrl, stopPostgres } from '../helpers/postgres.js';

after(() => stopPostgres());
const logger = createLogger('silent');

async function twoReplicas(): Promise<[Store, Store]> {
  const url = await freshStoreUrl();
  return [await openStore(url), await openStore(url)];
}

const msg = (i: number) => ({ messageId: `m${i}`, topicArn: 'arn:aws:sns:us-east-1:123456789012:t', receivedAt: i, payload: '{}' });

test('replica ids: hostname, pid and a random part (two containers with pid 1 differ)', () => {
  assert.match(newReplicaId('web', 1, 'abcd'), /^web:1:abcd$/);
  assert.notEqual(newReplicaId('web', 1), newReplicaId('web', 1));
});

test('two inbox workers on one database: every message handled once, by one of them', async (t) => {
  const [a, b] = await twoReplicas();
  t.after(async () => Promise.all([a.close(), b.close()]));
  const clock = fakeClock();
  for (let i = 0; i < 60; i++) await a.acceptMessage(msg(i));
  const handled: string[] = [];
  const by = new Map<string, string>();
  const worker = (store: Store, owner: string) =>
    createInboxWorker({
      store,
      clock,
      logger,
      owner,
      handle: async (e) => {
        handled.push(e.messageId);
        by.set(e.messageId, owner);
        await new Promise((r) => setImmediate(r));
      },
    });
  const wa = worker(a, 'A');
  const wb = worker(b, 'B');
  wa.kick();
  wb.kick();
  await Promise.all([wa.idle(), wb.idle()]);
  assert.equal(handled.length, 60, 'no message handled twice');
  assert.equal(new Set(handled).size, 60, 'none lost');
  assert.ok([...by.values()].includes('A') && [...by.values()].includes('B'), 'both replicas took a share');
});

test('an outage hands the unfinished batch back at once: another replica need not wait out the lease', async (t) => {
  const [a, b] = await twoReplicas();
  t.after(async () => Promise.all([a.close(), b.close()]));
  const clock = fakeClock();
  for (let i = 0; i < 3; i++) await a.acceptMessage(msg(i));
  let down = true;
  let attempted!: () => void;
  const firstAttempt = new Promise<void>((r) => (attempted = r));
  const failing = createInboxWorker({
    store: a,
    clock,
    logger,
    owner: 'A',
    handle: async () => {
      attempted();
      if (down) throw new AppError('slack_unavailable', 'Slack is down');
    },
  });
  failing.kick();
  await firstAttempt;
  await failing.stop();
  down = false;
  const handled: string[] = [];
  const healthy = createInboxWorker({ store: b, clock, logger, owner: 'B', handle: async (e) => void handled.push(e.messageId) });
  healthy.kick();
  await healthy.idle();
  assert.deepEqual(handled, ['m0', 'm1', 'm2']);
});

test('a batch held by a replica that died is claimed again once its lease expires, not before', async (t) => {
  const [a, b] = await twoReplicas();
  t.after(async () => Promise.all([a.close(), b.close()]));
  const clock = fakeClock();
  await a.acceptMessage(msg(1));
  assert.equal((await a.claimMessages('dead', 25, 120_000, clock.now())).length, 1, 'the dead replica held it');
  const handled: string[] = [];
  const w = createInboxWorker({ store: b, clock, logger, owner: 'B', handle: async (e) => void handled.push(e.messageId) });
  w.kick();
  await w.idle();
  assert.deepEqual(handled, []);
  clock.advance(120_000);
  w.kick();
  await w.idle();
  assert.deepEqual(handled, ['m1']);
});

test('periodic jobs run on the leader only; a survivor takes over once the leader is gone', async (t) => {
  const [a, b] = await twoReplicas();
  t.after(async () => Promise.all([a.close(), b.close()]));
  const clock = fakeClock();
  const runs: string[] = [];
  const job = (who: string): PeriodicJob => ({ name: 'card-refresh', everyMs: 60_000, run: async () => void runs.push(who) });
  const ra = await startReplica({ store: a, clock, logger, id: 'A', recoverOrphans: async () => 0, jobs: [] });
  const rb = await startReplica({ store: b, clock, logger, id: 'B', recoverOrphans: async () => 0, jobs: [] });
  t.after(async () => {
    await ra.stop();
    await rb.stop();
  });
  const [x, y] = await Promise.all([ra.runIfLeader(job('A')), rb.runIfLeader(job('B'))]);
  assert.equal(Number(x) + Number(y), 1, 'exactly one ran');
  const [leader, other, name] = x ? [ra, rb, 'B'] : [rb, ra, 'A'];
  clock.advance(60_000);
  assert.equal(await other.runIfLeader(job(name)), false, 'the leader renewed by running on time');
  assert.equal(await leader.runIfLeader(job('leader')), true);
  // The leader dies (no more ticks): after its lease (two periods) the other replica runs the job.
  clock.advance(60_000 * LEADERSHIP_TTL_PERIODS);
  assert.equal(await other.runIfLeader(job(name)), true);
  assert.equal(runs.length, 3);
});

test('the shared Slack budget: two replicas posting to one channel are spaced one interval apart', async (t) => {
  const [a, b] = await twoReplicas();
  t.after(async () => Promise.all([a.close(), b.close()]));
  const clock = fakeClock();
  const start = clock.now();
  const pa = createSharedPacer(a, clock);
  const pb = createSharedPacer(b, clock);
  for (let i = 0; i < 3; i++) {
    await pa.wait('chat.postMessage:C1', 1000);
    await pb.wait('chat.postMessage:C1', 1000);
  }
  // Six posts to one channel, alternating replicas: the fake clock advanced by the waits only.
  assert.equal(clock.now() - start, 5000, 'one per second across both replicas, not one per second each');
});
