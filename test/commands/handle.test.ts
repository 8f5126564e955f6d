import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Effect } from '../../src/commands/effects.js';
import { handleCloseSubmission, handleCommand, handleIncidentButton, type CommandDeps } from '../../src/commands/handle.js';
import type { Finding } from '../../src/findings/model.js';
import { IncidentService } from '../../src/incidents/service.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { fakeClock } from '../helpers/clock.js';
import { fixtureFinding } from '../fixtures/findings/load.js';
import { assertWithinBlockKitLimits, messageTexts } from '../cards/limits-helper.js';

const ECS = fixtureFinding('ecs-fargate-runtime.json');
const EC2 = fixtureFinding('instance-ec2-runtime.json');
const ALICE = 'U0000ALICE';
const BOB = 'U00000BOB1';
const CHANNEL = 'C0SECURITY';

async function setup(over: Partial<CommandDeps> = {}) {
  const store = openSqliteStore('sqlite::memory:');
  const clock = fakeClock();
  const incidents = new IncidentService({ store, clock });
  const ingest = async (f: Finding) => {
    await store.upsertFinding({
      findingId: f.id,
      accountId: f.accountId,
      region: f.region,
      updatedAt: f.updatedAt,
      count: f.count,
      severity: f.severity,
      findingJson: JSON.stringify(f),
      createdAt: clock.now(),
    });
    const r = await incidents.recordFinding(f);
    await incidents.setThread(r.incident!.id, CHANNEL, `17000000${r.incident!.id.slice(4)}.000100`);
  };
  await ingest(ECS);
  await ingest(EC2);
  const deps: CommandDeps = {
    store,
    incidents,
    clock,
    permalinkOf: async (i) => (i.threadTs ? `https://example.slack.com/archives/${i.channel}/p${i.threadTs.replace('.', '')}` : undefined),
    ...over,
  };
  return { store, clock, incidents, deps };
}

const kinds = (effects: Effect[]) => effects.map((e) => e.kind);
const replyText = (effects: Effect[]) =>
  effects
    .filter((e): e is Extract<Effect, { kind: 'reply' }> => e.kind === 'reply')
    .map((e) => messageTexts(e.message).join('\n'))
    .join('\n');

function assertMessagesValid(effects: Effect[]): void {
  for (const e of effects) if (e.kind === 'reply' || e.kind === 'thread' || e.kind === 'dm') assertWithinBlockKitLimits(e.message);
}

test('help and bad input answer only the caller; nothing else happens', async () => {
  const { deps } = await setup();
  const help = await handleCommand(deps, 'help', { userId: ALICE });
  assert.deepEqual(kinds(help), ['reply']);
  const bad = await handleCommand(deps, 'isolate arn:aws:ecs:us-east-1:123456789012:cluster/prod', { userId: ALICE, channelId: 'C0OTHER' });
  assert.deepEqual(kinds(bad), ['reply']);
  assert.match(replyText(bad), /Nothing was done:.*cluster ARN/);
  assert.match(replyText(bad), /Usage:.*\/guardduty isolate TASK_ARN/);
  assertMessagesValid([...help, ...bad]);
});

test('a remediation command opens the same confirmation as the card button (same card key and action id)', async () => {
  const { deps, store } = await setup();
  const effects = await handleCommand(deps, `isolate ${ECS.ecs!.taskArn}`, { userId: ALICE, channelId: 'C0OTHER' });
  const record = await store.getFinding(ECS.id);
  assert.deepEqual(effects[0], { kind: 'open_action', findingId: ECS.id, cardKey: record!.cardKey, actionId: 'isolate_task', incidentId: 'INC-1' });
  assert.match(
    replyText(effects),
    /isolate: progress and the result — will be posted in <https:\/\/example\.slack\.com\/archives\/C0SECURITY\/p\d+\|INC-1's thread>/,
  );
  const unknown = await handleCommand(deps, 'isolate i-0fffffffffffffff0', { userId: ALICE });
  assert.deepEqual(kinds(unknown), ['reply'], 'a resource in no finding: nothing is opened');
  const outside = await handleCommand({ ...deps, coverage: { regions: ['eu-west-1'] } }, `stop ${ECS.id}`, { userId: ALICE });
  assert.match(replyText(outside), /not covered by this responder/);
});

