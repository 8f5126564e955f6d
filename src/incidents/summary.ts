/**
 * The incident summary in the form incident responders use (CAN report):
 *   Conditions — what is affected;
 *   Actions    — what has been done, and by whom;
 *   Needs      — what is still open.
 * Pure: built from the incident, its timeline and its findings with an injected `now`. Lines are
 * raw text with safe mention placeholders (./lines.ts); the Slack and Markdown renderers escape.
 */
import { clusterNameOf, parseEcrImageUri, parseTaskArn } from '../aws/arn.js';
import { severityLevel } from '../findings/severity.js';
import type { Finding } from '../findings/model.js';
import { actionLabel } from './action-events.js';
import { at, line, user, type SummaryLine } from './lines.js';
import { isClosed, STATE_LABEL, type Incident, type TimelineEvent } from './model.js';
import { computeTimings, formatDuration, type IncidentTimings } from './timings.js';

export interface IncidentSummary {
  conditions: SummaryLine[];
  actions: SummaryLine[];
  needs: SummaryLine[];
  timings: IncidentTimings;
}

export interface SummaryInput {
  incident: Incident;
  timeline: readonly TimelineEvent[];
  findings: readonly Finding[];
  now: number;
  /** Labels of action ids (e.g. from the catalog); defaults to ACTION_LABELS. */
  labelOf?: (action: string) => string;
}

/** At most this many resource lines; the rest are counted in one line. */
const MAX_RESOURCE_LINES = 8;
const MAX_TYPE_LINES = 5;

export function buildIncidentSummary(input: SummaryInput): IncidentSummary {
  const labelOf = input.labelOf ?? actionLabel;
  const timeline = [...input.timeline].sort((a, b) => a.at - b.at || a.id - b.id);
  return {
    conditions: conditions(input.incident, input.findings),
    actions: actions(timeline, labelOf),
    needs: needs(input.incident, timeline, input.findings, labelOf),
    timings: computeTimings(input.incident, timeline, input.now),
  };
}

// ------------------------------------------------------------------ conditions

function conditions(incident: Incident, findings: readonly Finding[]): SummaryLine[] {
  const out: SummaryLine[] = [];
  const sorted = [...findings].sort((a, b) => b.severity - a.severity);
  if (sorted.some((f) => f.sample)) out.push(line`Sample finding(s): GuardDuty test data with fake resource ids — nothing real is affected`);
  const resources = [...new Set(sorted.map(describeResource))];
  for (const r of resources.slice(0, MAX_RESOURCE_LINES)) out.push(line`${r}`);
  if (resources.length > MAX_RESOURCE_LINES) out.push(line`…and ${resources.length - MAX_RESOURCE_LINES} more resources`);

  const byType = new Map<string, { count: number; severity: number }>();
  for (const f of sorted) {
    const t = byType.get(f.type) ?? { count: 0, severity: 0 };
    byType.set(f.type, { count: t.count + Math.max(1, f.count), severity: Math.max(t.severity, f.severity) });
  }
  const types = [...byType.entries()].sort((a, b) => b[1].severity - a[1].severity);
  for (const [type, t] of types.slice(0, MAX_TYPE_LINES)) {
    out.push(line`${type} — ${severityLevel(t.severity).toUpperCase()} ${t.severity.toFixed(1)}, seen ${t.count} time${t.count === 1 ? '' : 's'}`);
  }
  if (types.length > MAX_TYPE_LINES) out.push(line`…and ${types.length - MAX_TYPE_LINES} more finding types`);

  const top = sorted.find((f) => f.process?.executablePath || f.process?.name);
  if (top?.process) {
    const p = top.process;
    const what = p.executablePath ?? p.name ?? '';
    const details = [p.pid !== undefined ? `pid ${p.pid}` : '', p.user ? `user ${p.user}` : ''].filter(Boolean).join(', ');
    out.push(details ? line`Process ${what} (${details})` : line`Process ${what}`);
  }
  if (out.length === 0) out.push(line`${incident.title}`);
  const where = [incident.accountId ? `account ${incident.accountId}` : '', incident.region ?? ''].filter(Boolean).join(', ');
  if (where) out.push(line`In ${where}`);
  return out;
}

