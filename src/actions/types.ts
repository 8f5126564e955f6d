import type { Finding } from '../findings/model.js';
import type { Logger } from '../log.js';
import type { FindingRecord } from '../store/store.js';
import type { Clock } from '../util/clock.js';
import type { AwsClients } from '../aws/clients.js';
import type { CardState, StateKey } from './state-keys.js';
import type { AwsPlace } from '../aws/accounts.js';

/**
 * Stable ids: used in action_id of buttons, in the audit trail and in AUTHZ_POLICY_FILE. Any id a
 * step in the catalog (./catalog.ts) declares: the catalog is the list, so adding a step touches
 * no union here. Lower-case words joined by "_" (test/actions/catalog.test.ts checks).
 */
export type ActionId = string;

/** What a `/guardduty` verb acts on: the resource kinds a step's command accepts. */
/** `pod`: `namespace/pod --cluster NAME` (src/k8s/pod-ref.ts), in the account and Region of the finding on that pod. */
export type CommandResource = 'ecs_task' | 'instance' | 'pod' | 'image';

/** How a step is typed as a `/guardduty` command (src/commands derives the grammar and help from it). */
export interface StepCommand {
  /** The verb typed after /guardduty, lower case (e.g. "isolate"). Steps may share a verb for different resources. */
  verb: string;
  /** Other spellings people type (e.g. "unisolate"). */
  aliases?: readonly string[];
  /** The resource kinds this step acts on; a TARGET verb also accepts a finding id (its resource). */
  resources: readonly CommandResource[];
  /** `image` verbs: accept any registry's image URI (default: ECR only). */
  anyRegistry?: boolean;
  /** The `/guardduty help` section the verb is listed in. */
  section: 'Contain' | 'Images' | 'Instances' | 'Pods' | (string & {});
  /** One line for `/guardduty help` (the first step of a verb that has one gives it). */
  help?: string;
}

/** What a fully succeeded run means for the finding's incident (see src/incidents/action-events.ts). */
export type Containment = 'contain' | 'release';

export type PlanInput =
  | { id: string; label: string; kind: 'text'; placeholder?: string; optional?: boolean; initial?: string; hint?: string }
  | { id: string; label: string; kind: 'select'; options: { value: string; label: string }[]; initial?: string; hint?: string };

/** A dry-run computed from live state, shown before anything changes. */
export interface Plan {
  /** One line: what will happen. */
  summary: string;
  /** Exact resources the step touches. */
  resources: string[];
  /** Exact API actions the step will take, e.g. "ecs:StopTask task/prod/abc". */
  apiCalls: string[];
  /** What it will not do, side effects, who else is affected. */
  warnings: string[];
  /** When set the step cannot run now: the modal says why and has no submit button. */
  blocked?: string;
  /** Extra inputs the confirmation asks for (the reason field is added for destructive steps). */
  inputs?: PlanInput[];
  /** Step-specific data execute() needs; stored with the run (JSON). */
  data?: unknown;
}

export interface Outcome {
  status: 'succeeded' | 'partial' | 'failed';
  headline: string;
  done: string[];
  notDone: string[];
  next: string[];
  requestIds: string[];
  /** Full text of a long result, attached to the thread as a file. */
  attachment?: { filename: string; title: string; content: string };
  /** The card's new status line. */
  cardStatus?: string;
  /** Facts the card shows from now on, by label (e.g. "Blast radius"). */
  cardFacts?: Record<string, string>;
}

/** The finding's own state (see ./state-keys.ts); plain string names still work for older steps. */
export interface FindingStateAccess {
  get<T>(key: StateKey<T> | string): Promise<T | undefined>;
  put<T>(key: StateKey<T> | string, value: T): Promise<void>;
}

export interface ActionContext {
  finding: Finding;
  record: FindingRecord;
  actor: string;
  /** Clients for the finding's own account and Region (a session of `actor` in a member account). */
  aws: AwsClients;
  /** Clients for another allowed account and Region (throws account_not_allowed elsewhere). */
  awsIn?: (place: AwsPlace) => AwsClients;
  /** Every allowed account × Region (organization-wide sweeps). */
  places?: () => AwsPlace[];
  /** Human account name (AWS_ACCOUNT_NAMES), for result lines. */
  accountName?: (accountId: string) => string | undefined;
  clock: Clock;
  state: FindingStateAccess;
  log: Logger;
  /** Progress lines for long steps; the runner paces them into one updated thread message. */
  progress: (line: string) => void;
}

export interface ExecuteContext extends ActionContext {
  plan: Plan;
  inputs: Record<string, string>;
  reason?: string;
}

export interface ActionDefinition {
  id: ActionId;
  /** Button text (≤ 75 chars). */
  label: string;
  /** Submit button text of the confirmation. */
  verb: string;
  /** Changes production (authorization required); read-only steps may be open to the channel. */
  changes: boolean;
  /** Asks for a reason; may be set to need a second person's approval. */
  destructive: boolean;
  /** May run again after it succeeded (read-only sweeps, scans). */
  repeatable: boolean;
  style?: 'primary' | 'danger';
  /** Whether the button is shown for this finding and its recorded state. */
  appliesTo(finding: Finding, state: CardState): boolean;
  plan(ctx: ActionContext): Promise<Plan>;
  /** Checks the confirmation's inputs; returns an error text per input id (shown in the modal). */
  validateInputs?(inputs: Record<string, string>): Record<string, string>;
  execute(ctx: ExecuteContext): Promise<Outcome>;
  /** The `/guardduty` command that runs this step; without it the step is a button only. */
  command?: StepCommand;
  /** How the incident timeline names the step; default: label. */
  timelineLabel?: string;
  /**
   * Whether a fully succeeded run contains the incident, releases it, or neither (default). A
   * function when it depends on the finding (stopping one task of a service contains nothing:
   * the scheduler replaces it).
   */
  containment?: Containment | ((finding: Finding) => Containment | undefined);
}
