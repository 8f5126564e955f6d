/**
 * A loopback double of Amazon SQS on its JSON protocol (POST / with `X-Amz-Target:
 * AmazonSQS.<Op>`, awsJson 1.0), which current SDK v3 clients speak. Queue URLs point at the
 * double (`http://127.0.0.1:PORT/<account>/<name>`), so the real SQSClient sends to it unchanged.
 *
 * Semantics kept: visibility timeout on the injected clock, ApproximateReceiveCount, redrive to a
 * dead-letter queue once a message is received more than maxReceiveCount times, receipt handles
 * that change on every receive, batch results with per-entry failures, the MD5 of each body (the
 * SDK checks it). Long polls answer at once when a message is visible; otherwise they wait until
 * a message is sent, `wake()` is called, or `maxWaitMs` of real time passes (capped so tests and
 * close() never hang).
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const ACCOUNT_ID = '123456789012';
export const REGION = 'us-east-1';

export interface SqsMessage {
  messageId: string;
  body: string;
  sentAt: number;
  receiveCount: number;
  visibleAt: number;
  receiptHandle?: string;
}

export interface SqsQueue {
  name: string;
  url: string;
  arn: string;
  visibilityTimeoutS: number;
  redrive?: { deadLetterTargetArn: string; maxReceiveCount: number };
  messages: SqsMessage[];
}

export interface SqsCall {
  op: string;
  params: Record<string, unknown>;
  /** ReceiveMessage: how many messages the answer carried. */
  returned?: number;
}

export interface SqsDouble {
  readonly endpoint: string;
  readonly calls: SqsCall[];
  callsTo(op: string): SqsCall[];
  createQueue(name: string, opts?: { visibilityTimeoutS?: number; deadLetter?: { name: string; maxReceiveCount: number } }): SqsQueue;
  queue(name: string): SqsQueue;
  /** Enqueues a body (objects are JSON-encoded); returns the SQS MessageId. */
  send(queueName: string, body: unknown): string;
  /** The next `times` calls of `op` (or '*') fail with this error code (HTTP 500 for 'InternalError', else 400). */
  failNext(op: string, code: string, times?: number): void;
  /** Re-checks waiting long polls (after moving the injected clock past a visibility timeout). */
  wake(): void;
  /** SDK client config for this double: region, fake credentials, no retries unless asked. */
  clientConfig(extra?: Record<string, unknown>): Record<string, unknown>;
  close(): Promise<void>;
}

