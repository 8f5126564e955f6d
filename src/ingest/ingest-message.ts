import { readFindingsLeniently } from '../findings/partial.js';
import type { IncidentService } from '../incidents/service.js';
import type { Logger } from '../log.js';
import type { CardNotifier } from '../notify/cards.js';
import type { FallbackNotifier } from '../notify/fallback.js';
import { findingRow, findingVersion, isNewer, type InboxEntry, type Store } from '../store/store.js';
import type { Clock } from '../util/clock.js';

export interface IngestDeps {
  store: Store;
  clock: Clock;
  logger: Logger;
  /** Groups findings into incidents (a finding on a resource already in one joins its thread). */
  incidents: Pick<IncidentService, 'recordFinding'>;
  /** Posts the card, or updates it with a "seen again" reply (src/notify/cards.ts). */
  cards: Pick<CardNotifier, 'sync'>;
  /** Shows an incomplete finding as a fallback card (src/notify/fallback.ts), so nothing is dropped. */
  fallback: FallbackNotifier;
}

/**
 * Turns one accepted SNS message into cards. Idempotent: it converges the stored finding and its
 * card (post if none, update if the card shows an older version), so a retry after a crash or a
 * Slack outage never posts a second card.
 */
export async function ingestMessage(entry: InboxEntry, deps: IngestDeps): Promise<void> {
  if (await alreadyShown(entry, deps)) return;
  const items = readFindingsLeniently(entry.payload);
  for (const [index, item] of items.entries()) {
    if (item.kind === 'partial') {
      const log = deps.logger.child({ messageId: entry.messageId, ...(entry.reqId ? { reqId: entry.reqId } : {}) });
      await deps.fallback.post(item.partial, { messageId: entry.messageId, index }, log);
      continue;
    }
    const finding = item.finding;
    const log = deps.logger.child({ findingId: finding.id, messageId: entry.messageId, ...(entry.reqId ? { reqId: entry.reqId } : {}) });
    const { record, changed } = await deps.store.upsertFinding(findingRow(finding, deps.clock.now()));
    if (!changed) log.info({ count: finding.count, updatedAt: finding.updatedAt }, 'finding is not newer than the stored one');
    const grouped = await deps.incidents.recordFinding(finding);
    if (grouped.incident) log.info({ incidentId: grouped.incident.id, outcome: grouped.outcome }, 'incident');
    await deps.cards.sync(record, log);
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
