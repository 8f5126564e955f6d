/**
 * The canonical string SNS signs. The field list and order are fixed by AWS per message type
 * (alphabetical); each field is written as `Key\nValue\n`.
 */
import type { SnsEnvelope } from './envelope.js';

/** Notification fields, in signing order. Subject is included only when the message has one. */
export const NOTIFICATION_SIGNED_FIELDS = ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'] as const;

/** SubscriptionConfirmation / UnsubscribeConfirmation fields, in signing order. */
export const CONFIRMATION_SIGNED_FIELDS = ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'] as const;

/** Builds the exact bytes (as a UTF-8 string) that SNS signed for this envelope. */
export function stringToSign(env: SnsEnvelope): string {
  const fields: readonly string[] = env.Type === 'Notification' ? NOTIFICATION_SIGNED_FIELDS : CONFIRMATION_SIGNED_FIELDS;
  const values = env as unknown as Record<string, unknown>;
  let out = '';
  for (const key of fields) {
    const value = values[key];
    // Only Subject is optional; parseEnvelope guarantees every other field is a string.
    if (typeof value !== 'string') continue;
    out += `${key}\n${value}\n`;
  }
  return out;
}
