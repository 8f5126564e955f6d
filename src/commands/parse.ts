/**
 * `/guardduty` command text → a typed command, or a CommandError that says what was wrong and
 * shows the verb's usage. Pure: nothing is looked up or executed here (./resolve.ts resolves
 * targets against the store; the remediation runner executes).
 */
import { MAX_REASON_LENGTH } from '../incidents/lifecycle.js';
import { GRAMMAR, suggestVerb, verbOf, type CommandVerb, type Grammar } from './grammar.js';
import { targetKinds, targetWord, type StepVerb } from './step-verbs.js';
import { mentionOf, plainFromSlack, tokenize, unwrapToken } from './slack-text.js';
import {
  parseAssignee,
  looksLikePod,
  parseImageTarget,
  parseIncidentRef,
  parsePodTarget,
  parseResourceTarget,
  quote,
  type Assignee,
  type ImageTarget,
  type IncidentTarget,
  type ResourceTarget,
} from './targets.js';

export { HELP_TEXT, USAGE, type CommandVerb } from './grammar.js';

/** Step verbs (from the catalog): those taking a TARGET, and those taking an IMAGE. */
export type TargetVerb = string;
export type ImageVerb = string;
export type IncidentVerb = 'follow' | 'unfollow' | 'timeline';
export type CloseVerb = 'close' | 'false-positive';

/** A remediation step typed as a command: one TARGET or one IMAGE. */
export type ParsedStepCommand = { ok: true; verb: TargetVerb; target: ResourceTarget } | { ok: true; verb: ImageVerb; image: ImageTarget };

export function isStepCommand(c: ParsedCommand): c is ParsedStepCommand {
  return 'target' in c || 'image' in c;
}

export type ParsedCommand = ParsedStepCommand | ParsedIncidentCommand;

export type ParsedIncidentCommand =
  | { ok: true; verb: 'help' }
  /** No subject: the list of open incidents. */
  | { ok: true; verb: 'status'; subject?: ResourceTarget | IncidentTarget }
  /** `incidentId` absent: the caller must know the incident from context, else ask for it. */
  | { ok: true; verb: 'assign'; incidentId?: string; assignee: Assignee }
  | { ok: true; verb: CloseVerb; incidentId?: string; reason: string }
  | { ok: true; verb: IncidentVerb; incidentId?: string }
  /** GuardDuty sample findings in the app's own account; `region` absent: the default Region. */
  | { ok: true; verb: 'sample'; region?: string }
  /** Posts the full card of a finding (one folded into a storm digest has none yet). */
  | { ok: true; verb: 'show'; findingId: string }
  /** Dead letters: list them, or retry / discard one. */
  | { ok: true; verb: 'inbox'; op: 'list' }
  | { ok: true; verb: 'inbox'; op: 'retry'; messageId: string }
  | { ok: true; verb: 'inbox'; op: 'discard'; messageId: string; reason: string };

export type CommandErrorCode =
  | 'unknown_verb'
  | 'missing_argument'
  | 'malformed_argument'
  | 'unexpected_argument'
  /** The target exists but this verb cannot act on its kind (e.g. isolate an EKS pod finding). */
  | 'unsupported_target'
  /** The target is in no finding the responder knows, or the incident does not exist. */
  | 'unknown_resource'
  /** The target is in an account or region the responder does not cover. */
  | 'out_of_scope'
  /** An incident verb without an incident id, where the caller cannot tell which incident. */
  | 'no_incident';

export interface CommandError {
  ok: false;
  code: CommandErrorCode;
  /** The verb, when it was recognised. */
  verb?: CommandVerb;
  /** One line: what was wrong (quotes user input: escape it when shown). */
  problem: string;
  /** The usage line of the verb (or the general usage). */
  usage: string;
  help: string;
}

