import type { KnownBlock } from '@slack/types';
import type { SlackMessage } from '../../cards/finding-card.js';
import { escapeMrkdwn } from '../../cards/escape.js';
import type { SuppressionProposal } from '../../incidents/close-out.js';
import type { Incident } from '../../incidents/model.js';

export const CREATE_SUPPRESSION_ACTION_ID = 'gd_create_suppression';

/** The proposed GuardDuty suppression rule, for a responder to confirm with one click. */
export function suppressionProposalMessage(incident: Incident, p: SuppressionProposal): SlackMessage {
  const criteria = Object.entries(p.criteria)
    .map(([k, c]) => `• \`${escapeMrkdwn(k)}\` = ${(c.Equals ?? []).map((v) => `\`${escapeMrkdwn(String(v)).replace(/`/g, 'ˋ')}\``).join(' or ')}`)
    .join('\n');
  const blocks: KnownBlock[] = [
    {
      type: 'section',
      block_id: 'gd_supp_text',
      text: {
        type: 'mrkdwn',
        text: `:mute: *Proposed suppression rule* \`${escapeMrkdwn(p.name)}\` (archives future findings that match all of):\n${criteria}`.slice(0, 2900),
      },
    },
    {
      type: 'actions',
      block_id: 'gd_supp_actions',
      elements: [
        {
          type: 'button',
          action_id: CREATE_SUPPRESSION_ACTION_ID,
          text: { type: 'plain_text', text: 'Create this suppression rule' },
          value: incident.id,
          style: 'danger',
        },
      ],
    },
  ];
  return { text: `Proposed suppression rule ${p.name}`, blocks };
}
