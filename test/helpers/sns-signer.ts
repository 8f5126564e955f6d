/**
 * A fake SNS for tests, end-to-end runs and benchmarks: signs envelopes exactly as SNS does
 * (same string to sign, SignatureVersion 1 = SHA1withRSA, 2 = SHA256withRSA) with the TEST ONLY
 * key in test/fixtures/sns/, and serves the matching certificate from a loopback server.
 *
 *   const signer = createSnsSigner();
 *   const sns = await signer.serveCertificate();          // http://127.0.0.1:PORT/…pem
 *   const env = loadConfig({ …, SNS_TOPIC_ARNS: TOPIC, SNS_CERT_URL_PATTERN: sns.pattern });
 *   const body = JSON.stringify(signer.notification({ topicArn: TOPIC, message: JSON.stringify(event), certUrl: sns.certUrl }));
 *   // POST body to /sns …
 *   const conf = signer.subscriptionConfirmation({ topicArn: TOPIC, certUrl: sns.certUrl, subscribeUrl: sns.subscribeUrl('tok') });
 *   // POST it; then sns.confirmations holds the GETs the app made to the subscribe URL
 *   await sns.close();
 */
import { createHash, createPrivateKey, randomUUID, sign as cryptoSign, X509Certificate, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SnsNotification, SnsSubscriptionConfirmation, SnsUnsubscribeConfirmation } from '../../src/sns/envelope.js';
import { stringToSign } from '../../src/sns/string-to-sign.js';

const FIXTURES = new URL('../fixtures/sns/', import.meta.url);

/** TEST ONLY key and certificate (see test/fixtures/sns/README.md). */
export const TEST_SIGNING_KEY_PEM = readFileSync(new URL('test-signing-key.pem', FIXTURES), 'utf8');
export const TEST_SIGNING_CERT_PEM = readFileSync(new URL('test-signing-cert.pem', FIXTURES), 'utf8');

export type SignatureVersion = 1 | 2;

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
type SignedFields = 'Signature' | 'SignatureVersion';

/** Any SNS envelope before signing (Signature and SignatureVersion are added by `sign`). */
export type UnsignedSnsEnvelope = DistributiveOmit<SnsNotification | SnsSubscriptionConfirmation | SnsUnsubscribeConfirmation, SignedFields>;

export interface SignOptions {
  /** 1 = SHA1withRSA, 2 = SHA256withRSA (default 2, what SNS recommends). */
  version?: SignatureVersion;
}

interface CommonInput extends SignOptions {
  topicArn: string;
  /** The certificate URL to put in SigningCertURL, e.g. `(await serveCertificate()).certUrl`. */
  certUrl: string;
  messageId?: string;
  /** Default: the signer's `now()` as ISO-8601. */
  timestamp?: string | Date;
}

export interface NotificationInput extends CommonInput {
  /** The SNS Message field; a non-string is JSON-encoded (as EventBridge → SNS does). */
  message: unknown;
  subject?: string;
  unsubscribeUrl?: string;
}

export interface ConfirmationInput extends CommonInput {
  token?: string;
  /** Default: `<certUrl origin>/?Action=ConfirmSubscription&TopicArn=…&Token=…`. */
  subscribeUrl?: string;
  message?: string;
}

export interface SnsSigner {
  readonly certificatePem: string;
  readonly certificate: X509Certificate;
  /** Adds SignatureVersion and Signature over SNS's string to sign. Does not modify `env`. */
  sign<T extends UnsignedSnsEnvelope>(env: T, options?: SignOptions): T & { SignatureVersion: '1' | '2'; Signature: string };
  notification(input: NotificationInput): SnsNotification;
  subscriptionConfirmation(input: ConfirmationInput): SnsSubscriptionConfirmation;
  unsubscribeConfirmation(input: ConfirmationInput): SnsUnsubscribeConfirmation;
  /** Starts a loopback server for the certificate and subscribe URLs. Close it when done. */
  serveCertificate(): Promise<SnsCertificateServer>;
}