/** One line naming the affected resource of a finding. */
export function describeResource(f: Finding): string {
  switch (f.kind) {
    case 'ECSCluster': {
      const e = f.ecs;
      if (!e) break;
      const task = e.taskArn ? (parseTaskArn(e.taskArn)?.taskId ?? e.taskArn) : 'unknown task';
      const cluster = e.clusterName ?? (e.clusterArn ? clusterNameOf(e.clusterArn) : undefined);
      const images = [...new Set(e.containers.map((c) => c.image).filter((i): i is string => !!i))];
      return [
        `ECS task ${task}`,
        cluster ? ` in cluster ${cluster}` : '',
        e.serviceName ? ` (service ${e.serviceName})` : '',
        e.launchType ? `, ${e.launchType}` : '',
        images.length > 0 ? ` — image ${images.slice(0, 3).join(', ')}${images.length > 3 ? ` +${images.length - 3}` : ''}` : '',
      ].join('');
    }
    case 'Instance': {
      const i = f.instance;
      if (!i) break;
      const extra = [i.instanceType, i.availabilityZone, i.eksClusterName ? `EKS node of ${i.eksClusterName}` : ''].filter(Boolean).join(', ');
      return `EC2 instance ${i.instanceId ?? 'unknown'}${extra ? ` (${extra})` : ''}`;
    }
    case 'EKSCluster': {
      const k = f.eks;
      if (!k) break;
      const pod = k.podName ? `${k.namespace ? `${k.namespace}/` : ''}${k.podName}` : 'unknown pod';
      const workload = k.workloadType && k.workloadName ? ` (${k.workloadType} ${k.workloadName})` : '';
      return `EKS pod ${pod}${k.clusterName ? ` in cluster ${k.clusterName}` : ''}${workload}`;
    }
    case 'Container': {
      const c = f.container;
      if (!c) break;
      return `Container ${c.name ?? c.id ?? 'unknown'}${c.image ? ` — image ${c.image}` : ''}`;
    }
    case 'Other':
      break;
  }
  return `${f.resourceType} resource (finding ${f.id})`;
}

// ------------------------------------------------------------------ actions

function actions(timeline: readonly TimelineEvent[], labelOf: (a: string) => string): SummaryLine[] {
  const approvals = new Map<string, string>();
  for (const e of timeline) if (e.kind === 'approved' && e.runId && e.actor) approvals.set(e.runId, e.actor);
  const out: SummaryLine[] = [];
  for (const e of timeline) {
    const by = user(e.actor ?? 'system');
    switch (e.kind) {
      case 'executed': {
        const approver = e.runId ? approvals.get(e.runId) : undefined;
        const base =
          e.status === 'partial' ? line`${labelOf(e.action)} partly done by ${by}: ${e.headline}` : line`${labelOf(e.action)} by ${by}: ${e.headline}`;
        out.push(at(approver ? appendApproval(base, approver) : base, e.at));
        break;
      }
      case 'failed':
        out.push(at(line`${labelOf(e.action)} failed (requested by ${by}): ${e.headline}`, e.at));
        break;
      case 'assigned':
        out.push(at(e.actor === e.assignee ? line`Taken by ${user(e.assignee)}` : line`Assigned to ${user(e.assignee)} by ${by}`, e.at));
        break;
      case 'status_changed':
        if (e.to === 'acknowledged' && e.from === 'open') break; // the "Taken by" line says it
        out.push(at(e.reason ? line`Marked ${STATE_LABEL[e.to]} by ${by}: ${e.reason}` : line`Marked ${STATE_LABEL[e.to]} by ${by}`, e.at));
        break;
      case 'note':
        out.push(at(line`Note by ${by}: ${e.text}`, e.at));
        break;
      default:
        break;
    }
  }
  return out;
}

function appendApproval(l: SummaryLine, approver: string): SummaryLine {
  const extra = line` (approved by ${user(approver)})`;
  // Re-number the approver's placeholder after the line's own mentions.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: U+0001 marks mention placeholders (see lines.ts)
  const text = extra.text.replace(/\u00010\u0001/, `\u0001${l.mentions.length}\u0001`);
  return { text: l.text + text, mentions: [...l.mentions, approver] };
}

// ------------------------------------------------------------------ needs