/** True for a CommandError, whatever else the value could be (a parsed command, an incident…). */
export function isCommandError<T>(r: T | CommandError): r is CommandError {
  return typeof r === 'object' && r !== null && (r as { ok?: unknown }).ok === false && typeof (r as { problem?: unknown }).problem === 'string';
}

/** What `status` accepts as a resource (the same targets as isolate). */
const STATUS_TARGET_KINDS: ReadonlySet<ResourceTarget['kind']> = new Set(['ecs_task', 'instance', 'finding']);

export function parseCommand(text: string, grammar: Grammar = GRAMMAR): ParsedCommand | CommandError {
  const commandError = (code: CommandErrorCode, verb: CommandVerb | undefined, problem: string) => grammarError(grammar, code, verb, problem);
  const _single = (verb: CommandVerb, args: readonly string[], what: string) => singleArgument(grammar, verb, args, what);
  const tokens = tokenize(text);
  const [first, ...args] = tokens;
  if (first === undefined) return { ok: true, verb: 'help' };
  const verb = verbOf(unwrapToken(first), grammar);
  if (!verb) {
    const typed = unwrapToken(first);
    const guess = suggestVerb(typed, grammar);
    return commandError('unknown_verb', undefined, `${quote(typed)} is not a /guardduty verb${guess ? ` — did you mean ${guess}?` : ''}`);
  }
  const step = grammar.steps.get(verb);
  if (step) return parseStep(grammar, step, args);
  switch (verb) {
    case 'help':
      return { ok: true, verb };
    case 'status': {
      if (args.length === 0) return { ok: true, verb };
      if (args.length > 1)
        return commandError(
          'unexpected_argument',
          verb,
          `status takes at most one finding or incident; remove ${quote(args.slice(1).map(unwrapToken).join(' '))}`,
        );
      const value = unwrapToken(args[0]!);
      const inc = parseIncidentRef(value);
      if (inc) return { ok: true, verb, subject: inc };
      if (/^inc-/i.test(value)) return commandError('malformed_argument', verb, `${quote(value)} is not an incident id (INC- followed by its number)`);
      const t = parseResourceTarget(value, STATUS_TARGET_KINDS, verb);
      return t.ok ? { ok: true, verb, subject: t.value } : commandError('malformed_argument', verb, t.problem);
    }
    case 'assign': {
      // The incident id may come before or after the person: `assign INC-12 @bob`, `assign @bob INC-12`.
      const ids = args.map((t) => parseIncidentRef(unwrapToken(t))).filter((x): x is IncidentTarget => x !== undefined);
      const others = args.filter((t) => !parseIncidentRef(unwrapToken(t)));
      if (ids.length > 1) return commandError('unexpected_argument', verb, 'assign takes one incident id');
      const malformed = badIncidentId(
        verb,
        others.filter((t) => /^inc-/i.test(unwrapToken(t))),
      );
      if (malformed) return malformed;
      if (others.length === 0) return commandError('missing_argument', verb, 'assign needs the person to assign (@name, a user id, or me)');
      if (others.length > 1)
        return commandError('unexpected_argument', verb, `assign takes one person; remove ${quote(others.slice(1).map(unwrapToken).join(' '))}`);
      return assignee(verb, others[0]!, ids[0]?.incidentId);
    }
    case 'close':
    case 'false-positive': {
      const { incidentId, rest } = leadingIncident(args);
      const malformed = badIncidentId(verb, rest);
      if (malformed) return malformed;
      const reason = plainFromSlack(rest.join(' '));
      if (reason === '') {
        const what = verb === 'close' ? 'closing' : 'marking a false positive';
        return commandError(
          'missing_argument',
          verb,
          `${what} needs a reason (it is recorded in the timeline${verb === 'false-positive' ? ' and sent to GuardDuty as feedback' : ''})`,
        );
      }
      if (reason.length > MAX_REASON_LENGTH)
        return commandError('malformed_argument', verb, `the reason is ${reason.length} characters; keep it under ${MAX_REASON_LENGTH}`);
      return { ok: true, verb, ...(incidentId ? { incidentId } : {}), reason };
    }
    case 'sample':
      return parseSample(grammar, args.map(unwrapToken));
    case 'follow':
    case 'unfollow':
    case 'timeline': {
      const { incidentId, rest } = leadingIncident(args);
      const malformed = badIncidentId(verb, rest);
      if (malformed) return malformed;
      if (rest.length > 0)
        return commandError('unexpected_argument', verb, `${verb} takes only an incident id; remove ${quote(rest.map(unwrapToken).join(' '))}`);
      return { ok: true, verb: verb as IncidentVerb, ...(incidentId ? { incidentId } : {}) };
    }
    case 'inbox': {
      const words = args.map(unwrapToken);
      if (words.length === 0) return { ok: true, verb, op: 'list' };
      const op = words[0]!.toLowerCase();
      if (op !== 'retry' && op !== 'discard') return commandError('unexpected_argument', verb, `inbox takes retry or discard; not ${quote(words[0]!)}`);
      const messageId = words[1];
      if (!messageId) return commandError('missing_argument', verb, `inbox ${op} needs the message id shown by \`/guardduty inbox\``);
      if (!/^[A-Za-z0-9_.:-]{1,128}$/.test(messageId)) return commandError('malformed_argument', verb, `${quote(messageId)} is not an inbox message id`);
      if (op === 'retry') {
        if (words.length > 2) return commandError('unexpected_argument', verb, `inbox retry takes one message id; remove ${quote(words.slice(2).join(' '))}`);
        return { ok: true, verb, op, messageId };
      }
      const reason = plainFromSlack(args.slice(2).join(' '));
      if (reason === '') return commandError('missing_argument', verb, 'discarding needs a reason (it is recorded in the audit log)');
      if (reason.length > MAX_REASON_LENGTH)
        return commandError('malformed_argument', verb, `the reason is ${reason.length} characters; keep it under ${MAX_REASON_LENGTH}`);
      return { ok: true, verb, op, messageId, reason };
    }
    case 'show': {
      if (args.length === 0) return commandError('missing_argument', verb, 'show needs a GuardDuty finding id');
      if (args.length > 1)
        return commandError('unexpected_argument', verb, `show takes one finding id; remove ${quote(args.slice(1).map(unwrapToken).join(' '))}`);
      const findingId = unwrapToken(args[0]!);
      if (!/^[A-Za-z0-9_-]{1,128}$/.test(findingId)) return commandError('malformed_argument', verb, `${quote(findingId)} is not a GuardDuty finding id`);
      return { ok: true, verb, findingId };
    }
  }
  return commandError('unknown_verb', undefined, `${quote(verb)} is not a /guardduty verb`);
}

