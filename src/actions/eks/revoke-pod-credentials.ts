import { podIdentityRole } from '../../aws/eks/cluster.js';
import { revokeSessionsAdvice } from '../../aws/ec2/instance-profile.js';
import { readPod } from '../../k8s/pods.js';
import { irsaRole, IRSA_ANNOTATION } from '../../k8s/service-account.js';
import type { ActionDefinition } from '../types.js';
import { connect, hasPod, podTargetOf } from './target.js';

/**
 * The pod's AWS role (IRSA annotation on its service account, or an EKS Pod Identity
 * association) and the same TokenIssueTime deny as the instance step, for that role. As there,
 * the app holds no iam:PutRolePolicy: the result attaches the policy for a human to apply.
 */
export const revokePodCredentialsAction: ActionDefinition = {
  id: 'revoke_pod_credentials',
  label: 'Revoke pod credentials',
  verb: 'Prepare',
  command: {
    verb: 'revoke',
    resources: ['pod'],
    section: 'Pods',
    help: "the policy that denies the pod's IAM role (IRSA or Pod Identity) every session issued before now",
  },
  changes: false,
  destructive: false,
  repeatable: true,
  appliesTo: (f) => hasPod(f),
  async plan(ctx) {
    const t = podTargetOf(ctx.finding);
    const conn = await connect(ctx, t.cluster);
    const pod = await readPod(conn, t);
    const sa = pod.spec?.serviceAccountName ?? 'default';
    const irsa = await irsaRole(conn, t.namespace, sa).catch(() => undefined);
    const podIdentity = await podIdentityRole(ctx.aws.eks, { cluster: t.cluster, namespace: t.namespace, serviceAccount: sa }).catch(() => undefined);
    const roles = [...(irsa ? [`${irsa} (IRSA, ${IRSA_ANNOTATION})`] : []), ...(podIdentity ? [`${podIdentity} (EKS Pod Identity)`] : [])];
    return {
      summary: roles.length
        ? `Revoke sessions of the role(s) of service account ${t.namespace}/${sa}: ${roles.join('; ')}.`
        : `Service account ${t.namespace}/${sa} has no IAM role.`,
      resources: roles,
      apiCalls: [
        'GET serviceaccount',
        'eks:ListPodIdentityAssociations',
        'The result gives the inline IAM policy (Deny all, aws:TokenIssueTime before now) to put on the role',
      ],
      warnings: [
        'The deny hits EVERY session of that role issued before now, including other pods and workloads using it.',
        "The pod may still reach the node's instance role through IMDS unless hop limit 1 or IMDS blocking is in place.",
      ],
      ...(roles.length
        ? {}
        : { blocked: "the pod's service account has no IAM role (IRSA or Pod Identity): its AWS access, if any, is the node role — use the instance steps" }),
      data: { roles: [irsa, podIdentity].filter((r): r is string => !!r) },
    };
  },
  async execute(ctx) {
    const { roles } = ctx.plan.data as { roles: string[] };
    const advice = revokeSessionsAdvice({ instanceProfileArn: roles[0]!, issuedBefore: new Date(ctx.clock.now()) });
    return {
      status: 'succeeded',
      headline: `revocation policy ready for ${roles.length} role(s)`,
      done: [`Prepared the policy that denies sessions issued before ${new Date(ctx.clock.now()).toISOString()}`],
      notDone: ['The app does not hold iam:PutRolePolicy: the policy is not applied yet.'],
      next: roles.map(
        (r) =>
          `aws iam put-role-policy --role-name ${r.slice(r.lastIndexOf('/') + 1)} --policy-name AWSRevokeOlderSessions --policy-document file://revoke-older-sessions-policy.json`,
      ),
      requestIds: [],
      attachment: { filename: 'revoke-older-sessions-policy.json', title: 'IAM policy that revokes credentials issued before now', content: advice.policy },
    };
  },
};
