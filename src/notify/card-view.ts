import type { CardView } from '../cards/finding-card.js';
import type { Finding } from '../findings/model.js';
import { CARD_ACTION_PREFIX } from '../slack/messages/action-messages.js';
import type { FindingRecord, Store } from '../store/store.js';
import type { ActionDefinition, ActionId } from '../actions/types.js';
import { IMAGE_EVIDENCE_KEY } from '../actions/ecs/quarantine-image.js';
import { CARD_FACTS_KEY, INSTANCE_PROFILE_STATE_KEY, ISOLATION_STATE_KEY, STATUS_BY_KEY } from '../actions/state-keys.js';
import { imageOf, stateOwner, watchImage } from '../actions/resource-keys.js';
import { currentIncident } from '../incidents/model.js';
import { incidentCardActions } from '../slack/messages/incident-controls.js';
import { incidentTopLine } from '../slack/messages/incident-top-line.js';
import type { Clock } from '../util/clock.js';

export const NEW_FINDING_STATUS = 'New — no action taken yet';

/**
 * What the card shows besides the finding: the status line, the buttons that apply to this
 * finding now (button values are the card's opaque key), and facts learnt by actions.
 */
/** Whether the app acts in an account and Region (false: no AWS step is offered), and its name. */
export type ActsIn = (accountId: string, region: string) => { actsIn?: boolean; name?: string; why?: string };

export function createCardView(catalog: ReadonlyMap<ActionId, ActionDefinition>, store: Store, clock: Pick<Clock, 'now'>, actsIn?: ActsIn) {
  return async (record: FindingRecord, finding: Finding): Promise<CardView> => {
    const incidents = await store.incidentsForFinding(record.findingId);
    const incident = currentIncident(incidents);
    const timeline = incident ? await store.incidentEvents(incident.id) : [];
    // Containment is the resource's: every card about it reads the same record (actions/resource-keys.ts).
    const isolation = await store.getFindingState<{ active?: boolean; by?: string; fromFinding?: string; incomplete?: string[] }>(
      stateOwner(finding, record.findingId, ISOLATION_STATE_KEY),
      ISOLATION_STATE_KEY,
    );
    const facts = (await store.getFindingState<Record<string, string>>(record.findingId, CARD_FACTS_KEY)) ?? {};
    const statusBy = await store.getFindingState<string>(record.findingId, STATUS_BY_KEY);
    const revoked = await store.getFindingState<{ active?: boolean }>(
      stateOwner(finding, record.findingId, INSTANCE_PROFILE_STATE_KEY),
      INSTANCE_PROFILE_STATE_KEY,
    );
    const sharedFacts: Record<string, string> =
      isolation?.active && isolation.fromFinding && isolation.fromFinding !== record.findingId
        ? { Isolation: `isolated by Slack user ${isolation.by ?? 'unknown'} from the card of finding ${isolation.fromFinding}` }
        : {};
    // The image's quarantine is the image's (any finding on the same digest): say who and where.
    if (imageOf(finding)) {
      await watchImage(store, finding, record.findingId, clock.now());
      const q = await store.getFindingState<{ savedBy?: string; fromFinding?: string }>(
        stateOwner(finding, record.findingId, IMAGE_EVIDENCE_KEY),
        IMAGE_EVIDENCE_KEY,
      );
      if (q?.fromFinding && q.fromFinding !== record.findingId)
        sharedFacts.Image = `quarantined (deleted from ECR) by Slack user ${q.savedBy ?? 'unknown'} from the card of finding ${q.fromFinding}`;
    }
    const state = {
      isolated: isolation?.active === true,
      isolationIncomplete: isolation?.active === true && (isolation.incomplete?.length ?? 0) > 0,
      credentialsRevoked: revoked?.active === true,
    };
    const account = actsIn?.(finding.accountId, finding.region);
    // Outside the allowlists every step would be refused by the client factory: offer none.
    const steps = [...catalog.values()]
      .filter((d) => account?.actsIn !== false && d.appliesTo(finding, state))
      .map((d) => ({ actionId: `${CARD_ACTION_PREFIX}${d.id}`, text: d.label, value: record.cardKey, ...(d.style ? { style: d.style } : {}) }));
    return {
      status: record.statusText ?? NEW_FINDING_STATUS,
      ...(statusBy ? { statusBy } : {}),
      ...(incident ? { topLine: incidentTopLine(incident, timeline, clock.now()) } : {}),
      actions: [...(incident ? incidentCardActions(incident) : []), ...steps],
      facts: Object.entries({ ...facts, ...sharedFacts }).map(([label, value]) => ({ label, value })),
      ...(account ? { account } : {}),
    };
  };
}
