/**
 * The App Home tab: the manager's view of open incidents, grouped by severity, each with state,
 * assignee, age and a link to its thread. Pure: the caller lists the open incidents, resolves
 * permalinks and publishes with `views.publish` (on app_home_opened and when an incident changes).
 *
 * Slack allows 100 blocks in a Home tab; this view keeps to the 50 blocks and the text budget of
 * a message (../../cards/limits.ts), so it can never be refused and the same list renders as the
 * `/guardduty status` answer. Hundreds of incidents end each severity group with "…and N more".
 */
import type { HomeView, KnownBlock } from '@slack/types';
import { context, divider, header } from '../../cards/blocks.js';
import { MAX_BLOCKS_PER_MESSAGE, MESSAGE_BLOCKS_TEXT_BUDGET } from '../../cards/limits.js';
import type { Incident } from '../../incidents/model.js';
import { incidentListBlocks } from './incident-list.js';
import { mention } from './incident-top-line.js';

export const HOME_HEADER_TEXT = 'GuardDuty incidents';

export interface HomeInput {
  /** Active incidents (Store.listOpenIncidents). */
  incidents: readonly Incident[];
  now: number;
  permalinkOf?: (incident: Incident) => string | undefined;
  /** The user the tab is published for: the incidents assigned to them are named at the top. */
  viewerId?: string;
}

function utcTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export function homeView(input: HomeInput): HomeView {
  const { incidents, now } = input;
  const unassigned = incidents.filter((i) => !i.assignee).length;
  const notContained = incidents.filter((i) => i.state !== 'contained').length;
  const top: KnownBlock[] = [
    header('gd_home_header', HOME_HEADER_TEXT),
    context('gd_home_counts', [`*${incidents.length}* open · *${notContained}* not contained · *${unassigned}* without assignee · as of ${utcTime(now)}`]),
  ];
  const mine = input.viewerId ? incidents.filter((i) => i.assignee === input.viewerId) : [];
  if (mine.length > 0 && mention(input.viewerId)) {
    const ids = mine
      .slice(0, 20)
      .map((i) => i.id)
      .join(', ');
    top.push(context('gd_home_mine', [`Assigned to you: ${ids}${mine.length > 20 ? ` and ${mine.length - 20} more` : ''}`]));
  }
  top.push(divider('gd_home_divider'));
  const footer: KnownBlock[] = [context('gd_home_footer', ['`/guardduty status INC-n` for the summary of one incident · `/guardduty help` for every command'])];
  const used = JSON.stringify(top).length; // generous upper bound of the text the top uses
  const list = incidentListBlocks(incidents, {
    now,
    ...(input.permalinkOf ? { permalinkOf: input.permalinkOf } : {}),
    maxBlocks: MAX_BLOCKS_PER_MESSAGE - top.length - footer.length,
    maxChars: MESSAGE_BLOCKS_TEXT_BUDGET - Math.min(used, 1500) - 300,
    blockIdPrefix: 'gd_home',
  });
  return { type: 'home', blocks: [...top, ...list, ...footer] };
}
