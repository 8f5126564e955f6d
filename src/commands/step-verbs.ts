/**
 * The `/guardduty` verbs that run remediation steps, derived from the steps themselves
 * (ActionDefinition.command): verb → resource kind → action id, aliases, usage and help lines.
 * A new step with a `command` shows up in the grammar, the parser and `/guardduty help` from here.
 */
import type { ActionDefinition, ActionId, CommandResource } from '../actions/types.js';

export interface StepVerb {
  verb: string;
  aliases: string[];
  /** The step each resource kind runs. */
  actions: Partial<Record<CommandResource, ActionId>>;
  /** Takes an image URI (else a TARGET: task ARN, instance id, pod or finding id). */
  image: boolean;
  anyRegistry: boolean;
  section: string;
  help?: string;
}

/** Sections of `/guardduty help` in this order; other sections follow in catalog order. */
export const HELP_SECTIONS = ['Contain', 'Images', 'Instances', 'Pods'];

export function stepVerbs(defs: readonly ActionDefinition[]): ReadonlyMap<string, StepVerb> {
  const byVerb = new Map<string, StepVerb>();
  for (const d of defs) {
    const c = d.command;
    if (!c) continue;
    const v = byVerb.get(c.verb) ?? { verb: c.verb, aliases: [], actions: {}, image: false, anyRegistry: false, section: c.section };
    for (const r of c.resources) {
      if (v.actions[r]) throw new Error(`steps ${v.actions[r]} and ${d.id} both claim "${c.verb}" on ${r}`);
      v.actions[r] = d.id;
    }
    v.image ||= c.resources.includes('image');
    v.anyRegistry ||= c.anyRegistry === true;
    v.aliases.push(...(c.aliases ?? []).filter((a) => !v.aliases.includes(a)));
    if (!v.help && c.help) v.help = c.help;
    byVerb.set(c.verb, v);
  }
  const rank = (s: string) => (HELP_SECTIONS.includes(s) ? HELP_SECTIONS.indexOf(s) : HELP_SECTIONS.length);
  const sections = [...new Set([...byVerb.values()].map((v) => v.section))].sort((a, b) => rank(a) - rank(b));
  return new Map(sections.flatMap((s) => [...byVerb.values()].filter((v) => v.section === s).map((v) => [v.verb, v] as const)));
}

export type TargetKind = 'ecs_task' | 'instance' | 'pod';
const TARGET_KINDS: readonly TargetKind[] = ['ecs_task', 'instance', 'pod'];
const TARGET_TOKENS: Readonly<Record<TargetKind, string>> = { ecs_task: 'TASK_ARN', instance: 'INSTANCE_ID', pod: 'NAMESPACE/POD --cluster CLUSTER' };
const TARGET_NOUNS: Readonly<Record<TargetKind, string>> = {
  ecs_task: 'an ECS task ARN',
  instance: 'an EC2 instance id',
  pod: 'an EKS pod (namespace/pod --cluster CLUSTER)',
};

/** `/guardduty VERB ARGUMENT` for a step verb. */
export function stepUsage(command: string, v: StepVerb): string {
  if (v.image) return `${command} ${v.verb} ${v.anyRegistry ? 'IMAGE_URI' : 'ECR_IMAGE_URI'} (with :tag or @sha256:digest)`;
  const kinds = targetKinds(v);
  const tokens = [...kinds.filter((k) => k !== 'pod').map((k) => TARGET_TOKENS[k]), 'FINDING_ID', ...(kinds.includes('pod') ? [TARGET_TOKENS.pod] : [])];
  return `${command} ${v.verb} ${tokens.join('|')}`;
}

/** The resource kinds a TARGET verb takes, besides a finding id. */
export function targetKinds(v: StepVerb): TargetKind[] {
  return TARGET_KINDS.filter((k) => v.actions[k]);
}

/** What a TARGET verb needs, for "isolate needs …". */
export function targetWord(v: StepVerb): string {
  const nouns = [...targetKinds(v).map((k) => TARGET_NOUNS[k]), 'a finding id'];
  const list = `${nouns.slice(0, -1).join(', ')} or ${nouns.at(-1)}`;
  return nouns.length > 2 ? `a target (${list})` : list;
}

/** The help lines of the step verbs, by section. */
export function stepHelpLines(verbs: ReadonlyMap<string, StepVerb>): string[] {
  const out: string[] = [];
  let section: string | undefined;
  for (const v of verbs.values()) {
    if (!v.help) continue;
    if (v.section !== section) {
      section = v.section;
      out.push(`*${section}*`);
    }
    out.push(`• \`${v.verb} ${v.image ? 'IMAGE' : 'TARGET'}\` — ${v.help}`);
  }
  return out;
}