export interface SnsCertificateServer {
  /** `http://127.0.0.1:PORT/SimpleNotificationService-<hex>.pem` */
  readonly certUrl: string;
  /** Regex source for SNS_CERT_URL_PATTERN that matches `certUrl` (and only this server). */
  readonly pattern: string;
  /** `pattern` anchored as config builds it, for code that takes `certUrlPattern` directly. */
  readonly certUrlPattern: RegExp;
  /** `http://127.0.0.1:PORT` */
  readonly origin: string;
  /** A SubscribeURL on this server, as SNS would build it. */
  subscribeUrl(token: string, topicArn?: string): string;
  /** Full URLs of every GET received on a subscribe URL (i.e. confirmations), in order. */
  readonly confirmations: string[];
  /** How many times the certificate was downloaded (to assert caching). */
  readonly certificateRequests: number;
  /**
   * SNS API double on the same origin (awsQuery `Action=ConfirmSubscription&Version=2010-03-31`,
   * POST /): every call received, in order. Point an SNSClient at `origin` with any credentials.
   */
  readonly apiConfirmations: { topicArn: string; token: string; authenticateOnUnsubscribe: string | null }[];
  /** While true, ConfirmSubscription answers 403 AuthorizationError (the app lacks sns:ConfirmSubscription). */
  denyConfirmSubscription: boolean;
  close(): Promise<void>;
}

export interface SnsSignerOptions {
  /** Clock for default Timestamps. Default Date.now. */
  now?: () => number;
  /** Sign with another key (e.g. to test a wrong-key signature); the certificate stays. */
  privateKeyPem?: string;
  certificatePem?: string;
}

export function createSnsSigner(options: SnsSignerOptions = {}): SnsSigner {
  const now = options.now ?? Date.now;
  const key: KeyObject = createPrivateKey(options.privateKeyPem ?? TEST_SIGNING_KEY_PEM);
  const certificatePem = options.certificatePem ?? TEST_SIGNING_CERT_PEM;
  const certificate = new X509Certificate(certificatePem);

  function sign<T extends UnsignedSnsEnvelope>(env: T, opts: SignOptions = {}) {
    const version = opts.version ?? 2;
    const digest = version === 1 ? 'sha1' : 'sha256';
    const SignatureVersion = String(version) as '1' | '2';
    // stringToSign only reads the signed fields, so the placeholder Signature is irrelevant.
    const unsigned = { ...env, SignatureVersion, Signature: '' } as Parameters<typeof stringToSign>[0];
    const Signature = cryptoSign(digest, Buffer.from(stringToSign(unsigned), 'utf8'), key).toString('base64');
    return { ...env, SignatureVersion, Signature };
  }

  function common(input: CommonInput) {
    const ts = input.timestamp ?? new Date(now());
    return {
      MessageId: input.messageId ?? randomUUID(),
      TopicArn: input.topicArn,
      Timestamp: typeof ts === 'string' ? ts : ts.toISOString(),
      SigningCertURL: input.certUrl,
    };
  }

  function confirmation<T extends 'SubscriptionConfirmation' | 'UnsubscribeConfirmation'>(type: T, input: ConfirmationInput) {
    const token = input.token ?? randomUUID().replaceAll('-', '');
    const verb = type === 'SubscriptionConfirmation' ? 'subscribe to' : 'unsubscribe from';
    return sign(
      {
        Type: type,
        ...common(input),
        Token: token,
        Message: input.message ?? `You have chosen to ${verb} the topic ${input.topicArn}.`,
        SubscribeURL: input.subscribeUrl ?? buildSubscribeUrl(new URL(input.certUrl).origin, token, input.topicArn),
      } as UnsignedSnsEnvelope & { Type: T },
      input,
    );
  }

  return {
    certificatePem,
    certificate,
    sign,
    notification(input) {
      return sign(
        {
          Type: 'Notification' as const,
          ...common(input),
          Message: typeof input.message === 'string' ? input.message : JSON.stringify(input.message),
          ...(input.subject !== undefined ? { Subject: input.subject } : {}),
          ...(input.unsubscribeUrl !== undefined ? { UnsubscribeURL: input.unsubscribeUrl } : {}),
        },
        input,
      );
    },
    subscriptionConfirmation: (input) => confirmation('SubscriptionConfirmation', input) as SnsSubscriptionConfirmation,
    unsubscribeConfirmation: (input) => confirmation('UnsubscribeConfirmation', input) as SnsUnsubscribeConfirmation,
    serveCertificate: () => serveCertificate(certificatePem),
  };
}

