/**
 * Every AWS call a remediation step makes lands in the audit trail with its run: the runner runs
 * plan/execute inside `withAuditContext`, and the AWS client factory's `onCall` hook (one record
 * per call, final outcome after retries) writes an `aws_call` entry for the current context.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { AwsCallRecord } from '../aws/clients.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/store.js';
import type { Clock } from '../util/clock.js';

export interface AuditContext {
  findingId: string;
  runId?: string;
  actor: string;
}

const context = new AsyncLocalStorage<AuditContext>();

export function withAuditContext<T>(ctx: AuditContext, fn: () => Promise<T>): Promise<T> {
  return context.run(ctx, fn);
}

export function recordAwsCall(deps: { store: Store; clock: Clock; logger: Logger }): (call: AwsCallRecord) => void {
  return (call) => {
    const ctx = context.getStore();
    deps.store
      .appendAudit({
        at: deps.clock.now(),
        ...(ctx ? { findingId: ctx.findingId, actor: ctx.actor, ...(ctx.runId ? { runId: ctx.runId } : {}) } : {}),
        event: 'aws_call',
        detail: call,
      })
      .catch((err) => deps.logger.warn({ err: String(err) }, 'aws call could not be audited'));
  };
}
