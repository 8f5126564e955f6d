/**
 * The Close… / False positive… modal was submitted: a missing reason is answered inside the modal;
 * otherwise ack, decide in src/commands, carry out the effects.
 */
import type { ViewSubmitAction } from '@slack/bolt';
import { handleCloseSubmission, type CommandDeps } from '../commands/handle.js';
import type { EffectRunner } from '../notify/effects.js';
import type { BoltApp } from '../server.js';
import {
  CLOSE_MODAL_CALLBACK_ID,
  CLOSE_REASON_BLOCK_ID,
  INPUT_ACTION_ID,
  parseCloseModalMetadata,
  SUPPRESS_BLOCK_ID,
} from '../slack/messages/incident-controls.js';
import type { Store } from '../store/store.js';

export function register(
  app: BoltApp,
  deps: {
    commands: CommandDeps;
    effects: Pick<EffectRunner, 'run'>;
    store: Pick<Store, 'getIncident'>;
    handOff: (what: string, work: () => Promise<void>) => Promise<void>;
  },
): void {
  app.view<ViewSubmitAction>(CLOSE_MODAL_CALLBACK_ID, async ({ ack, body, view }) => {
    const reason = (view.state.values[CLOSE_REASON_BLOCK_ID]?.[INPUT_ACTION_ID]?.value ?? '').trim();
    if (!reason) {
      await ack({
        response_action: 'errors',
        errors: { [CLOSE_REASON_BLOCK_ID]: 'Say why: it goes on the timeline (and to GuardDuty for a false positive).' },
      });
      return;
    }
    await ack();
    const propose = (view.state.values[SUPPRESS_BLOCK_ID]?.[INPUT_ACTION_ID]?.selected_options ?? []).some((o) => o.value === 'propose');
    await deps.handOff('close', async () => {
      // A view submission carries no channel: answer (e.g. "nobody has taken it yet") in the
      // incident's channel, where the Close… button was clicked; else the answer would be dropped.
      const meta = parseCloseModalMetadata(view.private_metadata);
      const incident = meta ? await deps.store.getIncident(meta.incidentId) : undefined;
      const who = { userId: body.user.id, ...(incident?.channel ? { channelId: incident.channel } : {}) };
      const effects = await handleCloseSubmission(deps.commands, { metadata: view.private_metadata, reason, proposeSuppression: propose }, who);
      await deps.effects.run(effects, who);
    });
  });
}
