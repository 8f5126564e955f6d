/**
 * The remediation use cases behind every button and slash command:
 * open → authorize → plan (live dry-run) → confirm → [approve] → claim exactly once → run → report.
 * Each phase is its own module (open.ts, plan.ts, submit.ts + claim.ts, approval.ts, execute.ts,
 * recover.ts; context.ts is what a step sees). This class is the one entry point handlers call:
 * they ack and call one of its methods; it tracks the work that continues after the ack.
 */
import { describeError } from '../errors.js';
import { decideRun, type DecideRequest } from './approval.js';
import type { ActionRunnerDeps, StartRun } from './deps.js';
import { executeRun } from './execute.js';
import { openRun, type OpenRequest } from './open.js';
import { recoverInterrupted } from './recover.js';
import { submitRun, type SubmitRequest } from './submit.js';

export type { Requester } from '../notify/requester.js';
export type { ActionRunnerDeps } from './deps.js';
export { SAMPLE_FINDING_MESSAGE } from '../findings/sample.js';

export class ActionRunner {
  private readonly inFlight = new Set<Promise<void>>();
  private readonly start: StartRun = (def, run, record) => this.background(executeRun(this.d, def, run, record));

  constructor(private readonly d: ActionRunnerDeps) {}

  /** Resolves when every background step started so far has finished (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** A button click: true when the confirmation was opened; false when the requester was told why not. */
  open(req: OpenRequest): Promise<boolean> {
    return openRun(this.d, req);
  }

  /** The confirmation was submitted: authorize again (execution time), then approve-or-run. */
  submit(req: SubmitRequest): Promise<void> {
    return submitRun(this.d, req, this.start);
  }

  /** Approve or reject a run waiting for a second person. */
  decide(req: DecideRequest): Promise<void> {
    return decideRun(this.d, req, this.start);
  }

  /** At start-up: a step that was running when the process died is reported, never re-run blindly. */
  recoverInterrupted(): Promise<number> {
    return recoverInterrupted(this.d);
  }

  /** Work a Slack handler continues after its ack: tracked so idle() (tests, shutdown) waits for it. */
  track(p: Promise<void>): Promise<void> {
    this.background(p);
    return p.catch(() => undefined);
  }

  private background(p: Promise<void>): void {
    const tracked = p.catch((err) => this.d.logger.error({ err: describeError(err) }, 'background step crashed')).finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
  }
}
