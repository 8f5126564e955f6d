import { planEvidence, takeEvidence, type EvidencePlan } from '../../aws/ec2/evidence.js';
import type { ActionDefinition } from '../types.js';
import { hasInstance, instanceIdOf } from './target.js';

export const EVIDENCE_STATE_KEY = 'instance_evidence';

/**
 * Evidence first (GuardDuty's EC2 remediation guide): snapshot every attached EBS volume (tagged
 * with the finding id), termination protection on, keep volumes on termination, shutdown stops
 * instead of terminating, and tag the instance as under investigation.
 */
export const preserveEvidenceAction: ActionDefinition = {
  id: 'preserve_evidence',
  label: 'Preserve evidence',
  verb: 'Preserve',
  changes: true,
  destructive: false,
  repeatable: true,
  command: {
    verb: 'evidence',
    resources: ['instance'],
    section: 'Instances',
    help: "before anything changes: an instance's snapshots, protection and tags; a pod's spec, events and logs",
  },
  style: 'primary',
  appliesTo: (f) => f.kind === 'Instance' && hasInstance(f),
  async plan(ctx) {
    const plan = await planEvidence(ctx.aws, instanceIdOf(ctx.finding), { now: () => new Date(ctx.clock.now()) });
    return {
      summary: `Snapshot ${plan.volumes.length} EBS volume${plan.volumes.length === 1 ? '' : 's'} of ${plan.instanceId} and protect the instance from losing them.`,
      resources: [plan.instanceId, ...plan.volumes.map((v) => `${v.volumeId} (${v.deviceName}${v.isRoot ? ', root' : ''})`)],
      apiCalls: plan.steps.map((s) => `${s.action} ${s.resource}: ${s.what}`),
      warnings: [...plan.skipped, ...plan.notes],
      data: { plan },
    };
  },
  async execute(ctx) {
    const plan = (ctx.plan.data as { plan: EvidencePlan }).plan;
    const r = await takeEvidence(ctx.aws, plan, { findingId: ctx.finding.id, actor: ctx.actor }, { now: () => new Date(ctx.clock.now()) });
    await ctx.state.put(EVIDENCE_STATE_KEY, { record: r.record, at: ctx.clock.now(), by: ctx.actor });
    return {
      status: r.complete ? 'succeeded' : r.snapshots.length > 0 || r.changed.length > 0 ? 'partial' : 'failed',
      headline: `${r.snapshots.length} snapshot${r.snapshots.length === 1 ? '' : 's'} started: ${r.snapshots.map((s) => s.snapshotId).join(', ') || 'none'}`,
      done: [...r.snapshots.map((s) => `Snapshot ${s.snapshotId} of ${s.volumeId} (${s.deviceName}) — ${s.state ?? 'pending'}`), ...r.changed],
      notDone: [...r.unchanged, ...r.failures.map((f) => `${f.step} on ${f.resource}: ${f.message}`)],
      next: ['Snapshots complete in the background (EC2 console → Snapshots). Isolate the instance next, or start a malware scan.'],
      requestIds: r.requestIds,
      cardFacts: {
        Evidence: `${r.snapshots.length} snapshot${r.snapshots.length === 1 ? '' : 's'} (${r.snapshots.map((s) => s.snapshotId).join(', ') || 'none'})`,
      },
      cardStatus: ':camera_with_flash: Evidence preserved',
    };
  },
};