/** A step verb: one TARGET (task ARN, instance id, finding id, or `namespace/pod --cluster NAME`) or one IMAGE URI. */
function parseStep(grammar: Grammar, step: StepVerb, args: readonly string[]): ParsedCommand | CommandError {
  const verb = step.verb;
  if (step.image) {
    const one = singleArgument(grammar, verb, args, 'an image URI');
    if (!one.ok) return one;
    const img = parseImageTarget(one.value, { ecrOnly: !step.anyRegistry });
    return img.ok ? { ok: true, verb, image: img.value } : grammarError(grammar, 'malformed_argument', verb, img.problem);
  }
  const words = args.map(unwrapToken);
  if (looksLikePod(words)) {
    if (!step.actions.pod) return grammarError(grammar, 'malformed_argument', verb, `${verb} does not take an EKS pod; it takes ${targetWord(step)}`);
    const pod = parsePodTarget(words);
    return pod.ok ? { ok: true, verb, target: pod.value } : grammarError(grammar, 'malformed_argument', verb, pod.problem);
  }
  const one = singleArgument(grammar, verb, args, targetWord(step));
  if (!one.ok) return one;
  const t = parseResourceTarget(one.value, new Set([...targetKinds(step), 'finding']), verb);
  return t.ok ? { ok: true, verb, target: t.value } : grammarError(grammar, 'malformed_argument', verb, t.problem);
}

