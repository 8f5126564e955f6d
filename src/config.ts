import { existsSync } from 'node:fs';
import { z } from 'zod';
import { AppError } from './errors.js';
import { SLACK_APP_ID, SLACK_CHANNEL_ID as CHANNEL_ID, SLACK_TEAM_ID, SLACK_USERGROUP_ID as SLACK_GROUP_ID, SLACK_USER_ID } from './slack/ids.js';
import { SEVERITY_LEVELS, type SeverityLevel } from './findings/severity.js';
import { DEFAULT_ACTION_RATE_LIMIT, parseRateLimit, type RateLimit } from './authz/rate-limit.js';
import { REQUIRE_APPROVAL_MODES, type RequireApprovalMode } from './authz/policy.js';
import { ACCOUNT_ID_RE, REGION_RE } from './aws/ids.js';
import { organizationConfig, organizationEnv, type OrganizationConfig } from './aws/organization-config.js';
import { queueUrlRegion } from './sqs/queue-url.js';

const csv = (v: string | undefined): string[] =>
  (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

const TOPIC_ARN = /^arn:aws(-cn|-us-gov)?:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/;

/** https://sqs.<region>.amazonaws.com/<account>/<name>, or any http(s) host for SQS-compatible endpoints. */
const SQS_QUEUE_URL = /^https?:\/\/[^/\s]+\/\d{12}\/[A-Za-z0-9_-]{1,80}(\.fifo)?$/;

const severityLevel = z.enum(SEVERITY_LEVELS as unknown as [SeverityLevel, ...SeverityLevel[]]);

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SLACK_BOT_TOKEN: z.string({ error: 'is required' }).regex(/^xoxb-/, 'must be a bot token (xoxb-…)'),
  SLACK_SIGNING_SECRET: z.string().min(8, 'is too short').optional(),
  SLACK_APP_TOKEN: z
    .string()
    .regex(/^xapp-/, 'must be an app-level token (xapp-…)')
    .optional(),
  SLACK_CHANNEL_ID: z.string({ error: 'is required' }).regex(CHANNEL_ID, 'must be a channel id such as C0123456789'),
  SLACK_API_URL: z.url().optional(),
  SLACK_CHANNEL_BY_SEVERITY: z
    .string()
    .optional()
    .superRefine((v, ctx) => {
      for (const pair of csv(v)) {
        const [level, channel] = pair.split('=').map((s) => s.trim());
        if (!level || !channel || !(SEVERITY_LEVELS as readonly string[]).includes(level) || !CHANNEL_ID.test(channel)) {
          ctx.addIssue({ code: 'custom', message: `"${pair}" must look like high=C0123456789 (levels: ${SEVERITY_LEVELS.join(', ')})` });
        }
      }
    }),
  MIN_SEVERITY: severityLevel.default('low'),
  SNS_TOPIC_ARNS: z
    .string()
    .optional()
    .superRefine((v, ctx) => {
      for (const arn of csv(v)) if (!TOPIC_ARN.test(arn)) ctx.addIssue({ code: 'custom', message: `"${arn}" is not an SNS topic ARN` });
    }),
  SNS_CERT_URL_PATTERN: z
    .string()
    .optional()
    .superRefine((v, ctx) => {
      if (v === undefined) return;
      try {
        new RegExp(v);
      } catch {
        ctx.addIssue({ code: 'custom', message: 'is not a valid regular expression' });
      }
    }),
  SNS_REQUIRE_SIGNATURE_V2: z.enum(['true', 'false'], { error: 'must be true or false' }).default('true'),
  STORE_URL: z
    .string()
    .default('sqlite:./data/responder.db')
    .refine(
      (v) => /^sqlite:/.test(v) || /^postgres(ql)?:\/\/[^/\s]+/.test(v),
      'must be sqlite:PATH (or sqlite::memory:) or postgres://user:pass@host:5432/db (postgresql:// too)',
    ),
  RESPONDER_USER_IDS: z
    .string()
    .optional()
    .superRefine((v, ctx) => {
      for (const id of csv(v)) if (!SLACK_USER_ID.test(id)) ctx.addIssue({ code: 'custom', message: `"${id}" is not a Slack user id` });
    }),
  RESPONDER_USERGROUP_IDS: z
    .string()
    .optional()
    .superRefine((v, ctx) => {
      for (const id of csv(v)) if (!SLACK_GROUP_ID.test(id)) ctx.addIssue({ code: 'custom', message: `"${id}" is not a Slack user group id` });
    }),
  AUTHZ_POLICY_FILE: z.string().optional(),
  ACTION_RATE_LIMIT: z
    .string()
    .optional()
    .refine((v) => v === undefined || parseRateLimit(v) !== undefined, 'must look like 3/60s (count/window, window in s, m or h) or off'),
  REQUIRE_APPROVAL: z.enum(REQUIRE_APPROVAL_MODES).default('none'),
  APPROVAL_TTL_MINUTES: z.coerce
    .number()
    .positive()
    .max(24 * 60)
    .default(30),
  SLACK_TEAM_ID: z.string().regex(SLACK_TEAM_ID, 'must be a workspace id such as T0123456789').optional(),
  SLACK_APP_ID: z.string().regex(SLACK_APP_ID, 'must be an app id such as A0123456789').optional(),
  SLACK_ENTERPRISE_ID: z
    .string()
    .regex(/^E[A-Z0-9]{2,}$/, 'must be an Enterprise Grid id such as E0123456789')
    .optional(),
  SLACK_ALLOWED_CHANNEL_IDS: z
    .string()
    .optional()
    .superRefine((v, ctx) => {
      for (const id of csv(v)) if (!CHANNEL_ID.test(id)) ctx.addIssue({ code: 'custom', message: `"${id}" is not a channel id` });
    }),
  INCIDENT_WINDOW_HOURS: z.coerce
    .number()
    .positive()
    .max(24 * 30)
    .default(24),
  // Alert storms (README "Alert storms"): fold lower findings into one digest per channel.
  STORM_DIGEST: z.enum(['on', 'off']).default('on'),
  STORM_BUDGET_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
  STORM_DIGEST_BELOW: severityLevel.default('high'),
  COVERED_ACCOUNT_IDS: z
    .string()
    .optional()
    .superRefine((v, ctx) => {
      for (const id of csv(v)) if (!ACCOUNT_ID_RE.test(id)) ctx.addIssue({ code: 'custom', message: `"${id}" is not a 12-digit AWS account id` });
    }),
  COVERED_REGIONS: z
    .string()
    .optional()
    .superRefine((v, ctx) => {
      for (const r of csv(v)) if (!REGION_RE.test(r)) ctx.addIssue({ code: 'custom', message: `"${r}" is not an AWS Region` });
    }),
  AWS_REGION: z.string().optional(),
  AWS_ENDPOINT_URL: z.url().optional(),
  SQS_QUEUE_URLS: z
    .string()
    .optional()
    .superRefine((v, ctx) => {
      for (const url of csv(v))
        if (!SQS_QUEUE_URL.test(url))
          ctx.addIssue({ code: 'custom', message: `"${url}" is not an SQS queue URL (https://sqs.REGION.amazonaws.com/ACCOUNT/NAME)` });
    }),
  AWS_ENDPOINT_URL_SQS: z.url().optional(),
  BACKFILL_INTERVAL_MINUTES: z.coerce
    .number()
    .min(0)
    .max(24 * 60)
    .default(5),
  ...organizationEnv,
});

