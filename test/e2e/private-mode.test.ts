/**
 * Private mode end to end: findings from an SQS queue (the loopback SQS double, real SQSClient)
 * and Slack over Socket Mode (the loopback Socket Mode double, real Bolt SocketModeReceiver):
 * only outbound connections, /healthz the only listener.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { waitUntil } from '../helpers/ecs-world.js';
import { startHarness, CHANNEL, SQS_QUEUE, SQS_DLQ, SQS_MAX_RECEIVE, type Harness } from '../helpers/harness.js';
import { cardButtons } from '../helpers/slack-interactions.js';
import { answerBodies, slashForm } from '../helpers/incident-world.js';
import type { EditableJson } from '../fixtures/findings/load.js';

const fargateEvent = () => JSON.parse(readFileSync(new URL('../fixtures/findings/eventbridge-ecs-fargate.json', import.meta.url), 'utf8')) as EditableJson;
const RESPONDER = 'U0RESPONDER';

async function cardsPosted(h: Harness, n: number) {
  await waitUntil(`${n} card(s)`, async () => {
    await h.settle();
    return h.slack.callsTo('chat.postMessage').filter((c) => c.args.channel === CHANNEL).length >= n;
  });
}

/** Lets the SQS poller go round a few times (real long polls on the double are capped at 50 ms). */
async function pollerRounds(h: Harness, rounds = 3) {
  const start = h.sqs!.callsTo('ReceiveMessage').length;
  await waitUntil('receive calls', () => h.sqs!.callsTo('ReceiveMessage').length >= start + rounds);
  await h.settle();
}

describe('findings from SQS', () => {
  test('a finding through SQS posts one card; the same event again posts none; the queue is emptied', async (t) => {
    const h = await startHarness({ sqs: true, noSns: true });
    t.after(() => h.close());
    h.sqs!.send(SQS_QUEUE, fargateEvent());
    await cardsPosted(h, 1);
    h.sqs!.send(SQS_QUEUE, fargateEvent()); // EventBridge delivered it twice: same event id
    await waitUntil('queue empty', () => h.sqs!.queue(SQS_QUEUE).messages.length === 0);
    await pollerRounds(h);
    assert.equal(h.slack.callsTo('chat.postMessage').length, 1);
    const post = h.slack.callsTo('chat.postMessage')[0]!;
    assert.match(JSON.stringify(post.args.blocks), new RegExp(fargateEvent().detail.type.split('/')[0]));
    assert.equal(h.sqs!.queue(SQS_DLQ).messages.length, 0);
  });

  test('a finding from a Region outside AWS_REGIONS through SQS is stored and carded like on the SNS path: the card says the app does not act there, no step', async (t) => {
    const h = await startHarness({ sqs: true, noSns: true, env: { AWS_REGIONS: 'eu-west-1' } });
    t.after(() => h.close());
    const event = fargateEvent();
    assert.notEqual(event.detail.region, 'eu-west-1');
    h.sqs!.send(SQS_QUEUE, event);
    await cardsPosted(h, 1);
    await waitUntil('queue empty', () => h.sqs!.queue(SQS_QUEUE).messages.length === 0);
    assert.match(JSON.stringify(h.slack.callsTo('chat.postMessage')[0]!.args.blocks), /does not act in this account or Region/);
    assert.deepEqual(await cardButtons(h, event.detail.id), [], 'no step button');
    assert.ok(await h.responder.store.getFinding(event.detail.id), 'stored');
    assert.equal(h.sqs!.queue(SQS_DLQ).messages.length, 0);
  });

  test('an SNS envelope through SQS (no raw delivery) posts the card too', async (t) => {
    const h = await startHarness({ sqs: true });
    t.after(() => h.close());
    h.sqs!.send(SQS_QUEUE, {
      Type: 'Notification',
      MessageId: 'sns-1',
      TopicArn: 'arn:aws:sns:us-east-1:123456789012:gd',
      Message: JSON.stringify(fargateEvent()),
    });
    await cardsPosted(h, 1);
    assert.equal((await h.responder.store.getMessage('sns-1'))?.state, 'done');
  });

  test('a poison message reaches the dead-letter queue after maxReceiveCount; no card, logged once', async (t) => {
    const h = await startHarness({ sqs: true, noSns: true });
    t.after(() => h.close());
    const id = h.sqs!.send(SQS_QUEUE, { 'detail-type': 'EC2 Instance State-change Notification', source: 'aws.ec2', detail: { state: 'running' } });
    for (let i = 1; i <= SQS_MAX_RECEIVE; i++) {
      await waitUntil(`receive ${i}`, () => h.sqs!.queue(SQS_QUEUE).messages[0]?.receiveCount === i);
      h.clock.advance(31_000); // its visibility timeout passes
      h.sqs!.wake();
    }
    await waitUntil('moved to the DLQ', () => h.sqs!.queue(SQS_DLQ).messages.length === 1);
    assert.equal(h.sqs!.queue(SQS_DLQ).messages[0]!.messageId, id);
    await h.settle();
    assert.equal(h.slack.callsTo('chat.postMessage').length, 0);
    assert.equal(h.logs.filter((l) => l.includes('not a finding')).length, 1);
  });

  test('SQS only: POST /sns answers 404, /healthz 200', async (t) => {
    const h = await startHarness({ sqs: true, noSns: true });
    t.after(() => h.close());
    assert.equal((await h.postSns('{}')).status, 404);
    assert.equal((await fetch(`${h.url}/healthz`)).status, 200);
  });
});

