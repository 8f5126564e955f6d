/**
 * The organization settings (names are a contract, see DESIGN.md): parsed here, read only by
 * src/config.ts (nothing else reads the environment).
 */
import { z } from 'zod';
import { parseAccountNames, type OrganizationSettings } from './accounts.js';
import { ACCOUNT_ID_RE, REGION_RE } from './ids.js';

const list = (v: string | undefined): string[] =>
  (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

const accountList = z
  .string()
  .optional()
  .superRefine((v, ctx) => {
    for (const id of list(v)) if (!ACCOUNT_ID_RE.test(id)) ctx.addIssue({ code: 'custom', message: `"${id}" is not a 12-digit AWS account id` });
  });
const regionList = z
  .string()
  .optional()
  .superRefine((v, ctx) => {
    for (const r of list(v)) if (!REGION_RE.test(r)) ctx.addIssue({ code: 'custom', message: `"${r}" is not an AWS Region` });
  });

export const organizationEnv = {
  AWS_MEMBER_ROLE_ARN: z
    .string()
    .regex(
      /^arn:aws(-cn|-us-gov)?:iam::\{accountId\}:role\/[\w+=,.@/-]{1,512}$/,
      'must be a role ARN template with {accountId}, e.g. arn:aws:iam::{accountId}:role/GuardDutyResponder',
    )
    .optional(),
  AWS_MEMBER_ROLE_EXTERNAL_ID: z
    .string()
    .regex(/^[\w+=,.@:/-]{2,1224}$/, 'must be 2–1224 characters of [\\w+=,.@:/-]')
    .optional(),
  AWS_ACCOUNT_IDS: accountList,
  AWS_REGIONS: regionList,
  AWS_ACCOUNT_NAMES: z
    .string()
    .optional()
    .superRefine((v, ctx) => {
      for (const pair of list(v)) {
        const [id, name] = pair.split('=');
        if (!id || !ACCOUNT_ID_RE.test(id.trim()) || !name?.trim()) ctx.addIssue({ code: 'custom', message: `"${pair}" is not accountId=name` });
      }
    }),
};

export type OrganizationConfig = Readonly<OrganizationSettings>;

type OrgEnv = { [K in keyof typeof organizationEnv]?: string | undefined } & { COVERED_ACCOUNT_IDS?: string | undefined; COVERED_REGIONS?: string | undefined };

/**
 * AWS_ACCOUNT_IDS / AWS_REGIONS (COVERED_ACCOUNT_IDS / COVERED_REGIONS are their older names).
 * Regions default to those of the configured SNS topics and SQS queues (`queueRegions`, read
 * from the queue URLs' hosts); accounts default to the app's own (learnt at start, so left unset
 * here).
 */
export function organizationConfig(e: OrgEnv, topicArns: readonly string[], queueRegions: readonly string[] = []): OrganizationConfig {
  const accountIds = list(e.AWS_ACCOUNT_IDS ?? e.COVERED_ACCOUNT_IDS);
  const explicitRegions = list(e.AWS_REGIONS ?? e.COVERED_REGIONS);
  const topicRegions = [...new Set([...topicArns.map((arn) => arn.split(':')[3]), ...queueRegions].filter((r): r is string => Boolean(r)))];
  const regions = explicitRegions.length ? explicitRegions : topicRegions;
  const names = parseAccountNames(e.AWS_ACCOUNT_NAMES);
  return {
    ...(e.AWS_MEMBER_ROLE_ARN ? { memberRoleArn: e.AWS_MEMBER_ROLE_ARN } : {}),
    ...(e.AWS_MEMBER_ROLE_EXTERNAL_ID ? { externalId: e.AWS_MEMBER_ROLE_EXTERNAL_ID } : {}),
    ...(accountIds.length ? { accountIds } : {}),
    ...(regions.length ? { regions } : {}),
    ...(Object.keys(names).length ? { accountNames: names } : {}),
  };
}
