/**
 * Every Slack listener, registered in one place. Each listener acks, parses the payload and hands
 * off to a use case (the remediation runner, the command handler, the effect runner); none holds
 * logic of its own.
 */
import type { BoltApp } from '../server.js';
import { registerDigestHandlers } from './digest.js';
import { registerIncidentHandlers } from './incidents.js';
import { registerActionHandlers } from './remediation.js';

export type ListenerDeps = Parameters<typeof registerActionHandlers>[1] & Parameters<typeof registerIncidentHandlers>[1];

export function registerListeners(app: BoltApp, deps: ListenerDeps): void {
  registerActionHandlers(app, deps);
  registerIncidentHandlers(app, deps);
}

export { registerActionHandlers, registerDigestHandlers, registerIncidentHandlers };
