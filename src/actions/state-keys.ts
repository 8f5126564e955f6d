/**
 * The per-finding state that steps and the card share, one typed key each. A key is its stored
 * name plus the type of its value, so `ctx.state.get(ISOLATION_STATE_KEY)` is typed without a cast
 * and no one writes the name as a loose string. A step that keeps its own state declares its key
 * next to it with `stateKey<T>('name')`.
 */
import type { InstanceProfileRecord } from '../aws/ec2/instance-profile.js';
import type { IsolationRecord } from '../aws/ec2/index.js';
import type { DetachRecord } from '../aws/autoscaling/index.js';
import type { Registration } from '../aws/elbv2/index.js';

/**
 * A stored name with the type of its value. It is a string (the Store takes it as the key as is,
 * and code written before typed keys keeps working); the brand carries T at compile time only.
 */
export type StateKey<T> = string & { readonly __stateValue?: T };

export function stateKey<T>(name: string): StateKey<T> {
  return name as StateKey<T>;
}

/** What the card state keeps about an isolation, so Release restores it exactly. */
export interface IsolationState {
  active: boolean;
  record: IsolationRecord;
  /** Instance isolation: detached from this Auto Scaling group (re-attach on release). */
  asg?: DetachRecord;
  /** Instance isolation: load balancer registrations removed (re-register on release). */
  registrations?: Registration[];
  by: string;
  at: number;
  releasedBy?: string;
  releasedAt?: number;
  /**
   * The run did not cut everything it planned (e.g. ModifyNetworkInterfaceAttribute refused): the
   * record holds only what took effect (Release undoes it); Isolate stays offered to retry these.
   */
  incomplete?: string[];
  /** The finding whose card did it (containment is per resource: other cards show it too). */
  fromFinding?: string;
}

export interface RevokedProfileState {
  active: boolean;
  record: InstanceProfileRecord;
  by: string;
  at: number;
}

/** The finding's resource is isolated (task or instance); the card then offers Release. */
export const ISOLATION_STATE_KEY = stateKey<IsolationState>('isolation');
/** The instance's IAM instance profile was revoked; Release puts it back. */
export const INSTANCE_PROFILE_STATE_KEY = stateKey<RevokedProfileState>('instance_profile');
/** Facts the card shows from now on, by label (Outcome.cardFacts accumulate here). */
export const CARD_FACTS_KEY = stateKey<Record<string, string>>('card_facts');
/** Who set the card's status line. */
export const STATUS_BY_KEY = stateKey<string>('status_by');

/** The state a step's `appliesTo` sees: read once per card render. */
export interface CardState {
  isolated: boolean;
  /** Isolated only in part (a failed or partial run): Isolate is offered again to retry the rest. */
  isolationIncomplete?: boolean;
  credentialsRevoked?: boolean;
}
