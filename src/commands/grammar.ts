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

export const COMMAND_NAME = '/guardduty';

export const VERBS = [
  'help',
  'isolate',
  'release',
  'stop',
  'quarantine',
  'image',
  'scan',
  'evidence',
  'malware-scan',
  'status',
  'assign',
  'close',
  'false-positive',
  'follow',
  'unfollow',
  'timeline',
] as const;

export type CommandVerb = (typeof VERBS)[number];

/** Other spellings people type. */
export const ALIASES: Readonly<Record<string, CommandVerb>> = {
  '?': 'help',
  'malware_scan': 'malware-scan',
  'malwarescan': 'malware-scan',
  'false_positive': 'false-positive',
  'falsepositive': 'false-positive',
  'fp': 'false-positive',
  'resolve': 'close',
  'unisolate': 'release',
  'export': 'timeline',
};

export const USAGE: Readonly<Record<CommandVerb, string>> = {
  'help': `${COMMAND_NAME} help`,
  'isolate': `${COMMAND_NAME} isolate TASK_ARN|INSTANCE_ID|FINDING_ID`,
  'release': `${COMMAND_NAME} release TASK_ARN|INSTANCE_ID|FINDING_ID`,
  'stop': `${COMMAND_NAME} stop TASK_ARN|FINDING_ID`,
  'quarantine': `${COMMAND_NAME} quarantine ECR_IMAGE_URI (with :tag or @sha256:digest)`,
  'image': `${COMMAND_NAME} image IMAGE_URI (with :tag or @sha256:digest)`,
  'scan': `${COMMAND_NAME} scan ECR_IMAGE_URI (with :tag or @sha256:digest)`,
  'evidence': `${COMMAND_NAME} evidence INSTANCE_ID|FINDING_ID`,
  'malware-scan': `${COMMAND_NAME} malware-scan INSTANCE_ID|FINDING_ID`,
  'status': `${COMMAND_NAME} status [FINDING_ID|INC-n|TASK_ARN|INSTANCE_ID]`,
  'assign': `${COMMAND_NAME} assign INC-n @user (or "me")`,
  'close': `${COMMAND_NAME} close INC-n REASON`,
  'false-positive': `${COMMAND_NAME} false-positive INC-n REASON`,
  'follow': `${COMMAND_NAME} follow INC-n`,
  'unfollow': `${COMMAND_NAME} unfollow INC-n`,
  'timeline': `${COMMAND_NAME} timeline INC-n`,
};

/** Shown for an unknown verb or an empty command. */
export const GENERAL_USAGE = `${COMMAND_NAME} VERB ARGUMENTS — verbs: ${VERBS.join(', ')}`;

const EXAMPLE_TASK = 'arn:aws:ecs:us-east-1:123456789012:task/prod/8f3e2d1c0b9a48f7a6e5d4c3b2a19f8e';
const EXAMPLE_IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/checkout-api:1.4.2';

/** Slack mrkdwn (our own text: nothing to escape). Stays well under one section's 3000 characters. */
export const HELP_TEXT = [
  `*GuardDuty responder — \`${COMMAND_NAME}\`*`,
  'Every step that changes something shows its plan from the live state and asks you to confirm first.',
  '',
  '*Contain*',
  '• `isolate TARGET` — cut a task\'s or instance\'s network traffic, keep it running for forensics',
  '• `release TARGET` — undo that isolation exactly',
  '• `stop TARGET` — stop an ECS task (a service starts a replacement: the plan says how to prevent it)',
  '*Images*',
  '• `image IMAGE` — find every running task that uses the image',
  '• `quarantine IMAGE` — keep the manifest as evidence, then delete the image from ECR',
  '• `scan IMAGE` — start an ECR image scan',
  '*Instances*',
  '• `evidence INSTANCE` — snapshots, termination protection and tags before anything changes',
  '• `malware-scan INSTANCE` — GuardDuty on-demand malware scan',
  '*Incidents*',
  '• `status [FINDING|INC-n]` — summary (Conditions, Actions, Needs); without an argument, the open incidents',
  '• `assign INC-n @user` (or `me`), `close INC-n REASON`, `false-positive INC-n REASON`',
  '• `follow INC-n` / `unfollow INC-n` — a DM on every state change; `timeline INC-n` — Markdown export',
  '',
  'TARGET: an ECS task ARN, an EC2 instance id (`i-…`) or a GuardDuty finding id (acts on that finding\'s resource). ' +
    'IMAGE: an image URI with `:tag` or `@sha256:digest`. Slack does not allow slash commands inside threads, so give the incident id.',
  '',
  '*Examples*',
  `\`${COMMAND_NAME} isolate ${EXAMPLE_TASK}\``,
  `\`${COMMAND_NAME} isolate i-0abc1234def567890\``,
  `\`${COMMAND_NAME} stop c2c6f0b7e1a94d0f8a5f2e6d4b3a1c90\``,
  `\`${COMMAND_NAME} image ${EXAMPLE_IMAGE}\``,
  `\`${COMMAND_NAME} status INC-12\``,
  `\`${COMMAND_NAME} assign INC-12 @alice\``,
  `\`${COMMAND_NAME} close INC-12 image rebuilt, service redeployed on 1.4.3\``,
].join('\n');

/** Resolves a typed verb (any case, aliases) to a verb, or undefined. */
export function verbOf(word: string): CommandVerb | undefined {
  const w = word.toLowerCase();
  return (VERBS as readonly string[]).includes(w) ? (w as CommandVerb) : ALIASES[w];
}

/** The closest verb within edit distance 2, for "did you mean …?". */
export function suggestVerb(word: string): CommandVerb | undefined {
  const w = word.toLowerCase().slice(0, 40);
  let best: { verb: CommandVerb; d: number } | undefined;
  for (const v of VERBS) {
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
