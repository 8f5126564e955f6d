/**
 * Starts the real app (same composition as `npm start`) on a loopback port, with a loopback
 * Slack double, a loopback SNS certificate server and a fresh SQLite file. Returns helpers to
 * send signed SNS messages and signed Slack interactions.
 */
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { startResponder, type Responder, type ResponderOverrides } from '../../src/responder.js';
import { startSlackDouble, type SlackDouble } from '../doubles/slack.js';
import { startSqsDouble, type SqsDouble } from '../doubles/sqs.js';
import { startSocketModeDouble, type SocketModeDouble } from '../doubles/socket-mode.js';
import { fakeClock } from './clock.js';
import { createSnsSigner, type SnsCertificateServer, type SnsSigner } from './sns-signer.js';

export const TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:guardduty-findings';
export const SIGNING_SECRET = 'test-signing-secret-0123456789';
export const BOT_TOKEN = 'xoxb-test-token-not-real';
export const CHANNEL = 'C0SECURITY';
export const APP_TOKEN = 'xapp-1-A0TEST-test-not-real';
/** Queue names the `sqs` option creates (redrive after SQS_MAX_RECEIVE receives). */
export const SQS_QUEUE = 'guardduty-findings';
export const SQS_DLQ = 'guardduty-findings-dlq';
export const SQS_MAX_RECEIVE = 3;

export interface HarnessOptions {
  env?: Record<string, string>;
  overrides?: ResponderOverrides;
  keepDb?: string;
  /** Findings from an SQS double (queue + DLQ) instead of / besides SNS. */
  sqs?: boolean;
  /** Slack over a Socket Mode double (SLACK_APP_TOKEN set, no signing secret). */
  socketMode?: boolean;
  /** No SNS_TOPIC_ARNS (POST /sns answers 404). */
  noSns?: boolean;
}

