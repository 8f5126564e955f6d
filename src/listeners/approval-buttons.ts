/** Approve / Reject on a run waiting for a second responder: ack, then the runner decides. */
import type { BlockAction, ButtonAction } from '@slack/bolt';
import type { ActionRunner } from '../remediation/runner.js';
import type { BoltApp } from '../server.js';
import { APPROVE_ACTION_ID, REJECT_ACTION_ID } from '../slack/messages/action-messages.js';

export function register(
  app: BoltApp,
  deps: { runner: Pick<ActionRunner, 'decide'>; handOff: (what: string, work: () => Promise<void>) => Promise<void> },
): void {
  for (const [actionId, approve] of [
    [APPROVE_ACTION_ID, true],
    [REJECT_ACTION_ID, false],
  ] as const) {
    app.action<BlockAction<ButtonAction>>(actionId, async ({ ack, body, action }) => {
      await ack();
      await deps.handOff(actionId, () =>
        deps.runner.decide({ runId: action.value ?? '', userId: body.user.id, approve, ...(body.channel?.id ? { channelId: body.channel.id } : {}) }),
      );
    });
  }
}
