import type { Config } from './config.js';
import { createCertificateFetcher } from './sns/certificates.js';
import { createInboxWorker, type InboxWorker } from './ingest/worker.js';
import { ingestMessage, refreshCard, type IngestDeps } from './ingest/ingest-message.js';
import { randomUUID } from 'node:crypto';
import { buildCatalog } from './actions/catalog.js';
import { createCardView } from './actions/card-view.js';
import { ActionRunner } from './actions/runner.js';
import { createAuthorizer } from './authz/authorizer.js';
import { buildPolicy, loadPolicyFile } from './authz/policy.js';
import { createAwsClientFactory, type AwsClientFactory, type AwsClientFactoryOptions } from './aws/clients.js';
import { registerActionHandlers } from './slack/register-actions.js';
import { registerIncidentHandlers } from './slack/register-incidents.js';
import { recordAwsCall } from './audit/aws-calls.js';
import { EffectRunner, OPEN_CARD_REFRESH_MS } from './slack/effects.js';
import { IncidentService } from './incidents/service.js';
import { GuardDutyCloseOut } from './incidents/close-out.js';
import { INCIDENT_POLICY_ACTIONS } from './authz/policy.js';
import type { CommandDeps } from './commands/handle.js';
import type { ActionId } from './actions/types.js';
import { routeFinding } from './ingest/routing.js';
import type { Logger } from './log.js';
import { startServer, type RunningServer } from './server.js';
import { createSlackClient, createSlackGateway, type SlackGateway } from './slack/client.js';
import { createPacer } from './slack/pacing.js';
import { openSqliteStore } from './store/sqlite.js';
import type { Store } from './store/store.js';
import { systemClock, type Clock } from './util/clock.js';

/** How often the inbox is re-checked even without a new message (covers a store hiccup). */
export const INBOX_SWEEP_MS = 30_000;
/** How long start waits for sts:GetCallerIdentity before serving anyway. */
export const OWN_ACCOUNT_WAIT_MS = 5_000;

export interface Responder {
  readonly http: RunningServer;
  readonly store: Store;
  readonly inbox: InboxWorker;
  readonly slack: SlackGateway;
  readonly actions: ActionRunner;
  readonly aws: AwsClientFactory;
  readonly effects: EffectRunner;
  close(): Promise<void>;
}

export interface ResponderOverrides {
  clock?: Clock;
  /** Fetch used for SNS certificates and subscription confirmations (tests). */
  fetch?: typeof fetch;
  /** A ready AWS client factory (its calls are then not audited by the app). */
  aws?: AwsClientFactory;
  /** Options merged into the app's own AWS client factory (tests: the double's endpoint, fake credentials). */
  awsOptions?: Partial<AwsClientFactoryOptions>;
  newId?: () => string;
}

/** The composition root's body: builds every part from config and wires them. No logic. */
export async function startResponder(config: Config, logger: Logger, overrides: ResponderOverrides = {}): Promise<Responder> {
  const clock = overrides.clock ?? systemClock;
  const store = openSqliteStore(config.store.url);
  const slack = createSlackGateway(
    createSlackClient({ token: config.slack.botToken, logger, ...(config.slack.apiUrl ? { apiUrl: config.slack.apiUrl } : {}) }),
    createPacer(clock),
  );
  const catalog = buildCatalog();
  const policy = buildPolicy(config.authz, config.authz.policyFile ? loadPolicyFile(config.authz.policyFile) : undefined, [...catalog.keys(), ...INCIDENT_POLICY_ACTIONS]);
  const authorizer = createAuthorizer(policy, { slack: slack.client, clock });
  const incidents = new IncidentService({ store, clock, windowMs: config.incidents.windowMs, labelOf: (id) => catalog.get(id as ActionId)?.label });
  const ingestDeps: IngestDeps = {
    store,
    slack,
    clock,
    logger,
    incidents,
    route: (f) => routeFinding(f, config),
    cardView: createCardView(catalog, store, clock, (accountId, region) => aws.scope.describe(accountId, region)),
    onIncidentOpened: () => effects.refreshHome(),
  };
  const aws =
    overrides.aws ??
    createAwsClientFactory({
      logger,
      onCall: recordAwsCall({ store, clock, logger }),
      ...(config.aws.region ? { defaultRegion: config.aws.region } : {}),
      ...(config.aws.endpointUrl ? { endpointUrl: config.aws.endpointUrl } : {}),
      organization: config.aws.organization,
      credentialClock: clock,
      ...overrides.awsOptions,
    });
  // The app's own account (sts:GetCallerIdentity) decides which credentials each account gets.
  // Read before serving (bounded); on failure it is read again at the first AWS step.
  await Promise.race([
    aws.scope.resolveOwn().then(
      (accountId) => logger.info({ accountId, organization: config.aws.organization }, 'acting as AWS account'),
      (err: unknown) => logger.warn({ err: String(err) }, 'could not read the app\'s own AWS account; AWS steps wait for it'),
    ),
    new Promise((resolve) => setTimeout(resolve, OWN_ACCOUNT_WAIT_MS).unref()),
  ]);
  const actions = new ActionRunner({
    store,
    slack,
    clock,
    logger,
    catalog,
    aws,
    authorizer,
    newId: overrides.newId ?? (() => randomUUID()),
    refreshCard: (findingId) => refreshCard(findingId, ingestDeps),
    onPhase: (findingId, phase) => effects.recordRunPhase(findingId, phase),
  });
  const closeOut = new GuardDutyCloseOut({ store, aws, clock });
  const effects: EffectRunner = new EffectRunner({ store, slack, clock, logger, incidents, runner: actions, closeOut, refreshCard: (id) => refreshCard(id, ingestDeps) });
  const commandDeps: CommandDeps = {
    store,
    incidents,
    clock,
    permalinkOf: (incident) => effects.permalinkOf(incident),
    // The same allowlist the client factory enforces (the own account once known).
    coverage: {
      get accountIds() {
        return config.aws.organization.accountIds ?? aws.scope.accounts();
      },
      ...(config.aws.organization.regions ? { regions: config.aws.organization.regions } : {}),
    },
    labelOf: (id) => catalog.get(id as ActionId)?.label ?? id,
    authorize: async (userId, verb) => {
      const d = await authorizer.check(userId, { id: verb, changes: true });
      return d.allowed ? { allowed: true } : { allowed: false, reason: d.reason };
    },
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
        ...(overrides.fetch ? { fetch: overrides.fetch } : {}),
      },
      registerSlack: (app) => {
        registerActionHandlers(app, { runner: actions, store, catalog, logger });
        registerIncidentHandlers(app, { commands: commandDeps, effects, store, clock, logger, closeOut, authorizer, track: (p) => actions.track(p) });
      },
    },
    config.port,
    config.host,
  );
  // Finish whatever was accepted before a crash or restart; report steps a crash interrupted.
  inbox.kick();
  await actions.recoverInterrupted().catch((err) => logger.error({ err: String(err) }, 'could not report interrupted actions'));
  const sweep = setInterval(() => inbox.kick(), INBOX_SWEEP_MS);
  sweep.unref();
  const timings = setInterval(() => void effects.refreshOpenIncidentCards().catch(() => undefined), OPEN_CARD_REFRESH_MS);
  timings.unref();

  return {
    http,
    store,
    inbox,
    slack,
    actions,
    aws,
    effects,
    async close() {
      clearInterval(sweep);
      clearInterval(timings);
      await http.close();
      await inbox.stop();
      await actions.idle();
      aws.destroy();
      await store.close();
    },
  };
}
