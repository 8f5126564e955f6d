/**
 * The answer to `/guardduty sample`: what was asked of GuardDuty, where, and what to expect.
 * Pure; the text is our own (finding types are GuardDuty's fixed names), escaped anyway.
 */
import { context, section } from '../../cards/blocks.js';
import { safeText } from '../../cards/escape.js';
import type { SlackMessage } from '../../cards/finding-card.js';

export interface SampleRequest {
  accountId: string;
  region: string;
  detectorId: string;
  findingTypes: readonly string[];
  requestIds: readonly string[];
}

export function sampleFindingsMessage(r: SampleRequest): SlackMessage {
  const types = r.findingTypes.map((t) => `• \`${safeText(t, 100)}\``).join('\n');
  const text = `:test_tube: Asked GuardDuty for ${r.findingTypes.length} Runtime Monitoring sample finding(s) in account ${r.accountId} ${r.region} (detector ${safeText(r.detectorId, 64)}):`;
  return {
    text,
    blocks: [
      section('gd_sample_requested', `${text}\n${types}`),
      context('gd_sample_next', [
        'They travel the same path as real findings (EventBridge → SNS/SQS) and arrive as cards marked SAMPLE within a few minutes. ' +
          `Their resource ids are fake, so no step acts on them. Request ids: ${r.requestIds.map((x) => safeText(x, 80)).join(', ') || 'none'}.`,
      ]),
    ],
  };
}

export function sampleFindingsFailedMessage(why: string): SlackMessage {
  const text = `:warning: GuardDuty sample findings were not created: ${safeText(why, 600)}`;
  return { text, blocks: [section('gd_sample_failed', text)] };
}
