/**
 * STS role sessions of a multi-account double: AssumeRole issues distinct temporary credentials
 * per session (expiring on the injected clock) and records what a trust policy would see
 * (SourceIdentity, ExternalId, session tags, session name). Roles are refused like IAM does:
 * a missing role, a trust policy that does not name the caller, a wrong external id.
 */
import { randomBytes } from 'node:crypto';
import { AwsServiceError } from '../service.js';

export interface RoleTrust {
  /** ExternalId the trust policy requires (none: any or none). */
  externalId?: string;
  /** The trust policy refuses everyone (e.g. it names another principal). */
  refuse?: boolean;
}

export interface Session {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  accountId: string;
  roleArn: string;
  sessionName: string;
  sourceIdentity?: string;
  externalId?: string;
  tags: Record<string, string>;
  issuedAt: number;
  expiresAt: number;
}

export interface AssumeRoleRecord {
  at: number;
  caller: string;
  roleArn: string;
  sessionName: string;
  sourceIdentity?: string;
  externalId?: string;
  tags: Record<string, string>;
  /** The refusal code, when refused. */
  error?: string;
}

export class StsSessions {
  readonly roles = new Map<string, RoleTrust>();
  readonly sessions = new Map<string, Session>();
  readonly assumeRoleCalls: AssumeRoleRecord[] = [];
  /** Session length when DurationSeconds is absent; tests shorten it to expire mid-sweep. */
  defaultDurationMs = 3600_000;
  /** Caps what DurationSeconds may ask for (a role's MaxSessionDuration; tests: minutes). */
  maxDurationMs = 12 * 3600_000;

  constructor(private readonly now: () => number) {}

  addRole(roleArn: string, trust: RoleTrust = {}): void {
    this.roles.set(roleArn, trust);
  }

  assumeRole(callerArn: string, p: Record<string, string>): Session {
    const roleArn = p.RoleArn ?? '';
    const tags: Record<string, string> = {};
    for (let i = 1; p[`Tags.member.${i}.Key`] !== undefined; i++) tags[p[`Tags.member.${i}.Key`]!] = p[`Tags.member.${i}.Value`] ?? '';
    const rec: AssumeRoleRecord = {
      at: this.now(),
      caller: callerArn,
      roleArn,
      sessionName: p.RoleSessionName ?? '',
      ...(p.SourceIdentity !== undefined ? { sourceIdentity: p.SourceIdentity } : {}),
      ...(p.ExternalId !== undefined ? { externalId: p.ExternalId } : {}),
      tags,
    };
    this.assumeRoleCalls.push(rec);
    const trust = this.roles.get(roleArn);
    const denied = () => {
      rec.error = 'AccessDenied';
      return new AwsServiceError('AccessDenied', `User: ${callerArn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`, 403);
    };
    if (!trust || trust.refuse) throw denied();
    if (trust.externalId !== undefined && trust.externalId !== p.ExternalId) throw denied();
    if (!/^[\w+=,.@-]{2,64}$/.test(rec.sessionName)) throw new AwsServiceError('ValidationError', 'RoleSessionName is invalid', 400);
    if (rec.sourceIdentity !== undefined && !/^[\w+=,.@-]{2,64}$/.test(rec.sourceIdentity))
      throw new AwsServiceError('ValidationError', 'SourceIdentity is invalid', 400);
    const asked = p.DurationSeconds !== undefined ? Number(p.DurationSeconds) * 1000 : this.defaultDurationMs;
    const duration = Math.min(asked, this.maxDurationMs);
    const session: Session = {
      accessKeyId: `ASIA${randomBytes(8).toString('hex').toUpperCase()}`,
      secretAccessKey: randomBytes(20).toString('base64'),
      sessionToken: randomBytes(32).toString('base64'),
      accountId: roleArn.split(':')[4] ?? '',
      roleArn,
      sessionName: rec.sessionName,
      ...(rec.sourceIdentity !== undefined ? { sourceIdentity: rec.sourceIdentity } : {}),
      ...(rec.externalId !== undefined ? { externalId: rec.externalId } : {}),
      tags,
      issuedAt: this.now(),
      expiresAt: this.now() + duration,
    };
    this.sessions.set(session.accessKeyId, session);
    return session;
  }
}
