/**
 * The `/guardduty` grammar: verbs, aliases, one usage line per verb, and the help text.
 *
 * Slack facts that shape it:
 * - Slash commands cannot be typed in a message thread and their payload has no `thread_ts`, so
 *   incident verbs take the incident id (`INC-12`) explicitly; it is optional in the grammar only
 *   so that a caller that knows the incident (a future message shortcut) can supply it.
 * - With "Escape channels, users, and links" on (should_escape), a mention arrives as
 *   `<@U123|name>` and a domain-looking argument (an ECR image URI) may arrive auto-linked as
 *   `<http://…|…>`; ./slack-text.ts undoes both.
 */

import { ALL_ACTIONS } from '../actions/catalog.js';
import type { ActionDefinition } from '../actions/types.js';
import { stepHelpLines, stepUsage, stepVerbs, type StepVerb } from './step-verbs.js';

export const COMMAND_NAME = '/guardduty';

/** Verbs about incidents (not remediation steps). */
export const INCIDENT_VERBS = ['status', 'assign', 'close', 'false-positive', 'follow', 'unfollow', 'timeline', 'show'] as const;

/** Verbs about GuardDuty itself (not a finding or an incident). */
export const GUARDDUTY_VERBS = ['sample', 'inbox'] as const;

/** A verb: help, a step verb (from the catalog) or an incident verb. */
export type CommandVerb = string;

const INCIDENT_ALIASES: Readonly<Record<string, string>> = {
  '?': 'help',
  false_positive: 'false-positive',
  falsepositive: 'false-positive',
  fp: 'false-positive',
  resolve: 'close',
  export: 'timeline',
};

const INCIDENT_USAGE: Readonly<Record<string, string>> = {
  help: `${COMMAND_NAME} help`,
  status: `${COMMAND_NAME} status [FINDING_ID|INC-n|TASK_ARN|INSTANCE_ID]`,
  assign: `${COMMAND_NAME} assign INC-n @user (or "me")`,
  close: `${COMMAND_NAME} close INC-n REASON`,
  'false-positive': `${COMMAND_NAME} false-positive INC-n REASON`,
  follow: `${COMMAND_NAME} follow INC-n`,
  unfollow: `${COMMAND_NAME} unfollow INC-n`,
  timeline: `${COMMAND_NAME} timeline INC-n`,
  sample: `${COMMAND_NAME} sample [--region REGION]`,
  show: `${COMMAND_NAME} show FINDING_ID`,
  inbox: `${COMMAND_NAME} inbox [retry MESSAGE_ID | discard MESSAGE_ID REASON]`,
};

const EXAMPLE_TASK = 'arn:aws:ecs:us-east-1:123456789012:task/prod/8f3e2d1c0b9a48f7a6e5d4c3b2a19f8e';
const EXAMPLE_IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/checkout-api:1.4.2';

export interface Grammar {
  readonly verbs: readonly string[];
  /** Other spellings people type. */
  readonly aliases: Readonly<Record<string, string>>;
  /** One usage line per verb. */
  readonly usage: Readonly<Record<string, string>>;
  /** Shown for an unknown verb or an empty command. */
  readonly generalUsage: string;
  /** Slack mrkdwn (our own text: nothing to escape). Stays well under one section's 3000 characters. */
  readonly help: string;
  readonly steps: ReadonlyMap<string, StepVerb>;
}

