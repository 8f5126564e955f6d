/**
 * Making SNS events that mean "someone is probing" or "the subscription is gone" visible to the
 * team, not just a warn log: one message to the alert channel, at most one per kind per
 * SNS_ALERT_WINDOW_MS (a flood of forged messages must not become a flood of Slack posts).
 *
 * The foreign-topic alerts fire before any signature check (foreign topics are refused without
 * a fetch), so the message says it was not verified; every value from the message is escaped.
 */
import type { KnownBlock } from '@slack/web-api';
import { escapeTruncate, flatten } from '../cards/escape.js';
import type { Logger } from '../log.js';

/** At most one alert of each kind in this window. */
export const SNS_ALERT_WINDOW_MS = 10 * 60 * 1000;

export type SnsSuspiciousKind = 'foreign_topic_notification' | 'foreign_topic_confirmation' | 'unsubscribed';

export interface SnsSuspiciousEvent {
  kind: SnsSuspiciousKind;
  /** As written in the message (unverified for the foreign-topic kinds). */
  topicArn: string;
  /** The message's Type (foreign-topic confirmations can be Subscription- or UnsubscribeConfirmation). */
  messageType: string;
}

export interface SnsAlertMessage {
  text: string;
  blocks: KnownBlock[];
}

/** Pure: the Slack message for one event. */
export function snsAlertMessage(event: SnsSuspiciousEvent, windowMs = SNS_ALERT_WINDOW_MS): SnsAlertMessage {
  const topic = `\`${escapeTruncate(flatten(event.topicArn), 300)}\``;
  const type = escapeTruncate(flatten(event.messageType), 40);
  const quiet = `Further alerts of this kind are held for ${Math.round(windowMs / 60_000)} minutes.`;
  let text: string;
  if (event.kind === 'unsubscribed') {
    text =
      `:rotating_light: *SNS subscription removed* for ${topic}: a signed UnsubscribeConfirmation arrived. ` +
      `Findings from this topic stop arriving until the endpoint is subscribed again (SNS console → the topic → Create subscription, protocol HTTPS, this app's /sns URL). ` +
      `If nobody here unsubscribed it, someone used the subscription's UnsubscribeURL.`;
  } else {
    const what = event.kind === 'foreign_topic_notification' ? 'A Notification' : `A ${type}`;
    text =
      `:warning: *SNS message from an unknown topic refused*: ${what} for ${topic}, which is not in SNS_TOPIC_ARNS. ` +
      `Nothing was stored or confirmed and the message was not verified further. ` +
      `Someone may be probing this endpoint, or a topic is missing from SNS_TOPIC_ARNS.`;
  }
  text += ` ${quiet}`;
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
}

export interface SnsAlerterDeps {
  now: () => number;
  post: (message: SnsAlertMessage) => Promise<unknown>;
  logger: Logger;
  windowMs?: number;
}

/** Returns the `onSuspicious` callback for the SNS route: rate-limited per kind, never throws. */
export function createSnsAlerter(deps: SnsAlerterDeps): (event: SnsSuspiciousEvent) => void {
  const windowMs = deps.windowMs ?? SNS_ALERT_WINDOW_MS;
  const last = new Map<SnsSuspiciousKind, number>();
  return (event) => {
    const now = deps.now();
    const previous = last.get(event.kind);
    if (previous !== undefined && now - previous < windowMs) return;
    last.set(event.kind, now);
    deps.post(snsAlertMessage(event, windowMs)).catch((err: unknown) => {
      // The alert is best effort: the warn log of the event itself is still written.
      deps.logger.warn({ kind: event.kind, err: String(err) }, 'could not post the SNS alert to Slack');
    });
  };
}
