/**
 * Storm digest: when a channel's backlog would take longer than the budget to post at Slack's
 * 1 message/s per channel, findings below STORM_DIGEST_BELOW are folded into ONE digest message
 * per channel (src/cards/digest.ts) instead of a card each. The digest is posted once, then
 * updated in place at most every DIGEST_UPDATE_MS (chat.update is ~50/min per workspace; the
 * gateway paces it), and the full list is attached in its thread. State lives in the store (per
 * channel), so a restart continues the same digest. A folded finding keeps its record: its full
 * card is posted on demand (select on the digest, `/guardduty show`).
 */
import { buildDigestMessage, digestListText, type DigestItem, type DigestState } from '../cards/digest.js';
import { resourceSummary } from '../cards/resource-sections.js';
import { describeError } from '../errors.js';
import type { Finding } from '../findings/model.js';
import { atLeast, type SeverityLevel } from '../findings/severity.js';
import type { Logger } from '../log.js';
import type { SlackGateway } from '../slack/client.js';
import { POST_MESSAGE_INTERVAL_MS } from '../slack/pacing.js';
import type { FindingRecord, Store } from '../store/store.js';
import type { Clock } from '../util/clock.js';

/** Coalesces digest updates: one chat.update per channel at most this often. */
export const DIGEST_UPDATE_MS = 5_000;
/** The full list is re-attached at most this often while the storm goes on. */
export const DIGEST_FILE_MS = 30_000;
/** A digest stays the storm's one message while it was touched this recently; later, a new one. */
export const STORM_QUIET_MS = 10 * 60_000;
const STATE_KEY = 'storm_digest';

interface StoredDigest extends DigestState {
  ts?: string;
  lastAt: number;
  uploadedCount: number;
  uploadedAt: number;
}

export interface DigestSettings {
  readonly enabled: boolean;
  readonly budgetMs: number;
  readonly digestBelow: SeverityLevel;
}

export interface DigestNotifier {
  /** Whether this finding, routed to `channel`, goes into the digest instead of its own card. */
  shouldFold(finding: Finding, channel: string): Promise<boolean>;
  fold(channel: string, record: FindingRecord, finding: Finding, log: Logger): Promise<void>;
  /** Where a folded finding's card goes when asked for: the digest's thread. */
  threadOf(channel: string): Promise<string | undefined>;
  /** Resolves once no digest update is scheduled (tests, shutdown). */
  idle(): Promise<void>;
}

