/**
 * Signed Slack interaction payloads (block_actions, view_submission) as Slack sends them to
 * POST /slack/events, and readers for what the app sent back to the Slack double.
 */
import assert from 'node:assert/strict';
import { CARD_ACTION_PREFIX } from '../../src/slack/messages/action-messages.js';
import { APPROVE_ACTION_ID, CONFIRM_CALLBACK_ID, INPUT_BLOCK_PREFIX, REASON_BLOCK_ID, REJECT_ACTION_ID } from '../../src/slack/messages/action-messages.js';
import type { Harness } from './harness.js';
import type { SlackCall } from '../doubles/slack.js';

let seq = 0;

/** Where the card of a finding lives (from the app's own store). */
export async function cardOf(h: Harness, findingId: string): Promise<{ channel: string; ts: string }> {
  const r = await h.responder.store.getFinding(findingId);
  assert.ok(r?.ts && r.channel, `finding ${findingId} has no card`);
  return { channel: r.channel, ts: r.ts };
}

/** The card as Slack shows it now: the last chat.update of it, else the original post. */
export async function currentCard(h: Harness, findingId: string): Promise<SlackCall> {
  const { ts } = await cardOf(h, findingId);
  const update = [...h.slack.callsTo('chat.update')].reverse().find((c) => c.args.ts === ts);
  if (update) return update;
  const post = h.slack.callsTo('chat.postMessage').find((c) => c.ts === ts);
  assert.ok(post, `no card for ${findingId}`);
  return post;
}

export async function cardButtons(h: Harness, findingId: string): Promise<{ action_id: string; value: string; text: string }[]> {
  const blocks = (await currentCard(h, findingId)).args.blocks as {
    type: string;
    elements?: { type: string; action_id?: string; value?: string; text?: { text: string } }[];
  }[];
  return blocks
    .filter((b) => b.type === 'actions')
    .flatMap((b) => b.elements ?? [])
    .filter((e) => e.type === 'button' && e.action_id?.startsWith(CARD_ACTION_PREFIX))
    .map((e) => ({ action_id: e.action_id!, value: e.value ?? '', text: e.text?.text ?? '' }));
}

export async function clickCardButton(h: Harness, opts: { findingId: string; action: string; user: string; channel?: string }): Promise<Response> {
  const buttons = await cardButtons(h, opts.findingId);
  const button = buttons.find((b) => b.action_id === `${CARD_ACTION_PREFIX}${opts.action}`);
  assert.ok(button, `card has no ${opts.action} button; it has ${buttons.map((b) => b.action_id).join(', ')}`);
  return sendBlockAction(h, { actionId: button.action_id, value: button.value, user: opts.user, channel: opts.channel ?? 'C0SECURITY' });
}

export function sendBlockAction(h: Harness, opts: { actionId: string; value: string; user: string; channel?: string }): Promise<Response> {
  seq += 1;
  const payload = {
    type: 'block_actions',
    team: { id: 'T0TEST', domain: 'test' },
    user: { id: opts.user, username: opts.user.toLowerCase(), team_id: 'T0TEST' },
    api_app_id: 'A0TEST',
    token: 'legacy-verification-token',
    trigger_id: `trigger-${seq}`,
    channel: { id: opts.channel ?? 'C0SECURITY', name: 'security' },
    container: { type: 'message', channel_id: opts.channel ?? 'C0SECURITY', message_ts: '1.1' },
    actions: [{ type: 'button', action_id: opts.actionId, block_id: 'gd_actions', value: opts.value, action_ts: `${Date.now() / 1000}` }],
    response_url: 'https://hooks.slack.invalid/actions/T0TEST/1/x',
  };
  return h.slackRequest({ payload: JSON.stringify(payload) });
}

/** The confirmation modal last shown to anyone (views.update after views.open). */
export function lastModal(h: Harness): { runId: string; blocks: unknown[]; submit?: string; text: string } {
  const update = h.slack.callsTo('views.update').at(-1);
  assert.ok(update, 'no modal was updated with a plan');
  const view = (typeof update.args.view === 'string' ? JSON.parse(update.args.view) : update.args.view) as {
    private_metadata?: string;
    blocks: unknown[];
    submit?: { text: string };
  };
  return { runId: view.private_metadata ?? '', blocks: view.blocks, ...(view.submit ? { submit: view.submit.text } : {}), text: JSON.stringify(view.blocks) };
}

export function submitModal(
  h: Harness,
  opts: { runId: string; user: string; reason?: string; inputs?: Record<string, string>; selects?: Record<string, string> },
): Promise<Response> {
  return h.slackRequest({ payload: viewSubmissionPayload(opts) });
}

/** The view_submission payload (JSON text) Slack sends for a confirmation; send it twice to model a retried request. */
export function viewSubmissionPayload(opts: {
  runId: string;
  user: string;
  reason?: string;
  inputs?: Record<string, string>;
  selects?: Record<string, string>;
}): string {
  const values: Record<string, Record<string, unknown>> = {};
  if (opts.reason !== undefined) values[REASON_BLOCK_ID] = { value: { type: 'plain_text_input', value: opts.reason } };
  for (const [k, v] of Object.entries(opts.inputs ?? {})) values[`${INPUT_BLOCK_PREFIX}${k}`] = { value: { type: 'plain_text_input', value: v } };
  for (const [k, v] of Object.entries(opts.selects ?? {}))
    values[`${INPUT_BLOCK_PREFIX}${k}`] = { value: { type: 'static_select', selected_option: { value: v, text: { type: 'plain_text', text: v } } } };
  return viewSubmissionBody({ callbackId: CONFIRM_CALLBACK_ID, metadata: opts.runId, user: opts.user, values, triggerId: `trigger-sub-${++seq}` });
}

