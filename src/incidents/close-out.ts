/**
 * False positive close-out in GuardDuty: archive the incident's findings and send NOT_USEFUL
 * feedback with the responder's reason (per account and Region, 50 ids per call), record each
 * result on the timeline, and compute the suppression rule a responder may then confirm.
 */
import type { Condition } from '@aws-sdk/client-guardduty';
import type { AwsClientFactory } from '../aws/clients.js';
import { archiveFindings, createSuppressionFilter, findDetectorId, sendFeedback } from '../aws/guardduty/index.js';
import { isAppError } from '../errors.js';
import type { Finding } from '../findings/model.js';
import type { SlackMessage } from '../cards/finding-card.js';
import { noticeMessage } from '../slack/messages/action-messages.js';
import { findingOf, type Store } from '../store/store.js';
import type { Clock } from '../util/clock.js';
import type { Incident } from './model.js';

export interface SuppressionProposal {
  name: string;
  description: string;
  /** GuardDuty filter criteria (FindingCriteria.Criterion). */
  criteria: Record<string, Condition>;
  accountId: string;
  region: string;
}

/** The narrowest rule that matches findings like these: same type, same resource. */
export function proposeSuppression(incident: Incident, findings: readonly Finding[]): SuppressionProposal | undefined {
  const f = findings[0];
  if (!f) return undefined;
  const criteria: Record<string, Condition> = { type: { Equals: [...new Set(findings.map((x) => x.type))] } };
  if (f.kind === 'ECSCluster' && f.ecs?.clusterName) criteria['resource.ecsClusterDetails.name'] = { Equals: [f.ecs.clusterName] };
  if (f.kind === 'ECSCluster' && f.ecs?.taskDefinitionArn)
    criteria['resource.ecsClusterDetails.taskDetails.definitionArn'] = { Equals: [f.ecs.taskDefinitionArn] };
  if ((f.kind === 'Instance' || f.kind === 'Container') && f.instance?.instanceId)
    criteria['resource.instanceDetails.instanceId'] = { Equals: [f.instance.instanceId] };
  if (f.kind === 'Container' && f.container?.image) criteria['resource.containerDetails.image'] = { Equals: [f.container.image] };
  if (f.process?.executableSha256) criteria['service.runtimeDetails.process.executableSha256'] = { Equals: [f.process.executableSha256] };
  if (Object.keys(criteria).length < 2) criteria.accountId = { Equals: [f.accountId] };
  return {
    name: `gd-responder-${incident.id}`.replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 64),
    description: `False positive ${incident.id}: ${incident.title}`.slice(0, 500),
    criteria,
    accountId: f.accountId,
    region: f.region,
  };
}

export class GuardDutyCloseOut {
  constructor(private readonly d: { store: Store; aws: AwsClientFactory; clock: Clock }) {}

  private async findings(ids: readonly string[]): Promise<Finding[]> {
    const out: Finding[] = [];
    for (const id of ids) {
      const r = await this.d.store.getFinding(id);
      if (r) out.push(findingOf(r));
    }
    return out;
  }

