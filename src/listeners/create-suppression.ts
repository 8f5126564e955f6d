/**
 * "Create suppression rule" under a close-out proposal: ack, authorize the clicker, then the
 * close-out creates the GuardDuty filter and the thread says so (a refusal is noted on the timeline).
 */
import type { BlockAction, ButtonAction } from '@slack/bolt';
import type { Authorizer } from '../authz/authorizer.js';
import type { GuardDutyCloseOut } from '../incidents/close-out.js';
import type { EffectRunner } from '../notify/effects.js';
import type { BoltApp } from '../server.js';
import { noticeMessage, refusalText } from '../slack/messages/action-messages.js';
import { CREATE_SUPPRESSION_ACTION_ID } from '../slack/messages/suppression.js';
import type { Store } from '../store/store.js';
import type { Clock } from '../util/clock.js';

export interface CreateSuppressionDeps {
  store: Pick<Store, 'getIncident' | 'appendIncidentEvent'>;
  clock: Clock;
  authorizer: Pick<Authorizer, 'check'>;
  closeOut: Pick<GuardDutyCloseOut, 'createRule'>;
  effects: Pick<EffectRunner, 'run'>;
  handOff: (what: string, work: () => Promise<void>) => Promise<void>;
}

export function register(app: BoltApp, deps: CreateSuppressionDeps): void {
  app.action<BlockAction<ButtonAction>>(CREATE_SUPPRESSION_ACTION_ID, async ({ ack, body, action }) => {
    await ack();
    await deps.handOff('suppression', async () => {
      const incident = await deps.store.getIncident(action.value ?? '');
      const channel = body.channel?.id;
      if (!incident) return;
      const decision = await deps.authorizer.check(body.user.id, { id: 'create_suppression', changes: true });
      if (!decision.allowed) {
        await deps.store.appendIncidentEvent(incident.id, {
          at: deps.clock.now(),
          actor: body.user.id,
          kind: 'note',
          text: `refused: create suppression rule (${decision.reason})`,
        });
        if (channel) {
          const message = noticeMessage(refusalText({ label: 'create a suppression rule' }, decision.reason));
          await deps.effects.run([{ kind: 'reply', visibility: 'ephemeral', message }], { userId: body.user.id, channelId: channel });
        }
        return;
      }
      const message = await deps.closeOut.createRule(incident, body.user.id);
      await deps.effects.run([{ kind: 'thread', incidentId: incident.id, message }], { userId: body.user.id });
    });
  });
}
