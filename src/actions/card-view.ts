/**
 * Kept so that steps written before ./state-keys.ts still compile; the card itself is rendered by
 * src/notify/card-view.ts. New code imports the keys from ./state-keys.ts.
 */
export { CARD_FACTS_KEY, ISOLATION_STATE_KEY, STATUS_BY_KEY } from './state-keys.js';