describe('Slack over Socket Mode', () => {
  test('only outbound: POST /slack/events answers 404; the app token opened the link', async (t) => {
    const h = await startHarness({ sqs: true, noSns: true, socketMode: true });
    t.after(() => h.close());
    assert.equal((await h.slackRequest({ payload: '{}' })).status, 404);
    assert.equal((await h.postSns('{}')).status, 404);
    assert.equal(h.socket!.connections, 1);
    assert.match(h.socket!.opens[0]!.authorization, /^Bearer xapp-/);
  });

  test('a card button click and a slash command over the socket are acked and handled, across a disconnect and a dropped link', async (t) => {
    const h = await startHarness({ sqs: true, noSns: true, socketMode: true, env: { RESPONDER_USER_IDS: RESPONDER } });
    t.after(() => h.close());
    const socket = h.socket!;
    h.sqs!.send(SQS_QUEUE, fargateEvent());
    await cardsPosted(h, 1);

    // A click: acked on the socket, then the confirmation opens with its trigger_id.
    const [button] = await cardButtons(h, fargateEvent().detail.id);
    assert.ok(button, 'the card has buttons');
    const click = socket.send('interactive', blockAction(button.action_id, button.value, 'trigger-click-1'));
    const clickAck = await socket.waitForAck(click);
    assert.equal(clickAck.connection, 1);

    // Slack recycles the link in the middle: the client reconnects through apps.connections.open.
    socket.disconnect('refresh_requested');
    await socket.waitForConnection(2);
    await waitUntil('confirmation opened', async () => {
      await h.settle();
      return h.slack.callsTo('views.open').some((c) => c.args.trigger_id === 'trigger-click-1');
    });

    // A slash command on the new link: acked there and answered at its response_url.
    const form = slashForm(h, { text: 'help', user: RESPONDER, id: 'cmd-socket-1' });
    const cmd = socket.send('slash_commands', form);
    assert.equal((await socket.waitForAck(cmd)).connection, 2);
    await waitUntil('help answered', async () => {
      await h.settle();
      return answerBodies(h, 'cmd-socket-1').length === 1;
    });

    // Network loss without a word: the client notices the closed link and reconnects.
    socket.drop();
    await socket.waitForConnection(3);
    const again = socket.send('slash_commands', slashForm(h, { text: 'help', user: RESPONDER, id: 'cmd-socket-2' }));
    assert.equal((await socket.waitForAck(again)).connection, 3);
    await waitUntil('second help answered', async () => {
      await h.settle();
      return answerBodies(h, 'cmd-socket-2').length === 1;
    });
    // Every envelope acked exactly once; nothing handled twice.
    assert.equal(socket.acks.length, 3);
    assert.equal(h.slack.callsTo('views.open').filter((c) => c.args.trigger_id === 'trigger-click-1').length, 1);
    assert.equal(socket.opens.length, 3);
  });
});

test('Slack failing apps.connections.open during a reconnect does not end Socket Mode: the client retries', async (t) => {
  const h = await startHarness({ noSns: true, sqs: true, socketMode: true });
  t.after(() => h.close());
  h.slack.failNext({ status: 500 });
  h.socket!.drop();
  await h.socket!.waitForConnection(2);
  assert.equal(h.slack.callsTo('apps.connections.open').length, 3, 'first link, the failed open (500), the retry that worked');
  assert.equal(h.socket!.opens.length, 2);
  const id = h.socket!.send('slash_commands', slashForm(h, { text: 'help', user: RESPONDER, id: 'cmd-after-retry' }));
  assert.equal((await h.socket!.waitForAck(id)).connection, 2);
});

function blockAction(actionId: string, value: string, triggerId: string) {
  return {
    type: 'block_actions',
    team: { id: 'T0TEST', domain: 'test' },
    user: { id: RESPONDER, username: 'responder', team_id: 'T0TEST' },
    api_app_id: 'A0TEST',
    token: 'legacy-verification-token',
    trigger_id: triggerId,
    channel: { id: CHANNEL, name: 'security' },
    container: { type: 'message', channel_id: CHANNEL, message_ts: '1.1' },
    actions: [{ type: 'button', action_id: actionId, block_id: 'gd_actions', value, action_ts: `${Date.now() / 1000}` }],
    response_url: 'https://hooks.slack.invalid/actions/T0TEST/1/x',
  };
}
