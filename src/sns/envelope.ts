/**
 * The SNS HTTP(S) envelope: the JSON document SNS POSTs to a subscribed endpoint.
 * Parsing only checks shape (400 on failure); authenticity is checked by verify.ts.
 */
import { z } from 'zod';
import { AppError } from '../errors.js';

/**
 * Largest request body we accept. An SNS message is at most 256 KiB, but JSON escaping inside
 * the envelope can roughly double it, plus the envelope fields; 1 MiB leaves room without
 * letting anyone make us buffer or parse arbitrary amounts of data.
 */
export const MAX_SNS_BODY_BYTES = 1024 * 1024;

/** Message types SNS sends to HTTP(S) endpoints. Anything else is refused. */
export const SNS_MESSAGE_TYPES = ['Notification', 'SubscriptionConfirmation', 'UnsubscribeConfirmation'] as const;
export type SnsMessageType = (typeof SNS_MESSAGE_TYPES)[number];

interface SnsEnvelopeBase {
  readonly MessageId: string;
  readonly TopicArn: string;
  readonly Message: string;
  readonly Timestamp: string;
  readonly SignatureVersion: string;
  readonly Signature: string;
  readonly SigningCertURL: string;
}

export interface SnsNotification extends SnsEnvelopeBase {
  readonly Type: 'Notification';
  /** Absent when the publisher gave no subject (SNS then leaves it out of the string to sign). */
  readonly Subject?: string;
  readonly UnsubscribeURL?: string;
}

export interface SnsSubscriptionConfirmation extends SnsEnvelopeBase {
  readonly Type: 'SubscriptionConfirmation';
  readonly Token: string;
  readonly SubscribeURL: string;
}

export interface SnsUnsubscribeConfirmation extends SnsEnvelopeBase {
  readonly Type: 'UnsubscribeConfirmation';
  readonly Token: string;
  readonly SubscribeURL: string;
}

export type SnsConfirmation = SnsSubscriptionConfirmation | SnsUnsubscribeConfirmation;
export type SnsEnvelope = SnsNotification | SnsConfirmation;

/**
 * Fields that SNS generates (ids, ARNs, URLs, timestamps, base64) never contain a line break.
 * Refusing one keeps the `Key\nValue\n` string to sign unambiguous: no value can smuggle in
 * something that reads as another key.
 */
const singleLine = z
  .string()
  .min(1)
  .regex(/^[^\r\n]*$/);

const base = {
  MessageId: singleLine,
  TopicArn: singleLine,
  Message: z.string(),
  Timestamp: singleLine,
  SignatureVersion: singleLine,
  Signature: singleLine,
  SigningCertURL: singleLine,
};

const notificationSchema = z.object({
  ...base,
  Type: z.literal('Notification'),
  // SNS omits Subject when there is none; some senders write null. Both mean "absent".
  Subject: z.string().nullish(),
  UnsubscribeURL: singleLine.optional(),
});

const confirmationSchema = z.object({
  ...base,
  Type: z.enum(['SubscriptionConfirmation', 'UnsubscribeConfirmation']),
  Token: singleLine,
  SubscribeURL: singleLine,
});

function invalid(message: string, context: Record<string, unknown> = {}, cause?: unknown): AppError {
  return new AppError('sns_body_invalid', message, { context, cause });
}

/**
 * Parses a raw POST body into a typed envelope. Throws `sns_body_too_large`, `sns_body_invalid`
 * or `sns_type_unsupported`. Error messages name fields, never values (they may be forged, huge,
 * or the signature).
 */
export function parseEnvelope(rawBody: string): SnsEnvelope {
  if (Buffer.byteLength(rawBody, 'utf8') > MAX_SNS_BODY_BYTES) {
    throw new AppError('sns_body_too_large', `SNS body exceeds ${MAX_SNS_BODY_BYTES} bytes`);
  }
  let json: unknown;
  try {
    json = JSON.parse(rawBody);
  } catch (err) {
    throw invalid('SNS body is not JSON', {}, err);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw invalid('SNS body is not a JSON object');
  }
  const type = (json as Record<string, unknown>).Type;
  if (typeof type !== 'string') throw invalid('SNS body has no Type', { fields: ['Type'] });
  if (!(SNS_MESSAGE_TYPES as readonly string[]).includes(type)) {
    throw new AppError('sns_type_unsupported', 'SNS message type is not supported', {
      context: { type: type.slice(0, 64) },
    });
  }

  if (type === 'Notification') {
    const r = notificationSchema.safeParse(json);
    if (!r.success) throw invalid('SNS Notification has missing or invalid fields', { fields: fieldsOf(r.error) });
    const { Subject, UnsubscribeURL, ...rest } = r.data;
    return {
      ...rest,
      ...(Subject != null ? { Subject } : {}),
      ...(UnsubscribeURL !== undefined ? { UnsubscribeURL } : {}),
    };
  }
  const r = confirmationSchema.safeParse(json);
  if (!r.success) throw invalid(`SNS ${type} has missing or invalid fields`, { fields: fieldsOf(r.error) });
  return r.data;
}

function fieldsOf(error: z.ZodError): string[] {
  return [...new Set(error.issues.map((i) => i.path.join('.') || '(body)'))];
}
