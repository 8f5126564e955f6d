/**
 * Slack surface for remediation: card buttons, the confirmation modal, approval buttons.
 * Thin: ack within 3 s, then hand off to the ActionRunner.
 */
import type { BlockAction, ButtonAction, ViewSubmitAction } from '@slack/bolt';
import type { ActionRunner } from '../remediation/runner.js';
import { CONSOLE_BUTTON_ACTION_ID } from '../cards/finding-card.js';
import type { ActionDefinition, ActionId } from '../actions/types.js';
import { describeError } from '../errors.js';
import type { Logger } from '../log.js';
import type { BoltApp } from '../server.js';
import type { Store } from '../store/store.js';
import { APPROVE_ACTION_ID, CARD_ACTION_PREFIX, CONFIRM_CALLBACK_ID, INPUT_BLOCK_PREFIX, REASON_BLOCK_ID, REJECT_ACTION_ID } from '../slack/messages/action-messages.js';


export function registerActionHandlers(
  app: BoltApp,
  deps: { runner: ActionRunner; store: Store; catalog: ReadonlyMap<ActionId, ActionDefinition>; logger: Logger },
): void {
  const log = deps.logger.child({ component: 'slack-actions' });
  const safely = (what: string, fn: () => Promise<void>) =>
    deps.runner.track(fn().catch((err) => log.error({ err: describeError(err), what }, 'slack handler failed')));

  app.action<BlockAction<ButtonAction>>(new RegExp(`^${CARD_ACTION_PREFIX}`), async ({ ack, body, action }) => {
    await ack();
    await safely('open', async () => {
      await deps.runner.open({
        cardKey: action.value ?? '',
        actionId: action.action_id.slice(CARD_ACTION_PREFIX.length),
        userId: body.user.id,
        triggerId: body.trigger_id,
        ...(body.channel?.id ? { channelId: body.channel.id } : {}),
      });
    });
  });

  app.view<ViewSubmitAction>(CONFIRM_CALLBACK_ID, async ({ ack, body, view }) => {
    const values = view.state.values;
    const inputs: Record<string, string> = {};
    let reason: string | undefined;
    for (const [blockId, byAction] of Object.entries(values)) {
      const v = byAction.value;
      const text = (v?.value ?? v?.selected_option?.value ?? '').trim();
      if (blockId === REASON_BLOCK_ID) reason = text || undefined;
      else if (blockId.startsWith(INPUT_BLOCK_PREFIX)) inputs[blockId.slice(INPUT_BLOCK_PREFIX.length)] = text;
    }
    const run = await deps.store.getRun(view.private_metadata);
    const def = run ? deps.catalog.get(run.action as ActionId) : undefined;
    const errors = def?.validateInputs?.(inputs) ?? {};
    if (Object.keys(errors).length > 0) {
      await ack({ response_action: 'errors', errors: Object.fromEntries(Object.entries(errors).map(([k, v]) => [`${INPUT_BLOCK_PREFIX}${k}`, v])) });
      return;
    }
    await ack();
    await safely('submit', () => deps.runner.submit({ runId: view.private_metadata, userId: body.user.id, inputs, ...(reason ? { reason } : {}) }));
  });

  // Link buttons still send a payload: ack it so Slack shows no error.
  app.action(CONSOLE_BUTTON_ACTION_ID, async ({ ack }) => {
    await ack();
  });

  for (const [actionId, approve] of [
    [APPROVE_ACTION_ID, true],
    [REJECT_ACTION_ID, false],
  ] as const) {
    app.action<BlockAction<ButtonAction>>(actionId, async ({ ack, body, action }) => {
      await ack();
      await safely(actionId, () =>
        deps.runner.decide({ runId: action.value ?? '', userId: body.user.id, approve, ...(body.channel?.id ? { channelId: body.channel.id } : {}) }),
      );
    });
  }
}
