import { findInstanceProfileAssociation, revokeInstanceProfile, revokeSessionsAdvice } from '../../aws/ec2/instance-profile.js';
import { INSTANCE_PROFILE_STATE_KEY, type RevokedProfileState } from '../ecs/release-isolation.js';
import type { ActionDefinition } from '../types.js';
import { hasInstance, instanceIdOf } from './target.js';

/**
 * Remove the instance profile association so the instance gets no new role credentials; the
 * association is recorded so Release isolation can put it back. Credentials already handed out
 * stay valid until they expire: the result gives the IAM policy that revokes them.
 */
export const revokeCredentialsAction: ActionDefinition = {
  id: 'revoke_credentials',
  label: 'Revoke instance credentials',
  verb: 'Revoke',
  changes: true,
  destructive: true,
  repeatable: false,
  style: 'danger',
  appliesTo: (f) => f.kind === 'Instance' && hasInstance(f),
  async plan(ctx) {
    const instanceId = instanceIdOf(ctx.finding);
    const current = await findInstanceProfileAssociation(ctx.aws, instanceId);
    if (!current)
      return {
        summary: `${instanceId} has no instance profile.`,
        resources: [instanceId],
        apiCalls: [],
        warnings: [],
        blocked: 'the instance has no instance profile: there are no role credentials to revoke',
      };
    return {
      summary: `Remove instance profile ${current.instanceProfileArn} from ${instanceId}.`,
      resources: [instanceId, current.instanceProfileArn, `association ${current.associationId}`],
      apiCalls: ['ec2:DescribeIamInstanceProfileAssociations', `ec2:DisassociateIamInstanceProfile ${current.associationId}`],
      warnings: [
        'Applications on the instance that use the role lose AWS access when their current credentials expire.',
        'Credentials already issued stay valid until they expire (up to about 6 hours): the result gives the policy that revokes them now.',
      ],
    };
  },
  async execute(ctx) {
    const r = await revokeInstanceProfile(ctx.aws, instanceIdOf(ctx.finding), { now: () => new Date(ctx.clock.now()) });
    if (r.record)
      await ctx.state.put(INSTANCE_PROFILE_STATE_KEY, { active: true, record: r.record, by: ctx.actor, at: ctx.clock.now() } satisfies RevokedProfileState);
    const advice = r.record ? revokeSessionsAdvice({ instanceProfileArn: r.record.instanceProfileArn, issuedBefore: new Date(ctx.clock.now()) }) : undefined;
    return {
      status: r.record ? 'succeeded' : 'failed',
      headline: r.record ? `instance profile removed (${r.state ?? 'disassociating'})` : 'nothing to remove',
      done: r.record ? [`Disassociated ${r.record.instanceProfileArn} (association ${r.record.associationId}); recorded for Release isolation`] : [],
      // r.notes opens with the success line and repeats the advice given under next: what is not
      // done is the credentials already issued (without a record, the notes say why nothing was).
      notDone: r.record
        ? ['Credentials the instance already received stay valid until they expire (typically up to about 6 hours): see what to do next.']
        : r.notes,
      next: advice ? [advice.text] : [],
      requestIds: r.requestIds,
      ...(advice
        ? {
            attachment: {
              filename: 'revoke-older-sessions-policy.json',
              title: 'IAM policy that revokes credentials issued before now',
              content: advice.policy,
            },
          }
        : {}),
      cardStatus: ':key: Instance credentials revoked',
    };
  },
};