  async archiveAndFeedback(input: {
    incident: Incident;
    findingIds: readonly string[];
    reason: string;
    actor: string;
  }): Promise<{ message: SlackMessage; proposal?: SuppressionProposal }> {
    const findings = (await this.findings(input.findingIds)).filter((f) => !f.sample);
    // Archive and feedback belong to the administrator's detector in each Region (in a delegated
    // set-up member accounts cannot archive what the administrator manages): the app's own account.
    const groups = new Map<string, Finding[]>();
    for (const f of findings) groups.set(f.region, [...(groups.get(f.region) ?? []), f]);
    const lines: string[] = [];
    let ok = true;
    for (const [region, group] of groups) {
      const ids = group.map((f) => f.id);
      let accountId = this.d.aws.scope.ownAccountId() ?? 'the administrator account';
      try {
        accountId = await this.d.aws.scope.resolveOwn();
        const clients = await this.d.aws.forAdministrator(region);
        const members = [...new Set(group.map((f) => f.accountId))].filter((a) => a !== accountId);
        const of = members.length ? ` (administrator account; findings of ${members.join(', ')})` : '';
        const detectorId = await findDetectorId(clients);
        const archived = await archiveFindings(clients, detectorId, ids);
        const feedback = await sendFeedback(clients, detectorId, ids, 'NOT_USEFUL', input.reason.slice(0, 500));
        for (const [action, r] of [
          ['archive_findings', archived],
          ['finding_feedback', feedback],
        ] as const) {
          const failed = r.failures.length > 0;
          ok &&= !failed;
          await this.d.store.appendIncidentEvent(input.incident.id, {
            at: this.d.clock.now(),
            actor: input.actor,
            ...(failed
              ? { kind: 'failed' as const, action, headline: r.failures.map((f) => f.message).join('; ') }
              : { kind: 'executed' as const, action, status: 'succeeded' as const, headline: `${r.done.length} finding(s) in ${accountId}/${region}` }),
          });
          lines.push(
            `${action === 'archive_findings' ? 'Archived' : 'NOT_USEFUL feedback sent for'} ${r.done.length}/${ids.length} finding(s) in ${accountId} ${region}${of}${failed ? ` — failed: ${r.failures.map((f) => f.message).join('; ')}` : ''} (request ids ${r.requestIds.join(', ') || 'none'})`,
          );
        }
      } catch (err) {
        ok = false;
        const msg = isAppError(err) ? err.message : String(err);
        lines.push(`${accountId} ${region}: ${msg}`);
        await this.d.store.appendIncidentEvent(input.incident.id, {
          at: this.d.clock.now(),
          actor: input.actor,
          kind: 'failed',
          action: 'archive_findings',
          headline: msg,
        });
      }
    }
    if (groups.size === 0) lines.push('No real finding to archive (sample findings are left alone).');
    const proposal = proposeSuppression(input.incident, findings);
    return {
      message: noticeMessage(
        `${ok ? ':white_check_mark:' : ':warning:'} *GuardDuty close-out for ${input.incident.id}*\n${lines.map((l) => `• ${l}`).join('\n')}`,
      ),
      ...(proposal ? { proposal } : {}),
    };
  }

  /** The responder confirmed the proposed rule: CreateFilter (action ARCHIVE). */
  async createRule(incident: Incident, actor: string): Promise<SlackMessage> {
    // A second click (or another responder's) must not try again: GuardDuty refuses the duplicate
    // name and the thread would show a failure for a rule that exists.
    const created = (await this.d.store.incidentEvents(incident.id)).find((e) => e.kind === 'executed' && e.action === 'create_suppression');
    if (created?.kind === 'executed') {
      return noticeMessage(
        `:information_source: The suppression rule for ${incident.id} was already created by <@${created.actor ?? 'system'}> (${created.headline}). Nothing was created again.`,
      );
    }
    const findings = await this.findings(await this.d.store.incidentFindingIds(incident.id));
    const proposal = proposeSuppression(
      incident,
      findings.filter((f) => !f.sample),
    );
    if (!proposal) return noticeMessage('No finding to base a suppression rule on. Nothing was created.');
    try {
      // The administrator's filter applies to every member account's findings in that Region.
      const admin = await this.d.aws.scope.resolveOwn();
      const clients = await this.d.aws.forAdministrator(proposal.region);
      const detectorId = await findDetectorId(clients);
      const r = await createSuppressionFilter(clients, detectorId, {
        name: proposal.name,
        criteria: proposal.criteria,
        description: proposal.description,
        idempotencyKey: proposal.name,
      });
      await this.d.store.appendIncidentEvent(incident.id, {
        at: this.d.clock.now(),
        actor,
        kind: 'executed',
        action: 'create_suppression',
        status: 'succeeded',
        headline: `suppression rule ${r.name}`,
      });
      return noticeMessage(
        `:mute: <@${actor}> created GuardDuty suppression rule *${r.name}* in ${admin} ${proposal.region} (request ids ${r.requestIds.join(', ')}). Future matching findings are archived automatically.`,
      );
    } catch (err) {
      const msg = isAppError(err) ? err.message : String(err);
      await this.d.store.appendIncidentEvent(incident.id, { at: this.d.clock.now(), actor, kind: 'failed', action: 'create_suppression', headline: msg });
      return noticeMessage(`:x: The suppression rule could not be created: ${msg}`);
    }
  }
}
