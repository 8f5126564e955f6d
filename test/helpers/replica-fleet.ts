/**
 * Several app processes (test/helpers/replica-main.ts) on one PostgreSQL database, sharing a
 * Slack double, an SNS certificate server and (optionally) an AWS double started by the caller.
 * Used by the multi-process test and bench/replicas.ts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { createInterface } from 'node:readline';
import type { SlackDouble } from '../doubles/slack.js';
import type { Harness } from './harness.js';
import { BOT_TOKEN, CHANNEL, SIGNING_SECRET, TOPIC_ARN } from './harness.js';
import type { SnsCertificateServer, SnsSigner } from './sns-signer.js';
import type { Store } from '../../src/store/store.js';

export interface ReplicaProcess {
  readonly index: number;
  readonly url: string;
  readonly replicaId: string;
  readonly child: ChildProcess;
  readonly log: string[];
}

export interface FleetOptions {
  storeUrl: string;
  slack: SlackDouble;
  certs: SnsCertificateServer;
  awsEndpoint?: string;
  env?: Record<string, string>;
  /** Short heartbeat / TTL / sweep / lease so a death is noticed in about a second. */
  timings?: { heartbeatMs: number; ttlMs: number; orphanSweepMs: number; inboxLeaseMs: number };
}

export const FAST_TIMINGS = { heartbeatMs: 200, ttlMs: 600, orphanSweepMs: 300, inboxLeaseMs: 3_000 };

export function replicaEnv(o: FleetOptions): Record<string, string> {
  return {
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_CHANNEL_ID: CHANNEL,
    SLACK_API_URL: o.slack.apiUrl,
    SNS_TOPIC_ARNS: TOPIC_ARN,
    SNS_CERT_URL_PATTERN: o.certs.pattern,
    STORE_URL: o.storeUrl,
    AWS_REGION: 'us-east-1',
    ACTION_RATE_LIMIT: '1000/60s',
    BACKFILL_INTERVAL_MINUTES: '0',
    ...o.env,
  };
}

/** Starts one replica process and waits until it serves. */
export async function startReplicaProcess(o: FleetOptions, index: number): Promise<ReplicaProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', new URL('./replica-main.ts', import.meta.url).pathname], {
    env: {
      PATH: process.env.PATH ?? '',
      REPLICA_ENV: JSON.stringify(replicaEnv(o)),
      ...(o.awsEndpoint ? { REPLICA_AWS_ENDPOINT: o.awsEndpoint } : {}),
      REPLICA_TIMINGS: JSON.stringify(o.timings ?? FAST_TIMINGS),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log: string[] = [];
  child.stderr!.on('data', (d: Buffer) => log.push(String(d)));
  const rl = createInterface({ input: child.stdout! });
  const ready = await new Promise<{ port: number; replicaId: string }>((resolve, reject) => {
    rl.once('line', (line) => resolve(JSON.parse(line) as { port: number; replicaId: string }));
    child.once('exit', (code) => reject(new Error(`replica ${index} exited ${code}: ${log.join('')}`)));
  });
  return { index, url: `http://127.0.0.1:${ready.port}`, replicaId: ready.replicaId, child, log };
}

export function killHard(r: ReplicaProcess): Promise<void> {
  return new Promise((resolve) => {
    if (r.child.exitCode !== null || r.child.signalCode !== null) return resolve();
    r.child.once('exit', () => resolve());
    r.child.kill('SIGKILL');
  });
}

export function stopGracefully(r: ReplicaProcess): Promise<void> {
  return new Promise((resolve) => {
    if (r.child.exitCode !== null || r.child.signalCode !== null) return resolve();
    const force = setTimeout(() => r.child.kill('SIGKILL'), 10_000);
    r.child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    r.child.kill('SIGTERM');
  });
}

export function postSns(r: ReplicaProcess, signer: SnsSigner, certs: SnsCertificateServer, message: unknown, messageId: string): Promise<Response> {
  const env = signer.notification({ topicArn: TOPIC_ARN, certUrl: certs.certUrl, message, messageId });
  return fetch(`${r.url}/sns`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain; charset=UTF-8', 'x-amz-sns-message-type': 'Notification' },
    body: JSON.stringify(env),
  });
}

export function slackRequestTo(url: string, form: Record<string, string>): Promise<Response> {
  const body = new URLSearchParams(form).toString();
  const ts = Math.floor(Date.now() / 1000).toString();
  const sig = `v0=${createHmac('sha256', SIGNING_SECRET).update(`v0:${ts}:${body}`).digest('hex')}`;
  return fetch(`${url}/slack/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': ts, 'x-slack-signature': sig },
    body,
  });
}

/**
 * Enough of a Harness for the Slack interaction helpers (test/helpers/slack-interactions.ts):
 * requests go to one replica; the store is the test's own connection to the shared database.
 */
export function harnessFor(r: ReplicaProcess, slack: SlackDouble, store: Store): Harness {
  return {
    slack,
    responder: { store },
    slackRequest: (form: Record<string, string>) => slackRequestTo(r.url, form),
    settle: async () => undefined,
  } as unknown as Harness;
}
