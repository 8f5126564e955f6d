/**
 * Replicas benchmark (issue 14): 3 app processes on one PostgreSQL receive N signed SNS
 * notifications (10 % duplicate MessageIds, 10 % updated findings) from 50 concurrent senders
 * spread at random over the replicas; halfway one replica is SIGKILLed and restarted. Measured:
 * cards posted twice for one finding, findings missing from the store (or stored with an older
 * version), 429s and posts faster than Slack's 1/s per channel, and notifications accepted per
 * second next to one SQLite process receiving the same notifications in the same run.
 *
 * A delivery that fails because its replica died is retried on another replica, as SNS retries.
 * "Lost" is counted at the store, not in Slack: cards are paced at 1 post/s per channel, so
 * thousands of cards cannot all be posted within a benchmark.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startAwsDouble } from '../test/doubles/aws/index.js';
import { startSlackDouble, type SlackCall } from '../test/doubles/slack.js';
import { ecsFindingEvent } from '../test/helpers/ecs-world.js';
import { TOPIC_ARN } from '../test/helpers/harness.js';
import { freshDatabase, stopPostgres } from '../test/helpers/postgres.js';
import { killHard, startReplicaProcess, stopGracefully, type FleetOptions, type ReplicaProcess } from '../test/helpers/replica-fleet.js';
import { createSnsSigner } from '../test/helpers/sns-signer.js';

export const REPLICA_NOTIFICATIONS = Number(process.env.BENCH_REPLICA_N ?? 5000);
export const REPLICA_CONNECTIONS = 50;
const REPLICAS = 3;
const DRAIN_TIMEOUT_MS = Number(process.env.BENCH_REPLICA_DRAIN_MS ?? 60_000);

export interface LoadResult {
  accepted: number;
  seconds: number;
  perSecond: number;
  retried: number;
  failed: number;
}

export interface ReplicasBench {
  notifications: number;
  distinct: number;
  duplicatesSent: number;
  updatesSent: number;
  fleet: LoadResult;
  sqlite: LoadResult;
  killedAfter: number;
  restartSeconds: number;
  stored: number;
  processed: number;
  inboxFailed: number;
  messagesMissing: number;
  lost: number;
  stale: number;
  inboxPending: number;
  drainSeconds: number;
  cardsPosted: number;
  duplicateCards: number;
  slack429: number;
  fastPosts: number;
}

/** Deterministic shuffle (the same order every run). */
function shuffle<T>(items: T[], seed = 42): T[] {
  let s = seed;
  const rnd = () => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s / 0x7fffffff;
  };
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

interface Delivery {
  body: string;
}

function buildDeliveries(n: number, signer: ReturnType<typeof createSnsSigner>, certUrl: string) {
  const dup = Math.round(n * 0.1);
  const upd = Math.round(n * 0.1);
  const distinct = n - dup - upd;
  const expected = new Map<string, number>();
  const originals: Delivery[] = [];
  const updates: Delivery[] = [];
  for (let i = 0; i < distinct; i++) {
    const { event, findingId } = ecsFindingEvent(
      {
        taskArn: `arn:aws:ecs:us-east-1:123456789012:task/prod/t${i}`,
        clusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/prod',
        image: `123456789012.dkr.ecr.us-east-1.amazonaws.com/svc${i}:1.0`,
      },
      `bn${String(i).padStart(30, '0')}`,
    );
    expected.set(findingId, Number(event.detail.service.count));
    originals.push({ body: JSON.stringify(signer.notification({ topicArn: TOPIC_ARN, certUrl, message: event, messageId: `bench-${i}` })) });
    if (i < upd) {
      const newer = structuredClone(event);
      newer.detail.service.count = 5;
      newer.detail.updatedAt = '2030-01-01T00:00:00.000Z';
      expected.set(findingId, 5);
      updates.push({ body: JSON.stringify(signer.notification({ topicArn: TOPIC_ARN, certUrl, message: newer, messageId: `bench-${i}-update` })) });
    }
  }
  // A duplicate is the same signed notification (same MessageId) delivered again.
  const duplicates = originals.slice(0, dup).map((d) => ({ body: d.body }));
  return { deliveries: shuffle([...originals, ...updates, ...duplicates]), expected, distinct, dup, upd, expectedMessages: distinct + upd };
}

