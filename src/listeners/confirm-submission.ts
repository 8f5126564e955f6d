/**
 * The confirmation modal of a step was submitted: inputs the step refuses are answered inside the
 * modal (response_action errors); otherwise ack, and the runner authorizes again and runs (or asks
 * for approval).
 */
import type { ViewSubmitAction } from '@slack/bolt';
import type { ActionDefinition, ActionId } from '../actions/types.js';
import type { ActionRunner } from '../remediation/runner.js';
import type { BoltApp } from '../server.js';
import { CONFIRM_CALLBACK_ID, INPUT_BLOCK_PREFIX, REASON_BLOCK_ID } from '../slack/messages/action-messages.js';
import type { Store } from '../store/store.js';

export interface ConfirmSubmissionDeps {
  runner: Pick<ActionRunner, 'submit'>;
  store: Pick<Store, 'getRun'>;
  catalog: ReadonlyMap<ActionId, ActionDefinition>;
  handOff: (what: string, work: () => Promise<void>) => Promise<void>;
}

export function register(app: BoltApp, deps: ConfirmSubmissionDeps): void {
  app.view<ViewSubmitAction>(CONFIRM_CALLBACK_ID, async ({ ack, body, view }) => {
    const { inputs, reason } = confirmationValues(view.state.values);
    const run = await deps.store.getRun(view.private_metadata);
    const def = run ? deps.catalog.get(run.action as ActionId) : undefined;
    const errors = def?.validateInputs?.(inputs) ?? {};
    if (Object.keys(errors).length > 0) {
      await ack({ response_action: 'errors', errors: Object.fromEntries(Object.entries(errors).map(([k, v]) => [`${INPUT_BLOCK_PREFIX}${k}`, v])) });
      return;
    }
    await ack();
    await deps.handOff('submit', () => deps.runner.submit({ runId: view.private_metadata, userId: body.user.id, inputs, ...(reason ? { reason } : {}) }));
  });
}

type ViewValues = ViewSubmitAction['view']['state']['values'];

/** The step's inputs (by input id) and the optional reason, trimmed; an empty reason is none. */
export function confirmationValues(values: ViewValues): { inputs: Record<string, string>; reason?: string } {
  const inputs: Record<string, string> = {};
  let reason: string | undefined;
  for (const [blockId, byAction] of Object.entries(values)) {
    const v = byAction.value;
    const text = (v?.value ?? v?.selected_option?.value ?? '').trim();
    if (blockId === REASON_BLOCK_ID) reason = text || undefined;
    else if (blockId.startsWith(INPUT_BLOCK_PREFIX)) inputs[blockId.slice(INPUT_BLOCK_PREFIX.length)] = text;
  }
  return { inputs, ...(reason ? { reason } : {}) };
}
