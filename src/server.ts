import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import bolt from '@slack/bolt';
import express from 'express';
import { healthRouter } from './http/health.js';
import { snsRouter, type SnsRouteDeps } from './http/sns-route.js';
import type { Logger } from './log.js';
import { boltLogger } from './slack/bolt-logger.js';
import { slackClientOptions } from './slack/client.js';
import { refuseFutureSlackTimestamps } from './slack-verify/timestamp.js';
import type { Store } from './store/store.js';

const { App, ExpressReceiver, SocketModeReceiver } = bolt;
export type BoltApp = InstanceType<typeof App>;

export interface ServerDeps {
  logger: Logger;
  store: Store;
  /** `appToken` (xapp-…) selects Socket Mode: no /slack/events route, no signing secret. */
  slack: { botToken: string; signingSecret?: string; appToken?: string; apiUrl?: string; socketMode?: SocketModeTuning };
  /** Unset when no SNS topic is configured: POST /sns then answers 404. */
  sns?: SnsRouteDeps;
  /** Each Slack surface registers its listeners here (actions, commands, views, events). */
  registerSlack: (app: BoltApp) => void;
  /** Runs before every listener: refuses requests from another workspace, app or channel. */
  slackGuard?: Parameters<BoltApp['use']>[0];
  /** Built first by the composition root (the gateway wraps its client); built here when absent. */
  slackApp?: SlackApp;
}

export interface RunningServer {
  readonly server: Server;
  readonly port: number;
  readonly bolt: BoltApp;
  /** Socket Mode only: resolves once the first WebSocket is connected (Slack said hello). */
  readonly socketMode?: Promise<void>;
  close(): Promise<void>;
}

/** Socket Mode timings (tests shorten them; Slack's client defaults otherwise). */
export interface SocketModeTuning {
  /** Also the wait before reconnecting after a `disconnect` message (× consecutive failures). */
  clientPingTimeout?: number;
  serverPingTimeout?: number;
}

/** The Slack side of the server, built before anything that talks to Slack (see createSlackApp). */
export interface SlackApp {
  readonly express: express.Express;
  readonly bolt: BoltApp;
}

/**
 * The Bolt App, its receiver and the Express app it is mounted on. Built first by the
 * composition root: Bolt's own WebClient (`bolt.client`, made with our fail-fast client options)
 * is the one the Slack gateway wraps, so the app holds one WebClient, not two.
 */
export function createSlackApp(logger: Logger, slack: ServerDeps['slack']): SlackApp {
  const app = express();
  app.disable('x-powered-by');
  const log = boltLogger(logger);
  app.use('/slack/events', refuseFutureSlackTimestamps({ onRefused: (d) => logger.warn(d, 'Slack request refused: timestamp in the future') }));
  // Bolt puts its own logger on the client (it always overrides clientOptions.logger).
  const clientOptions = slackClientOptions({ logger, ...(slack.apiUrl ? { apiUrl: slack.apiUrl } : {}) });
  // Socket Mode: Slack's requests come over the app's own outbound WebSocket (apps.connections.open
  // on the same API URL), so no route is mounted and no signing secret is needed.
  const receiver = slack.appToken
    ? new SocketModeReceiver({
        appToken: slack.appToken,
        logger: log,
        ...slack.socketMode,
        // Only the API URL: with the fail-fast retry settings above, one failed apps.connections.open
        // (Slack blip, network loss) would end Socket Mode for good; its own default retries for long.
        installerOptions: { clientOptions: slack.apiUrl ? { slackApiUrl: slack.apiUrl } : {} },
      })
    : new ExpressReceiver({ signingSecret: slack.signingSecret ?? '', endpoints: '/slack/events', app, logger: log });
  const boltApp = new App({
    receiver,
    ...(slack.appToken ? { socketMode: true, appToken: slack.appToken } : {}),
    token: slack.botToken,
    // Token checks at start would need the network before we serve SNS; main.ts checks once, softly.
    tokenVerificationEnabled: false,
    logger: log,
    clientOptions,
  });
  return { express: app, bolt: boltApp };
}

/**
 * One HTTP server, three surfaces: POST /sns, POST /slack/events (Bolt verifies Slack's request
 * signature and acks within 3 s), GET /healthz.
 */
export function buildHttpApp(deps: ServerDeps): { app: express.Express; bolt: BoltApp } {
  const { express: app, bolt: boltApp } = deps.slackApp ?? createSlackApp(deps.logger, deps.slack);
  app.use(healthRouter(deps.store));
  if (deps.sns) app.use(snsRouter(deps.sns));
  if (deps.slackGuard) boltApp.use(deps.slackGuard);
  deps.registerSlack(boltApp);
  return { app, bolt: boltApp };
}

export async function startServer(deps: ServerDeps, port: number, host: string): Promise<RunningServer> {
  const { app, bolt: boltApp } = buildHttpApp(deps);
  const server = createServer(app);
  // SNS waits 15 s; anything slower than that is an outage on our side anyway.
  server.requestTimeout = 30_000;
  server.headersTimeout = 20_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  // Not awaited: /healthz and SQS intake serve while the WebSocket connects (and reconnects).
  const socketMode = deps.slack.appToken ? boltApp.start().then(() => undefined) : undefined;
  socketMode?.catch((err: unknown) =>
    deps.logger.error({ err: String(err) }, 'Slack Socket Mode could not connect: check SLACK_APP_TOKEN (xapp-…, scope connections:write)'),
  );
  return {
    server,
    port: (server.address() as AddressInfo).port,
    bolt: boltApp,
    ...(socketMode ? { socketMode } : {}),
    close: async () => {
      if (socketMode) await boltApp.stop().catch(() => undefined);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
