import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import bolt from '@slack/bolt';
import express from 'express';
import { healthRouter } from './http/health.js';
import { snsRouter, type SnsRouteDeps } from './http/sns-route.js';
import type { Logger } from './log.js';
import { boltLogger } from './slack/bolt-logger.js';
import { refuseFutureSlackTimestamps } from './slack-verify/timestamp.js';
import type { Store } from './store/store.js';

const { App, ExpressReceiver } = bolt;
export type BoltApp = InstanceType<typeof App>;

export interface ServerDeps {
  logger: Logger;
  store: Store;
  slack: { botToken: string; signingSecret: string; apiUrl?: string };
  sns: SnsRouteDeps;
  /** Each Slack surface registers its listeners here (actions, commands, views, events). */
  registerSlack: (app: BoltApp) => void;
  /** Runs before every listener: refuses requests from another workspace, app or channel. */
  slackGuard?: Parameters<BoltApp['use']>[0];
}

export interface RunningServer {
  readonly server: Server;
  readonly port: number;
  readonly bolt: BoltApp;
  close(): Promise<void>;
}

/**
 * One HTTP server, three surfaces: POST /sns, POST /slack/events (Bolt verifies Slack's request
 * signature and acks within 3 s), GET /healthz.
 */
export function buildHttpApp(deps: ServerDeps): { app: express.Express; bolt: BoltApp } {
  const app = express();
  app.disable('x-powered-by');
  app.use(healthRouter(deps.store));
  app.use(snsRouter(deps.sns));
  const logger = boltLogger(deps.logger);
  app.use('/slack/events', refuseFutureSlackTimestamps({ onRefused: (d) => deps.logger.warn(d, 'Slack request refused: timestamp in the future') }));
  const receiver = new ExpressReceiver({
    signingSecret: deps.slack.signingSecret,
    endpoints: '/slack/events',
    app,
    logger,
  });
  const boltApp = new App({
    receiver,
    token: deps.slack.botToken,
    // Token checks at start would need the network before we serve SNS; main.ts checks once, softly.
    tokenVerificationEnabled: false,
    logger,
    clientOptions: { ...(deps.slack.apiUrl ? { slackApiUrl: deps.slack.apiUrl } : {}), retryConfig: { retries: 0 }, rejectRateLimitedCalls: true },
  });
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
  return {
    server,
    port: (server.address() as AddressInfo).port,
    bolt: boltApp,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
