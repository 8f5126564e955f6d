import type { Config } from './config.js';
import { createCertificateFetcher } from './sns/certificates.js';
import { createSnsConfirmApi, type SnsConfirmApiOptions } from './sns/sns-api.js';
import { createSnsAlerter } from './sns/alerts.js';
import { createInboxWorker, type InboxWorker } from './ingest/worker.js';
import { ingestMessage, type IngestDeps } from './ingest/ingest-message.js';
import { randomUUID } from 'node:crypto';
import { buildCatalog, policyActionNames, timelineLabelOf } from './actions/catalog.js';
import { createCardView } from './notify/card-view.js';
import { ActionRunner } from './remediation/runner.js';
import { createCardNotifier } from './notify/cards.js';
import { createFallbackNotifier } from './notify/fallback.js';
import { createDigestNotifier, type DigestNotifier } from './notify/digest.js';
import { createRunNotifier } from './notify/run-notices.js';
import { createAuthorizer } from './authz/authorizer.js';
import { buildPolicy, loadPolicyFile } from './authz/policy.js';
import { createAwsClientFactory, type AwsClientFactory, type AwsClientFactoryOptions } from './aws/clients.js';
import { registerActionHandlers, registerDigestHandlers, registerIncidentHandlers } from './listeners/index.js';
import { recordAwsCall } from './audit/aws-calls.js';
import { EffectRunner, OPEN_CARD_REFRESH_MS } from './notify/effects.js';
import { IncidentService } from './incidents/service.js';
import { GuardDutyCloseOut } from './incidents/close-out.js';
import { ownAccountSampler } from './aws/guardduty/sample-findings.js';
import { admitFinding } from './aws/accounts.js';
import { INCIDENT_POLICY_ACTIONS } from './authz/policy.js';
import type { CommandDeps } from './commands/handle.js';
import { routeFinding } from './ingest/routing.js';
import type { Logger } from './log.js';
import { buildSlackGuard } from './slack-verify/index.js';
import { createSlackApp, startServer, type RunningServer, type SocketModeTuning } from './server.js';
import { startSqsIntake, type SqsIntake } from './sqs/index.js';
import type { SQSClientConfig } from '@aws-sdk/client-sqs';
import { createSlackGateway, type SlackGateway } from './slack/client.js';
import { createPacer, createSharedPacer } from './slack/pacing.js';
import { isPostgresUrl, openStore } from './store/open.js';
import { HEARTBEAT_TTL_MS, newReplicaId, startReplica, type PeriodicJob, type Replica, type ReplicaTimings } from './replicas/replica.js';
import { BACKFILL_JOB, runBackfill } from './backfill/backfill.js';
import { withFindingLock } from './replicas/finding-lock.js';
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
  /** Storm digests per channel (idle(): no digest update scheduled). */
  readonly digest: DigestNotifier;
  readonly slack: SlackGateway;
  readonly actions: ActionRunner;
  readonly aws: AwsClientFactory;
  readonly effects: EffectRunner;
  /** Set when SQS_QUEUE_URLS is. */
  readonly sqs?: SqsIntake;
  /** This process among the replicas on its store (heartbeat, orphaned runs, leader-only jobs). */
  readonly replica: Replica;
  /** Periodic jobs that run on the leader only (tests run them on demand with replica.runIfLeader). */
  readonly jobs: { readonly backfill: PeriodicJob; readonly cardRefresh: PeriodicJob };
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
  /** This process's replica id (default: hostname:pid:random). */
  replicaId?: string;
  /** Heartbeat / death / sweep timings (tests of several processes: short ones). */
  replicaTimings?: Partial<ReplicaTimings>;
  /** SNS ConfirmSubscription client options (tests: the SNS double's endpoint, fake credentials). */
  snsApi?: SnsConfirmApiOptions;
  /** Merged into each SQS client's config (tests: fake credentials, no retries). */
  sqsClientConfig?: Partial<SQSClientConfig>;
  /** Socket Mode timings (tests: a short reconnect delay). */
  socketMode?: SocketModeTuning;
  /** Wraps the opened store (tests: simulate a crash between a Slack post and its record). */
  wrapStore?: (store: Store) => Store;
}

