import { WebClient, ErrorCode as SlackErrorCode, type Logger as SlackLogger, LogLevel, type View, type WebClientOptions } from '@slack/web-api';
import { AppError } from '../errors.js';
import type { Logger } from '../log.js';
import type { SlackMessage } from '../cards/finding-card.js';
import { holdOnRateLimit, paceKeys, POST_MESSAGE_INTERVAL_MS, UPDATE_INTERVAL_MS, type Pacer } from './pacing.js';

/** The metadata event type of messages posted with a postId (idempotent card posts). */
export const POST_METADATA_EVENT = 'guardduty_responder_post';

/** How long one Slack Web API call may take before we treat Slack as unavailable. */
export const SLACK_CALL_TIMEOUT_MS = 10_000;

/**
 * The narrow Slack surface the rest of the app uses. Calls fail fast: the stock WebClient retries
 * 429s for a long time and pauses its whole queue meanwhile, which would stall every interactive
 * path. Here a 429 or 5xx becomes `slack_unavailable` (with retryAfterMs) and callers decide.
 */
export interface SlackGateway {
  /** `postId`: a client-generated id carried in the message metadata (found again by findPosted). */
  postMessage(channel: string, message: SlackMessage, opts?: { threadTs?: string; postId?: string }): Promise<{ ts: string; channel: string }>;
  /**
   * The ts of a message this app posted with `postId` (conversations.history, or .replies in a
   * thread), searching messages since `oldestMs`; undefined when there is none.
   */
  findPosted(channel: string, postId: string, opts: { threadTs?: string; oldestMs: number }): Promise<string | undefined>;
  updateMessage(channel: string, ts: string, message: SlackMessage): Promise<void>;
  postEphemeral(channel: string, user: string, message: SlackMessage, opts?: { threadTs?: string }): Promise<void>;
  permalink(channel: string, ts: string): Promise<string | undefined>;
  /** views.open (a trigger_id lives 3 s: call it first, fill the view in with updateView). */
  openView(triggerId: string, view: View): Promise<{ viewId?: string }>;
  updateView(viewId: string, view: View): Promise<void>;
  /** views.publish of a user's App Home. */
  publishHome(userId: string, view: View): Promise<void>;
  /** A direct message to one user (conversations.open, then a paced chat.postMessage). */
  postDirectMessage(userId: string, message: SlackMessage): Promise<void>;
  /** files.uploadV2 of a text file into a thread. */
  uploadText(file: { channel: string; threadTs: string; filename: string; title: string; content: string }): Promise<void>;
  /** usergroups.users.list: the member ids of a user group. */
  usergroupMembers(usergroupId: string): Promise<string[]>;
  /** auth.test: whether the token works, and for which team and bot user. */
  whoAmI(): Promise<SlackWhoAmI>;
  /**
   * The raw client. Only src/slack/ may use it (test/architecture checks): every other part goes
   * through the methods above so that errors are normalised and messages paced in one place.
   */
  readonly client: WebClient;
}

/** auth.test's answer: the token's workspace, Grid org and app (app_id only when Slack returns it). */
export interface SlackWhoAmI {
  team?: string;
  user?: string;
  teamId?: string;
  enterpriseId?: string;
  appId?: string;
  /** An org-wide (Enterprise Grid) install. */
  orgWide: boolean;
}

/**
 * The options of the app's one WebClient: fail fast (no retries, a 429 is an error, a bounded
 * call time). Bolt builds its client (`app.client`) from these (src/server.ts), and the gateway
 * wraps that client, so the app has one WebClient, not two.
 */
export function slackClientOptions(opts: { apiUrl?: string; logger: Logger; timeoutMs?: number }): WebClientOptions {
  return {
    ...(opts.apiUrl ? { slackApiUrl: opts.apiUrl } : {}),
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: opts.timeoutMs ?? SLACK_CALL_TIMEOUT_MS,
    logger: slackLogger(opts.logger),
    logLevel: LogLevel.WARN,
  };
}

