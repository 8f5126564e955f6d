import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { isAppError } from '../../src/errors.js';
import type { SnsEnvelope } from '../../src/sns/envelope.js';
import { SIGNATURE_DIGESTS, verifySignature } from '../../src/sns/signature.js';
import { createSnsSigner } from '../helpers/sns-signer.js';
import { CERT_URL, NOW, TOPIC } from './support.js';

const signer = createSnsSigner({ now: () => NOW });
const cert = new X509Certificate(signer.certificatePem);

function failure(env: SnsEnvelope, c: X509Certificate = cert): string | undefined {
  try {
    verifySignature(env, c);
  } catch (err) {
    assert.ok(isAppError(err, 'sns_signature_invalid'), String(err));
    // Never echo the signature itself.
    assert.ok(!err.message.includes(env.Signature) && !JSON.stringify(err.context).includes(env.Signature));
    return err.message;
  }
  return undefined;
}

const base = { topicArn: TOPIC, certUrl: CERT_URL, message: '{"detail":{"id":"abc"}}', subject: 'GuardDuty finding' };

describe('verifySignature', () => {
  test('SignatureVersion 1 is SHA1withRSA and 2 is SHA256withRSA; nothing else', () => {
    assert.deepEqual({ ...SIGNATURE_DIGESTS }, { '1': 'sha1', '2': 'sha256' });
  });

  for (const version of [1, 2] as const) {
    test(`v${version}: notifications with and without Subject verify`, () => {
      assert.equal(failure(signer.notification({ ...base, version })), undefined);
      const { subject: _s, ...noSubject } = base;
      assert.equal(failure(signer.notification({ ...noSubject, version })), undefined);
    });

    test(`v${version}: subscription and unsubscribe confirmations verify`, () => {
      assert.equal(failure(signer.subscriptionConfirmation({ topicArn: TOPIC, certUrl: CERT_URL, version })), undefined);
      assert.equal(failure(signer.unsubscribeConfirmation({ topicArn: TOPIC, certUrl: CERT_URL, version })), undefined);
    });

    test(`v${version}: any change to a signed field fails`, () => {
      const env = signer.notification({ ...base, version });
      assert.ok(failure({ ...env, Message: '{"detail":{"id":"abd"}}' }));
      assert.ok(failure({ ...env, Subject: 'GuardDuty finding!' }));
      assert.ok(failure({ ...env, Timestamp: new Date(NOW + 1).toISOString() }));
      assert.ok(failure({ ...env, MessageId: 'another-id' }));
      assert.ok(failure({ ...env, TopicArn: `${TOPIC}-2` }));
      const { Subject: _s, ...withoutSubject } = env;
      assert.ok(failure(withoutSubject));
      const conf = signer.subscriptionConfirmation({ topicArn: TOPIC, certUrl: CERT_URL, version });
      assert.ok(failure({ ...conf, SubscribeURL: 'https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&Token=other' }));
      assert.ok(failure({ ...conf, Token: 'other' }));
      assert.ok(failure({ ...conf, Type: 'UnsubscribeConfirmation' }));
    });
  }

  test('fields outside the string to sign may differ (SNS does not sign them)', () => {
    const env = signer.notification(base);
    assert.equal(failure({ ...env, SigningCertURL: 'https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-ff.pem' }), undefined);
  });

  test('a Subject added to a message signed without one fails', () => {
    const { subject: _s, ...noSubject } = base;
    const env = signer.notification(noSubject);
    assert.ok(failure({ ...env, Subject: 'injected' }));
  });

  test('a signature from another key fails', () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const forger = createSnsSigner({ now: () => NOW, privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string });
    assert.match(failure(forger.notification(base)) ?? '', /does not match/);
  });

  test('a v1 signature labelled v2 (and the reverse) fails', () => {
    assert.ok(failure({ ...signer.notification({ ...base, version: 1 }), SignatureVersion: '2' }));
    assert.ok(failure({ ...signer.notification({ ...base, version: 2 }), SignatureVersion: '1' }));
  });

  test('unknown SignatureVersion fails without trying a digest', () => {
    const env = signer.notification(base);
    for (const v of ['3', '0', '', '01', ' 2', 'sha256', 'toString', '__proto__']) {
      assert.match(failure({ ...env, SignatureVersion: v }) ?? '', /not supported/, JSON.stringify(v));
    }
  });

  test('a Signature that is not strict base64 fails', () => {
    const env = signer.notification(base);
    assert.match(failure({ ...env, Signature: `${env.Signature}!` }) ?? '', /base64/);
    assert.match(failure({ ...env, Signature: `${env.Signature.slice(0, 10)} ${env.Signature.slice(10)}` }) ?? '', /base64/);
    assert.ok(failure({ ...env, Signature: 'AAAA' }));
  });

  test('a certificate without an RSA key is refused', () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const fake = { publicKey } as unknown as X509Certificate;
    assert.match(failure(signer.notification(base), fake) ?? '', /RSA/);
  });
});
