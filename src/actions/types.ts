import type { Finding } from '../findings/model.js';
import type { Logger } from '../log.js';
import type { FindingRecord } from '../store/store.js';
import type { Clock } from '../util/clock.js';
import type { AwsClients } from '../aws/clients.js';
import type { AwsPlace } from '../aws/accounts.js';

/** Stable ids: used in action_id of buttons, in the audit trail and in AUTHZ_POLICY_FILE. */
export type ActionId =
  | 'isolate_task'
  | 'release_isolation'
  | 'stop_task'
  | 'find_image_tasks'
  | 'quarantine_image'
  | 'stop_all_pin'
  | 'scan_image'
  | 'preserve_evidence'
  | 'isolate_instance'
  | 'malware_scan'
  | 'revoke_credentials'
  | 'pause_container';

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

export interface FindingStateAccess {
  get<T>(key: string): Promise<T | undefined>;
  put(key: string, value: unknown): Promise<void>;
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
  appliesTo(finding: Finding, state: { isolated: boolean; credentialsRevoked?: boolean }): boolean;
  plan(ctx: ActionContext): Promise<Plan>;
  /** Checks the confirmation's inputs; returns an error text per input id (shown in the modal). */
  validateInputs?(inputs: Record<string, string>): Record<string, string>;
  execute(ctx: ExecuteContext): Promise<Outcome>;
}
