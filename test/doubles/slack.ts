/**
 * A loopback double of the Slack Web API (https://slack.com/api/METHOD), for the real WebClient
 * pointed at it with SLACK_API_URL. Records every call; can be told to fail like Slack does.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SlackCall {
  method: string;
  args: Record<string, unknown>;
  /** chat.postMessage: the ts the double answered with. */
  ts?: string;
  /** Under limitPostsPerChannel: the clock time of the call. */
  at?: number;
}

export type SlackFault = { status: 500 } | { status: 429; retryAfter: number } | { error: string };

export interface SlackDouble {
  /** e.g. http://127.0.0.1:PORT/api/ */
  readonly apiUrl: string;
  /** e.g. http://127.0.0.1:PORT/ — `${baseUrl}respond/<id>` is a response_url (see 'response_url' calls). */
  readonly baseUrl: string;
  readonly calls: SlackCall[];
  callsTo(method: string): SlackCall[];
  /** The next `times` calls (any method) fail with `fault`. */
  failNext(fault: SlackFault, times?: number): void;
  /** Every call fails with `fault` until `setDown(undefined)`. */
  setDown(fault: SlackFault | undefined): void;
  /** Members returned by usergroups.users.list, by group id. */
  usergroups: Map<string, string[]>;
  /**
   * Channels the bot is not a member of: chat.postMessage, chat.postEphemeral and chat.update
   * there fail with `not_in_channel`, as Slack answers (a slash command's response_url still works).
   */
  notInChannel: Set<string>;
  /**
   * Files uploaded with files.uploadV2 (files.getUploadURLExternal → POST to upload_url →
   * files.completeUploadExternal), by file id. `content` is the uploaded file's bytes as UTF-8;
   * `completed` says where completeUploadExternal shared it.
   */
  files: Map<string, SlackFile>;
  /** What auth.test answers (the bot token's workspace and app); change it to model another install. */
  authTest: Record<string, unknown>;
  /**
   * Extra Web API methods (e.g. `apps.connections.open` from the Socket Mode double): called with
   * the form/JSON args and the request headers; the result is the JSON answer.
   */
  methods: Map<string, (args: Record<string, unknown>, headers: IncomingMessage['headers']) => Record<string, unknown>>;
  /**
   * response_url ids Slack no longer accepts because they are older than 30 min: answered 404
   * `expired_url`. Every id also takes at most RESPONSE_URL_USES answers, then 404 `used_url`
   * (refused answers are recorded as 'response_url_refused').
   */
  expiredResponseUrls: Set<string>;
  /**
   * Enforces Slack's chat.postMessage limit of 1 per second per channel on the given clock
   * (the app's injected one): a faster post gets 429 with Retry-After, as Slack answers. `throttled`
   * counts those 429s; each accepted post records `at` (clock time) on its call.
   */
  limitPostsPerChannel(now: () => number): void;
  readonly throttled: { count: number };
  close(): Promise<void>;
}

export interface SlackFile {
  id: string;
  filename: string;
  length: number;
  /** The uploaded bytes as text (the file part of a multipart body, or the raw body). */
  content?: string;
  completed?: { channel_id?: string; thread_ts?: string; title?: string; initial_comment?: string };
}

/** How many answers Slack takes on one response_url. */
export const RESPONSE_URL_USES = 5;

