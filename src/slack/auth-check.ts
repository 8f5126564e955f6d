/**
 * The start-up `auth.test` check, explained. @slack/web-api tells the cases apart by error code:
 * Slack answered and refused the token (`slack_webapi_platform_error`, e.g. `invalid_auth`), or
 * Slack was never reached / answered with an HTTP error (`slack_webapi_request_error`,
 * `slack_webapi_http_error`: DNS, proxy, firewall, an outage). Only the first is a token problem.
 */

export type AuthCheckFailureKind = 'token_rejected' | 'slack_unreachable' | 'rate_limited' | 'unknown';

export interface AuthCheckFailure {
  kind: AuthCheckFailureKind;
  /** One log line for the operator: what failed and what to do. */
  message: string;
}

export function explainAuthTestFailure(err: unknown): AuthCheckFailure {
  const e = (err ?? {}) as { code?: unknown; data?: { error?: unknown }; statusCode?: unknown; original?: { message?: unknown } };
  switch (e.code) {
    case 'slack_webapi_platform_error': {
      const reason = typeof e.data?.error === 'string' ? e.data.error : 'refused';
      return {
        kind: 'token_rejected',
        message: `Slack rejected SLACK_BOT_TOKEN (${reason}): cards cannot be posted until it is fixed (copy the Bot User OAuth Token, xoxb-…, again)`,
      };
    }
    case 'slack_webapi_request_error': {
      const why = typeof e.original?.message === 'string' ? `: ${e.original.message}` : '';
      return {
        kind: 'slack_unreachable',
        message: `Slack is unreachable${why}; the token was not checked. Check DNS, proxy and firewall (outbound HTTPS to slack.com); cards are posted once Slack answers`,
      };
    }
    case 'slack_webapi_http_error':
      return {
        kind: 'slack_unreachable',
        message: `Slack answered HTTP ${String(e.statusCode ?? '?')}; the token was not checked. Slack or a proxy on the way is failing; cards are posted once Slack answers`,
      };
    case 'slack_webapi_rate_limited':
      return { kind: 'rate_limited', message: 'Slack rate-limited the token check; the token was not checked' };
    default:
      return { kind: 'unknown', message: 'Slack token check failed: cards may not be posted until this is fixed' };
  }
}
