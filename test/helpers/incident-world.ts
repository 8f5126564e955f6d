/**
 * End-to-end helpers for incidents and the `/guardduty` command: signed slash-command requests
 * (form POSTs, as Slack sends them) whose response_url points at the Slack double, signed Events
 * API callbacks (App Home), the incident buttons on cards and the close modal, and readers for
 * what a responder or a manager would see (answers, thread, DMs, Home, the card's top line).
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Incident } from '../../src/incidents/model.js';
import {
  CLOSE_MODAL_CALLBACK_ID,
  CLOSE_REASON_BLOCK_ID,
  INCIDENT_ACTION_IDS,
  INPUT_ACTION_ID,
  SUPPRESS_BLOCK_ID,
} from '../../src/slack/messages/incident-controls.js';
import { CREATE_SUPPRESSION_ACTION_ID } from '../../src/slack/messages/suppression.js';
import { COMMAND_NAME as SLASH_COMMAND } from '../../src/commands/grammar.js';
import type { SlackCall } from '../doubles/slack.js';
import { ecsFindingEvent, publishFinding, type EcsWorld } from './ecs-world.js';
import { SIGNING_SECRET, type Harness } from './harness.js';
import { cardOf, currentCard, sendBlockAction, viewSubmissionBody } from './slack-interactions.js';
import type { EditableJson } from '../fixtures/findings/load.js';

/** A channel the bot is not in: where responders type commands from. */
export const OTHER_CHANNEL = 'C0OTHER';
export const MANAGER = 'U0MANAGER';

let seq = 0;

/** Every mrkdwn/plain text in a message or view (blocks, elements, fields), joined by newlines. */
export function textOf(value: unknown): string {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === 'text' && typeof x === 'string') out.push(x);
        else walk(x);
      }
    }
  };
  walk(value);
  return out.join('\n');
}

// ------------------------------------------------------------------ findings

export interface SeededFinding {
  findingId: string;
  taskArn: string;
  clusterArn: string;
  image: string;
  digest: string;
  event: EditableJson;
}

/**
 * Seeds a Fargate task in the AWS double and publishes a finding naming it (its own task
 * definition family, so unrelated services never share an incident). `service` absent: a
 * standalone task (group `family:…`), which no service scheduler replaces.
 */
export async function taskFinding(
  w: EcsWorld,
  opts: {
    service?: string;
    family?: string;
    repository?: string;
    tag?: string;
    withDigest?: boolean;
    cluster?: string;
    severity?: number;
    publish?: boolean;
  } = {},
): Promise<SeededFinding> {
  const img = w.aws.seed.image({ repository: opts.repository ?? 'checkout', tag: opts.tag ?? '1.4' });
  const family = opts.family ?? opts.service ?? `job-${++seq}`;
  const seeded = w.aws.seed.fargateTask({
    cluster: opts.cluster ?? 'prod',
    ...(opts.service ? { service: opts.service } : {}),
    family,
    image: img.uri,
    digest: img.digest,
  });
  return publishTaskFinding(w, {
    taskArn: seeded.taskArn,
    clusterArn: seeded.clusterArn,
    image: img.uri,
    digest: img.digest,
    taskDefinitionArn: seeded.task.taskDefinitionArn!,
    group: seeded.task.group!,
    withDigest: opts.withDigest,
    severity: opts.severity,
    publish: opts.publish,
  });
}

/** Another finding (new id) on an already seeded task. */
export async function publishTaskFinding(
  w: EcsWorld,
  t: {
    taskArn: string;
    clusterArn: string;
    image: string;
    digest: string;
    taskDefinitionArn: string;
    group: string;
    withDigest?: boolean | undefined;
    severity?: number | undefined;
    publish?: boolean | undefined;
  },
): Promise<SeededFinding> {
  const { event, findingId } = ecsFindingEvent({
    taskArn: t.taskArn,
    clusterArn: t.clusterArn,
    image: t.image,
    ...(t.withDigest ? { digest: t.digest } : {}),
    taskDefinitionArn: t.taskDefinitionArn,
    group: t.group,
  });
  if (t.severity !== undefined) event.detail.severity = t.severity;
  if (t.publish !== false) await publishFinding(w.h, event);
  return { findingId, taskArn: t.taskArn, clusterArn: t.clusterArn, image: t.image, digest: t.digest, event };
}

/**
 * A GuardDuty Instance finding (EventBridge event) about `instanceId` in the double's account and
 * Region (the instance-ec2-runtime fixture, id and instance rewritten), published unless told not to.
 */
