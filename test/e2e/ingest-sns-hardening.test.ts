/**
 * Issue 9 items 11–14 over real HTTP: the type header, SignatureVersion 1, confirming with the
 * SNS API (and the GET fallback), and alerts to the team for foreign topics and unsubscriptions.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { waitUntil } from '../helpers/ecs-world.js';
import { CHANNEL, TOPIC_ARN, startHarness, type Harness } from '../helpers/harness.js';

const event = () => JSON.parse(readFileSync(new URL('../fixtures/findings/eventbridge-ecs-fargate.json', import.meta.url), 'utf8')) as unknown;
const FOREIGN = 'arn:aws:sns:us-east-1:999999999999:attacker';

describe('SNS over HTTP: type header, signature version, confirmation', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => h.close());

  test('item 12: a Notification whose x-amz-sns-message-type says otherwise → 400, nothing stored or posted', async () => {
    const env = h.signer.notification({ topicArn: TOPIC_ARN, certUrl: h.certs.certUrl, message: event() });
    const res = await h.postSns(JSON.stringify(env), 'SubscriptionConfirmation');
    assert.equal(res.status, 400);
    await h.settle();
    assert.equal((await h.responder.store.pendingMessages(10)).length, 0);
    assert.equal(h.slack.callsTo('chat.postMessage').length, 0);
    // A confirmation sent as "Notification" is not confirmed either.
    const conf = h.signer.subscriptionConfirmation({ topicArn: TOPIC_ARN, certUrl: h.certs.certUrl });
    assert.equal((await h.postSns(JSON.stringify(conf), 'Notification')).status, 400);
    assert.equal(h.certs.confirmations.length + h.certs.apiConfirmations.length, 0);
    // The same Notification with the right header is accepted.
    assert.equal((await h.postSns(JSON.stringify(env), 'Notification')).status, 200);
  });

  test('item 11: a SignatureVersion 1 message is refused by default (403)', async () => {
    const env = h.signer.notification({ topicArn: TOPIC_ARN, certUrl: h.certs.certUrl, message: event(), version: 1 });
    assert.equal((await h.postSns(JSON.stringify(env))).status, 403);
  });

  test('item 13: a SubscriptionConfirmation is confirmed with ConfirmSubscription, AuthenticateOnUnsubscribe=true, no GET', async () => {
    const conf = h.signer.subscriptionConfirmation({ topicArn: TOPIC_ARN, certUrl: h.certs.certUrl, token: 'tok-api' });
    assert.equal((await h.postSns(JSON.stringify(conf))).status, 200);
    assert.deepEqual(h.certs.apiConfirmations, [{ topicArn: TOPIC_ARN, token: 'tok-api', authenticateOnUnsubscribe: 'true' }]);
    assert.equal(h.certs.confirmations.length, 0, 'the SubscribeURL was not fetched');
    assert.ok(h.logs.some((l) => /"via":"api"/.test(l) && /subscription confirmed/.test(l)));
  });

  test('item 13: without sns:ConfirmSubscription the app falls back to the SubscribeURL GET, and says why', async () => {
    h.certs.denyConfirmSubscription = true;
    const conf = h.signer.subscriptionConfirmation({ topicArn: TOPIC_ARN, certUrl: h.certs.certUrl, token: 'tok-get' });
    assert.equal((await h.postSns(JSON.stringify(conf))).status, 200);
    assert.equal(h.certs.apiConfirmations.length, 0);
    assert.equal(h.certs.confirmations.length, 1);
    assert.match(h.certs.confirmations[0]!, /Token=tok-get/);
    assert.ok(h.logs.some((l) => /ConfirmSubscription API call failed/.test(l) && /AuthorizationError/.test(l)));
  });
});

describe('SNS_REQUIRE_SIGNATURE_V2=false', () => {
  test('item 11: accepts a SignatureVersion 1 message', async (t) => {
    const h = await startHarness({ env: { SNS_REQUIRE_SIGNATURE_V2: 'false' } });
    t.after(() => h.close());
    const env = h.signer.notification({ topicArn: TOPIC_ARN, certUrl: h.certs.certUrl, message: event(), version: 1 });
    assert.equal((await h.postSns(JSON.stringify(env))).status, 200);
  });
});

describe('item 14: foreign topics and unsubscriptions reach the alert channel, rate-limited', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => h.close());

  const alerts = () => h.slack.callsTo('chat.postMessage').filter((c) => c.args.channel === CHANNEL && /SNS/.test(String(c.args.text)));
  const settleAlerts = async (n: number) => {
    await waitUntil(`${n} alerts`, () => alerts().length >= n);
    await h.settle();
    assert.equal(alerts().length, n);
  };

  test('a foreign-topic Notification: 403 and one alert; a flood within 10 minutes adds none; later ones alert again', async () => {
    const foreign = () => h.signer.notification({ topicArn: FOREIGN, certUrl: h.certs.certUrl, message: event() });
    assert.equal((await h.postSns(JSON.stringify(foreign()))).status, 403);
    await settleAlerts(1);
    const text = String(alerts()[0]!.args.text);
    assert.match(text, /unknown topic/);
    assert.ok(text.includes(FOREIGN));
    for (let i = 0; i < 5; i++) assert.equal((await h.postSns(JSON.stringify(foreign()))).status, 403);
    await h.settle();
    assert.equal(alerts().length, 1, 'rate-limited');
    h.clock.advance(10 * 60 * 1000 + 1);
    assert.equal((await h.postSns(JSON.stringify(foreign()))).status, 403);
    await settleAlerts(2);
  });

  test('a foreign-topic SubscriptionConfirmation: 403, not confirmed, one alert of its own kind', async () => {
    assert.equal((await h.postSns(JSON.stringify(h.signer.notification({ topicArn: FOREIGN, certUrl: h.certs.certUrl, message: event() })))).status, 403);
    await settleAlerts(1);
    const conf = h.signer.subscriptionConfirmation({ topicArn: FOREIGN, certUrl: h.certs.certUrl });
    assert.equal((await h.postSns(JSON.stringify(conf))).status, 403);
    await settleAlerts(2);
    assert.match(String(alerts()[1]!.args.text), /SubscriptionConfirmation/);
    assert.equal(h.certs.confirmations.length + h.certs.apiConfirmations.length, 0);
  });

  test('an UnsubscribeConfirmation of our topic: 200 and an alert that the subscription is gone', async () => {
    const unsub = h.signer.unsubscribeConfirmation({ topicArn: TOPIC_ARN, certUrl: h.certs.certUrl });
    assert.equal((await h.postSns(JSON.stringify(unsub))).status, 200);
    await settleAlerts(1);
    assert.match(String(alerts()[0]!.args.text), /subscription removed/);
    assert.ok(String(alerts()[0]!.args.text).includes(TOPIC_ARN));
  });

  test('the alert escapes what the sender wrote (no mention can be injected)', async () => {
    const env = h.signer.notification({ topicArn: 'arn:aws:sns:us-east-1:999999999999:<!channel>', certUrl: h.certs.certUrl, message: event() });
    assert.equal((await h.postSns(JSON.stringify(env))).status, 403);
    await settleAlerts(1);
    const all = JSON.stringify(alerts()[0]!.args);
    assert.ok(!all.includes('<!channel>'));
    assert.ok(all.includes('&lt;!channel&gt;'));
  });
});