test('assign from another channel: thread notice, card and Home refresh, a link for the caller; followers get a DM', async () => {
  const { deps, store, clock } = await setup();
  await handleCommand(deps, 'follow INC-1', { userId: BOB });
  clock.advance(4 * 60_000);
  const effects = await handleCommand(deps, 'assign INC-1 me', { userId: ALICE, channelId: 'C0OTHER' });
  assertMessagesValid(effects);
  assert.deepEqual(kinds(effects), ['thread', 'dm', 'refresh_cards', 'refresh_home', 'reply']);
  const thread = effects[0] as Extract<Effect, { kind: 'thread' }>;
  assert.equal(thread.incidentId, 'INC-1');
  assert.equal(messageTexts(thread.message)[1], `:raising_hand: <@${ALICE}> took INC-1`);
  const dm = effects[1] as Extract<Effect, { kind: 'dm' }>;
  assert.equal(dm.userId, BOB);
  assert.match(messageTexts(dm.message).join('\n'), /is now \*Acknowledged\* \(was Open\) — by <@U0000ALICE>/);
  assert.match(messageTexts(dm.message).join('\n'), /To acknowledge 4m/, 'timings from the injected clock');
  assert.match(replyText(effects), /You took INC-1 — posted in <https:\/\/example\.slack\.com/);
  const inc = await store.getIncident('INC-1');
  assert.equal(inc?.assignee, ALICE);
  assert.equal(inc?.state, 'acknowledged');

  const again = await handleCommand(deps, `assign INC-1 <@${ALICE}|alice>`, { userId: ALICE });
  assert.deepEqual(kinds(again), ['reply']);
  assert.match(replyText(again), /:information_source: you are already the assignee of INC-1\. Nothing was changed\./);
});

test('false positive: state change, GuardDuty close-out of its findings; closing twice is refused', async () => {
  const { deps, store } = await setup();
  const effects = await handleCommand(deps, 'fp INC-1 red team exercise, ticket SEC-42', { userId: ALICE, channelId: CHANNEL });
  const closeOut = effects.find((e) => e.kind === 'guardduty_close_out');
  assert.deepEqual(closeOut, {
    kind: 'guardduty_close_out',
    incidentId: 'INC-1',
    findingIds: [ECS.id],
    reason: 'red team exercise, ticket SEC-42',
    proposeSuppression: false,
  });
  assert.equal((await store.getIncident('INC-1'))?.state, 'false_positive');
  assert.ok(!kinds(effects).includes('dm'), 'no follower, no DM');
  const twice = await handleCommand(deps, 'close INC-1 again', { userId: ALICE });
  assert.match(replyText(twice), /INC-1 is already false positive \(closed\)/);
  assert.ok(!kinds(twice).includes('guardduty_close_out'));
});

test('close needs someone to have taken it; without an id the caller is told to give one', async () => {
  const { deps } = await setup();
  assert.match(replyText(await handleCommand(deps, 'close INC-2 patched', { userId: ALICE })), /nobody has taken INC-2 yet/);
  assert.match(replyText(await handleCommand(deps, 'close patched', { userId: ALICE })), /Slack does not tell apps which thread/);
  assert.match(replyText(await handleCommand(deps, 'close INC-9 patched', { userId: ALICE })), /there is no incident INC-9/);
});