export async function instanceFinding(w: EcsWorld, instanceId: string, opts: { publish?: boolean } = {}): Promise<{ findingId: string; event: EditableJson }> {
  const finding = JSON.parse(readFileSync(new URL('../fixtures/findings/instance-ec2-runtime.json', import.meta.url), 'utf8')) as EditableJson;
  finding.id = `a1a${String(++seq).padStart(29, '0')}`;
  finding.accountId = w.aws.accountId;
  finding.region = w.aws.region;
  finding.arn = `arn:aws:guardduty:${w.aws.region}:${w.aws.accountId}:detector/0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e/finding/${finding.id}`;
  finding.resource.instanceDetails.instanceId = instanceId;
  const event = {
    version: '0',
    id: `evt-${finding.id}`,
    'detail-type': 'GuardDuty Finding',
    source: 'aws.guardduty',
    account: w.aws.accountId,
    time: '2026-11-28T09:59:00Z',
    region: w.aws.region,
    resources: [],
    detail: finding,
  };
  if (opts.publish !== false) await publishFinding(w.h, event);
  return { findingId: finding.id as string, event };
}

export async function incidentOf(h: Harness, findingId: string): Promise<Incident> {
  const [incident, ...more] = await h.responder.store.incidentsForFinding(findingId);
  assert.ok(incident, `finding ${findingId} is in no incident`);
  assert.equal(more.length, 0, `finding ${findingId} is in several incidents`);
  return incident;
}

// ------------------------------------------------------------------ slash commands

export interface SlashCommand {
  status: number;
  /** The response_url id: read the answers with `answers(h, id)`. */
  id: string;
  triggerId: string;
}

/** The form Slack POSTs for `/guardduty TEXT` (signed by h.slackRequest). */
export function slashForm(h: Harness, opts: { text: string; user: string; channel?: string; id?: string; triggerId?: string }): Record<string, string> {
  const id = opts.id ?? `cmd-${++seq}`;
  return {
    token: 'legacy-verification-token',
    team_id: 'T0TEST',
    team_domain: 'test',
    channel_id: opts.channel ?? OTHER_CHANNEL,
    channel_name: 'somewhere',
    user_id: opts.user,
    user_name: opts.user.toLowerCase(),
    command: SLASH_COMMAND,
    text: opts.text,
    api_app_id: 'A0TEST',
    is_enterprise_install: 'false',
    response_url: `${h.slack.baseUrl}respond/${id}`,
    trigger_id: opts.triggerId ?? `trigger-cmd-${seq}`,
  };
}

/** Sends `/guardduty TEXT` and waits for everything it started. */
export async function slash(h: Harness, opts: { text: string; user: string; channel?: string }): Promise<SlashCommand> {
  const form = slashForm(h, opts);
  const res = await h.slackRequest(form);
  await res.text();
  await h.settle();
  return { status: res.status, id: form.response_url!.split('/').pop()!, triggerId: form.trigger_id! };
}

/** What the app sent to a command's response_url (respond()). */
export function answerBodies(h: Harness, id: string): Record<string, unknown>[] {
  return h.slack
    .callsTo('response_url')
    .filter((c) => c.args.response_url_id === id)
    .map((c) => c.args);
}

/** The answers to a command: the text of their blocks (else their text). */
export function answers(h: Harness, id: string): string[] {
  return answerBodies(h, id).map((b) => (b.blocks ? textOf(b.blocks) : String(b.text ?? '')));
}

/** The one answer to a command; fails when there is none or several. */
export function onlyAnswer(h: Harness, id: string): { text: string; responseType: unknown } {
  const bodies = answerBodies(h, id);
  assert.equal(bodies.length, 1, `expected one answer, got ${bodies.length}: ${JSON.stringify(bodies)}`);
  const b = bodies[0]!;
  return { text: b.blocks ? textOf(b.blocks) : String(b.text ?? ''), responseType: b.response_type };
}

// ------------------------------------------------------------------ Events API

