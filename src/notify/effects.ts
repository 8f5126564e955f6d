/**
 * Carries out the effects that commands and incident buttons return (src/commands/effects.ts):
 * replies, thread notices, follower DMs, card and Home refreshes, uploads, GuardDuty close-out,
 * and opening a remediation step through the same runner as the card's buttons.
 */
import type { ActionRunner } from '../remediation/runner.js';
import { changeEffects, type Effect } from '../commands/effects.js';
import { describeError, isAppError } from '../errors.js';
import type { Incident } from '../incidents/model.js';
import type { IncidentService } from '../incidents/service.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/store.js';
import type { Clock } from '../util/clock.js';
import type { SlackGateway } from '../slack/client.js';
import type { SlackMessage } from '../cards/finding-card.js';
import { homeView } from '../slack/messages/home.js';
import { noticeMessage } from '../slack/messages/action-messages.js';
import { safeText } from '../cards/escape.js';
import { suppressionProposalMessage } from '../slack/messages/suppression.js';
import type { GuardDutyCloseOut } from '../incidents/close-out.js';
import { sampleFindingsFailedMessage, sampleFindingsMessage, type SampleRequest } from '../slack/messages/sample-findings.js';
import type { CardNotifier } from './cards.js';
import type { Requester } from './requester.js';

/** Cards of open incidents are re-rendered this often so their timings stay current. */
export const OPEN_CARD_REFRESH_MS = 5 * 60_000;
export const OPEN_CARD_REFRESH_MAX = 40;

/** Effects are carried out for one requester (answers go to them). */
export type EffectContext = Requester;

export interface EffectRunnerDeps {
  store: Store;
  slack: SlackGateway;
  clock: Clock;
  logger: Logger;
  incidents: IncidentService;
  runner: ActionRunner;
  closeOut: GuardDutyCloseOut;
  cards: Pick<CardNotifier, 'refresh' | 'show'>;
  /** GuardDuty CreateSampleFindings (runtime types) in the app's own account; absent: not available. */
  samples?: (region?: string) => Promise<SampleRequest>;
}

export class EffectRunner {
  private readonly permalinks = new Map<string, string>();
  private refreshCursor = 0;

  constructor(private readonly d: EffectRunnerDeps) {}

  /** Cached chat.getPermalink of an incident's thread. */
  async permalinkOf(incident: Incident): Promise<string | undefined> {
    if (!incident.channel || !incident.threadTs) return undefined;
    const key = `${incident.channel}/${incident.threadTs}`;
    const hit = this.permalinks.get(key);
    if (hit) return hit;
    const link = await this.d.slack.permalink(incident.channel, incident.threadTs);
    if (link) this.permalinks.set(key, link);
    return link;
  }

  async run(effects: readonly Effect[], ctx: EffectContext): Promise<void> {
    for (const e of effects) {
      try {
        // A step whose confirmation was not opened (refused…): the requester was told why; the
        // effects after it (the "result will be posted in the thread" answer) no longer hold.
        if ((await this.one(e, ctx)) === 'stop') return;
      } catch (err) {
        this.d.logger.error({ err: describeError(err), effect: e.kind }, 'effect failed');
        const why = isAppError(err) ? err.message : 'unexpected error';
        if (e.kind !== 'reply') await this.reply(ctx, noticeMessage(`:warning: Something went wrong (${why}); see the responder logs.`)).catch(() => undefined);
      }
    }
  }

  private async one(e: Effect, ctx: EffectContext): Promise<'stop' | undefined> {
    switch (e.kind) {
      case 'reply':
        await this.reply(ctx, e.message, e.visibility);
        return;
      case 'thread': {
        const incident = await this.d.store.getIncident(e.incidentId);
        if (incident) await this.thread(incident, e.message);
        return;
      }
      case 'dm': {
        await this.d.slack.postDirectMessage(e.userId, e.message);
        return;
      }
      case 'refresh_cards': {
        for (const findingId of await this.d.store.incidentFindingIds(e.incidentId)) await this.d.cards.refresh(findingId).catch(() => undefined);
        return;
      }
      case 'refresh_home':
        await this.refreshHome();
        return;
      case 'show_card': {
        const r = await this.d.cards.show(e.findingId, this.d.logger.child({ findingId: e.findingId, userId: ctx.userId }));
        if (r.outcome === 'unknown') {
          await this.reply(ctx, noticeMessage(`:grey_question: No finding ${safeText(e.findingId, 130)} is known to the responder.`));
          return;
        }
        const link = r.channel && r.ts ? await this.d.slack.permalink(r.channel, r.ts) : undefined;
        const what = r.outcome === 'posted' ? 'Its card is posted' : 'Its card is already posted';
        await this.reply(ctx, noticeMessage(`${what}${link ? `: ${link}` : '.'}`));
        return;
      }
      case 'upload': {
        const incident = await this.d.store.getIncident(e.incidentId);
        if (!incident?.channel || !incident.threadTs) {
          await this.reply(ctx, { text: e.title, blocks: [] });
          return;
        }
        await this.d.slack.uploadText({ channel: incident.channel, threadTs: incident.threadTs, filename: e.filename, title: e.title, content: e.content });
        return;
      }
      case 'guardduty_close_out': {
        const incident = await this.d.store.getIncident(e.incidentId);
        if (!incident) return;
        const r = await this.d.closeOut.archiveAndFeedback({ incident, findingIds: e.findingIds, reason: e.reason, actor: ctx.userId });
        await this.thread(incident, r.message);
        if (e.proposeSuppression && r.proposal) await this.thread(incident, suppressionProposalMessage(incident, r.proposal));
        return;
      }
      case 'open_action': {
        if (!ctx.triggerId) return;
        const opened = await this.d.runner.open({ ...ctx, triggerId: ctx.triggerId, cardKey: e.cardKey, actionId: e.actionId });
        return opened ? undefined : 'stop';
      }
      case 'guardduty_sample': {
        if (!this.d.samples) {
          await this.reply(ctx, sampleFindingsFailedMessage('this responder has no AWS access configured.'));
          return;
        }
        try {
          await this.reply(ctx, sampleFindingsMessage(await this.d.samples(e.region)));
        } catch (err) {
          if (!isAppError(err)) throw err;
          await this.reply(ctx, sampleFindingsFailedMessage(err.message));
        }
        return;
      }
      case 'open_modal':
        if (ctx.triggerId) await this.d.slack.openView(ctx.triggerId, e.view);
        return;
    }
  }

