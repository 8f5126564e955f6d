/**
 * Role sessions into member accounts, attributed to the person: `SourceIdentity` is the Slack
 * user who requested the step (it stays on every call of the session and on any role chained
 * from it, so the member account's CloudTrail shows who did it), the approver goes into the
 * `Approver` session tag, and the session name says which step.
 *
 * Reads that no person asked for (e.g. GuardDuty close-out) use the fixed service identity
 * SERVICE_SOURCE_IDENTITY, so the member role's trust policy can require a SourceIdentity on
 * every session.
 */
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { AppError } from '../../errors.js';
import type { Clock } from '../../util/clock.js';
import { awsErrorName } from '../errors.js';

export interface Actor {
  /** Slack user id of whoever requested the step. */
  requester: string;
  /** Slack user id of the second person who approved it, if any. */
  approver?: string;
  /** Step id (e.g. `isolate_task`), named in the session name. */
  step: string;
}

export const SERVICE_SOURCE_IDENTITY = 'gdr-service';
/** Session duration asked of STS (the role's MaxSessionDuration is at least 1 h). */
export const SESSION_DURATION_SECONDS = 3600;
/** Fresh credentials are fetched this long before the old ones expire (the SDK's own margin). */
export const REFRESH_MARGIN_MS = 5 * 60_000;
/** Sessions kept (per account × person × step); the oldest is forgotten first. */
export const MAX_SESSIONS = 500;

const ALLOWED = /[^\w+=,.@-]/g;

/** SourceIdentity / session-name charset `[\w+=,.@-]`, 2–64 characters. */
export function sanitizeIdentity(value: string, max = 64): string {
  const clean = value.replace(ALLOWED, '_').slice(0, max);
  return clean.length >= 2 ? clean : clean.padEnd(2, '_');
}

export function sessionNameFor(actor: Actor | undefined): string {
  return actor ? sanitizeIdentity(`gdr-${actor.step}-${actor.requester}`) : SERVICE_SOURCE_IDENTITY;
}

export interface AssumeRoleParams {
  RoleArn: string;
  RoleSessionName: string;
  SourceIdentity: string;
  DurationSeconds: number;
  ExternalId?: string;
  Tags?: { Key: string; Value: string }[];
}

export function assumeRoleParams(roleArn: string, actor: Actor | undefined, externalId: string | undefined): AssumeRoleParams {
  const tags = [
    ...(actor ? [{ Key: 'Step', Value: sanitizeIdentity(actor.step, 256) }] : []),
    ...(actor?.approver ? [{ Key: 'Approver', Value: sanitizeIdentity(actor.approver, 256) }] : []),
  ];
  return {
    RoleArn: roleArn,
    RoleSessionName: sessionNameFor(actor),
    SourceIdentity: actor ? sanitizeIdentity(actor.requester) : SERVICE_SOURCE_IDENTITY,
    DurationSeconds: SESSION_DURATION_SECONDS,
    ...(externalId ? { ExternalId: externalId } : {}),
    ...(tags.length ? { Tags: tags } : {}),
  };
}

/** A refusal of AssumeRole, with the role and the usual causes: shown in the plan modal. */
export function roleRefused(roleArn: string, accountId: string, err: unknown): AppError {
  const name = awsErrorName(err) ?? 'Error';
  const denied = name === 'AccessDenied' || name === 'AccessDeniedException';
  const message = denied
    ? `AWS refused to let the app assume ${roleArn} in account ${accountId} (AccessDenied). Likely: the role does not exist in that account, its trust policy does not name the app's role, the external id differs from AWS_MEMBER_ROLE_EXTERNAL_ID, or the trust policy lacks sts:SetSourceIdentity / sts:TagSession. Nothing was changed.`
    : `The app could not assume ${roleArn} in account ${accountId} (${name}: ${err instanceof Error ? err.message : String(err)}). Nothing was changed.`;
  return new AppError(denied ? 'aws_role_denied' : 'aws_error', message, { cause: err, context: { roleArn, accountId, awsErrorName: name } });
}

export interface RoleSessionsOptions {
  roleArnFor: (accountId: string) => string;
  externalId?: string;
  /** The app's own credentials (what assumes the role). */
  masterCredentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** STS client settings (endpoint, request handler, attempts); the Region is the target's. */
  stsConfig?: Record<string, unknown>;
  clock: Pick<Clock, 'now'>;
}

/**
 * One credentials provider per account × session (requester, approver, step), shared by every
 * service client of that account: AssumeRole once, again REFRESH_MARGIN_MS before expiry (by the
 * injected clock), one request at a time. The SDK clients memoize credentials by the wall clock,
 * so what they get carries an expiration of "now": they ask this cache before every call (a map
 * lookup) and a long sweep picks up the refreshed credentials on its next call.
 */
export class RoleSessions {
  private readonly sessions = new Map<string, AwsCredentialIdentityProvider>();

  constructor(private readonly o: RoleSessionsOptions) {}

  provider(accountId: string, region: string, actor: Actor | undefined): AwsCredentialIdentityProvider {
    const key = [accountId, region, actor?.requester ?? '', actor?.approver ?? '', actor?.step ?? ''].join('|');
    const known = this.sessions.get(key);
    if (known) return known;
    const roleArn = this.o.roleArnFor(accountId);
    const assume = fromTemporaryCredentials({
      params: assumeRoleParams(roleArn, actor, this.o.externalId),
      ...(this.o.masterCredentials ? { masterCredentials: this.o.masterCredentials } : {}),
      clientConfig: { region, ...this.o.stsConfig },
    });
    let current: { creds: AwsCredentialIdentity; expiresAt: number } | undefined;
    let inFlight: Promise<AwsCredentialIdentity> | undefined;
    const refresh = async (): Promise<AwsCredentialIdentity> => {
      try {
        const creds = await assume();
        const expiresAt = creds.expiration?.getTime() ?? this.o.clock.now() + SESSION_DURATION_SECONDS * 1000;
        current = { creds, expiresAt };
        return creds;
      } catch (err) {
        throw roleRefused(roleArn, accountId, err);
      } finally {
        inFlight = undefined;
      }
    };
    // Concurrent callers share one refresh.
    const refreshOnce = () => {
      inFlight ??= refresh();
      return inFlight;
    };
    const provider: AwsCredentialIdentityProvider = async () => {
      const fresh = current && current.expiresAt - REFRESH_MARGIN_MS > this.o.clock.now() ? current.creds : await refreshOnce();
      return { ...fresh, expiration: new Date(Date.now()) };
    };
    if (this.sessions.size >= MAX_SESSIONS) this.sessions.delete(this.sessions.keys().next().value!);
    this.sessions.set(key, provider);
    return provider;
  }
}
