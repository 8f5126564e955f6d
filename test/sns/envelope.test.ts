import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isAppError } from '../../src/errors.js';
import { MAX_SNS_BODY_BYTES, parseEnvelope } from '../../src/sns/envelope.js';
import { stringToSign } from '../../src/sns/string-to-sign.js';
import { CERT_URL, TOPIC } from './support.js';

const notification = {
  Type: 'Notification',
  MessageId: '22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324',
  TopicArn: TOPIC,
  Subject: 'My First Message',
  Message: 'Hello world!',
  Timestamp: '2012-05-02T00:54:06.655Z',
  SignatureVersion: '1',
  Signature: 'EXAMPLEw6JRN==',
  SigningCertURL: CERT_URL,
  UnsubscribeURL: 'https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=arn',
};

const confirmation = {
  Type: 'SubscriptionConfirmation',
  MessageId: '165545c9-2a5c-472c-8df2-7ff2be2b3b1b',
  Token:
    '2336412f37fb687f5d51e6e241d09c805a5a57b30d712f794cc5f6a988666d92768dd60a747ba6f3beb71854e285d6ad02428b09ceece29417f1f02d609c582afbacc99c583a916b9981dd2728f4ae6fdb82efd087cc3b7849e05798d2d2785c03b0879594eeac82c01f235d0e717736',
  TopicArn: TOPIC,
  Message: 'You have chosen to subscribe to the topic. To confirm the subscription, visit the SubscribeURL included in this message.',
  SubscribeURL: 'https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=x&Token=2336412f37',
  Timestamp: '2012-04-26T20:45:04.751Z',
  SignatureVersion: '1',
  Signature: 'EXAMPLEpH+==',
  SigningCertURL: CERT_URL,
};

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return isAppError(err) ? err.code : 'not-an-app-error';
  }
  return undefined;
}

