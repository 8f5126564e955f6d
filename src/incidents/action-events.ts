/**
 * How remediation runs show up on an incident: the timeline entry for each phase of a run, and
 * which results change the incident's state (containment).
 *
 * Containment, from GuardDuty's remediation guide and the facts in DESIGN.md:
 * - isolating a task or an instance contains it;
 * - stopping every task of an image and pinning/scaling its services contains it;
 * - stopping ONE task contains it only when no service will replace it (the scheduler starts a
 *   replacement from the same task definition), so the caller says whether it was a service task;
 * - releasing isolation undoes containment.
 * Only a fully succeeded step counts: a partial isolation is not containment.
 */
import type { TimelineEntry } from './model.js';

/**
 * Labels of timeline actions that are not remediation steps. A step's label comes from the
 * catalog (ActionDefinition.timelineLabel ?? label, see timelineLabelOf in src/actions/catalog.ts),
 * passed in as `labelOf` by the use cases.
 */
export const ACTION_LABELS: Readonly<Record<string, string>> = {
  // The GuardDuty close-out of a false positive (not remediation-catalog steps).
  archive_findings: 'Archive findings in GuardDuty',
  finding_feedback: 'NOT_USEFUL feedback to GuardDuty',
  propose_suppression: 'Suppression rule',
};

/** A label for an action id when no catalog is at hand: "isolate_task" reads "Isolate task". */
export function actionLabel(action: string): string {
  if (Object.hasOwn(ACTION_LABELS, action)) return ACTION_LABELS[action]!;
  const words = action.replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export type ContainmentEffect = 'contain' | 'release' | undefined;

/**
 * What a run's result does to the incident. The runner passes the step's own `containment`
 * (ActionDefinition.containment, evaluated for the finding); the table below only serves callers
 * that pass none (older callers and tests that name the built-in steps).
 */
export function containmentEffect(r: {
  action: string;
  status: 'succeeded' | 'partial' | 'failed';
  serviceTask?: boolean;
  containment?: ContainmentEffect | null;
}): ContainmentEffect {
  if (r.status !== 'succeeded') return undefined;
  if (r.containment !== undefined) return r.containment ?? undefined;
  switch (r.action) {
    case 'isolate_task':
    case 'isolate_instance':
    case 'stop_all_pin':
      return 'contain';
    case 'stop_task':
      return r.serviceTask ? undefined : 'contain';
    case 'release_isolation':
      return 'release';
    default:
      return undefined;
  }
}

/** The phases of a run the runner reports (see ActionRunner: requested, approved, result). */
export type RunPhase =
  | { phase: 'requested'; action: string; runId?: string; target?: string; reason?: string }
  | { phase: 'approved'; action: string; runId?: string }
  | {
      phase: 'result';
      action: string;
      runId?: string;
      status: 'succeeded' | 'partial' | 'failed';
      headline: string;
      findingId?: string;
      /** The step's meaning for the incident (null: none); absent means "look it up by action id". */
      containment?: ContainmentEffect | null;
    };

export function timelineEntryFor(p: RunPhase): TimelineEntry {
  const run = p.runId ? { runId: p.runId } : {};
  switch (p.phase) {
    case 'requested':
      return { kind: 'action_requested', action: p.action, ...run, ...(p.target ? { target: p.target } : {}), ...(p.reason ? { reason: p.reason } : {}) };
    case 'approved':
      return { kind: 'approved', action: p.action, ...run };
    case 'result':
      return p.status === 'failed'
        ? { kind: 'failed', action: p.action, ...run, headline: p.headline, ...(p.findingId ? { findingId: p.findingId } : {}) }
        : { kind: 'executed', action: p.action, ...run, status: p.status, headline: p.headline, ...(p.findingId ? { findingId: p.findingId } : {}) };
  }
}
