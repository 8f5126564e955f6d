/**
 * Signed Slack requests that are not for this installation (issue 9, items 4 and 5): another
 * workspace, Enterprise Grid org, app or channel, and timestamps from the future. Each is signed
 * with the right secret, as Slack (or a replay of Slack) would send it; none may open a modal,
 * answer a command with anything but a refusal, or reach AWS.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { CARD_ACTION_PREFIX } from '../../src/slack/messages/action-messages.js';
import { REFUSED_FOREIGN_REQUEST } from '../../src/slack-verify/guard.js';
import { IDENTITY_RETRY_MS } from '../../src/slack-verify/identity.js';
import { ecsFindingEvent, publishFinding, RESPONDER, startEcsWorld, type EcsWorld } from '../helpers/ecs-world.js';
import { SIGNING_SECRET, type Harness } from '../helpers/harness.js';
import { slashForm } from '../helpers/incident-world.js';
import { cardButtons, cardOf } from '../helpers/slack-interactions.js';

async function world(env: Record<string, string> = {}) {
  const w = await startEcsWorld({ env });
  const img = w.aws.seed.image({ repository: 'shop', tag: '1.0' });
  const task = w.aws.seed.fargateTask({ cluster: 'prod', service: 'checkout', image: img.uri, digest: img.digest });
  const { event, findingId } = ecsFindingEvent({ taskArn: task.taskArn, clusterArn: task.clusterArn, image: img.uri });
  await publishFinding(w.h, event);
  return { w, findingId, task };
}

/** The parts of a block_actions payload the cases below replace. */
interface ClickPayload {
  type: 'block_actions';
  team: { id: string; domain: string; enterprise_id?: string };
  enterprise?: { id: string; name?: string };
  user: { id: string; username: string; team_id: string };
  api_app_id: string;
  token: string;
  trigger_id: string;
  channel: { id: string; name: string };
  container: { type: 'message'; channel_id: string; message_ts: string };
  actions: { type: 'button'; action_id: string; block_id: string; value: string; action_ts: string }[];
  response_url: string;
}

/** A "Stop task" click on the card, as Slack sends it, with parts of the payload replaced. */
async function stopClick(h: Harness, findingId: string, patch: (p: ClickPayload) => void = () => undefined): Promise<ClickPayload> {
  const button = (await cardButtons(h, findingId)).find((b) => b.action_id === `${CARD_ACTION_PREFIX}stop_task`)!;
  const { channel, ts } = await cardOf(h, findingId);
  const payload: ClickPayload = {
    type: 'block_actions',
    team: { id: 'T0TEST', domain: 'test' },
    user: { id: RESPONDER, username: 'responder', team_id: 'T0TEST' },
    api_app_id: 'A0TEST',
    token: 'legacy-verification-token',
    trigger_id: `trigger-${Math.random()}`,
    channel: { id: channel, name: 'security' },
    container: { type: 'message', channel_id: channel, message_ts: ts },
    actions: [{ type: 'button', action_id: button.action_id, block_id: 'gd_actions', value: button.value, action_ts: `${Date.now() / 1000}` }],
    response_url: 'https://hooks.slack.invalid/actions/T0TEST/1/x',
  };
  patch(payload);
  return payload;
}

function signed(h: Harness, body: string, contentType: string, ts = Math.floor(Date.now() / 1000)): Promise<Response> {
  const sig = `v0=${createHmac('sha256', SIGNING_SECRET).update(`v0:${ts}:${body}`).digest('hex')}`;
  return fetch(`${h.url}/slack/events`, {
    method: 'POST',
    headers: { 'content-type': contentType, 'x-slack-request-timestamp': String(ts), 'x-slack-signature': sig },
    body,
  });
}
const sendPayload = (h: Harness, payload: unknown, ts?: number) =>
  signed(h, new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), 'application/x-www-form-urlencoded', ts);

function refusals(h: Harness): { actor: string; detail: { code: string; reason: string } }[] {
  const db = new Database(h.dbPath, { readonly: true, fileMustExist: true });
  try {
    return (
      db.prepare('SELECT actor, detail_json FROM audit WHERE event = ? ORDER BY id').all(REFUSED_FOREIGN_REQUEST) as { actor: string; detail_json: string }[]
    ).map((r) => ({
      actor: r.actor,
      detail: JSON.parse(r.detail_json) as { code: string; reason: string },
    }));
  } finally {
    db.close();
  }
}

