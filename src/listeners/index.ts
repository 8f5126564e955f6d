/**
 * Every Slack listener, registered in one place; one listener per file (the bolt starter
 * template's shape). Each acks, parses the payload and hands off to a use case (the remediation
 * runner, the command handler, the effect runner); none holds logic of its own.
 *
 * The hand-off is built here and passed in (a listener never imports another listener): work that
 * continues after the ack is tracked (shutdown and tests wait for it) and a failure is logged,
 * never thrown back into Bolt.
 */
import type { ActionDefinition, ActionId } from '../actions/types.js';
import type { Authorizer } from '../authz/authorizer.js';
import type { CommandDeps } from '../commands/handle.js';
import { describeError } from '../errors.js';
import type { GuardDutyCloseOut } from '../incidents/close-out.js';
import type { Logger } from '../log.js';
import type { EffectRunner } from '../notify/effects.js';
import type { ActionRunner } from '../remediation/runner.js';
import type { SlackGateway } from '../slack/client.js';
import type { BoltApp } from '../server.js';
import type { Store } from '../store/store.js';
import type { Clock } from '../util/clock.js';
import * as appHomeOpened from './app-home-opened.js';
import * as approvalButtons from './approval-buttons.js';
import * as cardStepButton from './card-step-button.js';
import * as closeModal from './close-modal.js';
import * as confirmSubmission from './confirm-submission.js';
import * as consoleLink from './console-link.js';
import * as createSuppression from './create-suppression.js';
import * as deadLetterButtons from './dead-letter-buttons.js';
import * as guarddutyCommand from './guardduty-command.js';
import * as incidentButtons from './incident-buttons.js';
import { registerDigestHandlers } from './digest.js';

export { SLASH_COMMAND } from './guardduty-command.js';

export type HandOff = (what: string, work: () => Promise<void>) => Promise<void>;

export function handOffVia(logger: Logger, component: string, track: (p: Promise<void>) => Promise<void>): HandOff {
  const log = logger.child({ component });
  return (what, work) => track(work().catch((err) => log.error({ err: describeError(err), what }, 'slack handler failed')));
}

export interface RemediationListenerDeps {
  runner: ActionRunner;
  store: Store;
  catalog: ReadonlyMap<ActionId, ActionDefinition>;
  logger: Logger;
}

export interface IncidentListenerDeps {
  commands: CommandDeps;
  effects: EffectRunner;
  slack: Pick<SlackGateway, 'postEphemeral' | 'postDirectMessage' | 'postMessage'>;
  store: Store;
  clock: Clock;
  logger: Logger;
  closeOut: GuardDutyCloseOut;
  authorizer: Authorizer;
  track: (p: Promise<void>) => Promise<void>;
}

export type ListenerDeps = RemediationListenerDeps & IncidentListenerDeps;

/** Card step buttons, the confirmation modal, approvals, the console link. */
export function registerActionHandlers(app: BoltApp, deps: RemediationListenerDeps): void {
  const handOff = handOffVia(deps.logger, 'slack-actions', (p) => deps.runner.track(p));
  cardStepButton.register(app, { runner: deps.runner, handOff });
  confirmSubmission.register(app, { runner: deps.runner, store: deps.store, catalog: deps.catalog, handOff });
  consoleLink.register(app);
  approvalButtons.register(app, { runner: deps.runner, handOff });
}

/** `/guardduty`, the incident buttons, the close modal, suppression rules, App Home. */
export function registerIncidentHandlers(app: BoltApp, deps: IncidentListenerDeps): void {
  const handOff = handOffVia(deps.logger, 'slack-incidents', deps.track);
  const { commands, effects, store, clock } = deps;
  guarddutyCommand.register(app, { commands, effects, slack: deps.slack, clock, logger: deps.logger.child({ component: 'slack-incidents' }), handOff });
  incidentButtons.register(app, { commands, effects, handOff });
  deadLetterButtons.register(app, { commands, effects, handOff });
  closeModal.register(app, { commands, effects, store, handOff });
  createSuppression.register(app, { store, clock, authorizer: deps.authorizer, closeOut: deps.closeOut, effects, handOff });
  appHomeOpened.register(app, { store, clock, effects, handOff });
}

export function registerListeners(app: BoltApp, deps: ListenerDeps): void {
  registerActionHandlers(app, deps);
  registerIncidentHandlers(app, deps);
}

export { registerDigestHandlers };