/**
 * Private mode: Socket Mode replaces the signing secret; SQS can replace SNS over HTTPS. Checked
 * on the raw values so these problems are listed together with every other one.
 */
function alternativesMissing(env: Record<string, string | undefined>): string[] {
  const problems: string[] = [];
  if (!env.SLACK_APP_TOKEN && !env.SLACK_SIGNING_SECRET) problems.push('SLACK_SIGNING_SECRET is required (or set SLACK_APP_TOKEN for Socket Mode)');
  if (!csv(env.SNS_TOPIC_ARNS).length && !csv(env.SQS_QUEUE_URLS).length)
    problems.push('SNS_TOPIC_ARNS is required (or set SQS_QUEUE_URLS to read findings from SQS)');
  return problems;
}

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly logLevel: string;
  readonly slack: {
    readonly botToken: string;
    /** Unset in Socket Mode (Slack's requests then arrive over the app's own WebSocket). */
    readonly signingSecret?: string;
    /** `xapp-…`: Socket Mode on. */
    readonly appToken?: string;
    readonly defaultChannel: string;
    readonly apiUrl?: string;
    readonly channelBySeverity: Readonly<Partial<Record<SeverityLevel, string>>>;
    /** Requests from another workspace, app or enterprise are refused (unset: learned from auth.test). */
    readonly teamId?: string;
    readonly appId?: string;
    readonly enterpriseId?: string;
    /** Channels besides the card channels where buttons and /guardduty are accepted. */
    readonly allowedChannelIds: readonly string[];
  };
  readonly routing: { readonly minSeverity: SeverityLevel };
  /** Storm digest: on when a backlog would take longer than budgetMs to post; folds findings below `digestBelow`. */
  readonly storm: { readonly digest: boolean; readonly budgetMs: number; readonly digestBelow: SeverityLevel };
  readonly sns: {
    readonly topicArns: readonly string[];
    readonly certUrlPattern?: RegExp;
    /** Refuse SignatureVersion 1 (SHA1withRSA) messages; `SNS_REQUIRE_SIGNATURE_V2=false` accepts them. */
    readonly requireSignatureV2: boolean;
  };
  readonly store: { readonly url: string };
  /** GuardDuty backfill period (0 = off): findings SNS dropped are read back from GuardDuty. */
  readonly backfill: { readonly intervalMs: number };
  /** Queues to long-poll for findings; `endpointFromEnv`: AWS_ENDPOINT_URL_SQS or AWS_ENDPOINT_URL is set (the SDK reads them). */
  readonly sqs: { readonly queueUrls: readonly string[]; readonly endpointFromEnv: boolean };
  readonly authz: {
    readonly responderUserIds: readonly string[];
    readonly responderUsergroupIds: readonly string[];
    readonly policyFile?: string;
    /** Changing-step confirmations per user per window; undefined when ACTION_RATE_LIMIT=off. */
    readonly actionRateLimit?: RateLimit;
    readonly requireApproval: RequireApprovalMode;
    readonly approvalTtlMs: number;
  };
  readonly aws: { readonly region?: string; readonly endpointUrl?: string; readonly organization: OrganizationConfig };
  readonly incidents: {
    /** Later findings on the same resource within this window join the open incident. */
    readonly windowMs: number;
    /** Accounts / Regions commands may act on (unset: any account or Region of a known finding). */
    readonly coverage: { readonly accountIds?: readonly string[]; readonly regions?: readonly string[] };
  };
}

