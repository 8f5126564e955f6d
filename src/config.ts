import { existsSync } from 'node:fs';
import { z } from 'zod';
import { AppError } from './errors.js';
import { SLACK_CHANNEL_ID as CHANNEL_ID, SLACK_USERGROUP_ID as SLACK_GROUP_ID, SLACK_USER_ID } from './slack/ids.js';
import { SEVERITY_LEVELS, type SeverityLevel } from './findings/severity.js';
import { organizationConfig, organizationEnv, type OrganizationConfig } from './aws/organization-config.js';

const csv = (v: string | undefined): string[] =>
  (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

const TOPIC_ARN = /^arn:aws(-cn|-us-gov)?:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/;

const severityLevel = z.enum(SEVERITY_LEVELS as unknown as [SeverityLevel, ...SeverityLevel[]]);

const schema = z
  .object({
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    HOST: z.string().min(1).default('0.0.0.0'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    SLACK_BOT_TOKEN: z.string({ error: 'is required' }).regex(/^xoxb-/, 'must be a bot token (xoxb-…)'),
    SLACK_SIGNING_SECRET: z.string({ error: 'is required' }).min(8, 'is too short'),
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
      .string({ error: 'is required' })
      .min(1, 'is required')
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
    STORE_URL: z.string().default('sqlite:./data/responder.db').refine((v) => /^sqlite:/.test(v), 'only sqlite:PATH (or sqlite::memory:) is supported'),
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
    INCIDENT_WINDOW_HOURS: z.coerce.number().positive().max(24 * 30).default(24),
    COVERED_ACCOUNT_IDS: z
      .string()
      .optional()
      .superRefine((v, ctx) => {
        for (const id of csv(v)) if (!/^\d{12}$/.test(id)) ctx.addIssue({ code: 'custom', message: `"${id}" is not a 12-digit AWS account id` });
      }),
    COVERED_REGIONS: z
      .string()
      .optional()
      .superRefine((v, ctx) => {
        for (const r of csv(v)) if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(r)) ctx.addIssue({ code: 'custom', message: `"${r}" is not an AWS Region` });
      }),
    AWS_REGION: z.string().optional(),
    AWS_ENDPOINT_URL: z.url().optional(),
    ...organizationEnv,
  });

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly logLevel: string;
  readonly slack: {
    readonly botToken: string;
    readonly signingSecret: string;
    readonly defaultChannel: string;
    readonly apiUrl?: string;
    readonly channelBySeverity: Readonly<Partial<Record<SeverityLevel, string>>>;
  };
  readonly routing: { readonly minSeverity: SeverityLevel };
  readonly sns: { readonly topicArns: readonly string[]; readonly certUrlPattern?: RegExp };
  readonly store: { readonly url: string };
  readonly authz: {
    readonly responderUserIds: readonly string[];
    readonly responderUsergroupIds: readonly string[];
    readonly policyFile?: string;
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
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(env)'} ${i.message}`);
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
      signingSecret: e.SLACK_SIGNING_SECRET,
      defaultChannel: e.SLACK_CHANNEL_ID,
      ...(e.SLACK_API_URL ? { apiUrl: e.SLACK_API_URL } : {}),
      channelBySeverity,
    },
    routing: { minSeverity: e.MIN_SEVERITY },
    sns: {
      topicArns: csv(e.SNS_TOPIC_ARNS),
      ...(e.SNS_CERT_URL_PATTERN ? { certUrlPattern: new RegExp(`^(?:${e.SNS_CERT_URL_PATTERN})$`) } : {}),
    },
    store: { url: e.STORE_URL },
    authz: {
      responderUserIds: csv(e.RESPONDER_USER_IDS),
      responderUsergroupIds: csv(e.RESPONDER_USERGROUP_IDS),
      ...(e.AUTHZ_POLICY_FILE ? { policyFile: e.AUTHZ_POLICY_FILE } : {}),
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
      organization: organizationConfig(e, csv(e.SNS_TOPIC_ARNS)),
    },
  });
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
