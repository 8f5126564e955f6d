/**
 * "Revoke instance credentials": remove the instance profile association, so the instance metadata
 * service stops handing out new credentials for its role, and put it back on release.
 *
 * What this cannot do (checked with the search tool; say it in the thread):
 * - Credentials already issued stay valid until they expire. AWS documents only that instance
 *   role credentials are temporary and rotated ("new credentials available at least five minutes
 *   before the expiration of the old credentials"); in practice they live about 6 hours (field
 *   reports: ~6.5 h, rotated roughly hourly; instances "continue to use role credentials for up
 *   to six hours" after a role change). An attacker who copied them keeps them that long.
 * - Revoking those sessions needs an IAM policy on the ROLE: a Deny on everything with
 *   `DateLessThan aws:TokenIssueTime <now>` (what the console's "Revoke active sessions" attaches
 *   as AWSRevokeOlderSessions). It hits every session of that role, i.e. every other instance
 *   using it too; and it needs iam:PutRolePolicy, which this app deliberately does not hold.
 *   `revokeSessionsAdvice` writes the policy out as a next step for a human.
 * - Putting the profile back (AssociateIamInstanceProfile) needs iam:PassRole on the role as
 *   well as ec2:AssociateIamInstanceProfile.
 */
import {
  AssociateIamInstanceProfileCommand,
  type AssociateIamInstanceProfileCommandOutput,
  paginateDescribeIamInstanceProfileAssociations,
  DisassociateIamInstanceProfileCommand,
  type IamInstanceProfileAssociation,
} from '@aws-sdk/client-ec2';
import { AppError, isAppError } from '../../errors.js';
import { awsCall } from '../errors.js';
import { awsPages, ownInput } from '../paging.js';
import { parseArn } from '../arn.js';
import type { Ec2Clients } from './types.js';

export interface ProfileAssociation {
  associationId: string;
  instanceId: string;
  instanceProfileArn: string;
  instanceProfileId?: string;
  /** associating | associated | disassociating | disassociated */
  state: string;
}

/** What release needs to put back exactly what was removed. */
export interface InstanceProfileRecord {
  version: 1;
  instanceId: string;
  instanceProfileArn: string;
  associationId: string;
  removedAt: string;
}

export interface RevokeResult {
  /** Undefined when the instance had no instance profile: nothing was changed. */
  record?: InstanceProfileRecord;
  /** State reported by DisassociateIamInstanceProfile (normally `disassociating`). */
  state?: string;
  requestIds: string[];
  /** Plain-English limits and next steps for the thread. */
  notes: string[];
}

export interface RestoreResult {
  status: 'associated' | 'already-associated' | 'other-profile-present';
  associationId?: string;
  currentProfileArn?: string;
  requestIds: string[];
  notes: string[];
}

/** Associations that still give the instance credentials (associated, or on their way). */
const LIVE_STATES: ReadonlySet<string> = new Set(['associating', 'associated']);

function toAssociation(a: IamInstanceProfileAssociation): ProfileAssociation {
  return {
    associationId: a.AssociationId ?? '',
    instanceId: a.InstanceId ?? '',
    instanceProfileArn: a.IamInstanceProfile?.Arn ?? '',
    ...(a.IamInstanceProfile?.Id !== undefined ? { instanceProfileId: a.IamInstanceProfile.Id } : {}),
    state: a.State ?? 'unknown',
  };
}

/** The instance's live association, if any (DescribeIamInstanceProfileAssociations, paged). */
export async function findInstanceProfileAssociation(
  clients: Ec2Clients,
  instanceId: string,
  requestIds: string[] = [],
): Promise<ProfileAssociation | undefined> {
  const all: ProfileAssociation[] = [];
  const pages = paginateDescribeIamInstanceProfileAssociations(
    { client: clients.ec2, withCommand: ownInput },
    { Filters: [{ Name: 'instance-id', Values: [instanceId] }] },
  );
  for await (const page of awsPages({ action: 'ec2:DescribeIamInstanceProfileAssociations', resource: instanceId }, requestIds, pages)) {
    all.push(...(page.IamInstanceProfileAssociations ?? []).map(toAssociation));
  }
  return all.find((a) => a.instanceId === instanceId && LIVE_STATES.has(a.state));
}

/** `arn:aws:iam::123:instance-profile/path/name` → `name`. */
export function instanceProfileName(arn: string): string {
  const resource = parseArn(arn)?.resource ?? arn;
  return resource.slice(resource.lastIndexOf('/') + 1);
}

/**
 * The IAM policy that revokes sessions issued before `issuedBefore`, as text for a human to
 * attach to the role inside the instance profile (the app cannot: no iam:PutRolePolicy).
 */
