/**
 * What makes one process a well-behaved replica among several on one PostgreSQL: a heartbeat (so
 * survivors can tell its runs from a dead replica's), a periodic sweep that reports the runs of
 * dead replicas as interrupted (each to exactly one survivor), and periodic jobs that run only on
 * the replica holding their leadership lease. On SQLite (one process) the same code runs and
 * every check is trivially true.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { describeError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/store.js';
import type { Clock } from '../util/clock.js';

/** How often a replica says it is alive. */
export const HEARTBEAT_MS = 10_000;
/** A replica silent this long is dead: three missed heartbeats, so one slow write is not a death. */
export const HEARTBEAT_TTL_MS = 3 * HEARTBEAT_MS;
/** How often survivors look for runs a dead replica left "running". */
export const ORPHAN_SWEEP_MS = 30_000;
/** A leader keeps its lease for two periods of its job, so one late tick does not hand it over. */
export const LEADERSHIP_TTL_PERIODS = 2;

/** hostname:pid:random — unique even when two containers share a hostname and pid 1. */
export function newReplicaId(host = hostname(), pid = process.pid, random = randomBytes(4).toString('hex')): string {
  return `${host}:${pid}:${random}`;
}

export interface PeriodicJob {
  /** The leadership lease's name: one replica at a time runs the job. */
  readonly name: string;
  readonly everyMs: number;
  /** Also run once at start (by whichever replica takes the lease first). */
  readonly atStart?: boolean;
  run(): Promise<unknown>;
}

export interface Replica {
  readonly id: string;
  /** One heartbeat now. */
  beat(): Promise<void>;
  /** One orphan sweep now (the interval calls this). */
  sweepOrphans(): Promise<void>;
  /** Runs the job now if this replica holds (or takes) its lease; true when it ran. */
  runIfLeader(job: PeriodicJob): Promise<boolean>;
  /** Resolves when every sweep and job started so far has finished (tests, shutdown). */
  idle(): Promise<void>;
  /** Stops the timers and gives up the heartbeat, so a restart's survivors need not wait out the TTL. */
  stop(): Promise<void>;
}

/** The defaults above; tests of several processes shorten them (a death is then seen in ~1 s). */
export interface ReplicaTimings {
  heartbeatMs: number;
  ttlMs: number;
  orphanSweepMs: number;
  /** The inbox worker's claim lease (src/ingest/worker.ts INBOX_LEASE_MS). */
  inboxLeaseMs: number;
}

export interface ReplicaDeps {
  store: Store;
  clock: Clock;
  logger: Logger;
  id: string;
  /** Reports the runs of dead replicas (ActionRunner.recoverInterrupted). */
  recoverOrphans: () => Promise<unknown>;
  jobs: readonly PeriodicJob[];
  timings?: Partial<ReplicaTimings>;
}

/** Heartbeats first (before any run can carry this id), then the start-up sweep and jobs. */
export async function startReplica(deps: ReplicaDeps): Promise<Replica> {
  const log = deps.logger.child({ component: 'replica', replicaId: deps.id });
  const timers: NodeJS.Timeout[] = [];
  const busy = new Set<string>();
  const inFlight = new Set<Promise<unknown>>();
  let stopped = false;
  const heartbeatMs = deps.timings?.heartbeatMs ?? HEARTBEAT_MS;
  const ttlMs = deps.timings?.ttlMs ?? HEARTBEAT_TTL_MS;
  const orphanSweepMs = deps.timings?.orphanSweepMs ?? ORPHAN_SWEEP_MS;

  const track = <T>(p: Promise<T>): Promise<T> => {
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p)).catch(() => undefined);
    return p;
  };
  const every = (ms: number, fn: () => Promise<unknown>) => {
    const t = setInterval(() => void track(fn()), ms);
    t.unref();
    timers.push(t);
  };

  const replica: Replica = {
    id: deps.id,
    async beat() {
      if (stopped) return;
      await deps.store.heartbeat(deps.id, deps.clock.now(), ttlMs).catch((err) => log.warn({ err: describeError(err) }, 'heartbeat failed'));
    },
    async sweepOrphans() {
      if (stopped) return;
      await deps.recoverOrphans().catch((err) => log.error({ err: describeError(err) }, 'could not report interrupted actions'));
    },
    async runIfLeader(job) {
      if (stopped || busy.has(job.name)) return false;
      busy.add(job.name);
      try {
        const leader = await deps.store.tryLeadership(job.name, deps.id, job.everyMs * LEADERSHIP_TTL_PERIODS, deps.clock.now());
        if (!leader) return false;
        await job.run();
        return true;
      } catch (err) {
        log.error({ job: job.name, err: describeError(err) }, 'periodic job failed');
        return false;
      } finally {
        busy.delete(job.name);
      }
    },
    async idle() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
    async stop() {
      stopped = true;
      for (const t of timers) clearInterval(t);
      await Promise.allSettled([...inFlight]);
      // Alive until now: a replica that left cleanly has no runs left, and nothing to wait for.
      await deps.store.heartbeat(deps.id, deps.clock.now(), 0).catch(() => undefined);
    },
  };

  await replica.beat();
  every(heartbeatMs, () => replica.beat());
  await replica.sweepOrphans();
  every(orphanSweepMs, () => replica.sweepOrphans());
  for (const job of deps.jobs) {
    if (job.everyMs <= 0) continue;
    if (job.atStart) void track(replica.runIfLeader(job));
    every(job.everyMs, () => replica.runIfLeader(job));
  }
  return replica;
}