async function post(url: string, body: string): Promise<number> {
  const res = await fetch(`${url}/sns`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain; charset=UTF-8', 'x-amz-sns-message-type': 'Notification' },
    body,
  });
  await res.arrayBuffer();
  return res.status;
}

/**
 * Sends every delivery with REPLICA_CONNECTIONS in flight to a random live target; a refused
 * connection or non-200 is retried on another target (up to 5 attempts), as SNS redelivers.
 * `midway` runs once half the deliveries have been started.
 */
async function sendAll(targets: () => ReplicaProcess[], deliveries: Delivery[], midway?: () => Promise<void>): Promise<LoadResult> {
  let next = 0;
  let accepted = 0;
  let retried = 0;
  let failed = 0;
  let midwayDone: Promise<void> | undefined;
  const started = performance.now();
  const worker = async () => {
    while (next < deliveries.length) {
      const d = deliveries[next++]!;
      if (midway && !midwayDone && next >= deliveries.length / 2) midwayDone = midway();
      let ok = false;
      for (let attempt = 0; attempt < 5 && !ok; attempt++) {
        const live = targets();
        const target = live[Math.floor(Math.random() * live.length)]!;
        try {
          ok = (await post(target.url, d.body)) === 200;
        } catch {
          ok = false;
        }
        if (!ok) {
          retried += 1;
          await new Promise((r) => setTimeout(r, 50));
        }
      }
      if (ok) accepted += 1;
      else failed += 1;
    }
  };
  await Promise.all(Array.from({ length: REPLICA_CONNECTIONS }, worker));
  const seconds = (performance.now() - started) / 1000;
  await midwayDone;
  return { accepted, seconds, perSecond: accepted / seconds, retried, failed };
}

