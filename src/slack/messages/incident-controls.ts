/**
 * The incident's buttons (Take it, Follow, Close…, False positive…) and the modal that asks for
 * the reason when closing. Button values carry only the incident id: it is resolved on the
 * server and every click is authorized there, never trusted as data.
 */
import type { ActionsBlock, KnownBlock, ModalView } from '@slack/types';
import { actions, button, section } from '../../cards/blocks.js';
import { safeText } from '../../cards/escape.js';
import type { CardAction } from '../../cards/finding-card.js';
import { MAX_REASON_LENGTH } from '../../incidents/lifecycle.js';
import { isClosed, normaliseIncidentId, type Incident } from '../../incidents/model.js';

export const INCIDENT_ACTION_IDS = {
  take: 'gd_inc_take',
  /** Toggles: follows, or unfollows a user who already follows. */
  follow: 'gd_inc_follow',
  close: 'gd_inc_close',
  falsePositive: 'gd_inc_fp',
} as const;

export const CLOSE_MODAL_CALLBACK_ID = 'gd_inc_close_modal';
export const CLOSE_REASON_BLOCK_ID = 'gd_inc_reason';
export const SUPPRESS_BLOCK_ID = 'gd_inc_suppress';
/** action_id of every input element in the close modal. */
export const INPUT_ACTION_ID = 'value';

export type CloseKind = 'resolve' | 'false_positive';

/** The buttons for an incident, as card actions (the finding card shows them before its own). */
export function incidentCardActions(incident: Incident): CardAction[] {
  if (isClosed(incident.state)) return [{ actionId: INCIDENT_ACTION_IDS.follow, text: 'Follow', value: incident.id }];
  return [
    ...(incident.assignee ? [] : [{ actionId: INCIDENT_ACTION_IDS.take, text: 'Take it', value: incident.id, style: 'primary' as const }]),
    { actionId: INCIDENT_ACTION_IDS.follow, text: 'Follow', value: incident.id },
    { actionId: INCIDENT_ACTION_IDS.close, text: 'Close…', value: incident.id },
    { actionId: INCIDENT_ACTION_IDS.falsePositive, text: 'False positive…', value: incident.id },
  ];
}

export function incidentActionsBlock(incident: Incident, blockId = 'gd_inc_actions'): ActionsBlock {
  return actions(
    blockId,
    incidentCardActions(incident).map((a) => button({ actionId: a.actionId, text: a.text, value: a.value, ...(a.style ? { style: a.style } : {}) })),
  );
}

/** private_metadata of the close modal: which incident, and how it is being closed. */
export function closeModalMetadata(incidentId: string, kind: CloseKind): string {
  return JSON.stringify({ incidentId, kind });
}

export function parseCloseModalMetadata(metadata: string): { incidentId: string; kind: CloseKind } | undefined {
  try {
    const v = JSON.parse(metadata) as { incidentId?: unknown; kind?: unknown };
    const id = typeof v.incidentId === 'string' ? normaliseIncidentId(v.incidentId) : undefined;
    if (!id || (v.kind !== 'resolve' && v.kind !== 'false_positive')) return undefined;
    return { incidentId: id, kind: v.kind };
  } catch {
    return undefined;
  }
}

export function closeIncidentModal(incident: Incident, kind: CloseKind): ModalView {
  const fp = kind === 'false_positive';
  const blocks: KnownBlock[] = [
    section(
      'gd_inc_close_intro',
      fp
        ? `Mark *${incident.id}* as a *false positive*: _${safeText(incident.title, 300)}_\nIts findings are archived in GuardDuty and NOT_USEFUL feedback is sent, with your reason as the comment.`
        : `Close *${incident.id}* as *resolved*: _${safeText(incident.title, 300)}_`,
    ),
    {
      type: 'input',
      block_id: CLOSE_REASON_BLOCK_ID,
      label: { type: 'plain_text', text: fp ? 'Why is this a false positive?' : 'How was it resolved?' },
      element: { type: 'plain_text_input', action_id: INPUT_ACTION_ID, multiline: true, max_length: MAX_REASON_LENGTH },
    },
  ];
  if (fp) {
    blocks.push({
      type: 'input',
      block_id: SUPPRESS_BLOCK_ID,
      optional: true,
      label: { type: 'plain_text', text: 'Suppression rule' },
      element: {
        type: 'checkboxes',
        action_id: INPUT_ACTION_ID,
        // Option text and description: 75 characters each.
        options: [
          {
            text: { type: 'plain_text', text: 'Propose a suppression rule for findings like these' },
            description: { type: 'plain_text', text: 'You review and confirm the rule in the thread' },
            value: 'propose',
          },
        ],
      },
    });
  }
  return {
    type: 'modal',
    callback_id: CLOSE_MODAL_CALLBACK_ID,
    private_metadata: closeModalMetadata(incident.id, kind),
    title: { type: 'plain_text', text: fp ? 'False positive' : 'Close incident' },
    submit: { type: 'plain_text', text: fp ? 'Mark false positive' : 'Close' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks,
  };
}