/** A signed Events API callback (JSON body), as Slack POSTs it to /slack/events. */
export function slackEvent(h: Harness, event: Record<string, unknown>): Promise<Response> {
  const body = JSON.stringify({
    token: 'legacy-verification-token',
    team_id: 'T0TEST',
    api_app_id: 'A0TEST',
    event: { event_ts: `${Date.now() / 1000}`, ...event },
    type: 'event_callback',
    event_id: `Ev${String(++seq).padStart(8, '0')}`,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ enterprise_id: null, team_id: 'T0TEST', user_id: 'UBOT', is_bot: true, is_enterprise_install: false }],
  });
  const ts = Math.floor(Date.now() / 1000).toString();
  const sig = `v0=${createHmac('sha256', SIGNING_SECRET).update(`v0:${ts}:${body}`).digest('hex')}`;
  return fetch(`${h.url}/slack/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-slack-request-timestamp': ts, 'x-slack-signature': sig },
    body,
  });
}

/** The user opens the app's Home tab. */
export async function openHome(h: Harness, user: string): Promise<void> {
  const res = await slackEvent(h, { type: 'app_home_opened', user, channel: `D${user}`, tab: 'home' });
  assert.equal(res.status, 200, await res.text());
  await h.settle();
}

/** Every Home view published for `user`, oldest first (JSON of the blocks). */
export function homeViews(
  h: Harness,
  user: string,
): { blocks: { type: string; block_id?: string; text?: { text: string }; elements?: { text: string }[] }[]; text: string }[] {
  return h.slack
    .callsTo('views.publish')
    .filter((c) => c.args.user_id === user)
    .map((c) => {
      const view = (typeof c.args.view === 'string' ? JSON.parse(c.args.view) : c.args.view) as { type: string; blocks: never[] };
      assert.equal(view.type, 'home');
      return { blocks: view.blocks, text: textOf(view.blocks) };
    });
}

// ------------------------------------------------------------------ incident buttons and the close modal

export type IncidentButton = keyof typeof INCIDENT_ACTION_IDS;

/** The incident buttons on a finding's card now (Take it, Follow, Close…, False positive…). */
export async function incidentButtons(h: Harness, findingId: string): Promise<{ action_id: string; value: string; text: string }[]> {
  const blocks = (await currentCard(h, findingId)).args.blocks as {
    type: string;
    elements?: { type: string; action_id?: string; value?: string; text?: { text: string } }[];
  }[];
  const ids = Object.values(INCIDENT_ACTION_IDS) as string[];
  return blocks
    .filter((b) => b.type === 'actions')
    .flatMap((b) => b.elements ?? [])
    .filter((e) => e.type === 'button' && ids.includes(e.action_id ?? ''))
    .map((e) => ({ action_id: e.action_id!, value: e.value ?? '', text: e.text?.text ?? '' }));
}

/** Clicks an incident button on a finding's card and waits for what it started. */
export async function clickIncidentButton(h: Harness, opts: { findingId: string; button: IncidentButton; user: string; channel?: string }): Promise<void> {
  const buttons = await incidentButtons(h, opts.findingId);
  const b = buttons.find((x) => x.action_id === INCIDENT_ACTION_IDS[opts.button]);
  assert.ok(b, `card has no ${opts.button} button; it has ${buttons.map((x) => x.text).join(', ')}`);
  const { channel, ts } = await cardOf(h, opts.findingId);
  const threadTs = (await h.responder.store.getFinding(opts.findingId))?.threadTs;
  const ch = opts.channel ?? channel;
  // As Slack sends it: the container is the card's message, with thread_ts when the card is a reply.
  const payload = {
    type: 'block_actions',
    team: { id: 'T0TEST', domain: 'test' },
    user: { id: opts.user, username: opts.user.toLowerCase(), team_id: 'T0TEST' },
    api_app_id: 'A0TEST',
    token: 'legacy-verification-token',
    trigger_id: `trigger-inc-${++seq}`,
    channel: { id: ch, name: 'security' },
    container: { type: 'message', channel_id: ch, message_ts: ts, is_ephemeral: false, ...(threadTs ? { thread_ts: threadTs } : {}) },
    message: { type: 'message', ts, ...(threadTs ? { thread_ts: threadTs } : {}) },
    actions: [{ type: 'button', action_id: b.action_id, block_id: 'gd_actions', value: b.value, action_ts: `${Date.now() / 1000}` }],
    response_url: 'https://hooks.slack.invalid/actions/T0TEST/1/x',
  };
  assert.equal((await h.slackRequest({ payload: JSON.stringify(payload) })).status, 200);
  await h.settle();
}

/** The last close modal opened (views.open with the close callback id). */
export function lastCloseModal(h: Harness): { metadata: string; text: string; triggerId: string } {
  const open = [...h.slack.callsTo('views.open')]
    .reverse()
    .find((c) => (c.args.view as { callback_id?: string } | undefined)?.callback_id === CLOSE_MODAL_CALLBACK_ID);
  assert.ok(open, 'no close modal was opened');
  const view = open.args.view as { private_metadata: string; blocks: unknown[] };
  return { metadata: view.private_metadata, text: textOf(view.blocks), triggerId: String(open.args.trigger_id) };
}

/** Submits the close modal (reason, and for a false positive the suppression checkbox). */
export async function submitCloseModal(
  h: Harness,
  opts: { metadata: string; user: string; reason: string; propose?: boolean },
): Promise<{ status: number; body: string }> {
  const values: Record<string, Record<string, unknown>> = {
    [CLOSE_REASON_BLOCK_ID]: { [INPUT_ACTION_ID]: { type: 'plain_text_input', value: opts.reason } },
  };
  if (opts.propose !== undefined) {
    values[SUPPRESS_BLOCK_ID] = {
      [INPUT_ACTION_ID]: {
        type: 'checkboxes',
        selected_options: opts.propose ? [{ value: 'propose', text: { type: 'plain_text', text: 'Propose a suppression rule' } }] : [],
      },
    };
  }
  const payload = viewSubmissionBody({
    callbackId: CLOSE_MODAL_CALLBACK_ID,
    metadata: opts.metadata,
    user: opts.user,
    values,
    triggerId: `trigger-close-${++seq}`,
  });
  const res = await h.slackRequest({ payload });
  const body = await res.text();
  await h.settle();
  return { status: res.status, body };
}

/** Close… or False positive… on the card, then the modal submitted with a reason. */
export async function closeFromCard(
  h: Harness,
  opts: { findingId: string; user: string; reason: string; falsePositive?: boolean; propose?: boolean },
): Promise<void> {
  const before = h.slack.callsTo('views.open').length;
  await clickIncidentButton(h, { findingId: opts.findingId, button: opts.falsePositive ? 'falsePositive' : 'close', user: opts.user });
  assert.equal(h.slack.callsTo('views.open').length, before + 1, 'the close modal was opened');
  const modal = lastCloseModal(h);
  const r = await submitCloseModal(h, {
    metadata: modal.metadata,
    user: opts.user,
    reason: opts.reason,
    ...(opts.propose !== undefined ? { propose: opts.propose } : {}),
  });
  assert.equal(r.status, 200);
}

/** "Create this suppression rule" buttons posted in an incident's thread (their incident ids). */
export function suppressionButtons(h: Harness, incident: Incident): string[] {
  return h.slack
    .callsTo('chat.postMessage')
    .filter((c) => c.args.thread_ts === incident.threadTs)
    .flatMap((c) => (c.args.blocks as { type: string; elements?: { action_id?: string; value?: string }[] }[] | undefined) ?? [])
    .filter((b) => b.type === 'actions')
    .flatMap((b) => b.elements ?? [])
    .filter((e) => e.action_id === CREATE_SUPPRESSION_ACTION_ID)
    .map((e) => e.value ?? '');
}

export async function clickCreateSuppression(h: Harness, opts: { incidentId: string; user: string; channel: string }): Promise<void> {
  assert.equal(
    (await sendBlockAction(h, { actionId: CREATE_SUPPRESSION_ACTION_ID, value: opts.incidentId, user: opts.user, channel: opts.channel })).status,
    200,
  );
  await h.settle();
}

// ------------------------------------------------------------------ what people see

/** Messages in an incident's thread (JSON of their blocks), the cards posted there included. */
export function incidentThread(h: Harness, incident: Incident): string[] {
  assert.ok(incident.threadTs, `${incident.id} has no thread`);
  return h.slack
    .callsTo('chat.postMessage')
    .filter((c) => c.args.channel === incident.channel && c.args.thread_ts === incident.threadTs)
    .map((c) => (c.args.blocks ? textOf(c.args.blocks) : String(c.args.text ?? '')));
}

/** Top-level messages posted in a channel (no thread_ts). */
export function topLevelPosts(h: Harness, channel: string): SlackCall[] {
  return h.slack.callsTo('chat.postMessage').filter((c) => c.args.channel === channel && c.args.thread_ts === undefined);
}

/** The DM channel the Slack double opens for a user (conversations.open). */
export function dmChannelOf(user: string): string {
  return `D${user.replace(/[^A-Z0-9]/g, '')}`;
}

/** DMs the app sent to a user: conversations.open with the user, then chat.postMessage there. */
export function dmsTo(h: Harness, user: string): string[] {
  const opened = h.slack.callsTo('conversations.open').some((c) => c.args.users === user);
  const posts = h.slack.callsTo('chat.postMessage').filter((c) => c.args.channel === dmChannelOf(user));
  if (posts.length > 0) assert.ok(opened, `messages to ${dmChannelOf(user)} without conversations.open for ${user}`);
  return posts.map((c) => (c.args.blocks ? textOf(c.args.blocks) : String(c.args.text ?? '')));
}

/** The incident top line on a finding's card as Slack shows it now (mrkdwn). */
export async function topLine(h: Harness, findingId: string): Promise<string> {
  const blocks = (await currentCard(h, findingId)).args.blocks as { type: string; block_id?: string; elements?: { text: string }[] }[];
  const top = blocks.find((b) => b.block_id === 'gd_incident_top');
  assert.ok(top, `the card of ${findingId} has no incident top line`);
  return top.elements?.map((e) => e.text).join(' ') ?? '';
}

/** Ephemeral messages (chat.postEphemeral) shown to a user, JSON of their blocks. */
export function ephemeralsTo(h: Harness, user: string): string[] {
  return h.slack
    .callsTo('chat.postEphemeral')
    .filter((c) => c.args.user === user)
    .map((c) => (c.args.blocks ? textOf(c.args.blocks) : String(c.args.text ?? '')));
}

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
