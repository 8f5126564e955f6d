/**
 * A small world for unit tests of the runner's phases: the real SQLite store (in memory), a fake
 * notifier that records what the runner asked Slack to show, a configurable authorizer, an AWS
 * factory that hands out placeholder clients, and a test step whose plan and execute are set per test.
 */
import type { ActionDefinition, ActionId, Outcome, Plan } from '../../src/actions/types.js';
import type { Authorizer, Decision } from '../../src/authz/authorizer.js';
import type { AwsClientFactory } from '../../src/aws/clients.js';
import type { Finding } from '../../src/findings/model.js';
import { createLogger } from '../../src/log.js';
import type { RunNotifier } from '../../src/notify/run-notices.js';
import type { ActionRunnerDeps } from '../../src/remediation/deps.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { findingRow, type FindingRecord } from '../../src/store/store.js';
import { fakeClock } from '../helpers/clock.js';
import { instanceFinding } from '../incidents/fixtures.js';

export const ALICE = 'U0000ALICE';
export const BOB = 'U0000BOB01';

export type Note = [method: string, ...args: unknown[]];

export function fakeNotifier(notes: Note[], opts: { openFails?: boolean } = {}): RunNotifier {
  const note =
    (method: string) =>
    async (...args: unknown[]) => {
      notes.push([method, ...args]);
    };
  return {
    tell: note('tell'),
    refused: note('refused'),
    async openConfirmation(...args: unknown[]) {
      notes.push(['openConfirmation', ...args]);
      if (opts.openFails) throw new Error('expired_trigger_id');
      return 'V123';
    },
    showPlan: note('showPlan'),
    approvalRequested: note('approvalRequested'),
    approvalDecided: note('approvalDecided'),
    started: note('started'),
    progress: () => ({ push: (line: string) => notes.push(['progress', line]), flush: async () => undefined }),
    result: note('result'),
    interrupted: note('interrupted'),
    refreshCard: note('refreshCard'),
  } as unknown as RunNotifier;
}

export function fakeAuthorizer(opts: { deny?: Record<string, string>; approval?: boolean } = {}): Authorizer & { checks: unknown[] } {
  const checks: unknown[] = [];
  return {
    checks,
    async check(userId, action, o): Promise<Decision> {
      checks.push({ userId, action: action.id, fresh: o?.fresh ?? false });
      const reason = opts.deny?.[userId];
      return reason ? { allowed: false, reason } : { allowed: true, via: 'test' };
    },
    requiresApproval: () => opts.approval ?? false,
    approvalExpired: () => false,
    approvalTtlMs: 3_600_000,
  } as Authorizer & { checks: unknown[] };
}

export function fakeAws(targets: unknown[] = []): AwsClientFactory {
  return {
    forTarget(t) {
      targets.push(t);
      return {} as ReturnType<AwsClientFactory['forTarget']>;
    },
    forAdministrator(region) {
      targets.push({ administrator: true, region });
      return {} as ReturnType<AwsClientFactory['forAdministrator']>;
    },
    scope: {
      places: (r: string[]) => r.map((region) => ({ accountId: '123456789012', region })),
      nameOf: () => undefined,
    } as unknown as AwsClientFactory['scope'],
    destroy: () => undefined,
  };
}

export function testStep(over: Partial<ActionDefinition> = {}): ActionDefinition {
  return {
    id: 'test_step',
    label: 'Test step',
    verb: 'Test',
    changes: true,
    destructive: false,
    repeatable: false,
    appliesTo: () => true,
    async plan(): Promise<Plan> {
      return { summary: 'would do the thing', resources: ['i-0abc'], apiCalls: ['ec2:Thing'], warnings: [] };
    },
    async execute(): Promise<Outcome> {
      return { status: 'succeeded', headline: 'did the thing', done: ['the thing'], notDone: [], next: [], requestIds: [] };
    },
    ...over,
  };
}

export async function runWorld(opts: { step?: ActionDefinition; authorizer?: Authorizer; openFails?: boolean; finding?: Partial<Finding> } = {}) {
  const store = openSqliteStore('sqlite::memory:');
  const clock = fakeClock();
  const notes: Note[] = [];
  const targets: unknown[] = [];
  const step = opts.step ?? testStep();
  const finding = instanceFinding(opts.finding);
  const { record } = await store.upsertFinding(findingRow(finding, clock.now()));
  const phases: unknown[] = [];
  let ids = 0;
  const deps: ActionRunnerDeps = {
    store,
    notify: fakeNotifier(notes, opts.openFails ? { openFails: true } : {}),
    authorizer: opts.authorizer ?? fakeAuthorizer(),
    catalog: new Map<ActionId, ActionDefinition>([[step.id, step]]),
    aws: fakeAws(targets),
    clock,
    logger: createLogger('silent'),
    newId: () => `run-${++ids}`,
    onPhase: async (findingId, p) => {
      phases.push({ findingId, ...p });
    },
  };
  const named = (method: string) => notes.filter((n) => n[0] === method);
  return { store, clock, notes, named, targets, phases, step, finding, record: record as FindingRecord, deps };
}

/** A run as open() leaves it: planned, with a plan. */
export async function plannedRun(
  w: Awaited<ReturnType<typeof runWorld>>,
  by = ALICE,
  plan: Plan = { summary: 's', resources: [], apiCalls: [], warnings: [] },
) {
  const runId = w.deps.newId();
  await w.store.createRun({ runId, findingId: w.record.findingId, action: w.step.id, state: 'planned', requestedBy: by, createdAt: w.clock.now() });
  await w.store.transitionRun(runId, ['planned'], 'planned', { plan }, w.clock.now());
  return runId;
}
