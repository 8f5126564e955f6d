import { reattach } from '../../aws/autoscaling/index.js';
import { releaseIsolation } from '../../aws/ec2/index.js';
import { restoreInstanceProfile } from '../../aws/ec2/instance-profile.js';
import { reregister } from '../../aws/elbv2/index.js';
import { INSTANCE_PROFILE_STATE_KEY, ISOLATION_STATE_KEY, type IsolationState, type RevokedProfileState } from '../state-keys.js';
import type { ActionDefinition } from '../types.js';

export { INSTANCE_PROFILE_STATE_KEY, type RevokedProfileState } from '../state-keys.js';

/**
 * Undo an isolation exactly as recorded: previous security groups back on each ENI, our network
 * ACL deny entries removed (only while they are still ours), and for an instance the Auto Scaling
 * group membership, load balancer registrations and a revoked instance profile put back.
 * Safe to re-run after a partial release: only what is still recorded is touched.
 */
export const releaseIsolationAction: ActionDefinition = {
  id: 'release_isolation',
  label: 'Release isolation',
  verb: 'Release',
  changes: true,
  destructive: false,
  repeatable: false,
  command: { verb: 'release', aliases: ['unisolate'], resources: ['ecs_task', 'instance'], section: 'Contain', help: 'undo that isolation exactly' },
  containment: 'release',
  appliesTo: (f, s) => (s.isolated || s.credentialsRevoked === true) && (f.kind === 'ECSCluster' || f.kind === 'Instance' || f.kind === 'Container'),
  async plan(ctx) {
    const found = await ctx.state.get<IsolationState>(ISOLATION_STATE_KEY);
    const profile = await ctx.state.get<RevokedProfileState>(INSTANCE_PROFILE_STATE_KEY);
    if (!found?.active && !profile?.active)
      return {
        summary: 'Nothing is isolated for this finding.',
        resources: [],
        apiCalls: [],
        warnings: [],
        blocked: 'there is no active isolation recorded for this finding',
      };
    // Credentials revoked without a network isolation: only the instance profile comes back.
    const iso: IsolationState = found?.active
      ? found
      : {
          active: false,
          record: { version: 1, createdAt: '', target: { kind: 'instance', instanceId: profile!.record.instanceId }, vpcIds: [], enis: [], aclEntries: [] },
          by: profile!.by,
          at: profile!.at,
        };
    const rec = iso.record;
    return {
      summary: `Restore exactly what isolation changed (isolated by Slack user ${iso.by} at ${new Date(iso.at).toISOString()}).`,
      resources: [
        ...rec.enis.map((e) => `ENI ${e.eniId}: back to ${e.previousGroupIds.join(', ')}`),
        ...rec.aclEntries.map((a) => `network ACL ${a.networkAclId}: remove rule ${a.ruleNumber} (${a.egress ? 'outbound' : 'inbound'} deny ${a.cidr})`),
        ...(iso.asg ? [`Auto Scaling group ${iso.asg.groupName}: attach ${iso.asg.instanceId} again`] : []),
        ...(iso.registrations ?? []).map((r) => `target group ${r.targetGroupName}: register ${r.id}:${r.port} again`),
        ...(profile?.active ? [`instance profile ${profile.record.instanceProfileArn}: associate again`] : []),
      ],
      apiCalls: [
        ...rec.enis.map((e) => `ec2:ModifyNetworkInterfaceAttribute ${e.eniId} → ${e.previousGroupIds.join(', ')}`),
        ...rec.aclEntries.map((a) => `ec2:DeleteNetworkAclEntry ${a.networkAclId} rule ${a.ruleNumber} ${a.egress ? 'egress' : 'ingress'}`),
        ...(iso.asg ? ['autoscaling:AttachInstances'] : []),
        ...(iso.registrations?.length ? ['elasticloadbalancing:RegisterTargets'] : []),
        ...(profile?.active ? ['ec2:AssociateIamInstanceProfile (needs iam:PassRole on its role)'] : []),
      ],
      warnings: [
        'The resource gets its network back: make sure the threat is removed first.',
        'Entries are deleted only if they are still our deny entries for the same address; groups are restored only if the interface still has the isolation group.',
        ...(iso.asg ? ["Re-attaching raises the group's desired capacity by one (its replacement keeps running)."] : []),
      ],
    };
  },
  async execute(ctx) {
    const found = await ctx.state.get<IsolationState>(ISOLATION_STATE_KEY);
    const revoked = await ctx.state.get<RevokedProfileState>(INSTANCE_PROFILE_STATE_KEY);
    if (!found?.active && !revoked?.active)
      return { status: 'failed', headline: 'no active isolation', done: [], notDone: ['Nothing was recorded to release.'], next: [], requestIds: [] };
    const iso: IsolationState | undefined = found?.active ? found : undefined;
    const r = iso
      ? await releaseIsolation(ctx.aws, iso.record)
      : { restored: [], notRestored: [], alreadyGone: [], requestIds: [], failures: [], complete: true };
    const done = [...r.restored, ...r.alreadyGone];
    const notDone = [...r.notRestored, ...r.failures.map((f) => `${f.step} on ${f.resource}: ${f.message}`)];
    const requestIds = [...r.requestIds];
    let complete = r.complete;
    if (iso?.asg) {
      const a = await reattach(ctx.aws, iso.asg);
      requestIds.push(...a.requestIds);
      (a.attached ? done : notDone).push(
        a.attached
          ? `Attached to Auto Scaling group ${iso.asg.groupName} again`
          : `Not attached to ${iso.asg.groupName} again: ${a.failures.map((f) => f.message).join('; ') || a.notes.join('; ')}`,
      );
      complete &&= a.attached;
    }
    if (iso?.registrations?.length) {
      const t = await reregister(ctx.aws, iso.registrations);
      requestIds.push(...t.requestIds);
      done.push(...t.done.map((x) => `Registered in target group ${x.targetGroupName} again (${x.id}:${x.port})`));
      notDone.push(...t.failures.map((f) => `${f.step} on ${f.resource}: ${f.message}`));
      complete &&= t.failures.length === 0;
    }
    const profile = await ctx.state.get<RevokedProfileState>(INSTANCE_PROFILE_STATE_KEY);
    if (profile?.active) {
      const p = await restoreInstanceProfile(ctx.aws, profile.record);
      requestIds.push(...p.requestIds);
      (p.status === 'other-profile-present' ? notDone : done).push(...p.notes);
      if (p.status !== 'other-profile-present') await ctx.state.put(INSTANCE_PROFILE_STATE_KEY, { ...profile, active: false });
    }
    if (complete && iso)
      await ctx.state.put(ISOLATION_STATE_KEY, { ...iso, active: false, releasedBy: ctx.actor, releasedAt: ctx.clock.now() } satisfies IsolationState);
    return {
      status: complete ? 'succeeded' : done.length > 0 ? 'partial' : 'failed',
      headline: complete ? 'isolation released: everything recorded was restored' : 'isolation only partly released',
      done,
      notDone,
      next: complete ? [] : ['Fix what failed (see above) and run Release isolation again: it only touches what is still recorded.'],
      requestIds,
      cardStatus: complete ? ':unlock: Isolation released' : ':warning: Isolation partly released',
    };
  },
};