export interface Harness {
  readonly url: string;
  readonly slack: SlackDouble;
  readonly signer: SnsSigner;
  readonly certs: SnsCertificateServer;
  readonly clock: ReturnType<typeof fakeClock>;
  readonly dbPath: string;
  readonly logs: string[];
  /** Set with the `sqs` option. */
  readonly sqs?: SqsDouble;
  /** Set with the `socketMode` option. */
  readonly socket?: SocketModeDouble;
  responder: Responder;
  /** Sends a signed SNS Notification whose Message is `message` (JSON-encoded when not a string). */
  publish(message: unknown, opts?: { messageId?: string; topicArn?: string }): Promise<Response>;
  postSns(body: string, type?: string): Promise<Response>;
  /** Sends a Slack request signed with the signing secret, as Slack does. */
  slackRequest(form: Record<string, string>): Promise<Response>;
  /** Waits for the inbox and any background action to finish. */
  settle(): Promise<void>;
  /** Stops the app (not the doubles) and starts it again on the same database. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const clock = fakeClock();
  const slack = await startSlackDouble();
  const sqs = opts.sqs ? await startSqsDouble({ now: clock.now, maxWaitMs: 50 }) : undefined;
  sqs?.createQueue(SQS_QUEUE, { visibilityTimeoutS: 30, deadLetter: { name: SQS_DLQ, maxReceiveCount: SQS_MAX_RECEIVE } });
  const socket = opts.socketMode ? await startSocketModeDouble(slack) : undefined;
  const signer = createSnsSigner({ now: clock.now });
  const certs = await signer.serveCertificate();
  const dir = opts.keepDb ?? mkdtempSync(join(tmpdir(), 'gd-responder-'));
  const dbPath = join(dir, 'responder.db');
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logs.push(String(chunk));
      cb();
    },
  });
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    SLACK_BOT_TOKEN: BOT_TOKEN,
    ...(opts.socketMode ? { SLACK_APP_TOKEN: APP_TOKEN } : { SLACK_SIGNING_SECRET: SIGNING_SECRET }),
    SLACK_CHANNEL_ID: CHANNEL,
    SLACK_API_URL: slack.apiUrl,
    ...(opts.noSns ? {} : { SNS_TOPIC_ARNS: TOPIC_ARN }),
    ...(sqs ? { SQS_QUEUE_URLS: sqs.queue(SQS_QUEUE).url } : {}),
    SNS_CERT_URL_PATTERN: certs.pattern,
    STORE_URL: `sqlite:${dbPath}`,
    AWS_REGION: 'us-east-1',
    // Where the command tests type /guardduty (a channel without cards; see incident-world.ts).
    SLACK_ALLOWED_CHANNEL_IDS: 'C0OTHER',
    // Scenario tests run many steps by one person on a frozen clock; the limit's own tests set it.
    ACTION_RATE_LIMIT: '1000/60s',
    // Backfill calls GuardDuty at start; its own tests turn it on.
    BACKFILL_INTERVAL_MINUTES: '0',
    ...opts.env,
  });
  const logger = createLogger(config.logLevel, sink);
  // The SNS API double lives on the certificate server's origin (ConfirmSubscription).
  const snsApi = { endpointUrl: certs.origin, credentials: { accessKeyId: 'AKIDSNSTEST', secretAccessKey: 'sns-test-secret' } };
  const start = async () => {
    const r = await startResponder(config, logger, {
      clock,
      snsApi,
      ...(sqs ? { sqsClientConfig: sqs.clientConfig() } : {}),
      // A short reconnect delay (Slack's client waits this long × failures before reconnecting).
      ...(socket ? { socketMode: { clientPingTimeout: 500 } } : {}),
      ...opts.overrides,
    });
    await r.http.socketMode;
    return r;
  };
  let responder = await start();
  let seq = 0;

  const h: Harness = {
    get url() {
      return `http://127.0.0.1:${responder.http.port}`;
    },
    slack,
    signer,
    certs,
    clock,
    dbPath,
    logs,
    ...(sqs ? { sqs } : {}),
    ...(socket ? { socket } : {}),
    get responder() {
      return responder;
    },
    set responder(r) {
      responder = r;
    },
    publish(message, o = {}) {
      const env = signer.notification({
        topicArn: o.topicArn ?? TOPIC_ARN,
        certUrl: certs.certUrl,
        message,
        messageId: o.messageId ?? `msg-${++seq}-${clock.now()}`,
      });
      return h.postSns(JSON.stringify(env));
    },
    postSns(body, type) {
      // SNS repeats the body's Type in this header; pass `type` to send a disagreeing one.
      let bodyType: unknown;
      try {
        bodyType = (JSON.parse(body) as { Type?: unknown }).Type;
      } catch {
        bodyType = undefined;
      }
      const header = type ?? (typeof bodyType === 'string' ? bodyType : 'Notification');
      return fetch(`${h.url}/sns`, { method: 'POST', headers: { 'content-type': 'text/plain; charset=UTF-8', 'x-amz-sns-message-type': header }, body });
    },
    slackRequest(form) {
      const body = new URLSearchParams(form).toString();
      // Bolt checks the timestamp against the real clock (5 minutes), not ours.
      const ts = Math.floor(Date.now() / 1000).toString();
      const sig = `v0=${createHmac('sha256', SIGNING_SECRET).update(`v0:${ts}:${body}`).digest('hex')}`;
      return fetch(`${h.url}/slack/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': ts, 'x-slack-signature': sig },
        body,
      });
    },
    async settle() {
      for (let i = 0; i < 5; i++) {
        await responder.inbox.idle();
        await responder.digest.idle();
        await responder.actions.idle();
        await new Promise((r) => setImmediate(r));
      }
    },
    async restart() {
      await responder.close();
      responder = await start();
    },
    async close() {
      await responder.close();
      await sqs?.close();
      await socket?.close();
      await certs.close();
      await slack.close();
      if (!opts.keepDb) rmSync(dir, { recursive: true, force: true });
    },
  };
  return h;
}
