/**
 * Is a correctly signed Slack request for *this* installation? A valid signature proves "from
 * Slack for an app with our signing secret", not "from our workspace, our app, a channel we
 * serve": a distributed app, a Slack Connect partner or a second install can send signed
 * requests too. Pure: the identity and the channel rule are passed in.
 */
import type { RequestOrigin } from './origin.js';
import type { SlackIdentity } from './identity.js';

export type Verdict =
  | { ok: true }
  | { ok: false; reason: string; code: 'identity_unknown' | 'foreign_app' | 'foreign_enterprise' | 'foreign_team' | 'foreign_channel' };

export async function judgeOrigin(
  origin: RequestOrigin,
  identity: SlackIdentity | undefined,
  channelAllowed: (channelId: string) => Promise<boolean>,
): Promise<Verdict> {
  if (!identity) {
    return {
      ok: false,
      code: 'identity_unknown',
      reason: 'the responder could not yet confirm which Slack workspace it is installed in (auth.test failed); try again in a minute',
    };
  }
  if (identity.appId && origin.appId !== identity.appId) {
    return { ok: false, code: 'foreign_app', reason: `the request is for another Slack app (${origin.appId ?? 'none'})` };
  }
  if (identity.enterpriseId !== undefined && origin.enterpriseIds.some((e) => e !== identity.enterpriseId)) {
    return {
      ok: false,
      code: 'foreign_enterprise',
      reason: `the request comes from another Enterprise Grid organization (${origin.enterpriseIds.join(', ')})`,
    };
  }
  if (identity.orgWide) {
    // Org-wide install: any workspace of our org, and the org must be named.
    if (!origin.enterpriseIds.includes(identity.enterpriseId ?? '')) {
      return { ok: false, code: 'foreign_enterprise', reason: 'the request names no Enterprise Grid organization this app is installed in' };
    }
  } else if (origin.teamIds.length === 0 || origin.teamIds.some((t) => t !== identity.teamId)) {
    return { ok: false, code: 'foreign_team', reason: `the request comes from another Slack workspace (${origin.teamIds.join(', ') || 'none named'})` };
  }
  // Channels only matter where a person acts (commands and interactions); modals and App Home
  // carry no channel. DMs with the app (D…) are its own.
  if (origin.kind !== 'event' && origin.channelId && !origin.channelId.startsWith('D') && !(await channelAllowed(origin.channelId))) {
    return {
      ok: false,
      code: 'foreign_channel',
      reason: `the responder does not serve channel ${origin.channelId}; use it in the channel where its cards are posted`,
    };
  }
  return { ok: true };
}