describe('parseEnvelope', () => {
  test('parses the three SNS message types', () => {
    assert.equal(parseEnvelope(JSON.stringify(notification)).Type, 'Notification');
    assert.equal(parseEnvelope(JSON.stringify(confirmation)).Type, 'SubscriptionConfirmation');
    const unsub = parseEnvelope(JSON.stringify({ ...confirmation, Type: 'UnsubscribeConfirmation' }));
    assert.equal(unsub.Type, 'UnsubscribeConfirmation');
  });

  test('keeps Subject when present and drops it when absent or null', () => {
    const env = parseEnvelope(JSON.stringify(notification));
    assert.equal(env.Type === 'Notification' && env.Subject, 'My First Message');
    const { Subject: _s, ...noSubject } = notification;
    assert.ok(!('Subject' in parseEnvelope(JSON.stringify(noSubject))));
    assert.ok(!('Subject' in parseEnvelope(JSON.stringify({ ...notification, Subject: null }))));
  });

  test('drops fields SNS does not sign or we do not use', () => {
    const env = parseEnvelope(JSON.stringify({ ...notification, Extra: 'x' }));
    assert.ok(!('Extra' in env));
  });

  test('non-JSON, non-object and missing Type are sns_body_invalid', () => {
    assert.equal(
      code(() => parseEnvelope('not json')),
      'sns_body_invalid',
    );
    assert.equal(
      code(() => parseEnvelope('')),
      'sns_body_invalid',
    );
    assert.equal(
      code(() => parseEnvelope('[1,2]')),
      'sns_body_invalid',
    );
    assert.equal(
      code(() => parseEnvelope('null')),
      'sns_body_invalid',
    );
    assert.equal(
      code(() => parseEnvelope('"Notification"')),
      'sns_body_invalid',
    );
    assert.equal(
      code(() => parseEnvelope('{}')),
      'sns_body_invalid',
    );
  });

  test('an unknown Type is sns_type_unsupported', () => {
    assert.equal(
      code(() => parseEnvelope(JSON.stringify({ ...notification, Type: 'Other' }))),
      'sns_type_unsupported',
    );
  });

  for (const field of ['MessageId', 'TopicArn', 'Message', 'Timestamp', 'SignatureVersion', 'Signature', 'SigningCertURL']) {
    test(`Notification without ${field} is sns_body_invalid and names the field`, () => {
      const body: Record<string, unknown> = { ...notification };
      delete body[field];
      try {
        parseEnvelope(JSON.stringify(body));
        assert.fail('expected a throw');
      } catch (err) {
        assert.ok(isAppError(err, 'sns_body_invalid'));
        assert.deepEqual(err.context.fields, [field]);
      }
    });
  }

  for (const field of ['Token', 'SubscribeURL', 'SigningCertURL']) {
    test(`SubscriptionConfirmation without ${field} is sns_body_invalid`, () => {
      const body: Record<string, unknown> = { ...confirmation };
      delete body[field];
      assert.equal(
        code(() => parseEnvelope(JSON.stringify(body))),
        'sns_body_invalid',
      );
    });
  }

  test('wrongly typed fields are sns_body_invalid', () => {
    assert.equal(
      code(() => parseEnvelope(JSON.stringify({ ...notification, Message: 42 }))),
      'sns_body_invalid',
    );
    assert.equal(
      code(() => parseEnvelope(JSON.stringify({ ...notification, SignatureVersion: 1 }))),
      'sns_body_invalid',
    );
    assert.equal(
      code(() => parseEnvelope(JSON.stringify({ ...notification, Subject: ['x'] }))),
      'sns_body_invalid',
    );
    assert.equal(
      code(() => parseEnvelope(JSON.stringify({ ...notification, MessageId: '' }))),
      'sns_body_invalid',
    );
  });

  test('line breaks in SNS-generated fields are refused (keeps the string to sign unambiguous)', () => {
    assert.equal(
      code(() => parseEnvelope(JSON.stringify({ ...notification, MessageId: 'a\nTopicArn' }))),
      'sns_body_invalid',
    );
    assert.equal(
      code(() => parseEnvelope(JSON.stringify({ ...notification, TopicArn: `${TOPIC}\r` }))),
      'sns_body_invalid',
    );
    // Message and Subject are free text and may contain newlines.
    assert.equal(parseEnvelope(JSON.stringify({ ...notification, Message: 'a\nb', Subject: 'c\nd' })).Message, 'a\nb');
  });

  test(`MAX_SNS_BODY_BYTES is 1 MiB and larger bodies are sns_body_too_large`, () => {
    assert.equal(MAX_SNS_BODY_BYTES, 1024 * 1024);
    const padded = JSON.stringify({ ...notification, Message: 'x'.repeat(MAX_SNS_BODY_BYTES) });
    assert.equal(
      code(() => parseEnvelope(padded)),
      'sns_body_too_large',
    );
    // Counted in UTF-8 bytes, not UTF-16 code units.
    const multiByte = JSON.stringify({ ...notification, Message: 'é'.repeat(MAX_SNS_BODY_BYTES / 2) });
    assert.ok(multiByte.length < MAX_SNS_BODY_BYTES + 1000 && Buffer.byteLength(multiByte) > MAX_SNS_BODY_BYTES);
    assert.equal(
      code(() => parseEnvelope(multiByte)),
      'sns_body_too_large',
    );
  });

  test('error messages carry field names, never values', () => {
    try {
      parseEnvelope(JSON.stringify({ ...notification, Signature: 42, Message: 'secret-ish' }));
      assert.fail('expected a throw');
    } catch (err) {
      assert.ok(isAppError(err));
      assert.doesNotMatch(err.message + JSON.stringify(err.context), /secret-ish|42/);
    }
  });
});

describe('stringToSign', () => {
  test('Notification: Message, MessageId, Subject, Timestamp, TopicArn, Type as Key\\nValue\\n', () => {
    const env = parseEnvelope(JSON.stringify(notification));
    assert.equal(
      stringToSign(env),
      'Message\nHello world!\nMessageId\n22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324\nSubject\nMy First Message\n' +
        `Timestamp\n2012-05-02T00:54:06.655Z\nTopicArn\n${TOPIC}\nType\nNotification\n`,
    );
  });

  test('Notification without Subject leaves the key out entirely', () => {
    const { Subject: _s, ...noSubject } = notification;
    assert.doesNotMatch(stringToSign(parseEnvelope(JSON.stringify(noSubject))), /Subject/);
  });

  test('confirmations: Message, MessageId, SubscribeURL, Timestamp, Token, TopicArn, Type', () => {
    const env = parseEnvelope(JSON.stringify(confirmation));
    const keys = stringToSign(env)
      .split('\n')
      .filter((_, i) => i % 2 === 0 && i < 14);
    assert.deepEqual(keys, ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type']);
    assert.ok(stringToSign(env).endsWith('Type\nSubscriptionConfirmation\n'));
  });
});