function needs(incident: Incident, timeline: readonly TimelineEvent[], findings: readonly Finding[], labelOf: (a: string) => string): SummaryLine[] {
  if (isClosed(incident.state)) {
    const by = user(incident.closedBy ?? 'system');
    return [line`Nothing — closed as ${STATE_LABEL[incident.state].toLowerCase()} by ${by}${incident.closeReason ? `: ${incident.closeReason}` : ''}`];
  }
  const out: SummaryLine[] = [];
  if (!incident.assignee) out.push(line`No assignee — press Take it, or /guardduty assign ${incident.id} @someone`);
  const succeeded = new Set(timeline.filter((e) => e.kind === 'executed' && e.status === 'succeeded').map((e) => (e.kind === 'executed' ? e.action : '')));
  const ran = new Set(timeline.filter((e) => e.kind === 'executed').map((e) => (e.kind === 'executed' ? e.action : '')));

  if (incident.state !== 'contained') out.push(line`Not contained${containHint(findings)}`);
  else {
    const after = timeline.filter((e) => e.kind === 'finding_seen' && incident.containedAt !== undefined && e.at > incident.containedAt);
    if (after.length > 0) out.push(line`${after.length} finding update${after.length === 1 ? '' : 's'} since containment — check that it held`);
  }

  // Runs requested but with no result yet, and the last failure of each action not since fixed.
  const results = new Set(
    timeline.filter((e) => (e.kind === 'executed' || e.kind === 'failed') && e.runId).map((e) => (e.kind === 'executed' || e.kind === 'failed' ? e.runId : '')),
  );
  for (const e of timeline) {
    if (e.kind === 'action_requested' && e.runId && !results.has(e.runId)) {
      out.push(line`${labelOf(e.action)} requested by ${user(e.actor ?? 'system')} — still running or awaiting approval`);
    }
  }
  const lastFailure = new Map<string, TimelineEvent & { kind: 'failed' }>();
  for (const e of timeline) {
    if (e.kind === 'failed') lastFailure.set(e.action, e);
    if (e.kind === 'executed' && e.status === 'succeeded') lastFailure.delete(e.action);
  }
  for (const f of lastFailure.values()) out.push(line`${labelOf(f.action)} failed and was not retried: ${f.headline}`);

  const ecrImages = new Set<string>();
  for (const f of findings) {
    for (const c of [...(f.ecs?.containers ?? []), ...(f.eks?.containers ?? []), ...(f.container ? [f.container] : [])]) {
      if (c.image && !f.sample && parseEcrImageUri(c.image)) ecrImages.add(c.image);
    }
  }
  if (ecrImages.size > 0 && !succeeded.has('quarantine_image')) {
    const list = [...ecrImages];
    out.push(line`Image still in ECR (not quarantined): ${list.slice(0, 2).join(', ')}${list.length > 2 ? ` +${list.length - 2}` : ''}`);
  }
  const ecs = findings.filter((f) => f.kind === 'ECSCluster' && !f.sample);
  if (ecs.length > 0 && !ran.has('find_image_tasks')) out.push(line`Blast radius unknown — find the other tasks running the image`);
  const services = [...new Set(ecs.map((f) => f.ecs?.serviceName).filter((s): s is string => !!s))];
  if (succeeded.has('stop_task') && !succeeded.has('stop_all_pin') && services.length > 0) {
    out.push(line`Service ${services.join(', ')} will replace the stopped task from the same task definition — pin it to a clean image or scale it to zero`);
  }
  const instances = findings.filter((f) => f.kind === 'Instance' && !f.sample);
  if (instances.length > 0 && !succeeded.has('preserve_evidence'))
    out.push(line`No evidence preserved yet (EBS snapshots, termination protection) — do it before changing the instance`);
  return out;
}

function containHint(findings: readonly Finding[]): string {
  const kinds = new Set(findings.map((f) => f.kind));
  if (kinds.has('ECSCluster')) return ' — isolate or stop the task';
  if (kinds.has('Instance')) return ' — isolate the instance';
  return '';
}

/** "open 3h 05m · acknowledged in 4m · not contained yet (3h 05m)" — for plain text uses. */
export function timingsText(t: IncidentTimings): string {
  return [
    `open ${formatDuration(t.open)}`,
    t.toAcknowledge !== undefined ? `acknowledged in ${formatDuration(t.toAcknowledge)}` : `not acknowledged (${formatDuration(t.waitingForAcknowledge ?? 0)})`,
    t.toContain !== undefined ? `contained in ${formatDuration(t.toContain)}` : 'not contained',
  ].join(' · ');
}
