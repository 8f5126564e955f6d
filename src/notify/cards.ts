/**
 * The one owner of a finding's card: posts it (in its incident's thread when there is one),
 * updates it to a newer version with a "seen again" reply, and re-renders it when its status
 * line, buttons or facts change. Ingestion, the remediation runner and incident changes call this;
 * none of them builds the card themselves.
 */
import { randomUUID } from 'node:crypto';
import type { SlackMessage } from '../cards/finding-card.js';
import { buildFindingCard, buildSeenAgainReply, type CardView } from '../cards/finding-card.js';
import type { Finding } from '../findings/model.js';
import { openIncident } from '../incidents/model.js';
import type { IncidentService } from '../incidents/service.js';
import type { Logger } from '../log.js';
import type { DigestNotifier } from './digest.js';
import type { SlackGateway } from '../slack/client.js';
import { findingOf, findingVersion, threadRootOf, type FindingRecord, type Store } from '../store/store.js';

/** Where a finding's card goes, or why it is not posted (see src/ingest/routing.ts). */
export interface CardRoute {
  channel?: string;
  reason?: string;
}

export interface CardNotifierDeps {
  store: Store;
  slack: SlackGateway;
  route: (f: Finding) => CardRoute;
  incidents: Pick<IncidentService, 'setThread'>;
  /** What the card shows besides the finding: status line, buttons, facts. */
  cardView: (record: FindingRecord, finding: Finding) => Promise<CardView>;
  /** A new incident's first card is posted (its thread exists): App Home lists it from now on. */
  onIncidentOpened?: (incidentId: string) => Promise<void>;
  /** The app clock (post intents are timed with it). */
  now?: () => number;
  /** Alert storms: lower findings fold into one digest per channel (src/notify/digest.ts). */
  digest?: DigestNotifier;
}

export interface CardNotifier {
  /** Posts or updates the card so that it shows the stored version of the finding (idempotent). */
  sync(record: FindingRecord, log: Logger): Promise<void>;
  /** Re-renders an already posted card (status line, buttons, facts changed). */
  refresh(findingId: string): Promise<void>;
  /**
   * Posts the full card of a finding that has none yet (folded into a storm digest: in the
   * digest's thread). 'already' when its card exists, 'unknown' when there is no such finding.
   */
  show(findingId: string, log: Logger): Promise<{ outcome: 'posted' | 'already' | 'unknown'; channel?: string; ts?: string }>;
}