const REGION_RE = /^[a-z]{2}(?:-[a-z]+)+-\d$/;

/** `sample`, `sample --region eu-west-1`, `sample --region=eu-west-1`. */
function parseSample(grammar: Grammar, words: readonly string[]): ParsedCommand | CommandError {
  let region: string | undefined;
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    const value = w === '--region' ? words[++i] : w.startsWith('--region=') ? w.slice('--region='.length) : undefined;
    if (value === undefined) {
      if (w === '--region') return grammarError(grammar, 'missing_argument', 'sample', '--region needs a Region, e.g. --region eu-west-1');
      return grammarError(grammar, 'unexpected_argument', 'sample', `sample takes only --region REGION; remove ${quote(w)}`);
    }
    if (region !== undefined) return grammarError(grammar, 'unexpected_argument', 'sample', '--region is given twice');
    if (!REGION_RE.test(value)) return grammarError(grammar, 'malformed_argument', 'sample', `${quote(value)} is not an AWS Region (e.g. us-east-1)`);
    region = value;
  }
  return { ok: true, verb: 'sample', ...(region ? { region } : {}) };
}

export function commandError(code: CommandErrorCode, verb: CommandVerb | undefined, problem: string): CommandError {
  return grammarError(GRAMMAR, code, verb, problem);
}

function grammarError(g: Grammar, code: CommandErrorCode, verb: CommandVerb | undefined, problem: string): CommandError {
  return { ok: false, code, ...(verb ? { verb } : {}), problem, usage: (verb ? g.usage[verb] : undefined) ?? g.generalUsage, help: g.help };
}

/** Exactly one argument, unwrapped from Slack's formatting. */
function singleArgument(g: Grammar, verb: CommandVerb, args: readonly string[], what: string): { ok: true; value: string } | CommandError {
  if (args.length === 0) return grammarError(g, 'missing_argument', verb, `${verb} needs ${what}`);
  if (args.length > 1)
    return grammarError(g, 'unexpected_argument', verb, `${verb} takes one argument; remove ${quote(args.slice(1).map(unwrapToken).join(' '))}`);
  return { ok: true, value: unwrapToken(args[0]!) };
}

function leadingIncident(args: readonly string[]): { incidentId?: string; rest: string[] } {
  const first = args[0];
  const inc = first !== undefined ? parseIncidentRef(unwrapToken(first)) : undefined;
  return inc ? { incidentId: inc.incidentId, rest: args.slice(1) } : { rest: [...args] };
}

/** `close INC-x reason` (a typo in the id) must not become a reason starting with "INC-x". */
function badIncidentId(verb: CommandVerb, rest: readonly string[]): CommandError | undefined {
  const first = rest[0] !== undefined ? unwrapToken(rest[0]) : undefined;
  if (first && /^inc-/i.test(first) && !parseIncidentRef(first)) {
    return commandError('malformed_argument', verb, `${quote(first)} is not an incident id (INC- followed by its number)`);
  }
  return undefined;
}

function assignee(verb: CommandVerb, token: string, incidentId: string | undefined): ParsedCommand | CommandError {
  const a = parseAssignee(mentionOf(token) ? token : unwrapToken(token));
  if (!a.ok) return commandError('malformed_argument', verb, a.problem);
  return { ok: true, verb: 'assign', ...(incidentId ? { incidentId } : {}), assignee: a.value };
}

/** Every spelling accepted for a verb (for tests and docs). */
export function spellingsOf(verb: CommandVerb, g: Grammar = GRAMMAR): string[] {
  return [
    verb,
    ...Object.entries(g.aliases)
      .filter(([, v]) => v === verb)
      .map(([k]) => k),
  ];
}
