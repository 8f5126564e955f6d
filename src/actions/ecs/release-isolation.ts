import { releaseIsolation } from '../../aws/ec2/index.js';
import { ISOLATION_STATE_KEY } from '../card-view.js';
import type { ActionDefinition } from '../types.js';
import type { IsolationState } from './isolate-task.js';

/**
 * Undo an isolation exactly as recorded: previous security groups back on each ENI, our network
 * ACL deny entries removed (only while they are still ours). Safe to re-run after a partial release.
 */
export const releaseIsolationAction: ActionDefinition = {
  id: 'release_isolation',
  label: 'Release isolation',
  verb: 'Release',
  changes: true,
  destructive: false,
  repeatable: false,
  appliesTo: (f, s) => s.isolated && (f.kind === 'ECSCluster' || f.kind === 'Instance'),
  async plan(ctx) {
    const iso = await ctx.state.get<IsolationState>(ISOLATION_STATE_KEY);
    if (!iso?.active) return { summary: 'Nothing is isolated for this finding.', resources: [], apiCalls: [], warnings: [], blocked: 'there is no active isolation recorded for this finding' };
    const rec = iso.record;
    return {
      summary: `Restore exactly what isolation changed (isolated by Slack user ${iso.by} at ${new Date(iso.at).toISOString()}).`,
      resources: [...rec.enis.map((e) => `ENI ${e.eniId}: back to ${e.previousGroupIds.join(', ')}`), ...rec.aclEntries.map((a) => `network ACL ${a.networkAclId}: remove rule ${a.ruleNumber} (${a.egress ? 'outbound' : 'inbound'} deny ${a.cidr})`)],
      apiCalls: [
        ...rec.enis.map((e) => `ec2:ModifyNetworkInterfaceAttribute ${e.eniId} → ${e.previousGroupIds.join(', ')}`),
        ...rec.aclEntries.map((a) => `ec2:DeleteNetworkAclEntry ${a.networkAclId} rule ${a.ruleNumber} ${a.egress ? 'egress' : 'ingress'}`),
      ],
      warnings: ['The resource gets its network back: make sure the threat is removed first.', 'Entries are deleted only if they are still our deny entries for the same address.'],
    };
  },
  async execute(ctx) {
    const iso = await ctx.state.get<IsolationState>(ISOLATION_STATE_KEY);
    if (!iso?.active) return { status: 'failed', headline: 'no active isolation', done: [], notDone: ['Nothing was recorded to release.'], next: [], requestIds: [] };
    const r = await releaseIsolation(ctx.aws, iso.record);
    if (r.complete) await ctx.state.put(ISOLATION_STATE_KEY, { ...iso, active: false, releasedBy: ctx.actor, releasedAt: ctx.clock.now() } satisfies IsolationState);
    return {
      status: r.complete ? 'succeeded' : r.restored.length > 0 ? 'partial' : 'failed',
      headline: r.complete ? 'isolation released: everything recorded was restored' : 'isolation only partly released',
      done: [...r.restored, ...r.alreadyGone],
      notDone: [...r.notRestored, ...r.failures.map((f) => `${f.step} on ${f.resource}: ${f.message}`)],
      next: r.complete ? [] : ['Fix what failed (see above) and run Release isolation again: it only touches what is still recorded.'],
      requestIds: r.requestIds,
      cardStatus: r.complete ? ':unlock: Isolation released' : ':warning: Isolation partly released',
    };
  },
};
