/**
 * Systems Manager managed nodes and Run Command invocations. Each managed instance has an
 * outcome for the next commands (status, stdout, stderr, exit code, after how many polls), so a
 * test can make `docker pause` fail and `docker stop` succeed on the same host.
 */
import type { IdGenerator } from '../ids.js';

export type PingStatus = 'Online' | 'ConnectionLost' | 'Inactive';

export interface CommandOutcome {
  status: 'Success' | 'Failed' | 'TimedOut' | 'Cancelled';
  stdout?: string;
  stderr?: string;
  responseCode?: number;
  /** GetCommandInvocation shows InProgress until this poll (default 2). */
  finishesAfterPolls?: number;
}

export interface ManagedInstance {
  instanceId: string;
  pingStatus: PingStatus;
  agentVersion: string;
  platformType: 'Linux' | 'Windows';
  platformName: string;
  lastPing: Date;
  /** By first command word after `docker` (`pause`, `stop`), else `*`. */
  outcomes: Map<string, CommandOutcome>;
}

export interface Invocation {
  commandId: string;
  instanceId: string;
  documentName: string;
  commands: string[];
  comment?: string;
  requestedAt: Date;
  outcome: CommandOutcome;
  polls: number;
}

export class SsmState {
  readonly managed = new Map<string, ManagedInstance>();
  readonly invocations = new Map<string, Invocation>();
  /** GetCommandInvocation answers InvocationDoesNotExist for this many polls after SendCommand (eventual consistency). */
  invisiblePolls = 1;

  constructor(private readonly env: { ids: IdGenerator; now: () => number }) {}

  now(): Date {
    return new Date(this.env.now());
  }

  uuid(): string {
    return this.env.ids.uuid();
  }

  addManagedInstance(instanceId: string, opts: { pingStatus?: PingStatus; platformName?: string } = {}): ManagedInstance {
    const m: ManagedInstance = {
      instanceId,
      pingStatus: opts.pingStatus ?? 'Online',
      agentVersion: '3.3.1142.0',
      platformType: 'Linux',
      platformName: opts.platformName ?? 'Amazon Linux',
      lastPing: this.now(),
      outcomes: new Map(),
    };
    this.managed.set(instanceId, m);
    return m;
  }

  /** What the next `docker <verb>` (or any command, `*`) on this instance does. */
  setOutcome(instanceId: string, outcome: CommandOutcome, verb = '*'): void {
    const m = this.managed.get(instanceId);
    if (!m) throw new Error(`SSM double: ${instanceId} is not a managed instance`);
    m.outcomes.set(verb, outcome);
  }

  /** Every command line sent to an instance, in order (for assertions on what ran as root). */
  commandsSentTo(instanceId: string): string[] {
    return [...this.invocations.values()].filter((i) => i.instanceId === instanceId).flatMap((i) => i.commands);
  }
}
