import type { Config } from './config.js';
import { createCertificateFetcher } from './sns/certificates.js';
import { createInboxWorker, type InboxWorker } from './ingest/worker.js';
import { ingestMessage } from './ingest/ingest-message.js';
import { routeFinding } from './ingest/routing.js';
import type { Logger } from './log.js';
import { startServer, type RunningServer } from './server.js';
import { createSlackClient, createSlackGateway, type SlackGateway } from './slack/client.js';
import { createPacer } from './slack/pacing.js';
import { openSqliteStore } from './store/sqlite.js';
import type { Store } from './store/store.js';
import { systemClock, type Clock } from './util/clock.js';
import { defaultCardView } from './ingest/card-view.js';

/** How often the inbox is re-checked even without a new message (covers a store hiccup). */
export const INBOX_SWEEP_MS = 30_000;

export interface Responder {
  readonly http: RunningServer;
  readonly store: Store;
  readonly inbox: InboxWorker;
  readonly slack: SlackGateway;
  close(): Promise<void>;
}

export interface ResponderOverrides {
  clock?: Clock;
  /** Fetch used for SNS certificates and subscription confirmations (tests). */
  fetch?: typeof fetch;
}

/** The composition root's body: builds every part from config and wires them. No logic. */
export async function startResponder(config: Config, logger: Logger, overrides: ResponderOverrides = {}): Promise<Responder> {
  const clock = overrides.clock ?? systemClock;
  const store = openSqliteStore(config.store.url);
  const slack = createSlackGateway(
    createSlackClient({ token: config.slack.botToken, logger, ...(config.slack.apiUrl ? { apiUrl: config.slack.apiUrl } : {}) }),
  );
  const pacer = createPacer(clock);
  const ingestDeps = {
    store,
    slack,
    pacer,
    clock,
    logger,
    route: (f: Parameters<typeof routeFinding>[0]) => routeFinding(f, config),
    cardView: defaultCardView,
  };
  const inbox = createInboxWorker({ store, clock, logger, handle: (entry) => ingestMessage(entry, ingestDeps) });
  const certificates = createCertificateFetcher({ now: clock.now, ...(overrides.fetch ? { fetch: overrides.fetch } : {}) });

  const http = await startServer(
    {
      logger,
      store,
      slack: {
        botToken: config.slack.botToken,
        signingSecret: config.slack.signingSecret,
        ...(config.slack.apiUrl ? { apiUrl: config.slack.apiUrl } : {}),
      },
      sns: {
        store,
        logger,
        clock,
        verify: {
          topicArns: config.sns.topicArns,
          ...(config.sns.certUrlPattern ? { certUrlPattern: config.sns.certUrlPattern } : {}),
          certificates,
        },
        onAccepted: () => inbox.kick(),
      },
      registerSlack: () => undefined,
    },
    config.port,
    config.host,
  );
  // Finish whatever was accepted before a crash or restart.
  inbox.kick();
  const sweep = setInterval(() => inbox.kick(), INBOX_SWEEP_MS);
  sweep.unref();

  return {
    http,
    store,
    inbox,
    slack,
    async close() {
      clearInterval(sweep);
      await http.close();
      await inbox.stop();
      await store.close();
    },
  };
}
