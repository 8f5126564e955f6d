/**
 * From SNS to a Slack card over real HTTP: the app on a loopback port, SNS messages signed with a
 * test key whose certificate is served on loopback, and a loopback Slack Web API double.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, beforeEach, describe, test } from 'node:test';
import { waitUntil } from '../helpers/ecs-world.js';
import { startHarness, TOPIC_ARN, CHANNEL, BOT_TOKEN, SIGNING_SECRET, type Harness } from '../helpers/harness.js';
import type { EditableJson } from '../fixtures/findings/load.js';

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../fixtures/findings/${name}`, import.meta.url), 'utf8')) as EditableJson;
const fargateEvent = () => fixture('eventbridge-ecs-fargate.json');

function withUpdate(event: EditableJson, count: number, updatedAt: string) {
  const e = structuredClone(event);
  e.detail.service.count = count;
  e.detail.updatedAt = updatedAt;
  return e;
}

describe('SNS → card', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  const done = async () => h.close();

  test('a new finding posts exactly one card in the configured channel', async (t) => {
    t.after(done);
    const res = await h.publish(fargateEvent());
    assert.equal(res.status, 200);
    await h.settle();
    const posts = h.slack.callsTo('chat.postMessage');
    assert.equal(posts.length, 1);
    assert.equal(posts[0]!.args.channel, CHANNEL);
    const blocks = JSON.stringify(posts[0]!.args.blocks);
    assert.match(blocks, /prod-payments/);
    assert.match(blocks, /8f3e2d1c0b9a48f7a6e5d4c3b2a19f8e/);
  });

  test('the same MessageId delivered twice posts once', async (t) => {
    t.after(done);
    const a = await h.publish(fargateEvent(), { messageId: 'dup-1' });
    const b = await h.publish(fargateEvent(), { messageId: 'dup-1' });
    assert.equal(a.status, 200);
    assert.equal(b.status, 200);
    await h.settle();
    assert.equal(h.slack.callsTo('chat.postMessage').length, 1);
  });

  test('a re-published finding updates the card and adds one thread reply, never a second card', async (t) => {
    t.after(done);
    await h.publish(fargateEvent());
    await h.settle();
    const card = h.slack.callsTo('chat.postMessage')[0]!;
    const ts = h.slack.calls.length;
    void ts;
    await h.publish(withUpdate(fargateEvent(), 7, '2024-05-02T11:30:00.000Z'));
    await h.settle();
    const updates = h.slack.callsTo('chat.update');
    assert.equal(updates.length, 1);
    const posts = h.slack.callsTo('chat.postMessage');
    assert.equal(posts.length, 2, 'the card plus one thread reply');
    const reply = posts[1]!;
    const cardTs = updates[0]!.args.ts;
    assert.equal(reply.args.thread_ts, cardTs);
    assert.match(String(reply.args.text) + JSON.stringify(reply.args.blocks), /7/);
    assert.equal(updates[0]!.args.channel, card.args.channel);
    // An older copy arriving late changes nothing.
    await h.publish(withUpdate(fargateEvent(), 5, '2024-05-02T11:00:00.000Z'));
    await h.settle();
    assert.equal(h.slack.callsTo('chat.update').length, 1);
    assert.equal(h.slack.callsTo('chat.postMessage').length, 2);
  });

  test('Slack down at arrival: SNS still gets 200 and the card is posted once Slack is back', async (t) => {
    t.after(done);
    h.slack.failNext({ status: 500 }, 2);
    h.slack.failNext({ status: 429, retryAfter: 30 }, 1);
    const res = await h.publish(fargateEvent());
    assert.equal(res.status, 200);
    await h.settle();
    const posts = h.slack.callsTo('chat.postMessage');
    assert.equal(posts.filter((c) => c.ts).length, 1, 'one card posted once Slack was back');
    // Three refused calls first: a refused post may still have been accepted (a 500), so the
    // retries look for it (conversations.history, by the post's client id) before posting again.
    assert.deepEqual(
      h.slack.calls.map((c) => c.method),
      ['chat.postMessage', 'conversations.history', 'conversations.history', 'conversations.history', 'chat.postMessage'],
      'three refused calls (post 500, lookup 500, lookup 429), then the lookup finds no card and the post succeeds',
    );
    // Backoff honoured Slack's Retry-After.
    assert.ok(
      h.clock.sleeps.some((ms) => ms >= 30_000),
      `sleeps: ${h.clock.sleeps.join(',')}`,
    );
    await h.publish(fargateEvent(), { messageId: 'again' });
    await h.settle();
    assert.equal(h.slack.callsTo('chat.postMessage').length, posts.length, 'no second card after recovery');
  });

  test('a restart with accepted-but-unposted messages posts them', async (t) => {
    t.after(done);
    h.slack.setDown({ status: 500 });
    assert.equal((await h.publish(fargateEvent())).status, 200);
    assert.equal((await h.publish(fixture('eventbridge-ecs-fargate.json'), { messageId: 'second-delivery' })).status, 200);
    // Crash while Slack is down: close stops the worker with the messages still pending.
    await h.responder.close();
    const before = h.slack.calls.length;
    h.slack.setDown(undefined);
    await h.restart();
    await h.settle();
    const posted = h.slack.calls.slice(before).filter((c) => c.method === 'chat.postMessage');
    assert.equal(posted.length, 1, 'one card for the finding, posted after the restart');
  });

  test('health check answers 200 while serving', async (t) => {
    t.after(done);
    const res = await fetch(`${h.url}/healthz`);
    assert.equal(res.status, 200);
  });

  test('logs carry the finding id and never the bot token, signing secret or SNS signature', async (t) => {
    t.after(done);
    await h.publish(fargateEvent());
    await h.settle();
    const all = h.logs.join('');
    assert.match(all, /c2c6f0b7e1a94d0f8a5f2e6d4b3a1c90/);
    // The card's log line carries the finding id and the id of the SNS request that stored it.
    const accepted = h.logs.map((l) => JSON.parse(l) as Record<string, string>).find((l) => l.msg === 'notification accepted');
    const posted = h.logs.map((l) => JSON.parse(l) as Record<string, string>).find((l) => l.msg === 'card posted');
    assert.ok(accepted?.reqId && posted?.reqId === accepted.reqId && posted.findingId === 'c2c6f0b7e1a94d0f8a5f2e6d4b3a1c90');
    assert.ok(!all.includes(BOT_TOKEN));
    assert.ok(!all.includes(SIGNING_SECRET));
    const sig = JSON.parse(JSON.stringify(h.signer.notification({ topicArn: TOPIC_ARN, certUrl: h.certs.certUrl, message: 'x' }))).Signature as string;
    assert.ok(!all.includes(sig.slice(0, 40)));
  });
});

describe('SNS refusals: right status, nothing stored, nothing posted', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => h.close());

  const signed = (overrides: Record<string, string> = {}, message: unknown = fargateEvent()) => {
    const env = h.signer.notification({ topicArn: TOPIC_ARN, certUrl: h.certs.certUrl, message }) as unknown as Record<string, string>;
    return { ...env, ...overrides };
  };

  // Cards only: a foreign topic also alerts the channel (tested in ingest-sns-hardening.test.ts).
  const cards = () => h.slack.calls.filter((c) => !/SNS message from an unknown topic/.test(String(c.args.text)));

  async function expectRefused(body: string, status: number) {
    const before = cards().length;
    const res = await h.postSns(body);
    assert.equal(res.status, status);
    await h.settle();
    assert.equal(cards().length, before, 'nothing posted');
  }

  test('a forged signature → 403', async () => {
    const env = signed();
    env.Message = env.Message!.replace('prod-payments', 'prod-evil');
    await expectRefused(JSON.stringify(env), 403);
  });

  test('a foreign topic (genuinely signed) → 403', async () => {
    const env = h.signer.notification({ topicArn: 'arn:aws:sns:us-east-1:999999999999:attacker', certUrl: h.certs.certUrl, message: fargateEvent() });
    await expectRefused(JSON.stringify(env), 403);
  });

  for (const [name, mutate] of [
    ['sns.s3-… host', () => 'https://sns.s3-us-east-1.amazonaws.com/SimpleNotificationService-0123abcd.pem'],
    ['a query string', () => `${h.certs.certUrl}?x=1`],
    ['a port', () => h.certs.certUrl.replace(/:(\d+)\//, ':1$1/')],
  ] as const) {
    test(`a bad certificate URL (${name}) → 403 and no download`, async () => {
      const requests = h.certs.certificateRequests;
      const env = h.signer.notification({ topicArn: TOPIC_ARN, certUrl: mutate(), message: fargateEvent() });
      await expectRefused(JSON.stringify(env), 403);
      assert.equal(h.certs.certificateRequests, requests);
    });
  }

  test('a stale timestamp → 403', async () => {
    const env = h.signer.notification({
      topicArn: TOPIC_ARN,
      certUrl: h.certs.certUrl,
      message: fargateEvent(),
      timestamp: new Date(h.clock.now() - 3 * 3600_000),
    });
    await expectRefused(JSON.stringify(env), 403);
  });

  test('a body that is not JSON → 400', async () => {
    await expectRefused('this is not json', 400);
  });

  test('an oversized body → 413', async () => {
    await expectRefused('x'.repeat(1024 * 1024 + 10), 413);
  });

  test('the app keeps serving after refusals', async () => {
    assert.equal((await h.publish(fargateEvent())).status, 200);
    await h.settle();
    assert.equal(cards().filter((c) => c.method === 'chat.postMessage').length, 1);
  });
});

describe('subscriptions and routing', () => {
  test('a SubscriptionConfirmation is confirmed only for an allowed topic', async (t) => {
    const h = await startHarness();
    t.after(() => h.close());
    const ok = h.signer.subscriptionConfirmation({ topicArn: TOPIC_ARN, certUrl: h.certs.certUrl, token: 'tok-1' });
    assert.equal((await h.postSns(JSON.stringify(ok))).status, 200);
    assert.equal(h.certs.apiConfirmations.length, 1, 'confirmed through the SNS API (ConfirmSubscription)');
    const foreign = h.signer.subscriptionConfirmation({ topicArn: 'arn:aws:sns:us-east-1:999999999999:other', certUrl: h.certs.certUrl, token: 'tok-2' });
    assert.equal((await h.postSns(JSON.stringify(foreign))).status, 403);
    assert.equal(h.certs.apiConfirmations.length + h.certs.confirmations.length, 1);
  });

  test('below MIN_SEVERITY is stored but not posted; the severity map picks the channel', async (t) => {
    const h = await startHarness({ env: { MIN_SEVERITY: 'high', SLACK_CHANNEL_BY_SEVERITY: 'critical=C0CRITICAL' } });
    t.after(() => h.close());
    const medium = fargateEvent();
    medium.detail.severity = 5;
    medium.detail.id = 'medium-finding-1';
    const critical = fargateEvent();
    critical.detail.severity = 9.5;
    critical.detail.id = 'critical-finding-1';
    await h.publish(medium);
    await h.publish(critical);
    await h.settle();
    const posts = h.slack.callsTo('chat.postMessage');
    assert.equal(posts.length, 1);
    assert.equal(posts[0]!.args.channel, 'C0CRITICAL');
    assert.ok(await h.responder.store.getFinding('medium-finding-1'), 'the medium finding is stored');
  });
});

describe('a channel the bot cannot post in', () => {
  test('blocks only the cards routed there: other findings are posted meanwhile, and the stuck card is posted once the bot is invited', async (t) => {
    const h = await startHarness({ env: { SLACK_CHANNEL_BY_SEVERITY: 'critical=C0NOTINVITED' } });
    t.after(() => h.close());
    h.slack.notInChannel.add('C0NOTINVITED');
    const critical = fargateEvent();
    critical.detail.severity = 9.5;
    critical.detail.id = 'critical-finding-stuck';
    // Another resource (an EC2 instance), so it does not join the stuck finding's incident.
    const high = fixture('instance-ec2-runtime.json');
    high.severity = 8;
    assert.equal((await h.publish(critical)).status, 200);
    assert.equal((await h.publish(high)).status, 200);
    const posted = () => h.slack.callsTo('chat.postMessage').filter((c) => c.ts);
    // The worker keeps retrying the stuck card with backoff (instant on the test clock), so wait
    // for what must happen rather than for the inbox to be idle.
    await waitUntil('the high finding posted and done', async () => posted().length === 1 && (await h.responder.store.pendingMessages(10)).length === 1);
    assert.deepEqual(
      posted().map((c) => c.args.channel),
      [CHANNEL],
      'the high finding went out although the critical one is stuck',
    );
    assert.equal((await h.responder.store.pendingMessages(10)).length, 1, 'the critical message is kept');
    assert.ok(
      h.slack.callsTo('chat.postMessage').some((c) => c.args.channel === 'C0NOTINVITED' && !c.ts),
      'it was tried',
    );

    h.slack.notInChannel.delete('C0NOTINVITED');
    await waitUntil('the critical card posted once the bot is invited', () => posted().length === 2);
    await h.settle();
    assert.deepEqual(
      posted()
        .map((c) => c.args.channel)
        .sort(),
      ['C0NOTINVITED', CHANNEL].sort(),
    );
  });
});
