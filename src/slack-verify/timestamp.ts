/**
 * Slack's replay rule, both ways. Bolt's ExpressReceiver refuses a request whose
 * `X-Slack-Request-Timestamp` is more than 5 minutes in the past, but accepts any timestamp in
 * the future (node_modules/@slack/bolt/dist/receivers/ExpressReceiver.js, verifyRequestSignature),
 * so a captured-and-post-dated request stays replayable. This runs before Bolt on the Slack
 * route; the signature itself stays Bolt's constant-time check.
 */
import type { RequestHandler } from 'express';

/** The same 5 minutes Bolt uses for the past. */
export const SLACK_MAX_CLOCK_SKEW_SEC = 5 * 60;

export function refuseFutureSlackTimestamps(
  opts: { now?: () => number; onRefused?: (detail: { timestamp: number; aheadSec: number }) => void } = {},
): RequestHandler {
  // Bolt compares with Date.now(); so must we, or the two windows would disagree.
  const now = opts.now ?? Date.now;
  return (req, res, next) => {
    const raw = req.headers['x-slack-request-timestamp'];
    const ts = typeof raw === 'string' && /^\d{1,12}$/.test(raw) ? Number(raw) : undefined;
    // Missing or malformed: Bolt refuses those itself, with its own message.
    if (ts === undefined) return next();
    const aheadSec = ts - Math.floor(now() / 1000);
    if (aheadSec > SLACK_MAX_CLOCK_SKEW_SEC) {
      opts.onRefused?.({ timestamp: ts, aheadSec });
      res.status(401).type('text/plain').send('Slack request refused: X-Slack-Request-Timestamp is more than 5 minutes in the future');
      return;
    }
    next();
  };
}