export async function startSlackDouble(): Promise<SlackDouble> {
  const expiredResponseUrls = new Set<string>();
  const responseUrlUses = new Map<string, number>();
  const calls: SlackCall[] = [];
  const faults: SlackFault[] = [];
  const usergroups = new Map<string, string[]>();
  const notInChannel = new Set<string>();
  const files = new Map<string, SlackFile>();
  const methods: SlackDouble['methods'] = new Map();
  let fileSeq = 0;
  const authTest: Record<string, unknown> = { team: 'Test', team_id: 'T0TEST', app_id: 'A0TEST', user: 'responder', user_id: 'UBOT', bot_id: 'BBOT' };
  let down: SlackFault | undefined;
  let postClock: (() => number) | undefined;
  const lastPost = new Map<string, number>();
  const throttled = { count: 0 };
  let seq = 0;
  const tsBase = 1_760_000_000;

  const server: Server = createServer(async (req, res) => {
    // Step 2 of files.uploadV2: the file bytes are POSTed to the upload_url we handed out.
    const upload = /^\/upload\/([A-Z0-9]+)$/.exec(req.url ?? '');
    if (upload) {
      const raw = await readRaw(req);
      const file = files.get(upload[1]!);
      calls.push({ method: 'upload', args: { file_id: upload[1], bytes: raw.length } });
      if (!file) {
        res.writeHead(404).end('unknown upload');
        return;
      }
      file.content = fileBytes(raw, req.headers['content-type'] ?? '');
      res.writeHead(200, { 'content-type': 'text/plain' }).end(`OK - ${raw.length}`);
      return;
    }
    // A slash command's response_url (respond()): point it at `${baseUrl}respond/<id>`; the body
    // is recorded as method 'response_url' with `response_url_id` added.
    const respondTo = /^\/respond\/([^/?]+)$/.exec(req.url ?? '');
    if (respondTo) {
      const body = parseBody(await readBody(req), req.headers['content-type'] ?? '');
      const id = decodeURIComponent(respondTo[1]!);
      const used = responseUrlUses.get(id) ?? 0;
      const refusal = expiredResponseUrls.has(id) ? 'expired_url' : used >= RESPONSE_URL_USES ? 'used_url' : undefined;
      if (refusal) {
        calls.push({ method: 'response_url_refused', args: { ...body, response_url_id: id, error: refusal } });
        res.writeHead(404, { 'content-type': 'text/plain' }).end(refusal);
        return;
      }
      responseUrlUses.set(id, used + 1);
      calls.push({ method: 'response_url', args: { ...body, response_url_id: id } });
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      return;
    }
    const method = (req.url ?? '').replace(/^\/api\//, '').split('?')[0] ?? '';
    const args = parseBody(await readBody(req), req.headers['content-type'] ?? '');
    const fault = faults.shift() ?? down;
    const call: SlackCall = { method, args, ...(postClock ? { at: postClock() } : {}) };
    calls.push(call);
    const json = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    if (fault) {
      if ('status' in fault && fault.status === 429) return json(429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(fault.retryAfter) });
      if ('status' in fault) return json(fault.status, { ok: false, error: 'internal_error' });
      return json(200, { ok: false, error: fault.error });
    }
    if (['chat.postMessage', 'chat.postEphemeral', 'chat.update'].includes(method) && notInChannel.has(String(args.channel))) {
      return json(200, { ok: false, error: 'not_in_channel' });
    }
    const extra = methods.get(method);
    if (extra) return json(200, extra(args, req.headers));
    switch (method) {
      case 'chat.postMessage': {
        if (postClock) {
          const now = postClock();
          const last = lastPost.get(String(args.channel));
          if (last !== undefined && now - last < 1_000) {
            throttled.count += 1;
            return json(429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(Math.ceil((last + 1_000 - now) / 1_000)) });
          }
          lastPost.set(String(args.channel), now);
        }
        seq += 1;
        call.ts = `${tsBase + seq}.000100`;
        return json(200, { ok: true, channel: args.channel, ts: call.ts, message: { text: args.text } });
      }
      case 'chat.update':
        return json(200, { ok: true, channel: args.channel, ts: args.ts });
      // What the channel (or a thread) holds: the messages posted here, newest first, with their
      // metadata (the double ignores `oldest`: its ts values are not on the harness clock).
      case 'conversations.history':
      case 'conversations.replies': {
        const inThread = method === 'conversations.replies' ? String(args.ts) : undefined;
        const messages = calls
          .filter((c) => c.method === 'chat.postMessage' && c.ts && c.args.channel === args.channel)
          .filter((c) => (inThread ? c.args.thread_ts === inThread || c.ts === inThread : !c.args.thread_ts))
          .map((c) => ({
            type: 'message',
            ts: c.ts,
            text: c.args.text,
            ...(c.args.thread_ts ? { thread_ts: c.args.thread_ts } : {}),
            ...(c.args.metadata ? { metadata: parseMaybeJson(c.args.metadata) } : {}),
          }))
          .reverse();
        return json(200, { ok: true, messages, has_more: false });
      }
      case 'chat.postEphemeral':
        seq += 1;
        return json(200, { ok: true, message_ts: `${tsBase + seq}.000200` });
      case 'chat.getPermalink':
        return json(200, { ok: true, permalink: `https://example.slack.com/archives/${String(args.channel)}/p${String(args.message_ts).replace('.', '')}` });
      case 'auth.test':
        return json(200, { ok: true, ...authTest });
      case 'views.open':
      case 'views.push':
      case 'views.update':
        return json(200, { ok: true, view: { id: `V${++seq}` } });
      case 'views.publish':
        return json(200, { ok: true });
      case 'conversations.open':
        return json(200, { ok: true, channel: { id: `D${String(args.users ?? 'X').replace(/[^A-Z0-9]/g, '')}` } });
      case 'usergroups.users.list':
        return json(200, { ok: true, users: usergroups.get(String(args.usergroup)) ?? [] });
      case 'files.getUploadURLExternal': {
        const id = `F${String(++fileSeq).padStart(8, '0')}`;
        files.set(id, { id, filename: String(args.filename ?? ''), length: Number(args.length ?? 0) });
        const { port } = server.address() as AddressInfo;
        return json(200, { ok: true, upload_url: `http://127.0.0.1:${port}/upload/${id}`, file_id: id });
      }
      case 'files.completeUploadExternal': {
        const list = (Array.isArray(args.files) ? args.files : []) as { id?: string; title?: string }[];
        const unknown = list.find((f) => !f.id || !files.has(f.id) || files.get(f.id)!.content === undefined);
        if (list.length === 0 || unknown) return json(200, { ok: false, error: 'invalid_arguments' });
        for (const f of list) {
          files.get(f.id!)!.completed = {
            ...(args.channel_id !== undefined ? { channel_id: String(args.channel_id) } : {}),
            ...(args.thread_ts !== undefined ? { thread_ts: String(args.thread_ts) } : {}),
            ...(f.title !== undefined ? { title: f.title } : {}),
            ...(args.initial_comment !== undefined ? { initial_comment: String(args.initial_comment) } : {}),
          };
        }
        return json(200, { ok: true, files: list.map((f) => ({ id: f.id, title: f.title ?? files.get(f.id!)!.filename, name: files.get(f.id!)!.filename })) });
      }
      case 'users.info':
        return json(200, { ok: true, user: { id: args.user, name: String(args.user).toLowerCase(), tz: 'UTC' } });
      default:
        return json(200, { ok: false, error: 'unknown_method' });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    limitPostsPerChannel(now) {
      postClock = now;
    },
    throttled,
    apiUrl: `http://127.0.0.1:${port}/api/`,
    baseUrl: `http://127.0.0.1:${port}/`,
    calls,
    callsTo: (method) => calls.filter((c) => c.method === method),
    failNext(fault, times = 1) {
      for (let i = 0; i < times; i++) faults.push(fault);
    },
    setDown(fault) {
      down = fault;
    },
    usergroups,
    notInChannel,
    authTest,
    files,
    methods,
    expiredResponseUrls,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  return (await readRaw(req)).toString('utf8');
}

async function readRaw(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** The WebClient posts the file as the one part of a multipart/form-data body. */
function fileBytes(raw: Buffer, contentType: string): string {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(contentType);
  const text = raw.toString('utf8');
  if (!boundary) return text;
  const delimiter = `--${boundary[1] ?? boundary[2]}`;
  const part = text.split(delimiter).find((p) => p.includes('\r\n\r\n') && /filename=/.test(p));
  if (!part) return text;
  return part.slice(part.indexOf('\r\n\r\n') + 4).replace(/\r\n$/, '');
}

/** WebClient sends form bodies with JSON-encoded values for blocks/attachments. */
function parseBody(body: string, contentType: string): Record<string, unknown> {
  if (contentType.includes('application/json')) return body ? (JSON.parse(body) as Record<string, unknown>) : {};
  const out: Record<string, unknown> = {};
  for (const [k, v] of new URLSearchParams(body)) {
    if (['blocks', 'attachments', 'view', 'files'].includes(k) && /^[[{]/.test(v)) {
      try {
        out[k] = JSON.parse(v);
        continue;
      } catch {
        /* keep as string */
      }
    }
    out[k] = v;
  }
  return out;
}

function parseMaybeJson(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}