export async function startSqsDouble(opts: { now?: () => number; maxWaitMs?: number } = {}): Promise<SqsDouble> {
  const now = opts.now ?? Date.now;
  const maxWaitMs = opts.maxWaitMs ?? 1_000;
  const queues = new Map<string, SqsQueue>();
  const calls: SqsCall[] = [];
  const faults: { op: string; code: string }[] = [];
  let waiters: (() => void)[] = [];
  let endpoint = '';

  const wake = () => {
    const w = waiters;
    waiters = [];
    for (const f of w) f();
  };

  const byUrl = (url: unknown): SqsQueue => {
    const name =
      String(url ?? '')
        .split('/')
        .pop() ?? '';
    const q = queues.get(name);
    if (!q) throw new SqsError('QueueDoesNotExist', 'The specified queue does not exist.', 'AWS.SimpleQueueService.NonExistentQueue');
    return q;
  };
  const byArn = (arn: string) => [...queues.values()].find((q) => q.arn === arn);

  function createQueue(name: string, o: { visibilityTimeoutS?: number; deadLetter?: { name: string; maxReceiveCount: number } } = {}): SqsQueue {
    const q: SqsQueue = {
      name,
      url: `${endpoint}/${ACCOUNT_ID}/${name}`,
      arn: `arn:aws:sqs:${REGION}:${ACCOUNT_ID}:${name}`,
      visibilityTimeoutS: o.visibilityTimeoutS ?? 30,
      messages: [],
    };
    if (o.deadLetter) {
      const dlq = queues.get(o.deadLetter.name) ?? createQueue(o.deadLetter.name);
      q.redrive = { deadLetterTargetArn: dlq.arn, maxReceiveCount: o.deadLetter.maxReceiveCount };
    }
    queues.set(name, q);
    return q;
  }

  function send(queueName: string, body: unknown): string {
    const q = queues.get(queueName);
    if (!q) throw new Error(`no queue ${queueName}`);
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    const m: SqsMessage = { messageId: randomUUID(), body: text, sentAt: now(), receiveCount: 0, visibleAt: 0 };
    q.messages.push(m);
    wake();
    return m.messageId;
  }

  /** Visible messages, moving to the DLQ those already received maxReceiveCount times. */
  function takeVisible(q: SqsQueue, max: number, visibilityS: number): SqsMessage[] {
    const out: SqsMessage[] = [];
    for (const m of [...q.messages]) {
      if (out.length >= max) break;
      if (m.visibleAt > now()) continue;
      if (q.redrive && m.receiveCount >= q.redrive.maxReceiveCount) {
        const dlq = byArn(q.redrive.deadLetterTargetArn);
        q.messages.splice(q.messages.indexOf(m), 1);
        if (dlq) dlq.messages.push({ ...m, visibleAt: 0, receiptHandle: undefined });
        continue;
      }
      m.receiveCount += 1;
      m.visibleAt = now() + visibilityS * 1000;
      m.receiptHandle = `${m.messageId}#${m.receiveCount}#${randomUUID()}`;
      out.push(m);
    }
    return out;
  }

  async function receive(p: Record<string, unknown>): Promise<{ Messages?: unknown[]; returned: number }> {
    const q = byUrl(p.QueueUrl);
    const max = Number(p.MaxNumberOfMessages ?? 1);
    if (max < 1 || max > 10)
      throw new SqsError('InvalidParameterValue', 'Value for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10.');
    const vt = p.VisibilityTimeout === undefined ? q.visibilityTimeoutS : Number(p.VisibilityTimeout);
    const deadline = Date.now() + Math.min(Number(p.WaitTimeSeconds ?? 0) * 1000, maxWaitMs);
    let got = takeVisible(q, max, vt);
    while (got.length === 0 && Date.now() < deadline && !closing) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.max(0, deadline - Date.now()));
        waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
      got = takeVisible(q, max, vt);
    }
    if (!got.length) return { returned: 0 };
    return {
      returned: got.length,
      Messages: got.map((m) => ({
        MessageId: m.messageId,
        ReceiptHandle: m.receiptHandle,
        MD5OfBody: createHash('md5').update(m.body).digest('hex'),
        Body: m.body,
        Attributes: { ApproximateReceiveCount: String(m.receiveCount), SentTimestamp: String(m.sentAt) },
      })),
    };
  }

  const findHandle = (q: SqsQueue, handle: unknown) => q.messages.find((m) => m.receiptHandle !== undefined && m.receiptHandle === handle);

  type Entry = { Id: string; ReceiptHandle: string; VisibilityTimeout?: number };
  function batch(p: Record<string, unknown>, apply: (q: SqsQueue, m: SqsMessage, e: Entry) => void) {
    const q = byUrl(p.QueueUrl);
    const entries = (p.Entries ?? []) as Entry[];
    if (entries.length === 0) throw new SqsError('EmptyBatchRequest', 'There should be at least one entry in the request.');
    if (entries.length > 10) throw new SqsError('TooManyEntriesInBatchRequest', 'Maximum number of entries per request are 10.');
    const Successful: { Id: string }[] = [];
    const Failed: { Id: string; SenderFault: boolean; Code: string; Message: string }[] = [];
    for (const e of entries) {
      const m = findHandle(q, e.ReceiptHandle);
      if (!m) Failed.push({ Id: e.Id, SenderFault: true, Code: 'ReceiptHandleIsInvalid', Message: 'The input receipt handle is invalid.' });
      else {
        apply(q, m, e);
        Successful.push({ Id: e.Id });
      }
    }
    return { Successful, Failed };
  }
  const remove = (q: SqsQueue, m: SqsMessage) => void q.messages.splice(q.messages.indexOf(m), 1);
  const setVisibility = (m: SqsMessage, seconds: number) => {
    m.visibleAt = now() + seconds * 1000;
    if (seconds === 0) wake();
  };

  async function dispatch(op: string, p: Record<string, unknown>, call: SqsCall): Promise<unknown> {
    const fault = faults.findIndex((f) => f.op === op || f.op === '*');
    if (fault >= 0) {
      const [f] = faults.splice(fault, 1);
      throw new SqsError(f!.code, `injected ${f!.code}`);
    }
    switch (op) {
      case 'CreateQueue': {
        const name = String(p.QueueName);
        const attrs = (p.Attributes ?? {}) as Record<string, string>;
        const q = queues.get(name) ?? createQueue(name, attrs.VisibilityTimeout ? { visibilityTimeoutS: Number(attrs.VisibilityTimeout) } : {});
        if (attrs.RedrivePolicy) q.redrive = JSON.parse(attrs.RedrivePolicy) as SqsQueue['redrive'];
        return { QueueUrl: q.url };
      }
      case 'GetQueueUrl':
        return { QueueUrl: byUrl(p.QueueName).url };
      case 'GetQueueAttributes': {
        const q = byUrl(p.QueueUrl);
        return {
          Attributes: {
            QueueArn: q.arn,
            VisibilityTimeout: String(q.visibilityTimeoutS),
            ApproximateNumberOfMessages: String(q.messages.filter((m) => m.visibleAt <= now()).length),
            ApproximateNumberOfMessagesNotVisible: String(q.messages.filter((m) => m.visibleAt > now()).length),
            ...(q.redrive ? { RedrivePolicy: JSON.stringify(q.redrive) } : {}),
          },
        };
      }
      case 'SendMessage': {
        const id = send(byUrl(p.QueueUrl).name, String(p.MessageBody));
        return { MessageId: id, MD5OfMessageBody: createHash('md5').update(String(p.MessageBody)).digest('hex') };
      }
      case 'ReceiveMessage': {
        const { returned, ...out } = await receive(p);
        call.returned = returned;
        return out;
      }
      case 'DeleteMessage': {
        const q = byUrl(p.QueueUrl);
        const m = findHandle(q, p.ReceiptHandle);
        if (!m) throw new SqsError('ReceiptHandleIsInvalid', 'The input receipt handle is invalid.');
        remove(q, m);
        return {};
      }
      case 'DeleteMessageBatch':
        return batch(p, (q, m) => remove(q, m));
      case 'ChangeMessageVisibility': {
        const m = findHandle(byUrl(p.QueueUrl), p.ReceiptHandle);
        if (!m) throw new SqsError('ReceiptHandleIsInvalid', 'The input receipt handle is invalid.');
        setVisibility(m, Number(p.VisibilityTimeout));
        return {};
      }
      case 'ChangeMessageVisibilityBatch':
        return batch(p, (_q, m, e) => setVisibility(m, Number(e.VisibilityTimeout)));
      default:
        throw new SqsError('UnsupportedOperation', `${op} is not supported by the double`);
    }
  }

  let closing = false;
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const target = String(req.headers['x-amz-target'] ?? '');
    const op = target.startsWith('AmazonSQS.') ? target.slice('AmazonSQS.'.length) : '';
    const requestId = randomUUID();
    let params: Record<string, unknown> = {};
    try {
      params = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>) : {};
    } catch {
      /* answered below as an unsupported call */
    }
    const call: SqsCall = { op, params };
    calls.push(call);
    try {
      if (!op) throw new SqsError('UnsupportedOperation', 'expected X-Amz-Target: AmazonSQS.<Op> (JSON protocol)');
      const out = await dispatch(op, params, call);
      const text = JSON.stringify(out);
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': requestId, 'content-length': Buffer.byteLength(text) });
      res.end(text);
    } catch (err) {
      const e = err instanceof SqsError ? err : new SqsError('InternalError', String(err));
      const text = JSON.stringify({ __type: `com.amazonaws.sqs#${e.code}`, message: e.message });
      res.writeHead(e.code === 'InternalError' ? 500 : 400, {
        'content-type': 'application/x-amz-json-1.0',
        'x-amzn-requestid': requestId,
        'x-amzn-query-error': `${e.queryCode ?? e.code};${e.code === 'InternalError' ? 'Receiver' : 'Sender'}`,
        'content-length': Buffer.byteLength(text),
      });
      res.end(text);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    get endpoint() {
      return endpoint;
    },
    calls,
    callsTo: (op) => calls.filter((c) => c.op === op),
    createQueue,
    queue(name) {
      const q = queues.get(name);
      if (!q) throw new Error(`no queue ${name}`);
      return q;
    },
    send,
    failNext(op, code, times = 1) {
      for (let i = 0; i < times; i++) faults.push({ op, code });
    },
    wake,
    clientConfig: (extra = {}) => ({ region: REGION, credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' }, maxAttempts: 1, ...extra }),
    async close() {
      closing = true;
      wake();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

class SqsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly queryCode?: string,
  ) {
    super(message);
  }
}