test('authorization: a refused user changes nothing', async () => {
  const { deps, store } = await setup({
    authorize: async (u) => (u === ALICE ? { allowed: true } : { allowed: false, reason: 'you are not in RESPONDER_USER_IDS' }),
  });
  const effects = await handleCommand(deps, 'assign INC-1 me', { userId: BOB });
  assert.deepEqual(kinds(effects), ['reply']);
  assert.match(replyText(effects), /:lock: You may not assign incidents: you are not in RESPONDER_USER_IDS\. Nothing was changed\./);
  assert.equal((await store.getIncident('INC-1'))?.state, 'open');
  assert.deepEqual(kinds(await handleIncidentButton(deps, 'close', 'INC-1', { userId: BOB })), ['reply']);
  assert.deepEqual(kinds(await handleIncidentButton(deps, 'close', 'INC-1', { userId: ALICE })), ['open_modal']);
});

test('status: summary in the incident channel for all, elsewhere only for the caller; without argument the open list', async () => {
  const { deps } = await setup();
  const here = await handleCommand(deps, 'status INC-1', { userId: ALICE, channelId: CHANNEL });
  assert.equal((here[0] as Extract<Effect, { kind: 'reply' }>).visibility, 'in_channel');
  assert.match(replyText(here), /\*Conditions\*[\s\S]*\*Actions\*[\s\S]*\*Needs\*/);
  const elsewhere = await handleCommand(deps, `status ${ECS.id}`, { userId: ALICE, channelId: 'C0OTHER' });
  assert.equal((elsewhere[0] as Extract<Effect, { kind: 'reply' }>).visibility, 'ephemeral');
  const list = await handleCommand(deps, 'status', { userId: ALICE });
  assert.match(replyText(list), /Open incidents: 2/);
  assert.match(replyText(list), /\|INC-1>/);
  assertMessagesValid([...here, ...elsewhere, ...list]);
});

test('timeline: a Markdown file in the thread and a link for the caller', async () => {
  const { deps } = await setup();
  const effects = await handleCommand(deps, 'timeline INC-2', { userId: ALICE, channelId: 'C0OTHER' });
  const upload = effects[0] as Extract<Effect, { kind: 'upload' }>;
  assert.equal(upload.kind, 'upload');
  assert.equal(upload.filename, 'INC-2-timeline.md');
  assert.match(upload.content, /^# INC-2 — /);
  assert.match(upload.content, /## Timeline/);
  assert.match(replyText(effects), /The INC-2 timeline \(Markdown\) — posted in/);
});

test('buttons: Take it (twice), Follow toggles, Close… opens the modal whose submission closes', async () => {
  const { deps, store } = await setup();
  const inThread = { userId: ALICE, channelId: CHANNEL, threadTs: (await store.getIncident('INC-1'))!.threadTs! };
  const take = await handleIncidentButton(deps, 'take', 'INC-1', inThread);
  assert.deepEqual(kinds(take), ['thread', 'refresh_cards', 'refresh_home'], 'clicked in the thread: no extra link');
  assert.match(replyText(await handleIncidentButton(deps, 'take', 'INC-1', inThread)), /you are already the assignee/);
  assert.match(replyText(await handleIncidentButton(deps, 'follow', 'INC-1', inThread)), /You follow INC-1/);
  assert.deepEqual(await store.incidentFollowers('INC-1'), [ALICE]);
  assert.match(replyText(await handleIncidentButton(deps, 'follow', 'INC-1', inThread)), /no longer follow/);

  const modal = await handleIncidentButton(deps, 'false_positive', 'INC-1', inThread);
  const view = (modal[0] as Extract<Effect, { kind: 'open_modal' }>).view;
  const done = await handleCloseSubmission(deps, { metadata: view.private_metadata!, reason: 'scanner', proposeSuppression: true }, inThread);
  assert.deepEqual((done.find((e) => e.kind === 'guardduty_close_out') as { proposeSuppression: boolean }).proposeSuppression, true);
  assert.equal((await store.getIncident('INC-1'))?.state, 'false_positive');
  assert.match(
    replyText(await handleCloseSubmission(deps, { metadata: '{"incidentId":"INC-404","kind":"resolve"}', reason: 'x' }, inThread)),
    /no longer known/,
  );
  assert.match(replyText(await handleIncidentButton(deps, 'take', 'INC-77', inThread)), /no longer known/);
});