export function revokeSessionsAdvice(input: { instanceProfileArn: string; issuedBefore: Date }): { policy: string; text: string } {
  const policy = JSON.stringify(
    {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Deny',
          Action: '*',
          Resource: '*',
          Condition: { DateLessThan: { 'aws:TokenIssueTime': input.issuedBefore.toISOString().replace(/\.\d{3}Z$/, 'Z') } },
        },
      ],
    },
    null,
    2,
  );
  const profile = instanceProfileName(input.instanceProfileArn);
  return {
    policy,
    text:
      `Credentials the instance already received stay valid until they expire (typically up to about 6 hours). ` +
      `To cut them now, attach this inline policy to the role in instance profile ${profile} ` +
      `(IAM console: the role → "Revoke active sessions" does the same). It denies every session of that role issued before now, ` +
      `including those of other instances that use the same role; they get fresh credentials automatically within minutes.`,
  };
}

export async function revokeInstanceProfile(clients: Ec2Clients, instanceId: string, options: { now?: () => Date } = {}): Promise<RevokeResult> {
  const requestIds: string[] = [];
  const current = await findInstanceProfileAssociation(clients, instanceId, requestIds);
  if (!current) {
    return { requestIds, notes: [`${instanceId} has no instance profile: it gets no role credentials from instance metadata, nothing to remove.`] };
  }
  const out = await awsCall({ action: 'ec2:DisassociateIamInstanceProfile', resource: instanceId }, requestIds, () =>
    clients.ec2.send(new DisassociateIamInstanceProfileCommand({ AssociationId: current.associationId })),
  );
  const now = options.now?.() ?? new Date();
  const advice = revokeSessionsAdvice({ instanceProfileArn: current.instanceProfileArn, issuedBefore: now });
  return {
    record: { version: 1, instanceId, instanceProfileArn: current.instanceProfileArn, associationId: current.associationId, removedAt: now.toISOString() },
    ...(out.IamInstanceProfileAssociation?.State !== undefined ? { state: out.IamInstanceProfileAssociation.State } : {}),
    requestIds,
    notes: [
      `Instance profile ${instanceProfileName(current.instanceProfileArn)} removed from ${instanceId}: no new role credentials will be issued to it.`,
      advice.text,
    ],
  };
}

/** Puts the recorded profile back, unless the instance has one again (ours or another). */
export async function restoreInstanceProfile(clients: Ec2Clients, record: InstanceProfileRecord): Promise<RestoreResult> {
  const requestIds: string[] = [];
  const current = await findInstanceProfileAssociation(clients, record.instanceId, requestIds);
  if (current?.instanceProfileArn === record.instanceProfileArn) {
    return {
      status: 'already-associated',
      associationId: current.associationId,
      requestIds,
      notes: [`${record.instanceId} already has instance profile ${instanceProfileName(record.instanceProfileArn)} again.`],
    };
  }
  if (current) {
    return {
      status: 'other-profile-present',
      currentProfileArn: current.instanceProfileArn,
      requestIds,
      notes: [
        `${record.instanceId} now has another instance profile (${current.instanceProfileArn}); it was left as it is. The one removed was ${record.instanceProfileArn}.`,
      ],
    };
  }
  let out: AssociateIamInstanceProfileCommandOutput;
  try {
    out = await awsCall({ action: 'ec2:AssociateIamInstanceProfile', resource: record.instanceId }, requestIds, () =>
      clients.ec2.send(new AssociateIamInstanceProfileCommand({ InstanceId: record.instanceId, IamInstanceProfile: { Arn: record.instanceProfileArn } })),
    );
  } catch (err) {
    // EC2 answers UnauthorizedOperation for a missing iam:PassRole too; name the right permission.
    if (isAppError(err, 'aws_access_denied') && /iam:PassRole/.test(String(err.context.awsMessage ?? ''))) {
      throw new AppError(
        'aws_access_denied',
        `The app's AWS role may call ec2:AssociateIamInstanceProfile but is not allowed to pass the role in ${record.instanceProfileArn}. Add iam:PassRole on that role (condition iam:PassedToService ec2.amazonaws.com) to its policy.`,
        { cause: err, context: { ...err.context, action: 'iam:PassRole' } },
      );
    }
    throw err;
  }
  return {
    status: 'associated',
    ...(out.IamInstanceProfileAssociation?.AssociationId !== undefined ? { associationId: out.IamInstanceProfileAssociation.AssociationId } : {}),
    requestIds,
    notes: [
      `Instance profile ${instanceProfileName(record.instanceProfileArn)} associated with ${record.instanceId} again; the instance picks up credentials within a few minutes.`,
    ],
  };
}
