/**
 * Pure builders for everything the remediation flow shows: the confirmation modal (a dry-run
 * plan), thread messages (started, progress, result, approval), and ephemeral answers.
 * Finding-derived strings are escaped here; plan/outcome lines come from our own code but may
 * embed resource names from AWS, so they are escaped too.
 */
import type { KnownBlock, View } from '@slack/types';
import type { ActionDefinition, Outcome, Plan } from '../../actions/types.js';
import { escapeMrkdwn } from '../../cards/escape.js';
import type { SlackMessage } from '../../cards/finding-card.js';

/** Slack modal limits: title/submit/close ≤ 24 chars, private_metadata ≤ 3000, section text ≤ 3000. */
export const MODAL_TITLE_MAX = 24;
export const SECTION_TEXT_MAX = 3000;
/** A card's step button: this prefix plus the step's action id. */
export const CARD_ACTION_PREFIX = 'gd_action:';
export const CONFIRM_CALLBACK_ID = 'gd_confirm';
export const APPROVE_ACTION_ID = 'gd_approve';
export const REJECT_ACTION_ID = 'gd_reject';
export const REASON_BLOCK_ID = 'gd_reason';
export const INPUT_BLOCK_PREFIX = 'gd_in_';

const e = (s: string) => escapeMrkdwn(s);
const clip = (s: string, n: number) => (s.length <= n ? s : `${s.slice(0, n - 1)}…`);

/** Bullet list that stays under the section limit, ending with "…and N more". */
export function bullets(items: readonly string[], max = SECTION_TEXT_MAX - 100): string {
  const out: string[] = [];
  let used = 0;
  for (let i = 0; i < items.length; i++) {
    const line = `• ${e(items[i]!)}`;
    if (used + line.length + 1 > max - 40) {
      out.push(`…and ${items.length - i} more`);
      break;
    }
    out.push(line);
    used += line.length + 1;
  }
  return out.join('\n');
}

function section(text: string): KnownBlock {
  return { type: 'section', text: { type: 'mrkdwn', text: clip(text, SECTION_TEXT_MAX) } };
}

function titled(title: string, items: readonly string[]): KnownBlock[] {
  return items.length === 0 ? [] : [section(`*${title}*\n${bullets(items)}`)];
}

export function loadingModal(def: ActionDefinition, findingTitle: string): View {
  return {
    type: 'modal',
    title: { type: 'plain_text', text: clip(def.label, MODAL_TITLE_MAX) },
    close: { type: 'plain_text', text: 'Close' },
    blocks: [section(`:hourglass_flowing_sand: Reading the live state from AWS to plan *${e(def.label)}* for _${e(findingTitle)}_…`)],
  };
}

export function planModal(def: ActionDefinition, plan: Plan, runId: string, opts: { needsApproval: boolean; findingTitle: string }): View {
  const blocks: KnownBlock[] = [
    section(`*${e(def.label)}* — _${e(opts.findingTitle)}_\n${e(plan.summary)}`),
    ...titled('Resources', plan.resources),
    ...titled('API actions it will take', plan.apiCalls),
    ...titled(':warning: Please note', plan.warnings),
  ];
  if (plan.blocked) {
    blocks.push(section(`:no_entry: *This step cannot run now.* ${e(plan.blocked)}`));
    return { type: 'modal', title: { type: 'plain_text', text: clip(def.label, MODAL_TITLE_MAX) }, close: { type: 'plain_text', text: 'Close' }, blocks };
  }
  for (const input of plan.inputs ?? []) {
    if (input.kind === 'text') {
      blocks.push({
        type: 'input',
        block_id: `${INPUT_BLOCK_PREFIX}${input.id}`,
        optional: input.optional ?? false,
        label: { type: 'plain_text', text: clip(input.label, 2000) },
        ...(input.hint ? { hint: { type: 'plain_text', text: clip(input.hint, 2000) } } : {}),
        element: {
          type: 'plain_text_input',
          action_id: 'value',
          ...(input.placeholder ? { placeholder: { type: 'plain_text', text: clip(input.placeholder, 150) } } : {}),
          ...(input.initial ? { initial_value: input.initial } : {}),
        },
      });
    } else {
      const options = input.options.slice(0, 100).map((o) => ({ text: { type: 'plain_text' as const, text: clip(o.label, 75) }, value: o.value }));
      const initial = options.find((o) => o.value === input.initial);
      blocks.push({
        type: 'input',
        block_id: `${INPUT_BLOCK_PREFIX}${input.id}`,
        label: { type: 'plain_text', text: clip(input.label, 2000) },
        ...(input.hint ? { hint: { type: 'plain_text', text: clip(input.hint, 2000) } } : {}),
        element: { type: 'static_select', action_id: 'value', options, ...(initial ? { initial_option: initial } : {}) },
      });
    }
  }
  if (def.destructive || def.changes) {
    blocks.push({
      type: 'input',
      block_id: REASON_BLOCK_ID,
      optional: !def.destructive,
      label: { type: 'plain_text', text: def.destructive ? 'Reason (recorded in the audit trail and in AWS where possible)' : 'Reason (optional)' },
      element: { type: 'plain_text_input', action_id: 'value', multiline: true, max_length: 200 },
    });
  }
  if (opts.needsApproval)
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: 'A second responder must approve this in the incident thread before it runs.' }] });
  return {
    type: 'modal',
    callback_id: CONFIRM_CALLBACK_ID,
    private_metadata: runId,
    title: { type: 'plain_text', text: clip(def.label, MODAL_TITLE_MAX) },
    submit: { type: 'plain_text', text: clip(opts.needsApproval ? 'Ask for approval' : def.verb, MODAL_TITLE_MAX) },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks,
  };
}