/** The composition root's body: builds every part from config and wires them. No logic. */
export async function startResponder(config: Config, logger: Logger, overrides: ResponderOverrides = {}): Promise<Responder> {
  const clock = overrides.clock ?? systemClock;
  const opened = await openStore(config.store.url);
  const store = overrides.wrapStore ? overrides.wrapStore(opened) : opened;
  const replicaId = overrides.replicaId ?? newReplicaId();
  // Alive before serving: a step started by the first click carries this id, and survivors must
  // not take it for a dead replica's.
  await store.heartbeat(replicaId, clock.now(), overrides.replicaTimings?.ttlMs ?? HEARTBEAT_TTL_MS);
  // Several replicas share one PostgreSQL, so Slack's rate budget is kept there; SQLite is one process.
  const pacer = isPostgresUrl(config.store.url) ? createSharedPacer(store, clock) : createPacer(clock);
  const slackSettings = {
    botToken: config.slack.botToken,
    ...(config.slack.signingSecret ? { signingSecret: config.slack.signingSecret } : {}),
    ...(config.slack.appToken ? { appToken: config.slack.appToken } : {}),
    ...(overrides.socketMode ? { socketMode: overrides.socketMode } : {}),
    ...(config.slack.apiUrl ? { apiUrl: config.slack.apiUrl } : {}),
  };
  // Bolt first: the gateway wraps Bolt's own WebClient (one client for every Web API call).
  const slackApp = createSlackApp(logger, slackSettings);
  const slack = createSlackGateway(slackApp.bolt.client, pacer);
  const catalog = buildCatalog();
  const policyFile = config.authz.policyFile ? loadPolicyFile(config.authz.policyFile) : undefined;
  const policy = buildPolicy(config.authz, policyFile, policyActionNames(catalog, INCIDENT_POLICY_ACTIONS));
  const labelOf = timelineLabelOf(catalog);
  const authorizer = createAuthorizer(policy, { slack, clock });
  const incidents = new IncidentService({ store, clock, windowMs: config.incidents.windowMs, labelOf });
  const digest = createDigestNotifier({
    store,
    slack,
    clock,
    logger,
    settings: { enabled: config.storm.digest, budgetMs: config.storm.budgetMs, digestBelow: config.storm.digestBelow },
  });
  const cards = createCardNotifier({
    digest,
    store,
    slack,
    now: () => clock.now(),
    incidents,
    route: (f) => routeFinding(f, config),
    cardView: createCardView(catalog, store, clock, (accountId, region) => aws.scope.describe(accountId, region)),
    onIncidentOpened: () => effects.refreshHome(),
  });
  // An incomplete finding of unknown severity routes as high (never buried, never filtered out).
  const fallback = createFallbackNotifier({ store, slack, clock, channelFor: (severity) => routeFinding({ severity: severity ?? 7 }, config).channel });
  const ingestDeps: IngestDeps = { store, clock, logger, incidents, cards, fallback };
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
      (err: unknown) => logger.warn({ err: String(err) }, "could not read the app's own AWS account; AWS steps wait for it"),
    ),
    new Promise((resolve) => setTimeout(resolve, OWN_ACCOUNT_WAIT_MS).unref()),
  ]);
  const actions = new ActionRunner({
    store,
    notify: createRunNotifier({ slack, clock, logger, cards }),
    clock,
    logger,
    catalog,
    aws,
    authorizer,
    newId: overrides.newId ?? (() => randomUUID()),
    onPhase: (findingId, phase) => effects.recordRunPhase(findingId, phase),
    replicaId,
  });
  const closeOut = new GuardDutyCloseOut({ store, aws, clock });
  const samples = ownAccountSampler(aws, config.aws.region ?? config.aws.organization.regions?.[0]);
  const effects: EffectRunner = new EffectRunner({ store, slack, clock, logger, incidents, runner: actions, closeOut, cards, samples });
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
    labelOf: (id) => labelOf(id) ?? id,
    authorize: async (userId, verb) => {
      const d = await authorizer.check(userId, { id: verb, changes: true }, { fresh: true });
      return d.allowed ? { allowed: true } : { allowed: false, reason: d.reason };
    },
    kickInbox: () => inbox.kick(),
  };
  const inbox = createInboxWorker({
    store,
    clock,
    logger,
    handle: withFindingLock({ store, clock, replicaId }, (entry) => ingestMessage(entry, ingestDeps)),
    owner: replicaId,
    ...(overrides.replicaTimings?.inboxLeaseMs ? { leaseMs: overrides.replicaTimings.inboxLeaseMs } : {}),
  });
  const certificates = createCertificateFetcher({ now: clock.now, ...(overrides.fetch ? { fetch: overrides.fetch } : {}) });
  const snsApi = createSnsConfirmApi(overrides.snsApi);

  const http = await startServer(
    {
      logger,
      store,
      slack: slackSettings,
      slackApp,
      // POST /sns exists only when topics are configured (answers 404 otherwise).
      sns:
        config.sns.topicArns.length === 0
          ? undefined
          : {
              store,
              logger,
              clock,
              verify: {
                topicArns: config.sns.topicArns,
                ...(config.sns.certUrlPattern ? { certUrlPattern: config.sns.certUrlPattern } : {}),
                requireSignatureV2: config.sns.requireSignatureV2,
                certificates,
              },
              onAccepted: () => inbox.kick(),
              confirmApi: snsApi,
              onSuspicious: createSnsAlerter({ now: clock.now, logger, post: (m) => slack.postMessage(config.slack.defaultChannel, m) }),
              ...(overrides.fetch ? { fetch: overrides.fetch } : {}),
            },
      slackGuard: buildSlackGuard(config, { slack, store, clock, logger }),
      registerSlack: (app) => {
        registerActionHandlers(app, { runner: actions, store, catalog, logger });
        registerIncidentHandlers(app, { commands: commandDeps, effects, slack, store, clock, logger, closeOut, authorizer, track: (p) => actions.track(p) });
        registerDigestHandlers(app, { store, cards, slack, logger, track: (p) => actions.track(p) });
      },
    },
    config.port,
    config.host,
  );
  // Finish whatever was accepted before a crash or restart; report steps a dead replica (or this
  // process before a crash) left running — at start and every ORPHAN_SWEEP_MS, each run once.
  inbox.kick();
  const jobs = {
    backfill: {
      name: BACKFILL_JOB,
      everyMs: config.backfill.intervalMs,
      atStart: true,
      run: () =>
        runBackfill({
          store,
          aws,
          clock,
          logger,
          fallbackRegions: config.aws.region ? [config.aws.region] : [],
          onAccepted: () => inbox.kick(),
        }),
    },
    cardRefresh: { name: 'open-card-refresh', everyMs: OPEN_CARD_REFRESH_MS, run: () => effects.refreshOpenIncidentCards() },
  } satisfies Record<string, PeriodicJob>;
  const replica = await startReplica({
    store,
    clock,
    logger,
    id: replicaId,
    recoverOrphans: () => actions.recoverInterrupted(),
    jobs: [jobs.backfill, jobs.cardRefresh],
    ...(overrides.replicaTimings ? { timings: overrides.replicaTimings } : {}),
  });
  // Private mode: findings from SQS go into the same inbox as POST /sns.
  // The allowlists (AWS_ACCOUNT_IDS / AWS_REGIONS) as `admit`: outside, the finding is still stored and its card says so.
  const sqs = startSqsIntake({
    admit: (f) => admitFinding(aws.scope, f),
    queueUrls: config.sqs.queueUrls,
    endpointFromEnv: config.sqs.endpointFromEnv,
    ...(config.aws.region ? { region: config.aws.region } : {}),
    store,
    clock,
    logger,
    onAccepted: () => inbox.kick(),
    ...(overrides.sqsClientConfig ? { clientConfig: overrides.sqsClientConfig } : {}),
  });
  const sweep = setInterval(() => inbox.kick(), INBOX_SWEEP_MS);
  sweep.unref();

  return {
    http,
    store,
    inbox,
    digest,
    slack,
    actions,
    aws,
    effects,
    ...(sqs ? { sqs } : {}),
    replica,
    jobs,
    async close() {
      clearInterval(sweep);
      await sqs?.stop();
      sqs?.destroy();
      await http.close();
      await inbox.stop();
      await actions.idle();
      await replica.stop();
      aws.destroy();
      snsApi.destroy();
      await store.close();
    },
  };
}