/** A WebClient outside Bolt (the CLI, tests of the gateway): the same options. */
export function createSlackClient(opts: { token: string; apiUrl?: string; logger: Logger; timeoutMs?: number }): WebClient {
  return new WebClient(opts.token, slackClientOptions(opts));
}

/**
 * The gateway paces its own calls (chat.postMessage per channel, chat.update per workspace), so
 * no caller can forget Slack's rate limits. Without a pacer (tests of other parts) it does not wait.
 */
export function createSlackGateway(client: WebClient, pacer?: Pacer): SlackGateway {
  return {
    client,
    async postMessage(channel, message, o = {}) {
      await pacer?.wait(paceKeys.post(channel), POST_MESSAGE_INTERVAL_MS);
      const r = await call('chat.postMessage', () =>
        client.chat.postMessage({
          channel,
          text: message.text,
          blocks: message.blocks,
          unfurl_links: false,
          unfurl_media: false,
          ...(o.threadTs ? { thread_ts: o.threadTs } : {}),
          ...(o.postId ? { metadata: { event_type: POST_METADATA_EVENT, event_payload: { post_id: o.postId } } } : {}),
        }),
      ).catch((err: unknown) => {
        throw holdOnRateLimit(pacer, paceKeys.post(channel), err);
      });
      return { ts: String(r.ts), channel: String(r.channel ?? channel) };
    },
    async findPosted(channel, postId, o) {
      const oldest = (Math.floor(o.oldestMs / 1000) - 1).toString();
      const r = o.threadTs
        ? await call('conversations.replies', () => client.conversations.replies({ channel, ts: o.threadTs!, oldest, limit: 200, include_all_metadata: true }))
        : await call('conversations.history', () => client.conversations.history({ channel, oldest, limit: 200, include_all_metadata: true }));
      const messages = (r.messages ?? []) as { ts?: string; metadata?: { event_type?: string; event_payload?: Record<string, unknown> } }[];
      return messages.find((m) => m.metadata?.event_type === POST_METADATA_EVENT && m.metadata.event_payload?.post_id === postId)?.ts;
    },
    async updateMessage(channel, ts, message) {
      await pacer?.wait(paceKeys.update(), UPDATE_INTERVAL_MS);
      await call('chat.update', () => client.chat.update({ channel, ts, text: message.text, blocks: message.blocks })).catch((err: unknown) => {
        throw holdOnRateLimit(pacer, paceKeys.update(), err);
      });
    },
    async postEphemeral(channel, user, message, o = {}) {
      await call('chat.postEphemeral', () =>
        client.chat.postEphemeral({
          channel,
          user,
          text: message.text,
          blocks: message.blocks,
          ...(o.threadTs ? { thread_ts: o.threadTs } : {}),
        }),
      );
    },
    async openView(triggerId, view) {
      const r = await call('views.open', () => client.views.open({ trigger_id: triggerId, view }));
      return r.view?.id ? { viewId: r.view.id } : {};
    },
    async updateView(viewId, view) {
      await call('views.update', () => client.views.update({ view_id: viewId, view }));
    },
    async publishHome(userId, view) {
      await call('views.publish', () => client.views.publish({ user_id: userId, view }));
    },
    async postDirectMessage(userId, message) {
      const opened = await call('conversations.open', () => client.conversations.open({ users: userId }));
      const channel = opened.channel?.id;
      if (channel) await this.postMessage(channel, message);
    },
    async uploadText(f) {
      await call('files.uploadV2', () =>
        client.filesUploadV2({ channel_id: f.channel, thread_ts: f.threadTs, filename: f.filename, title: f.title, content: f.content }),
      );
    },
    async usergroupMembers(usergroupId) {
      const r = await call('usergroups.users.list', () => client.usergroups.users.list({ usergroup: usergroupId }));
      return r.users ?? [];
    },
    async whoAmI() {
      const r = (await call('auth.test', () => client.auth.test())) as unknown as Record<string, unknown>;
      const text = (k: string) => (typeof r[k] === 'string' && r[k] ? { [k]: r[k] as string } : {});
      return {
        ...(text('team') as { team?: string }),
        ...(text('user') as { user?: string }),
        ...(typeof r.team_id === 'string' && r.team_id ? { teamId: r.team_id } : {}),
        ...(typeof r.enterprise_id === 'string' && r.enterprise_id ? { enterpriseId: r.enterprise_id } : {}),
        ...(typeof r.app_id === 'string' && r.app_id ? { appId: r.app_id } : {}),
        orgWide: r.is_enterprise_install === true,
      };
    },
    async permalink(channel, ts) {
      try {
        const r = await client.chat.getPermalink({ channel, message_ts: ts });
        return r.permalink;
      } catch {
        return undefined;
      }
    },
  };
}