function buildSubscribeUrl(origin: string, token: string, topicArn = 'arn:aws:sns:us-east-1:123456789012:test'): string {
  const q = new URLSearchParams({ Action: 'ConfirmSubscription', TopicArn: topicArn, Token: token });
  return `${origin}/?${q.toString()}`;
}

async function serveCertificate(certificatePem: string): Promise<SnsCertificateServer> {
  // Named like SNS's own files: a hex digest of the certificate.
  const certPath = `/SimpleNotificationService-${createHash('md5').update(certificatePem).digest('hex')}.pem`;
  const confirmations: string[] = [];
  const apiConfirmations: SnsCertificateServer['apiConfirmations'] = [];
  const state = { deny: false };
  let certificateRequests = 0;
  let origin = '';

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', origin);
    if (req.method === 'POST' && url.pathname === '/') {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c.toString('utf8')));
      req.on('end', () => answerSnsApi(new URLSearchParams(raw), res, apiConfirmations, state.deny));
    } else if (req.method !== 'GET') {
      res.writeHead(405).end();
    } else if (url.pathname === certPath) {
      certificateRequests += 1;
      res.writeHead(200, { 'content-type': 'application/x-x509-ca-cert' }).end(certificatePem);
    } else if (url.pathname === '/' && url.searchParams.get('Action') === 'ConfirmSubscription') {
      confirmations.push(url.href);
      const arn = `${url.searchParams.get('TopicArn') ?? 'arn:aws:sns:us-east-1:123456789012:test'}:${randomUUID()}`;
      res
        .writeHead(200, { 'content-type': 'text/xml' })
        .end(
          `<ConfirmSubscriptionResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><ConfirmSubscriptionResult>` +
            `<SubscriptionArn>${arn}</SubscriptionArn></ConfirmSubscriptionResult></ConfirmSubscriptionResponse>`,
        );
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  origin = `http://127.0.0.1:${port}`;
  const pattern = `http://127\\.0\\.0\\.1:${port}/SimpleNotificationService-[0-9a-f]+\\.pem`;

  return {
    certUrl: `${origin}${certPath}`,
    pattern,
    certUrlPattern: new RegExp(`^(?:${pattern})$`),
    origin,
    subscribeUrl: (token, topicArn) => buildSubscribeUrl(origin, token, topicArn),
    confirmations,
    apiConfirmations,
    get denyConfirmSubscription() {
      return state.deny;
    },
    set denyConfirmSubscription(v: boolean) {
      state.deny = v;
    },
    get certificateRequests() {
      return certificateRequests;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections(); // keep-alive sockets would otherwise hold close() open
      }),
  };
}

const SNS_XMLNS = 'http://sns.amazonaws.com/doc/2010-03-31/';

/** The SNS awsQuery wire format, for ConfirmSubscription only (what the app calls). */
function answerSnsApi(form: URLSearchParams, res: import('node:http').ServerResponse, calls: SnsCertificateServer['apiConfirmations'], deny: boolean): void {
  const requestId = randomUUID();
  const error = (status: number, code: string, message: string) =>
    res
      .writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId })
      .end(
        `<ErrorResponse xmlns="${SNS_XMLNS}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error>` +
          `<RequestId>${requestId}</RequestId></ErrorResponse>`,
      );
  if (form.get('Action') !== 'ConfirmSubscription' || form.get('Version') !== '2010-03-31') {
    error(400, 'InvalidAction', 'The action or operation requested is invalid.');
    return;
  }
  const topicArn = form.get('TopicArn') ?? '';
  if (deny) {
    error(
      403,
      'AuthorizationError',
      `User: arn:aws:sts::123456789012:assumed-role/GuardDutyResponder/responder is not authorized to perform: SNS:ConfirmSubscription on resource: ${topicArn}`,
    );
    return;
  }
  calls.push({ topicArn, token: form.get('Token') ?? '', authenticateOnUnsubscribe: form.get('AuthenticateOnUnsubscribe') });
  res
    .writeHead(200, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId })
    .end(
      `<ConfirmSubscriptionResponse xmlns="${SNS_XMLNS}"><ConfirmSubscriptionResult><SubscriptionArn>${topicArn}:${randomUUID()}</SubscriptionArn>` +
        `</ConfirmSubscriptionResult><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></ConfirmSubscriptionResponse>`,
    );
}