export async function runReplicasBench(n = REPLICA_NOTIFICATIONS): Promise<ReplicasBench> {
  const slack = await startSlackDouble();
  const postTimes = new Map<SlackCall, number>();
  const push = slack.calls.push.bind(slack.calls);
  slack.calls.push = (...items: SlackCall[]) => {
    for (const c of items) postTimes.set(c, Date.now());
    return push(...items);
  };
  const aws = await startAwsDouble();
  const signer = createSnsSigner();
  const certs = await signer.serveCertificate();
  const { deliveries, expected, distinct, dup, upd, expectedMessages } = buildDeliveries(n, signer, certs.certUrl);
  const live: ReplicaProcess[] = [];
  let db: pg.Client | undefined;
  try {
    // Baseline: one process on SQLite, the same notifications, no kill.
    const dir = mkdtempSync(join(tmpdir(), 'gd-bench-replicas-'));
    const base: FleetOptions = { storeUrl: `sqlite:${join(dir, 'bench.db')}`, slack, certs, awsEndpoint: aws.endpoint };
    const single = await startReplicaProcess(base, 0);
    let sqlite: LoadResult;
    try {
      sqlite = await sendAll(() => [single], deliveries);
    } finally {
      await killHard(single);
    }
    slack.calls.length = 0;
    postTimes.clear();

    const storeUrl = await freshDatabase('bench_replicas');
    const opts: FleetOptions = { ...base, storeUrl };
    live.push(...(await Promise.all(Array.from({ length: REPLICAS }, (_, i) => startReplicaProcess(opts, i)))));
    let killedAfter = 0;
    let restartSeconds = 0;
    const fleet = await sendAll(
      () => live,
      deliveries,
      async () => {
        killedAfter = Math.floor(deliveries.length / 2);
        const victim = live.splice(1, 1)[0]!;
        await killHard(victim);
        const t0 = performance.now();
        live.push(await startReplicaProcess(opts, victim.index));
        restartSeconds = (performance.now() - t0) / 1000;
      },
    );

    // Give the inbox a while to be worked off. Cards are paced at 1 post/s per channel (shared by
    // the replicas), so thousands of findings take far longer than a benchmark: what is not
    // processed by then must still be in the durable inbox (pending), never missing.
    db = new pg.Client({ connectionString: storeUrl });
    await db.connect();
    const drainStart = performance.now();
    let inboxPending = 0;
    for (;;) {
      inboxPending = Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM inbox WHERE state = 'pending'`)).rows[0]!.n);
      if (inboxPending === 0 || performance.now() - drainStart > DRAIN_TIMEOUT_MS) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const drainSeconds = (performance.now() - drainStart) / 1000;
    const inbox = (await db.query<{ message_id: string; state: string }>('SELECT message_id, state FROM inbox')).rows;
    const rows = (await db.query<{ finding_id: string; count: number; card_key: string | null }>('SELECT finding_id, count, card_key FROM findings')).rows;
    const byId = new Map(rows.map((r) => [r.finding_id, r]));
    // Inbox messages by finding (bench-I and bench-I-update are finding I's).
    const messagesOf = new Map<string, string[]>();
    for (const m of inbox) {
      const i = /^bench-(\d+)/.exec(m.message_id)?.[1];
      if (i === undefined) continue;
      const id = `bn${i.padStart(30, '0')}`;
      messagesOf.set(id, [...(messagesOf.get(id) ?? []), m.state]);
    }
    const inboxFailed = inbox.filter((m) => m.state === 'failed').length;
    let lost = 0;
    let stale = 0;
    let processed = 0;
    for (const [id, count] of expected) {
      const r = byId.get(id);
      const states = messagesOf.get(id) ?? [];
      // Lost: not a finding and no message for it waiting in the inbox.
      if (!r && !states.includes('pending')) lost += 1;
      const done = states.length > 0 && states.every((st) => st === 'done');
      if (r && done) {
        processed += 1;
        if (Number(r.count) !== count) stale += 1;
      }
    }
    const messagesMissing = expectedMessages - inbox.filter((m) => m.message_id.startsWith('bench-')).length;

    // Cards: posts (top-level or in an incident's thread) carrying a finding's card key.
    const keys = new Set(rows.map((r) => r.card_key).filter((k): k is string => Boolean(k)));
    const perKey = new Map<string, number>();
    const posts = slack.callsTo('chat.postMessage').filter((c) => c.ts);
    for (const c of posts) {
      const text = typeof c.args.blocks === 'string' ? c.args.blocks : JSON.stringify(c.args.blocks ?? '');
      const found = new Set([...text.matchAll(/"value":"([^"]+)"/g)].map((m) => m[1]!).filter((v) => keys.has(v)));
      for (const k of found) perKey.set(k, (perKey.get(k) ?? 0) + 1);
    }
    const duplicateCards = [...perKey.values()].filter((v) => v > 1).reduce((a, v) => a + v - 1, 0);
    if (process.env.BENCH_REPLICA_DEBUG)
      for (const c of slack.callsTo('chat.postMessage'))
        console.error(postTimes.get(c), c.args.channel, c.args.thread_ts ?? '-', String(c.args.text).slice(0, 100));
    // Pace: a post that is the 6th in under 4.5 s in its channel exceeds 1/s beyond timer jitter.
    const timesByChannel = new Map<string, number[]>();
    for (const c of slack.callsTo('chat.postMessage')) {
      const ch = String(c.args.channel);
      timesByChannel.set(ch, [...(timesByChannel.get(ch) ?? []), postTimes.get(c) ?? 0]);
    }
    let fastPosts = 0;
    for (const times of timesByChannel.values()) for (let i = 5; i < times.length; i++) if (times[i]! - times[i - 5]! < 4_500) fastPosts += 1;
    // The double answers 429 only when told to (failNext/setDown); none were injected.
    const slack429 = 0;
    return {
      notifications: n,
      distinct,
      duplicatesSent: dup,
      updatesSent: upd,
      fleet,
      sqlite,
      killedAfter,
      restartSeconds,
      stored: rows.filter((r) => expected.has(r.finding_id)).length,
      processed,
      inboxFailed,
      messagesMissing,
      lost,
      stale,
      inboxPending,
      drainSeconds,
      cardsPosted: perKey.size,
      duplicateCards,
      slack429,
      fastPosts,
    };
  } finally {
    await db?.end();
    await Promise.all(live.map((r) => stopGracefully(r)));
    await certs.close();
    await aws.close();
    await slack.close();
    await stopPostgres();
  }
}