/** A view_submission payload (JSON for the `payload` form field) as Slack sends it. */
export function viewSubmissionBody(opts: {
  callbackId: string;
  metadata: string;
  user: string;
  values: Record<string, Record<string, unknown>>;
  triggerId?: string;
}): string {
  return JSON.stringify({
    type: 'view_submission',
    team: { id: 'T0TEST', domain: 'test' },
    user: { id: opts.user, username: opts.user.toLowerCase(), team_id: 'T0TEST' },
    api_app_id: 'A0TEST',
    token: 'legacy-verification-token',
    trigger_id: opts.triggerId ?? `trigger-view-${++seq}`,
    view: {
      id: `V0${opts.callbackId
        .replace(/[^A-Za-z0-9]/g, '')
        .toUpperCase()
        .slice(0, 8)}`,
      type: 'modal',
      callback_id: opts.callbackId,
      private_metadata: opts.metadata,
      state: { values: opts.values },
      hash: 'h',
      team_id: 'T0TEST',
      app_id: 'A0TEST',
      blocks: [],
      title: { type: 'plain_text', text: 'x' },
    },
  });
}

/** Approve/Reject buttons are posted in the thread with the run id as value. */
export function decideApproval(h: Harness, opts: { runId: string; user: string; approve: boolean }): Promise<Response> {
  return sendBlockAction(h, { actionId: opts.approve ? APPROVE_ACTION_ID : REJECT_ACTION_ID, value: opts.runId, user: opts.user });
}

/** Thread replies under a finding's card, as JSON text of their blocks. */
export async function threadTexts(h: Harness, findingId: string): Promise<string[]> {
  const r = await h.responder.store.getFinding(findingId);
  assert.ok(r?.ts, `finding ${findingId} has no card`);
  // A card posted in its incident's thread has its replies in that thread.
  const root = r.threadTs ?? r.ts;
  return h.slack
    .callsTo('chat.postMessage')
    .filter((c) => c.args.thread_ts === root && c.ts !== r.ts)
    .map((c) => JSON.stringify(c.args.blocks ?? c.args.text));
}

export function ephemeralTexts(h: Harness, user: string): string[] {
  return h.slack
    .callsTo('chat.postEphemeral')
    .filter((c) => c.args.user === user)
    .map((c) => JSON.stringify(c.args.blocks ?? c.args.text));
}

/** Click a card button, wait for the plan, submit the confirmation, wait for the step. */
export async function runAction(
  h: Harness,
  opts: { findingId: string; action: string; user: string; reason?: string; inputs?: Record<string, string>; selects?: Record<string, string> },
): Promise<{ runId: string; modal: ReturnType<typeof lastModal> }> {
  const before = h.slack.callsTo('views.update').length;
  assert.equal((await clickCardButton(h, opts)).status, 200);
  await h.settle();
  assert.equal(h.slack.callsTo('views.update').length, before + 1, 'the plan modal was shown');
  const modal = lastModal(h);
  assert.equal(
    (
      await submitModal(h, {
        runId: modal.runId,
        user: opts.user,
        ...(opts.reason !== undefined ? { reason: opts.reason } : {}),
        ...(opts.inputs ? { inputs: opts.inputs } : {}),
        ...(opts.selects ? { selects: opts.selects } : {}),
      })
    ).status,
    200,
  );
  await h.settle();
  return { runId: modal.runId, modal };
}

/** Click a card button and wait for the plan modal (views.update); does not submit it. */
export async function openPlan(h: Harness, opts: { findingId: string; action: string; user: string }): Promise<ReturnType<typeof lastModal>> {
  const before = h.slack.callsTo('views.update').length;
  assert.equal((await clickCardButton(h, opts)).status, 200);
  await h.settle();
  assert.equal(h.slack.callsTo('views.update').length, before + 1, `the ${opts.action} plan modal was shown`);
  return lastModal(h);
}

/** Submit a confirmation and wait for whatever it started; returns Slack's HTTP answer body (response_action…). */
export async function submitAndSettle(
  h: Harness,
  opts: { runId: string; user: string; reason?: string; inputs?: Record<string, string>; selects?: Record<string, string> },
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await submitModal(h, opts);
  const text = await res.text();
  await h.settle();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** Every thread reply under the card, joined (JSON of their blocks). */
export async function threadText(h: Harness, findingId: string): Promise<string> {
  return (await threadTexts(h, findingId)).join('\n');
}

/** The current card (status line, facts, buttons) as JSON text. */
export async function cardText(h: Harness, findingId: string): Promise<string> {
  return JSON.stringify((await currentCard(h, findingId)).args.blocks);
}

/** Approve/Reject buttons posted in the thread: the run ids they carry. */
export async function approvalRequests(h: Harness, findingId: string): Promise<string[]> {
  const { ts } = await cardOf(h, findingId);
  return h.slack
    .callsTo('chat.postMessage')
    .filter((c) => c.args.thread_ts === ts)
    .flatMap((c) => (c.args.blocks as { type: string; elements?: { action_id?: string; value?: string }[] }[] | undefined) ?? [])
    .filter((b) => b.type === 'actions')
    .flatMap((b) => b.elements ?? [])
    .filter((e) => e.action_id === APPROVE_ACTION_ID)
    .map((e) => e.value ?? '');
}

/** Files shared into a finding's thread through files.uploadV2. */
export async function threadFiles(h: Harness, findingId: string) {
  const { ts, channel } = await cardOf(h, findingId);
  return [...h.slack.files.values()].filter((f) => f.completed?.thread_ts === ts && f.completed.channel_id === channel);
}