export function createDigestNotifier(deps: {
  store: Store;
  slack: Pick<SlackGateway, 'postMessage' | 'updateMessage' | 'uploadText'>;
  clock: Clock;
  logger: Logger;
  settings: DigestSettings;
  /** Runs `fn` after `ms` (default: an unref'd setTimeout); see later(). */
  defer?: (fn: () => void, ms: number) => { cancel(): void };
}): DigestNotifier {
  const defer =
    deps.defer ??
    ((fn: () => void, ms: number) => {
      const t = setTimeout(fn, ms);
      t.unref();
      return { cancel: () => clearTimeout(t) };
    });
  const log = deps.logger.child({ component: 'digest' });
  const timers = new Map<string, { cancel(): void }>();
  const dirty = new Set<string>();
  const running = new Set<string>();
  const lastUpdate = new Map<string, number>();
  const pseudoId = (channel: string) => `digest:${channel}`;
  const load = (channel: string) => deps.store.getFindingState<StoredDigest>(pseudoId(channel), STATE_KEY);
  const save = (d: StoredDigest) => deps.store.putFindingState(pseudoId(d.channel), STATE_KEY, d, deps.clock.now());
  const budgetPosts = Math.max(1, Math.floor(deps.settings.budgetMs / POST_MESSAGE_INTERVAL_MS));

  async function active(channel: string): Promise<StoredDigest | undefined> {
    const d = await load(channel);
    return d && deps.clock.now() - d.lastAt < STORM_QUIET_MS ? d : undefined;
  }

  /** Updates the digest message; attaches the list when due (or `final`: nothing else is coming soon). */
  async function flush(channel: string, final = false): Promise<void> {
    const d = await load(channel);
    dirty.delete(channel);
    if (!d?.ts) return;
    lastUpdate.set(channel, deps.clock.now());
    await deps.slack.updateMessage(channel, d.ts, buildDigestMessage(d));
    const now = deps.clock.now();
    if (d.items.length > d.uploadedCount && (final || now - d.uploadedAt >= DIGEST_FILE_MS)) {
      await deps.slack.uploadText({
        channel,
        threadTs: d.ts,
        filename: 'storm-digest.tsv',
        title: `Storm digest: ${d.items.length} findings`,
        content: digestListText(d),
      });
      await save({ ...(await load(channel))!, uploadedCount: d.items.length, uploadedAt: now });
    } else if (d.items.length > d.uploadedCount) later(channel, d.uploadedAt + DIGEST_FILE_MS - now);
  }

  /**
   * A trailing update once the storm pauses. A plain timer, not the injected clock: a test clock
   * jumps forward on sleep, and a background sleep would move every other timing with it; tests
   * and shutdown call idle(), which flushes what is pending at once.
   */
  function later(channel: string, delayMs: number): void {
    dirty.add(channel);
    if (timers.has(channel)) return;
    const timer = defer(
      () => {
        timers.delete(channel);
        running.add(channel);
        void flush(channel, true)
          .catch((err) => log.warn({ channel, err: describeError(err) }, 'digest update failed; the next fold retries'))
          .finally(() => running.delete(channel));
      },
      Math.max(0, delayMs),
    );
    timers.set(channel, timer);
  }

  return {
    async shouldFold(finding, channel) {
      if (!deps.settings.enabled || atLeast(finding.severity, deps.settings.digestBelow)) return false;
      if (await active(channel)) return true;
      // The backlog: every pending inbox message (this one included) would be one post a second.
      return (await deps.store.pendingMessages(budgetPosts + 1)).length > budgetPosts;
    },
    async fold(channel, record, finding, flog) {
      const now = deps.clock.now();
      const current = await active(channel);
      const item: DigestItem = {
        id: finding.id,
        cardKey: record.cardKey,
        type: finding.type,
        severity: finding.severity,
        resource: resourceSummary(finding) ?? finding.resourceType,
        title: finding.title,
        at: now,
      };
      const items = (current?.items ?? []).filter((i) => i.id !== finding.id).concat(item);
      const d: StoredDigest = current ? { ...current, items, lastAt: now } : { channel, startedAt: now, items, lastAt: now, uploadedCount: 0, uploadedAt: 0 };
      await save(d);
      if (!d.ts) {
        const posted = await deps.slack.postMessage(channel, buildDigestMessage(d));
        await save({ ...d, ts: posted.ts });
        lastUpdate.set(channel, deps.clock.now());
        flog.info({ channel, ts: posted.ts }, 'alert storm: digest posted');
        later(channel, DIGEST_FILE_MS);
      } else if (now - (lastUpdate.get(channel) ?? 0) >= DIGEST_UPDATE_MS) {
        // Due: update in line (the gateway paces chat.update per workspace).
        await flush(channel);
      } else {
        later(channel, (lastUpdate.get(channel) ?? 0) + DIGEST_UPDATE_MS - now);
      }
      flog.info({ channel, folded: items.length }, 'finding folded into the storm digest');
    },
    async threadOf(channel) {
      return (await load(channel))?.ts;
    },
    async idle() {
      for (const [channel, t] of [...timers]) {
        t.cancel();
        timers.delete(channel);
      }
      for (const channel of [...dirty]) await flush(channel, true);
      while (running.size) await new Promise((r) => setImmediate(r));
    },
  };
}
