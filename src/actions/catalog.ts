import type { ActionDefinition, ActionId } from './types.js';

/** Every remediation step, in the order the card shows its buttons. */
export const ALL_ACTIONS: readonly ActionDefinition[] = [];

export function buildCatalog(defs: readonly ActionDefinition[] = ALL_ACTIONS): ReadonlyMap<ActionId, ActionDefinition> {
  return new Map(defs.map((d) => [d.id, d]));
}