export function createCardNotifier(deps: CardNotifierDeps): CardNotifier {
  const render = async (record: FindingRecord, finding: Finding) => buildFindingCard(finding, await deps.cardView(record, finding));

  async function post(record: FindingRecord, finding: Finding, version: string, log: Logger, opts: { onDemand?: boolean } = {}): Promise<void> {
    const route = deps.route(finding);
    if (!route.channel) {
      log.info({ reason: route.reason }, 'finding stored, not posted');
      return;
    }
    // A finding that joined an incident with a thread gets its card in that thread.
    const incident = openIncident(await deps.store.incidentsForFinding(record.findingId));
    let thread = incident?.channel && incident.threadTs ? { channel: incident.channel, threadTs: incident.threadTs } : undefined;
    // Incident grouping wins over the digest: a finding joining an open thread goes there.
    if (!thread && deps.digest) {
      if (opts.onDemand) {
        const digestTs = await deps.digest.threadOf(route.channel);
        if (digestTs) thread = { channel: route.channel, threadTs: digestTs };
      } else if (await deps.digest.shouldFold(finding, route.channel)) {
        return deps.digest.fold(route.channel, record, finding, log);
      }
    }
    const channel = thread?.channel ?? route.channel;
    // Idempotent across a crash between Slack accepting the post and the store recording it: the
    // intent (a client id, also in the message metadata) is stored first and looked up after.
    const posted = await postOnce(deps, record.findingId, channel, thread?.threadTs, () => render(record, finding), log);
    await deps.store.setFindingCard(record.findingId, {
      channel: posted.channel,
      ts: posted.ts,
      postedVersion: version,
      ...(thread ? { threadTs: thread.threadTs } : {}),
    });
    // A card posted on demand in a digest's thread is not a good incident thread root.
    if (incident && !thread) {
      await deps.incidents.setThread(incident.id, posted.channel, posted.ts);
      await deps.onIncidentOpened?.(incident.id).catch((err) => log.warn({ err: String(err), incidentId: incident.id }, 'App Home refresh failed'));
    }
    log.info({ channel: posted.channel, ts: posted.ts, incidentId: incident?.id, inThread: !!thread }, 'card posted');
  }

  return {
    async sync(record, log) {
      const version = findingVersion(record);
      if (record.ts && record.channel && record.postedVersion === version) return;
      const finding = findingOf(record);
      if (!record.ts || !record.channel) return post(record, finding, version, log);
      const previous = parseVersion(record.postedVersion);
      await deps.slack.updateMessage(record.channel, record.ts, await render(record, finding));
      await deps.slack.postMessage(record.channel, buildSeenAgainReply(finding, previous), { threadTs: threadRootOf(record) ?? record.ts });
      await deps.store.setFindingCard(record.findingId, { channel: record.channel, ts: record.ts, postedVersion: version });
      log.info({ count: finding.count, previousCount: previous.count }, 'card updated');
    },
    async show(findingId, log) {
      const record = await deps.store.getFinding(findingId);
      if (!record) return { outcome: 'unknown' };
      if (record.ts && record.channel) return { outcome: 'already', channel: record.channel, ts: record.ts };
      await post(record, findingOf(record), findingVersion(record), log, { onDemand: true });
      const after = await deps.store.getFinding(findingId);
      return { outcome: 'posted', ...(after?.channel ? { channel: after.channel } : {}), ...(after?.ts ? { ts: after.ts } : {}) };
    },
    async refresh(findingId) {
      const record = await deps.store.getFinding(findingId);
      if (!record?.channel || !record.ts) return;
      await deps.slack.updateMessage(record.channel, record.ts, await render(record, findingOf(record)));
    },
  };
}

/** The stored intent to post a finding's card (see postOnce). */
export const CARD_POST_INTENT_KEY = 'card_post_intent';
/** How far back a retried post looks for the message an earlier attempt may have posted. */
const INTENT_LOOKBACK_MS = 10 * 60_000;

interface PostIntent {
  postId: string;
  channel: string;
  threadTs?: string;
  at: number;
}

async function postOnce(
  deps: CardNotifierDeps,
  findingId: string,
  channel: string,
  threadTs: string | undefined,
  render: () => Promise<SlackMessage>,
  log: Logger,
): Promise<{ ts: string; channel: string }> {
  const now = deps.now?.() ?? Date.now();
  const earlier = await deps.store.getFindingState<PostIntent>(findingId, CARD_POST_INTENT_KEY);
  if (earlier && earlier.channel === channel && earlier.threadTs === threadTs) {
    const ts = await deps.slack.findPosted(channel, earlier.postId, { ...(threadTs ? { threadTs } : {}), oldestMs: earlier.at - INTENT_LOOKBACK_MS });
    if (ts) {
      // Posted before the crash: bring it up to date instead of posting a second card.
      await deps.slack.updateMessage(channel, ts, await render());
      log.info({ channel, ts, postId: earlier.postId }, 'card found from an interrupted post; not posted again');
      return { ts, channel };
    }
  }
  const intent: PostIntent = { postId: randomUUID(), channel, ...(threadTs ? { threadTs } : {}), at: now };
  await deps.store.putFindingState(findingId, CARD_POST_INTENT_KEY, intent, now);
  return deps.slack.postMessage(channel, await render(), { ...(threadTs ? { threadTs } : {}), postId: intent.postId });
}

function parseVersion(v: string | undefined): { updatedAt: string; count: number } {
  const [updatedAt = '', count = '0'] = (v ?? '').split('|');
  return { updatedAt, count: Number(count) || 0 };
}