async function assertNothingHappened(w: EcsWorld, before: { views: number }) {
  await w.h.settle();
  assert.equal(w.h.slack.callsTo('views.open').length, before.views, 'no modal opened');
  assert.equal(w.aws.callsTo('ecs:StopTask').length, 0, 'no AWS call');
}

test('a signed click from another workspace, app, Enterprise Grid org or channel opens no modal, is audited, and the same click from home still works', async (t) => {
  const { w, findingId } = await world();
  t.after(() => w.close());
  const { h } = w;
  const cases: [string, (p: ClickPayload) => void][] = [
    [
      'foreign_team',
      (p) => {
        p.team.id = 'T0EVIL';
        p.user.team_id = 'T0EVIL';
      },
    ],
    [
      'foreign_team',
      (p) => {
        p.user.team_id = 'T0PARTNER';
      },
    ], // a Slack Connect guest from another org
    [
      'foreign_app',
      (p) => {
        p.api_app_id = 'A0OTHERAPP';
      },
    ],
    [
      'foreign_enterprise',
      (p) => {
        p.enterprise = { id: 'E0OTHER', name: 'other' };
        p.team.enterprise_id = 'E0OTHER';
      },
    ],
    [
      'foreign_channel',
      (p) => {
        p.channel.id = 'C0RANDOM';
        p.container.channel_id = 'C0RANDOM';
      },
    ],
  ];
  // auth.test named no Enterprise Grid org: a request naming one is not ours.
  const before = { views: h.slack.callsTo('views.open').length };
  for (const [code, patch] of cases) {
    const res = await sendPayload(h, await stopClick(h, findingId, patch));
    assert.equal(res.status, 200, 'acknowledged (Slack would otherwise show an error and retry)');
    await assertNothingHappened(w, before);
    assert.equal(refusals(h).at(-1)?.detail.code, code);
  }
  const audited = refusals(h);
  assert.equal(audited.length, cases.length, 'every refusal audited');
  assert.deepEqual(
    audited.map((a) => a.actor),
    cases.map(() => RESPONDER),
  );
  assert.match(audited[0]!.detail.reason, /another Slack workspace \(T0EVIL\)/);
  assert.match(audited[2]!.detail.reason, /another Slack app \(A0OTHERAPP\)/);
  assert.match(audited[4]!.detail.reason, /does not serve channel C0RANDOM/);

  const ok = await sendPayload(h, await stopClick(h, findingId));
  assert.equal(ok.status, 200);
  await h.settle();
  assert.equal(h.slack.callsTo('views.open').length, before.views + 1, 'the genuine click opens the confirmation');
});

test('with SLACK_ENTERPRISE_ID set, a request from another org is refused as foreign_enterprise', async (t) => {
  const { w, findingId } = await world({ SLACK_ENTERPRISE_ID: 'E0HOME' });
  t.after(() => w.close());
  const before = { views: w.h.slack.callsTo('views.open').length };
  await sendPayload(
    w.h,
    await stopClick(w.h, findingId, (p) => {
      p.enterprise = { id: 'E0OTHER' };
    }),
  );
  await assertNothingHappened(w, before);
  assert.equal(refusals(w.h).at(-1)?.detail.code, 'foreign_enterprise');
});

test('slash commands: another workspace or a channel the app does not serve get an ephemeral refusal and nothing runs; DMs and allowed channels work', async (t) => {
  const { w, task } = await world();
  t.after(() => w.close());
  const { h } = w;
  const form = (o: { team?: string; channel?: string; app?: string }) => {
    const f = slashForm(h, { text: `stop ${task.taskArn}`, user: RESPONDER, channel: o.channel ?? 'C0SECURITY' });
    if (o.team) f.team_id = o.team;
    if (o.app) f.api_app_id = o.app;
    return new URLSearchParams(f).toString();
  };
  for (const [o, pattern] of [
    [{ team: 'T0EVIL' }, /another Slack workspace/],
    [{ app: 'A0OTHER' }, /another Slack app/],
    [{ channel: 'C0ELSEWHERE' }, /does not serve channel C0ELSEWHERE/],
  ] as const) {
    const res = await signed(h, form(o), 'application/x-www-form-urlencoded');
    assert.equal(res.status, 200);
    const body = (await res.json()) as { response_type: string; text: string };
    assert.equal(body.response_type, 'ephemeral');
    assert.match(body.text, /Refused/);
    assert.match(body.text, pattern);
    await h.settle();
  }
  assert.equal(h.slack.callsTo('views.open').length, 0);
  assert.equal(h.slack.callsTo('response_url').length, 0, 'the command handler never ran');
  assert.equal(refusals(h).length, 3);

  const dm = await signed(h, form({ channel: 'DRESPONDER' }), 'application/x-www-form-urlencoded');
  assert.equal(dm.status, 200);
  await dm.text();
  await h.settle();
  assert.equal(h.slack.callsTo('views.open').length, 1, 'a DM with the app is its own channel: the stop confirmation opens');
});

