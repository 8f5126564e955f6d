/**
 * Where the app may act: its own account (learnt once with sts:GetCallerIdentity) plus the
 * accounts and Regions of AWS_ACCOUNT_IDS / AWS_REGIONS. The client factory asks `check()` before
 * it builds a client, so no code path can call AWS (or assume a role) anywhere else; the card
 * asks `actsIn()` to decide whether it offers changing steps.
 */
import { AppError } from '../errors.js';

export interface OrganizationSettings {
  /** `arn:aws:iam::{accountId}:role/Name`: how every account other than the app's own is reached. */
  memberRoleArn?: string;
  externalId?: string;
  /** Unset: only the app's own account. */
  accountIds?: readonly string[];
  /** Unset: any Region (the factory's default Region set is applied by the caller). */
  regions?: readonly string[];
  /** No allowlist at all (a factory built without organization settings: library use, tests). */
  unrestricted?: boolean;
  /** Human names shown on cards (AWS_ACCOUNT_NAMES). */
  accountNames?: Readonly<Record<string, string>>;
}

export interface AwsPlace {
  accountId: string;
  region: string;
}

export class AccountScope {
  private own: string | undefined;
  private pending: Promise<string> | undefined;

  constructor(
    readonly settings: OrganizationSettings,
    private readonly identity: () => Promise<string>,
  ) {}

  /** The app's own account, once known. */
  ownAccountId(): string | undefined {
    return this.own;
  }

  /** Reads the app's own account (once; a failure is retried on the next call). */
  resolveOwn(): Promise<string> {
    if (this.own) return Promise.resolve(this.own);
    this.pending ??= this.identity().then(
      (id) => (this.own = id),
      (err: unknown) => {
        this.pending = undefined;
        throw new AppError(
          'aws_identity_unknown',
          'The app could not read its own AWS account (sts:GetCallerIdentity failed), so it does not act in any account yet.',
          { cause: err },
        );
      },
    );
    return this.pending;
  }

  /** The accounts the app acts in, when known (explicit list, else its own account). */
  accounts(): string[] {
    if (this.settings.accountIds?.length) return this.settings.accountIds.filter((a) => this.reachable(a));
    return this.own ? [this.own] : [];
  }

  /** The Regions the app acts in; undefined = any. */
  regions(): readonly string[] | undefined {
    return this.settings.regions?.length ? this.settings.regions : undefined;
  }

  /** Every allowed account × Region (Regions default to `fallbackRegions`). */
  places(fallbackRegions: readonly string[]): AwsPlace[] {
    const regions = this.regions() ?? fallbackRegions;
    return this.accounts().flatMap((accountId) => regions.map((region) => ({ accountId, region })));
  }

  nameOf(accountId: string): string | undefined {
    return this.settings.accountNames?.[accountId];
  }

  /**
   * True/false when it can be decided now; undefined while the own account is still unknown and
   * no explicit list decides (the factory still refuses at call time).
   */
  actsIn(accountId: string, region: string): boolean | undefined {
    try {
      return this.decide(accountId, region) ?? undefined;
    } catch {
      return false;
    }
  }

  /** For the card: the account's name, and whether (and why not) the app acts there. */
  describe(accountId: string, region: string): { actsIn?: boolean; name?: string; why?: string } {
    const name = this.nameOf(accountId);
    let actsIn: boolean | undefined;
    let why: string | undefined;
    try {
      actsIn = this.decide(accountId, region);
    } catch (err) {
      actsIn = false;
      why =
        err instanceof AppError && err.code === 'region_not_allowed'
          ? `${region} is not in AWS_REGIONS`
          : `account ${accountId} is not in AWS_ACCOUNT_IDS or has no member role`;
    }
    return { ...(actsIn !== undefined ? { actsIn } : {}), ...(name ? { name } : {}), ...(why ? { why } : {}) };
  }

  /** Throws account_not_allowed / region_not_allowed; undefined when it needs the own account to decide. */
  decide(accountId: string, region: string): true | undefined {
    if (this.settings.unrestricted) return true;
    const regions = this.regions();
    if (regions && !regions.includes(region)) {
      throw new AppError('region_not_allowed', `The app does not act in ${region} (AWS_REGIONS: ${regions.join(', ')}). Nothing was called in AWS.`, {
        context: { accountId, region },
      });
    }
    const list = this.settings.accountIds?.length ? this.settings.accountIds : undefined;
    const refuse = (why: string) =>
      new AppError('account_not_allowed', `The app does not act in account ${accountId}${this.named(accountId)}: ${why}. Nothing was called in AWS.`, {
        context: { accountId, region },
      });
    if (list && !list.includes(accountId)) throw refuse('it is not in AWS_ACCOUNT_IDS');
    if (!this.own) return undefined;
    if (!list && accountId !== this.own) throw refuse(`AWS_ACCOUNT_IDS is not set, so the app acts only in its own account (${this.own})`);
    if (accountId !== this.own && !this.settings.memberRoleArn)
      throw refuse(`AWS_MEMBER_ROLE_ARN is not set, so the app can only act in its own account (${this.own})`);
    return true;
  }

  /** Like decide(), but waits for the own account first: the factory's last word before a call. */
  async check(accountId: string, region: string): Promise<{ own: boolean }> {
    if (this.settings.unrestricted) return { own: true };
    const own = await this.resolveOwn();
    this.decide(accountId, region);
    return { own: accountId === own };
  }

  private reachable(accountId: string): boolean {
    return accountId === this.own || Boolean(this.settings.memberRoleArn);
  }

  private named(accountId: string): string {
    const n = this.nameOf(accountId);
    return n ? ` (${n})` : '';
  }
}

/** `111111111111=prod,222222222222=staging` → { '111111111111': 'prod', … }. */
export function parseAccountNames(value: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const eq = pair.indexOf('=');
    if (eq > 0) out[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  return out;
}

/** The member role of one account, from the `{accountId}` template. */
export function roleArnFor(template: string, accountId: string): string {
  return template.replaceAll('{accountId}', accountId);
}

/** Whether the app acts where a finding is (the SQS intake's `admit`): the same verdict the card shows. */
export function admitFinding(scope: AccountScope, place: AwsPlace): { ok: true } | { ok: false; reason: string } {
  const d = scope.describe(place.accountId, place.region);
  return d.actsIn === false ? { ok: false, reason: d.why ?? 'outside AWS_ACCOUNT_IDS / AWS_REGIONS' } : { ok: true };
}
