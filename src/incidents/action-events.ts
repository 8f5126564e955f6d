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

/** Human labels of the remediation catalog's action ids (the catalog's own label wins when known). */
export const ACTION_LABELS: Readonly<Record<string, string>> = {
  isolate_task: 'Isolate task',
  release_isolation: 'Release isolation',
  stop_task: 'Stop task',
  find_image_tasks: 'Find tasks using the image',
  quarantine_image: 'Quarantine image',
  stop_all_pin: 'Stop all tasks / pin services',
  scan_image: 'Scan image',
  isolate_instance: 'Isolate instance',
  release_instance: 'Release instance isolation',
  preserve_evidence: 'Preserve evidence',
  malware_scan: 'Malware scan',
  // The GuardDuty close-out of a false positive (not remediation-catalog steps).
  archive_findings: 'Archive findings in GuardDuty',
  finding_feedback: 'NOT_USEFUL feedback to GuardDuty',
  propose_suppression: 'Suppression rule',
};

export function actionLabel(action: string): string {
  return ACTION_LABELS[action] ?? action;
}

export type ContainmentEffect = 'contain' | 'release' | undefined;

export function containmentEffect(r: { action: string; status: 'succeeded' | 'partial' | 'failed'; serviceTask?: boolean }): ContainmentEffect {
  if (r.status !== 'succeeded') return undefined;
  switch (r.action) {
    case 'isolate_task':
    case 'isolate_instance':
    case 'stop_all_pin':
      return 'contain';
    case 'stop_task':
      return r.serviceTask ? undefined : 'contain';
    case 'release_isolation':
    case 'release_instance':
      return 'release';
    default:
      return undefined;
  }
}

/** The phases of a run the runner reports (see ActionRunner: requested, approved, result). */
export type RunPhase =
  | { phase: 'requested'; action: string; runId?: string; target?: string; reason?: string }
  | { phase: 'approved'; action: string; runId?: string }
  | { phase: 'result'; action: string; runId?: string; status: 'succeeded' | 'partial' | 'failed'; headline: string; findingId?: string };

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