/** The grammar for a catalog of steps: step verbs come from each step's `command`. */
export function buildGrammar(defs: readonly ActionDefinition[]): Grammar {
  const steps = stepVerbs(defs);
  const verbs = ['help', ...steps.keys(), ...INCIDENT_VERBS, ...GUARDDUTY_VERBS];
  const aliases: Record<string, string> = { ...INCIDENT_ALIASES };
  for (const v of steps.values()) for (const a of v.aliases) aliases[a] = v.verb;
  const usage: Record<string, string> = { ...INCIDENT_USAGE };
  for (const v of steps.values()) usage[v.verb] = stepUsage(COMMAND_NAME, v);
  const help = [
    `*GuardDuty responder — \`${COMMAND_NAME}\`*`,
    'Every step that changes something shows its plan from the live state and asks you to confirm first.',
    '',
    ...stepHelpLines(steps),
    '*Incidents*',
    '• `status [FINDING|INC-n]` — summary (Conditions, Actions, Needs); without an argument, the open incidents',
    '• `assign INC-n @user` (or `me`), `close INC-n REASON`, `false-positive INC-n REASON`',
    '• `follow INC-n` / `unfollow INC-n` — a DM on every state change; `timeline INC-n` — Markdown export',
    '• `show FINDING_ID` — post the full card of a finding folded into a storm digest',
    '• `inbox` — messages that could not be processed (reason, attempts, age) with Retry and Discard; `inbox discard MESSAGE_ID REASON`',
    '*Try it*',
    "• `sample [--region REGION]` — GuardDuty creates Runtime Monitoring sample findings in the app's account; they arrive as cards",
    '',
    "TARGET: an ECS task ARN, an EC2 instance id (`i-…`), an EKS pod (`namespace/pod --cluster NAME`) or a GuardDuty finding id (acts on that finding's resource). " +
      'IMAGE: an image URI with `:tag` or `@sha256:digest`. Slack does not allow slash commands inside threads, so give the incident id.',
    '',
    '*Examples*',
    ...(steps.has('isolate') ? [`\`${COMMAND_NAME} isolate ${EXAMPLE_TASK}\``, `\`${COMMAND_NAME} isolate i-0abc1234def567890\``] : []),
    ...(steps.has('stop') ? [`\`${COMMAND_NAME} stop c2c6f0b7e1a94d0f8a5f2e6d4b3a1c90\``] : []),
    ...(steps.get('isolate')?.actions.pod ? [`\`${COMMAND_NAME} isolate web/shop-7d9f-x2kqp --cluster prod\``] : []),
    ...(steps.has('image') ? [`\`${COMMAND_NAME} image ${EXAMPLE_IMAGE}\``] : []),
    `\`${COMMAND_NAME} status INC-12\``,
    `\`${COMMAND_NAME} assign INC-12 @alice\``,
    `\`${COMMAND_NAME} close INC-12 image rebuilt, service redeployed on 1.4.3\``,
  ].join('\n');
  return { verbs, aliases, usage, generalUsage: `${COMMAND_NAME} VERB ARGUMENTS — verbs: ${verbs.join(', ')}`, help, steps };
}

/** The grammar of the app's catalog (src/actions/catalog.ts). */
export const GRAMMAR: Grammar = buildGrammar(ALL_ACTIONS);
export const VERBS: readonly string[] = GRAMMAR.verbs;
export const ALIASES: Readonly<Record<string, CommandVerb>> = GRAMMAR.aliases;
export const USAGE: Readonly<Record<CommandVerb, string>> = GRAMMAR.usage;
export const GENERAL_USAGE = GRAMMAR.generalUsage;
export const HELP_TEXT = GRAMMAR.help;

/** Resolves a typed verb (any case, aliases) to a verb, or undefined. */
export function verbOf(word: string, g: Grammar = GRAMMAR): CommandVerb | undefined {
  const w = word.toLowerCase();
  return g.verbs.includes(w) ? w : Object.hasOwn(g.aliases, w) ? g.aliases[w] : undefined;
}

/** The closest verb within edit distance 2, for "did you mean …?". */
export function suggestVerb(word: string, g: Grammar = GRAMMAR): CommandVerb | undefined {
  const w = word.toLowerCase().slice(0, 40);
  let best: { verb: CommandVerb; d: number } | undefined;
  for (const v of g.verbs) {
    const d = editDistance(w, v);
    if (d <= 2 && (!best || d < best.d)) best = { verb: v, d };
  }
  return best?.verb;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}
