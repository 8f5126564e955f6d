/**
 * What every phase of a run needs (the runner's dependencies) and the three records a phase
 * leaves behind: the audit log, the incident timeline, the card's status line.
 */
import type { ActionDefinition, ActionId } from '../actions/types.js';
import { STATUS_BY_KEY } from '../actions/state-keys.js';
import type { Authorizer } from '../authz/authorizer.js';
import type { AwsClientFactory } from '../aws/clients.js';
import { describeError } from '../errors.js';
import type { RunPhase } from '../incidents/action-events.js';
import type { Logger } from '../log.js';
import type { RunNotifier } from '../notify/run-notices.js';
import type { ActionRun, FindingRecord, Store } from '../store/store.js';
import type { Clock } from '../util/clock.js';

export interface ActionRunnerDeps {
  store: Store;
  /** Every message, modal and card re-render of a run (src/notify/run-notices.ts). */
  notify: RunNotifier;
  authorizer: Authorizer;
  catalog: ReadonlyMap<ActionId, ActionDefinition>;
  aws: AwsClientFactory;
  clock: Clock;
  logger: Logger;
  newId: () => string;
  /** Each phase of a run lands on the finding's incident timeline (and may move its state). */
  onPhase?: (findingId: string, phase: RunPhase & { actor: string; serviceTask?: boolean }) => Promise<void>;
  /** This process's replica id: recorded as a run's owner, so survivors interrupt it only once this replica is dead. */
  replicaId?: string;
}

/** The patch that records this replica as a run's owner when the run starts. */
export function ownerOf(d: Pick<ActionRunnerDeps, 'replicaId'>): { owner?: string } {
  return d.replicaId ? { owner: d.replicaId } : {};
}

/** Starts a claimed run's execution in the background (the runner tracks it for idle()). */
export type StartRun = (def: ActionDefinition, run: ActionRun, record: FindingRecord) => void;

/** A run with its finding and step, or undefined when either is no longer known. */
export async function loadRun(
  d: Pick<ActionRunnerDeps, 'store' | 'catalog'>,
  runId: string,
): Promise<{ run: ActionRun; record: FindingRecord; def: ActionDefinition } | undefined> {
  const run = await d.store.getRun(runId);
  if (!run) return undefined;
  const record = await d.store.getFinding(run.findingId);
  const def = d.catalog.get(run.action as ActionId);
  return record && def ? { run, record, def } : undefined;
}

export async function audit(
  d: Pick<ActionRunnerDeps, 'store' | 'clock'>,
  record: FindingRecord | undefined,
  runId: string | undefined,
  actor: string,
  event: string,
  detail: unknown,
): Promise<void> {
  await d.store.appendAudit({ at: d.clock.now(), ...(record ? { findingId: record.findingId } : {}), ...(runId ? { runId } : {}), actor, event, detail });
}

/** A timeline failure never stops a run: it is logged and the run goes on. */
export async function phase(
  d: Pick<ActionRunnerDeps, 'onPhase' | 'logger'>,
  findingId: string,
  p: RunPhase & { actor: string; serviceTask?: boolean },
): Promise<void> {
  await d.onPhase?.(findingId, p).catch((err) => d.logger.warn({ err: describeError(err), findingId }, 'incident timeline update failed'));
}

/** The card's status line, and who it is attributed to. */
export async function setStatus(d: Pick<ActionRunnerDeps, 'store' | 'clock'>, findingId: string, text: string, by: string): Promise<void> {
  await d.store.setFindingStatus(findingId, text);
  await d.store.putFindingState(findingId, STATUS_BY_KEY, by, d.clock.now());
}
