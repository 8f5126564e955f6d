/**
 * SQS intake benchmark: 2,000 findings already queued (a backlog, as after an outage or a burst)
 * are drained by the app's SQS poller into the durable inbox. Reported: ReceiveMessage calls
 * against the minimum (messages / 10), and seconds from enqueue to durably stored at p50/p99.
 * Baseline in the same run and process: the same 2,000 findings POSTed as signed SNS
 * notifications to /sns at 50 concurrent connections, all "enqueued" (ready to send) at the start,
 * stored when the app accepted them. Both use the same app, store and machine.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/log.js';
import { startResponder } from '../src/responder.js';
import { MAX_MESSAGES } from '../src/sqs/poller.js';
import { startSlackDouble } from '../test/doubles/slack.js';
import { startSqsDouble } from '../test/doubles/sqs.js';
import { createSnsSigner } from '../test/helpers/sns-signer.js';

export const SQS_MESSAGES = 2000;
const CONNECTIONS = 50;
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:guardduty-bench';

export interface SqsBenchRow {
  path: string;
  messages: number;
  seconds: number;
  p50: number;
  p99: number;
  receiveCalls?: number;
  minimumCalls?: number;
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

export async function runSqsBench(n = SQS_MESSAGES): Promise<SqsBenchRow[]> {
  const base = JSON.parse(readFileSync(new URL('../test/fixtures/findings/eventbridge-ecs-fargate.json', import.meta.url), 'utf8')) as {
    detail: Record<string, unknown>;
  };
  const event = (tag: string, i: number) => ({ ...base, id: `bench-${tag}-${i}`, detail: { ...base.detail, id: `bench${tag}${i}`.padEnd(32, '0') } });
  const slack = await startSlackDouble();
  const sqs = await startSqsDouble({ maxWaitMs: 20_000 });
  const queue = sqs.createQueue('guardduty-bench', { visibilityTimeoutS: 60, deadLetter: { name: 'guardduty-bench-dlq', maxReceiveCount: 5 } });
  const signer = createSnsSigner();
  const certs = await signer.serveCertificate();
  const dir = mkdtempSync(join(tmpdir(), 'gd-bench-sqs-'));
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    SLACK_BOT_TOKEN: 'xoxb-bench',
    SLACK_SIGNING_SECRET: 'bench-signing-secret',
    SLACK_CHANNEL_ID: 'C0BENCH',
    SLACK_API_URL: slack.apiUrl,
    SNS_TOPIC_ARNS: TOPIC,
    SNS_CERT_URL_PATTERN: certs.pattern,
    SQS_QUEUE_URLS: queue.url,
    STORE_URL: `sqlite:${join(dir, 'bench.db')}`,
    // Cards are not part of this measure: nothing is routed to Slack.
    MIN_SEVERITY: 'critical',
  });
  const r = await startResponder(config, createLogger('warn'), { sqsClientConfig: sqs.clientConfig({ maxAttempts: 3 }) });
  const rows: SqsBenchRow[] = [];
  try {
    // Baseline: SNS over HTTPS (here HTTP on loopback), 50 connections, all ready at t0.
    const bodies = Array.from({ length: n }, (_, i) =>
      JSON.stringify(signer.notification({ topicArn: TOPIC, certUrl: certs.certUrl, message: event('sns', i), messageId: `sns-bench-${i}` })),
    );
    const t0 = Date.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: CONNECTIONS }, async () => {
        while (next < bodies.length) {
          const body = bodies[next++]!;
          const res = await fetch(`http://127.0.0.1:${r.http.port}/sns`, { method: 'POST', headers: { 'content-type': 'text/plain; charset=UTF-8' }, body });
          if (res.status !== 200) throw new Error(`sns answered ${res.status}`);
          await res.arrayBuffer();
        }
      }),
    );
    rows.push(await measure(r.store, 'POST /sns (verify + store + 200), 50 connections', n, t0, (i) => `sns-bench-${i}`));

    // SQS: the same number of findings queued first, then drained by the poller.
    const receivesBefore = sqs.callsTo('ReceiveMessage').filter((c) => (c.returned ?? 0) > 0).length;
    const t1 = Date.now();
    for (let i = 0; i < n; i++) sqs.send(queue.name, event('sqs', i));
    while (queue.messages.length > 0) await new Promise((res) => setTimeout(res, 5));
    const row = await measure(r.store, 'SQS long poll (receive 10 + store + delete batch)', n, t1, (i) => `event:bench-sqs-${i}`);
    const receives = sqs.callsTo('ReceiveMessage').filter((c) => (c.returned ?? 0) > 0).length - receivesBefore;
    rows.push({ ...row, receiveCalls: receives, minimumCalls: Math.ceil(n / MAX_MESSAGES) });
  } finally {
    await r.close();
    await sqs.close();
    await slack.close();
    await certs.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

async function measure(
  store: { getMessage(id: string): Promise<{ receivedAt: number } | undefined> },
  path: string,
  n: number,
  t0: number,
  idOf: (i: number) => string,
): Promise<SqsBenchRow> {
  const lat: number[] = [];
  for (let i = 0; i < n; i++) {
    const m = await store.getMessage(idOf(i));
    if (!m) throw new Error(`${idOf(i)} was not stored`);
    lat.push((m.receivedAt - t0) / 1000);
  }
  lat.sort((a, b) => a - b);
  return { path, messages: n, seconds: lat.at(-1)!, p50: pct(lat, 50), p99: pct(lat, 99) };
}