export function errorModal(title: string, text: string): View {
  return {
    type: 'modal',
    title: { type: 'plain_text', text: clip(title, MODAL_TITLE_MAX) },
    close: { type: 'plain_text', text: 'Close' },
    blocks: [section(text)],
  };
}

export function startedMessage(def: ActionDefinition, actor: string, opts: { reason?: string; approvedBy?: string }): SlackMessage {
  const parts = [`:arrow_forward: <@${actor}> started *${e(def.label)}*`];
  if (opts.approvedBy) parts.push(`approved by <@${opts.approvedBy}>`);
  const text = `${parts.join(', ')}${opts.reason ? ` — reason: ${e(opts.reason)}` : ''}`;
  return { text: `${def.label} started`, blocks: [section(text)] };
}

export function progressMessage(def: ActionDefinition, lines: readonly string[]): SlackMessage {
  const tail = lines.slice(-8);
  return { text: `${def.label}: in progress`, blocks: [section(`:hourglass_flowing_sand: *${e(def.label)}* in progress\n${bullets(tail)}`)] };
}

const STATUS_ICON: Record<Outcome['status'], string> = { succeeded: ':white_check_mark:', partial: ':warning:', failed: ':x:' };
const STATUS_WORD: Record<Outcome['status'], string> = { succeeded: 'done', partial: 'partly done', failed: 'failed' };

export function resultMessage(def: ActionDefinition, outcome: Outcome, meta: { actor: string; at: number; runId: string }): SlackMessage {
  const blocks: KnownBlock[] = [
    section(`${STATUS_ICON[outcome.status]} *${e(def.label)}* ${STATUS_WORD[outcome.status]} — ${e(outcome.headline)}`),
    ...titled('Done', outcome.done),
    ...titled('Not done / not possible', outcome.notDone),
    ...titled('What to do next', outcome.next),
  ];
  const ids = outcome.requestIds.length
    ? `AWS request ids: ${outcome.requestIds
        .slice(0, 20)
        .map((r) => `\`${e(r)}\``)
        .join(', ')}${outcome.requestIds.length > 20 ? ` …and ${outcome.requestIds.length - 20} more` : ''}`
    : 'No AWS call succeeded';
  blocks.push({
    type: 'context',
    elements: [{ type: 'mrkdwn', text: clip(`by <@${meta.actor}> · ${new Date(meta.at).toISOString()} · run ${meta.runId} · ${ids}`, 3000) }],
  });
  return { text: `${def.label}: ${STATUS_WORD[outcome.status]} — ${clip(outcome.headline, 200)}`, blocks };
}

export function approvalRequestMessage(
  def: ActionDefinition,
  plan: Plan,
  meta: { requester: string; runId: string; reason?: string; expiresAt?: number },
): SlackMessage {
  return {
    text: `${def.label} needs a second responder's approval`,
    blocks: [
      section(`:raised_hand: <@${meta.requester}> asks to run *${e(def.label)}*${meta.reason ? ` — reason: ${e(meta.reason)}` : ''}\n${e(plan.summary)}`),
      // Slack renders the date in each reader's time zone and the fallback in UTC; the age follows.
      ...(meta.expiresAt !== undefined
        ? [
            {
              type: 'context' as const,
              elements: [
                {
                  type: 'mrkdwn' as const,
                  text: `:hourglass: Approval expires ${slackDate(meta.expiresAt)} — after that nothing runs and the request must be made again.`,
                },
              ],
            },
          ]
        : []),
      ...titled('API actions it will take', plan.apiCalls),
      {
        type: 'actions',
        block_id: `gd_approval_${meta.runId}`,
        elements: [
          { type: 'button', action_id: APPROVE_ACTION_ID, text: { type: 'plain_text', text: 'Approve and run' }, style: 'danger', value: meta.runId },
          { type: 'button', action_id: REJECT_ACTION_ID, text: { type: 'plain_text', text: 'Reject' }, value: meta.runId },
        ],
      },
    ],
  };
}

export function approvalDecidedMessage(def: ActionDefinition, meta: { decidedBy: string; approved: boolean; requester: string }): SlackMessage {
  const text = meta.approved
    ? `:ballot_box_with_check: <@${meta.decidedBy}> approved *${e(def.label)}* requested by <@${meta.requester}>`
    : `:no_entry_sign: <@${meta.decidedBy}> rejected *${e(def.label)}* requested by <@${meta.requester}>; nothing was changed`;
  return { text: `${def.label} ${meta.approved ? 'approved' : 'rejected'}`, blocks: [section(text)] };
}

export function approvalExpiredMessage(def: ActionDefinition, meta: { requester: string; clickedBy: string; minutes: number }): SlackMessage {
  const text = `:hourglass: The request by <@${meta.requester}> to run *${e(def.label)}* expired (approvals are valid for ${meta.minutes} min; <@${meta.clickedBy}> clicked after that). Nothing was changed; ask again for a fresh plan.`;
  return { text: `${def.label} approval expired`, blocks: [section(text)] };
}

function slackDate(ms: number): string {
  const s = Math.floor(ms / 1000);
  const utc = new Date(s * 1000).toISOString().slice(0, 16).replace('T', ' ');
  return `<!date^${s}^{date_short_pretty} at {time} ({ago})|${utc} UTC>`;
}

/** A one-section message (ephemeral answers, refusals, notes). */
export function noticeMessage(text: string): SlackMessage {
  return { text: clip(text.replace(/[*_`]/g, ''), 300), blocks: [section(text)] };
}

export function refusalText(def: { label: string }, reason: string): string {
  return `:lock: You can't run *${e(def.label)}*: ${e(reason)}. Nothing was changed.`;
}
