import type { CardView } from '../cards/finding-card.js';
import type { Finding } from '../findings/model.js';
import type { FindingRecord } from '../store/store.js';

export const NEW_FINDING_STATUS = 'New — no action taken yet';

/** Status line for a card; actions are added by the remediation features. */
export function defaultCardView(record: FindingRecord, _finding: Finding): CardView {
  return { status: record.statusText ?? NEW_FINDING_STATUS };
}
