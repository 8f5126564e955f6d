/** The card's "Open in console" link button still sends a payload: ack it so Slack shows no error. */
import { CONSOLE_BUTTON_ACTION_ID } from '../cards/finding-card.js';
import type { BoltApp } from '../server.js';

export function register(app: BoltApp): void {
  app.action(CONSOLE_BUTTON_ACTION_ID, async ({ ack }) => {
    await ack();
  });
}