/** Slack's own transient failures. */
export const SLACK_TRANSIENT_ERRORS = ['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout', 'ratelimited'];
/** Set-up mistakes: the card is kept and posted once the operator fixes the token or invites the bot. */
export const SLACK_SETUP_ERRORS = [
  'not_in_channel',
  'channel_not_found',
  'invalid_auth',
  'not_authed',
  'account_inactive',
  'token_revoked',
  'token_expired',
  'missing_scope',
  'is_archived',
  'team_access_not_granted',
];

/** Slack errors that a later retry can fix (outage, rate limit, network). */
async function call<T>(method: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw normaliseSlackError(err, method);
  }
}

export function normaliseSlackError(err: unknown, method: string): AppError {
  const e = err as { code?: string; retryAfter?: number; statusCode?: number; data?: { error?: string } };
  switch (e?.code) {
    case SlackErrorCode.RateLimitedError:
      return new AppError('slack_unavailable', `Slack rate-limited ${method}`, {
        cause: err,
        // slackError: the worker holds back only the messages of this channel, not the queue.
        context: { method, retryAfterMs: (e.retryAfter ?? 1) * 1000, slackError: 'ratelimited' },
      });
    case SlackErrorCode.HTTPError:
      if ((e.statusCode ?? 500) >= 500 || e.statusCode === 408) {
        return new AppError('slack_unavailable', `Slack answered ${e.statusCode} to ${method}`, { cause: err, context: { method } });
      }
      return new AppError('slack_rejected', `Slack answered ${e.statusCode} to ${method}`, { cause: err, context: { method } });
    case SlackErrorCode.RequestError:
      return new AppError('slack_unavailable', `Slack could not be reached for ${method}`, { cause: err, context: { method } });
    case SlackErrorCode.PlatformError: {
      const code = e.data?.error ?? 'unknown_error';
      // Outages, and set-up mistakes an operator fixes without losing findings (wrong token, bot
      // not invited): both are retried later rather than dropping the message.
      const transient = [...SLACK_TRANSIENT_ERRORS, ...SLACK_SETUP_ERRORS].includes(code);
      return new AppError(transient ? 'slack_unavailable' : 'slack_rejected', `Slack refused ${method}: ${code}`, {
        cause: err,
        context: { method, slackError: code },
      });
    }
    default:
      return new AppError('slack_unavailable', `Slack call ${method} failed`, { cause: err, context: { method } });
  }
}

function slackLogger(log: Logger): SlackLogger {
  const child = log.child({ component: 'slack-web-api' });
  return {
    debug: (...m: unknown[]) => child.debug(m.map(String).join(' ')),
    info: (...m: unknown[]) => child.info(m.map(String).join(' ')),
    warn: (...m: unknown[]) => child.warn(m.map(String).join(' ')),
    error: (...m: unknown[]) => child.error(m.map(String).join(' ')),
    setLevel: () => undefined,
    getLevel: () => LogLevel.WARN,
    setName: () => undefined,
  };
}
