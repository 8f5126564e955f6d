/**
 * The recover phase, at start-up and periodically: a step left running by a dead process (no live
 * heartbeat of its owner replica) is reported as interrupted (thread, card, timeline, audit), never
 * re-run blindly — AWS may be half-changed. The store hands each such run to exactly one caller, so
 * with several replicas it is reported once; live replicas' runs are left alone.
 */
import type { ActionId } from '../actions/types.js';
import { audit, phase, setStatus, type ActionRunnerDeps } from './deps.js';

/** How many runs were found running (each is moved to `interrupted` once, by whoever claims it). */
export async function recoverInterrupted(d: ActionRunnerDeps): Promise<number> {
  const runs = await d.store.interruptOrphanedRuns(d.clock.now());
  for (const run of runs) {
    const record = await d.store.getFinding(run.findingId);
    const def = d.catalog.get(run.action as ActionId);
    await audit(d, record, run.runId, 'system', 'interrupted', { action: run.action });
    await phase(d, run.findingId, {
      phase: 'result',
      action: run.action,
      runId: run.runId,
      status: 'failed',
      headline: 'interrupted by a restart of the responder',
      actor: run.requestedBy,
    });
    if (record && def) {
      await d.notify.interrupted(record, def, run.requestedBy);
      await setStatus(d, record.findingId, `:warning: ${def.label} interrupted by a restart — check and re-run`, run.requestedBy);
      await d.notify.refreshCard(record.findingId);
    }
  }
  return runs.length;
}
