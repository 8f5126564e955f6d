/**
 * The shapes of AWS account ids and Region names, in one place: settings (AWS_ACCOUNT_IDS,
 * AWS_REGIONS…), the client factory's allowlist checks, typed command targets, console links,
 * SNS certificate and SQS queue hosts. A pure text rule (no SDK): any layer may use it.
 */

/** A 12-digit AWS account id. */
export const ACCOUNT_ID_RE = /^\d{12}$/;

/**
 * A Region name as AWS spells them (us-east-1, eu-central-2, us-gov-west-1, cn-northwest-1,
 * ap-southeast-10 one day), without anchors: for building host-name patterns.
 */
export const REGION_PATTERN = '[a-z]{2}(?:-[a-z]+)+-\\d{1,2}';

/** A Region name, alone. Anything else must not reach a host name or an SDK client. */
export const REGION_RE = new RegExp(`^${REGION_PATTERN}$`);

export const isAccountId = (s: string): boolean => ACCOUNT_ID_RE.test(s);
export const isRegion = (s: string): boolean => REGION_RE.test(s);