/** Parses the environment once. A bad environment throws with every problem listed. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // An empty value (`PORT=` in an env file) means unset, not "" or 0.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v.trim() !== ''));
  const parsed = schema.safeParse(cleaned);
  const missing = alternativesMissing(cleaned);
  if (!parsed.success || missing.length) {
    const problems = [...(parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.') || '(env)'} ${i.message}`)), ...missing];
    throw new AppError('config_invalid', `invalid configuration:\n  - ${problems.join('\n  - ')}`, {
      context: { problems },
    });
  }
  const e = parsed.data;
  const channelBySeverity: Partial<Record<SeverityLevel, string>> = {};
  for (const pair of csv(e.SLACK_CHANNEL_BY_SEVERITY)) {
    const [level, channel] = pair.split('=').map((s) => s.trim()) as [SeverityLevel, string];
    channelBySeverity[level] = channel;
  }
  return deepFreeze({
    port: e.PORT,
    host: e.HOST,
    logLevel: e.LOG_LEVEL,
    slack: {
      botToken: e.SLACK_BOT_TOKEN,
      ...(e.SLACK_SIGNING_SECRET ? { signingSecret: e.SLACK_SIGNING_SECRET } : {}),
      ...(e.SLACK_APP_TOKEN ? { appToken: e.SLACK_APP_TOKEN } : {}),
      defaultChannel: e.SLACK_CHANNEL_ID,
      ...(e.SLACK_API_URL ? { apiUrl: e.SLACK_API_URL } : {}),
      channelBySeverity,
      ...(e.SLACK_TEAM_ID ? { teamId: e.SLACK_TEAM_ID } : {}),
      ...(e.SLACK_APP_ID ? { appId: e.SLACK_APP_ID } : {}),
      ...(e.SLACK_ENTERPRISE_ID ? { enterpriseId: e.SLACK_ENTERPRISE_ID } : {}),
      allowedChannelIds: csv(e.SLACK_ALLOWED_CHANNEL_IDS),
    },
    routing: { minSeverity: e.MIN_SEVERITY },
    storm: { digest: e.STORM_DIGEST === 'on', budgetMs: e.STORM_BUDGET_SECONDS * 1000, digestBelow: e.STORM_DIGEST_BELOW },
    sns: {
      topicArns: csv(e.SNS_TOPIC_ARNS),
      ...(e.SNS_CERT_URL_PATTERN ? { certUrlPattern: new RegExp(`^(?:${e.SNS_CERT_URL_PATTERN})$`) } : {}),
      requireSignatureV2: e.SNS_REQUIRE_SIGNATURE_V2 === 'true',
    },
    store: { url: e.STORE_URL },
    backfill: { intervalMs: e.BACKFILL_INTERVAL_MINUTES * 60_000 },
    sqs: { queueUrls: csv(e.SQS_QUEUE_URLS), endpointFromEnv: !!(e.AWS_ENDPOINT_URL_SQS ?? e.AWS_ENDPOINT_URL) },
    authz: {
      responderUserIds: csv(e.RESPONDER_USER_IDS),
      responderUsergroupIds: csv(e.RESPONDER_USERGROUP_IDS),
      ...(e.AUTHZ_POLICY_FILE ? { policyFile: e.AUTHZ_POLICY_FILE } : {}),
      ...actionRateLimit(e.ACTION_RATE_LIMIT),
      requireApproval: e.REQUIRE_APPROVAL,
      approvalTtlMs: e.APPROVAL_TTL_MINUTES * 60_000,
    },
    incidents: {
      windowMs: e.INCIDENT_WINDOW_HOURS * 3600_000,
      coverage: {
        ...(csv(e.COVERED_ACCOUNT_IDS).length ? { accountIds: csv(e.COVERED_ACCOUNT_IDS) } : {}),
        ...(csv(e.COVERED_REGIONS).length ? { regions: csv(e.COVERED_REGIONS) } : {}),
      },
    },
    aws: {
      ...(e.AWS_REGION ? { region: e.AWS_REGION } : {}),
      ...(e.AWS_ENDPOINT_URL ? { endpointUrl: e.AWS_ENDPOINT_URL } : {}),
      organization: organizationConfig(
        e,
        csv(e.SNS_TOPIC_ARNS),
        csv(e.SQS_QUEUE_URLS)
          .map(queueUrlRegion)
          .filter((r): r is string => r !== undefined),
      ),
    },
  });
}

function actionRateLimit(v: string | undefined): { actionRateLimit?: RateLimit } {
  const parsed = v === undefined ? DEFAULT_ACTION_RATE_LIMIT : parseRateLimit(v);
  return parsed && parsed !== 'off' ? { actionRateLimit: { ...parsed } } : {};
}

/** Reads `.env` into process.env when present (node's own loader; real env vars win). */
export function loadDotEnv(path = '.env'): void {
  if (existsSync(path)) process.loadEnvFile(path);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !(value instanceof RegExp)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
