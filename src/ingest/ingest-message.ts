import { buildFindingCard, buildSeenAgainReply, type CardView } from '../cards/finding-card.js';
import type { Finding } from '../findings/model.js';
import { parseFindingsFromText } from '../findings/parse.js';
import type { Logger } from '../log.js';
import type { SlackGateway } from '../slack/client.js';
import { findingVersion, isNewer, threadRootOf, type FindingRecord, type InboxEntry, type Store, findingOf } from '../store/store.js';
import { isClosed } from '../incidents/model.js';
import type { IncidentService } from '../incidents/service.js';
import type { Clock } from '../util/clock.js';
import type { Route } from './routing.js';

export interface IngestDeps {
  store: Store;
  slack: SlackGateway;
  clock: Clock;
  logger: Logger;
  route: (f: Finding) => Route;
  /** Groups findings into incidents (a finding on a resource already in one joins its thread). */
  incidents: IncidentService;
  /** What the card shows besides the finding: status line, buttons, facts. */
  cardView: (record: FindingRecord, finding: Finding) => Promise<CardView>;
  /** A new incident's first card is posted (its thread exists): App Home lists it from now on. */
  onIncidentOpened?: (incidentId: string) => Promise<void>;
}

/**
 * Turns one accepted SNS message into cards. Idempotent: it converges the stored finding and its
 * card (post if none, update if the card shows an older version), so a retry after a crash or a
 * Slack outage never posts a second card.
 */
export async function ingestMessage(entry: InboxEntry, deps: IngestDeps): Promise<void> {
  if (await alreadyShown(entry, deps)) return;
  const findings = parseFindingsFromText(entry.payload);
  for (const finding of findings) {
    const log = deps.logger.child({ findingId: finding.id, messageId: entry.messageId, ...(entry.reqId ? { reqId: entry.reqId } : {}) });
    const { record, changed } = await deps.store.upsertFinding({
      findingId: finding.id,
      accountId: finding.accountId,
      region: finding.region,
      updatedAt: finding.updatedAt,
      count: finding.count,
      severity: finding.severity,
      findingJson: JSON.stringify(finding),
      createdAt: deps.clock.now(),
    });
    if (!changed) log.info({ count: finding.count, updatedAt: finding.updatedAt }, 'finding is not newer than the stored one');
    const grouped = await deps.incidents.recordFinding(finding);
    if (grouped.incident) log.info({ incidentId: grouped.incident.id, outcome: grouped.outcome }, 'incident');
    await syncCard(record, deps, log);
  }
}

/**
 * Fast path for re-deliveries: a plain JSON read of the EventBridge event's id/updatedAt/count
 * (no normalisation) shows whether the stored finding is as new and its card already shows it.
 * Anything unusual falls through to the full parse.
 */
async function alreadyShown(entry: InboxEntry, deps: IngestDeps): Promise<boolean> {
  let peek: { id?: unknown; updatedAt?: unknown; count?: unknown };
  try {
    const event = JSON.parse(entry.payload) as { detail?: { id?: unknown; updatedAt?: unknown; service?: { count?: unknown } } };
    peek = { id: event.detail?.id, updatedAt: event.detail?.updatedAt, count: event.detail?.service?.count };
  } catch {
    return false;
  }
  if (typeof peek.id !== 'string' || typeof peek.updatedAt !== 'string' || typeof peek.count !== 'number') return false;
  const stored = await deps.store.getFinding(peek.id);
  if (!stored?.ts || stored.postedVersion !== findingVersion(stored)) return false;
  return !isNewer({ updatedAt: peek.updatedAt, count: peek.count }, stored);
}

/** Posts or updates the card so that it shows the stored version of the finding. */
export async function syncCard(record: FindingRecord, deps: IngestDeps, log: Logger): Promise<void> {
  const version = findingVersion(record);
  if (record.ts && record.channel && record.postedVersion === version) return;
  const finding = findingOf(record);
  if (!record.ts || !record.channel) {
    const route = deps.route(finding);
    if (!route.channel) {
      log.info({ reason: route.reason }, 'finding stored, not posted');
      return;
    }
    // A finding that joined an incident with a thread gets its card in that thread.
    const incident = (await deps.store.incidentsForFinding(record.findingId)).find((i) => !isClosed(i.state));
    const thread = incident?.channel && incident.threadTs ? { channel: incident.channel, threadTs: incident.threadTs } : undefined;
    const channel = thread?.channel ?? route.channel;
    const card = buildFindingCard(finding, await deps.cardView(record, finding));
    const posted = await deps.slack.postMessage(channel, card, thread ? { threadTs: thread.threadTs } : {});
    await deps.store.setFindingCard(record.findingId, { channel: posted.channel, ts: posted.ts, postedVersion: version, ...(thread ? { threadTs: thread.threadTs } : {}) });
    if (incident && !thread) {
      await deps.incidents.setThread(incident.id, posted.channel, posted.ts);
      await deps.onIncidentOpened?.(incident.id).catch((err) => log.warn({ err: String(err), incidentId: incident.id }, 'App Home refresh failed'));
    }
    log.info({ channel: posted.channel, ts: posted.ts, incidentId: incident?.id, inThread: !!thread }, 'card posted');
    return;
  }
  if (record.postedVersion === version) return;
  const previous = parseVersion(record.postedVersion);
  await deps.slack.updateMessage(record.channel, record.ts, buildFindingCard(finding, await deps.cardView(record, finding)));
  await deps.slack.postMessage(record.channel, buildSeenAgainReply(finding, previous), { threadTs: threadRootOf(record) ?? record.ts });
  await deps.store.setFindingCard(record.findingId, { channel: record.channel, ts: record.ts, postedVersion: version });
  log.info({ count: finding.count, previousCount: previous.count }, 'card updated');
}

/** Re-renders an already posted card (status line, buttons, facts changed). */
export async function refreshCard(findingId: string, deps: IngestDeps): Promise<void> {
  const record = await deps.store.getFinding(findingId);
  if (!record?.channel || !record.ts) return;
  const finding = findingOf(record);
  await deps.slack.updateMessage(record.channel, record.ts, buildFindingCard(finding, await deps.cardView(record, finding)));
}

function parseVersion(v: string | undefined): { updatedAt: string; count: number } {
  const [updatedAt = '', count = '0'] = (v ?? '').split('|');
  return { updatedAt, count: Number(count) || 0 };
}