test('an Events API callback from another workspace is dropped (no App Home published) and audited', async (t) => {
  const { w } = await world();
  t.after(() => w.close());
  const { h } = w;
  const event = (team: string) =>
    JSON.stringify({
      token: 'x',
      team_id: team,
      api_app_id: 'A0TEST',
      type: 'event_callback',
      event_id: `Ev${team}`,
      event_time: Math.floor(Date.now() / 1000),
      event: { type: 'app_home_opened', user: 'U0VISITOR', channel: 'DVISITOR', tab: 'home', event_ts: `${Date.now() / 1000}` },
      authorizations: [{ enterprise_id: null, team_id: team, user_id: 'UBOT', is_bot: true, is_enterprise_install: false }],
    });
  assert.equal((await signed(h, event('T0EVIL'), 'application/json')).status, 200);
  await h.settle();
  assert.equal(h.slack.callsTo('views.publish').length, 0);
  assert.equal(refusals(h).at(-1)?.detail.code, 'foreign_team');
  assert.equal((await signed(h, event('T0TEST'), 'application/json')).status, 200);
  await h.settle();
  assert.equal(h.slack.callsTo('views.publish').length, 1, 'our own workspace still gets its Home');
});

test('while the app cannot learn its workspace (auth.test failing, SLACK_TEAM_ID unset) every click is refused; once auth.test answers, clicks work', async (t) => {
  const w = await startEcsWorld({});
  t.after(() => w.close());
  const { h, aws } = w;
  const img = aws.seed.image({ repository: 'shop', tag: '1.0' });
  const task = aws.seed.fargateTask({ cluster: 'prod', service: 'checkout', image: img.uri, digest: img.digest });
  const { event, findingId } = ecsFindingEvent({ taskArn: task.taskArn, clusterArn: task.clusterArn, image: img.uri });
  await publishFinding(h, event);
  // A restart whose auth.test fails (token revoked, Slack down for the app).
  h.slack.authTest.team_id = undefined as unknown as string;
  await h.restart();
  await sendPayload(h, await stopClick(h, findingId));
  await h.settle();
  assert.equal(h.slack.callsTo('views.open').length, 0);
  assert.equal(refusals(h).at(-1)?.detail.code, 'identity_unknown');
  assert.match(refusals(h).at(-1)!.detail.reason, /could not yet confirm which Slack workspace/);

  h.slack.authTest.team_id = 'T0TEST';
  h.clock.advance(IDENTITY_RETRY_MS + 1);
  await sendPayload(h, await stopClick(h, findingId));
  await h.settle();
  assert.equal(h.slack.callsTo('views.open').length, 1);
});

test('SLACK_TEAM_ID set: a click from that workspace works without auth.test, another is refused', async (t) => {
  const { w, findingId } = await world({ SLACK_TEAM_ID: 'T0TEST', SLACK_APP_ID: 'A0TEST' });
  t.after(() => w.close());
  await sendPayload(
    w.h,
    await stopClick(w.h, findingId, (p) => {
      p.team.id = 'T0EVIL';
    }),
  );
  await w.h.settle();
  assert.equal(w.h.slack.callsTo('views.open').length, 0);
  await sendPayload(w.h, await stopClick(w.h, findingId));
  await w.h.settle();
  assert.equal(w.h.slack.callsTo('views.open').length, 1);
});

test('a correctly signed click timestamped 60 min in the future is refused with 401 and opens nothing; 4 min ahead (clock skew) is accepted', async (t) => {
  const { w, findingId } = await world();
  t.after(() => w.close());
  const { h } = w;
  const now = Math.floor(Date.now() / 1000);
  const future = await sendPayload(h, await stopClick(h, findingId), now + 60 * 60);
  assert.equal(future.status, 401);
  assert.match(await future.text(), /in the future/);
  const past = await sendPayload(h, await stopClick(h, findingId), now - 60 * 60);
  assert.equal(past.status, 401, 'the past stays refused (Bolt)');
  await h.settle();
  assert.equal(h.slack.callsTo('views.open').length, 0, 'no modal');
  const skewed = await sendPayload(h, await stopClick(h, findingId), now + 4 * 60);
  assert.equal(skewed.status, 200);
  await h.settle();
  assert.equal(h.slack.callsTo('views.open').length, 1);
});