  /**
   * A run phase from the remediation runner: onto the incident timeline; a state change (e.g.
   * contained) notifies the thread and followers and refreshes cards and Home. The finding's own
   * card is refreshed by the runner.
   */
  async recordRunPhase(findingId: string, phase: Parameters<IncidentService['recordRunPhase']>[1]): Promise<void> {
    const r = await this.d.incidents.recordRunPhase(findingId, phase);
    if (!r?.stateChange) return;
    const view = await this.d.incidents.view(r.incident.id);
    if (!view) return;
    const permalink = await this.permalinkOf(view.incident);
    // The step's label as the timeline recorded it ("Stop task"), not its action id ("stop_task").
    const change = r.events.find((e) => e.kind === 'status_changed');
    const via = (change?.kind === 'status_changed' ? change.reason : undefined) ?? phase.action;
    const effects = changeEffects(
      { incident: view.incident, timeline: view.timeline, followers: view.followers, now: this.d.clock.now(), ...(permalink ? { permalink } : {}) },
      r,
      { via },
    );
    await this.run(
      effects.filter((e) => !(e.kind === 'refresh_cards')),
      { userId: phase.actor },
    );
    for (const id of await this.d.store.incidentFindingIds(r.incident.id)) if (id !== findingId) await this.d.cards.refresh(id).catch(() => undefined);
  }

  /**
   * Keeps the time-based part of the cards' top line (time open, waiting for acknowledgement or
   * containment) current between incident changes: re-renders the cards of open incidents, at most
   * `maxCards` per call (chat.update budget: ~50 per minute), continuing where the last call
   * stopped so every card gets its turn.
   */
  async refreshOpenIncidentCards(maxCards = OPEN_CARD_REFRESH_MAX): Promise<number> {
    const ids: string[] = [];
    for (const incident of await this.d.store.listOpenIncidents(100)) ids.push(...(await this.d.store.incidentFindingIds(incident.id)));
    const count = Math.min(maxCards, ids.length);
    for (let i = 0; i < count; i++) {
      await this.d.cards.refresh(ids[(this.refreshCursor + i) % ids.length]!).catch(() => undefined);
    }
    this.refreshCursor = ids.length ? (this.refreshCursor + count) % ids.length : 0;
    return count;
  }

  async refreshHome(): Promise<void> {
    for (const userId of await this.d.store.homeViewers()) await this.publishHome(userId).catch(() => undefined);
  }

  async publishHome(userId: string): Promise<void> {
    const incidents = await this.d.store.listOpenIncidents(100);
    const links = new Map<string, string | undefined>();
    for (const i of incidents.slice(0, 40)) links.set(i.id, await this.permalinkOf(i));
    await this.d.slack.publishHome(userId, homeView({ incidents, now: this.d.clock.now(), permalinkOf: (i) => links.get(i.id), viewerId: userId }));
  }

  private async thread(incident: Incident, message: SlackMessage): Promise<void> {
    if (!incident.channel || !incident.threadTs) return;
    await this.d.slack.postMessage(incident.channel, message, { threadTs: incident.threadTs });
  }

  private async reply(ctx: EffectContext, message: SlackMessage, visibility: 'ephemeral' | 'in_channel' = 'ephemeral'): Promise<void> {
    if (ctx.respond) {
      await ctx.respond(message, visibility);
      return;
    }
    if (ctx.channelId) await this.d.slack.postEphemeral(ctx.channelId, ctx.userId, message);
  }
}
