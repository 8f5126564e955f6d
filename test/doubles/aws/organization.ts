/**
 * An AWS Organization on loopback: one AwsDouble world (ECS, EC2, ECR…) per account × Region
 * behind one front endpoint, with STS in front. A request goes to the world of the account its
 * signing credentials belong to (the access key id in the SigV4 `Credential=` scope: the admin
 * key is the administrator account, an `ASIA…` key the account of the role session STS issued)
 * and the Region of that scope. Expired or unknown keys are refused as AWS does. Every call is
 * logged like CloudTrail would (account, event, session, SourceIdentity).
 *
 *   const org = await startOrganizationDouble({ admin: '111111111111', members: ['222222222222'], regions: ['us-east-1'] });
 *   org.sts.addRole('arn:aws:iam::222222222222:role/GuardDutyResponder', { externalId: 'x' });
 *   org.world('222222222222').seed.fargateTask(…);
 */
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { startAwsDouble, type AwsDouble, type AwsDoubleOptions } from './index.js';
import { AwsServiceError } from './service.js';
import { parseTarget, sendJsonError } from './protocols/json.js';
import { parseForm, sendEc2Error } from './protocols/ec2-query.js';
import { sendQuery, sendQueryError } from './protocols/aws-query.js';
import { sendRestJsonError } from './protocols/rest-json.js';
import { STS_XMLNS } from './sts/service.js';
import { StsSessions } from './sts/sessions.js';

export const ADMIN_ACCESS_KEY_ID = 'AKIDORGADMIN';

export interface TrailRecord {
  at: number;
  accountId: string;
  region: string;
  /** `ecs:ListTasks`, `sts:AssumeRole`… */
  event: string;
  accessKeyId: string;
  /** `arn:aws:sts::<acct>:assumed-role/<role>/<session>` or the admin's principal. */
  principal: string;
  sourceIdentity?: string;
  tags?: Record<string, string>;
  error?: string;
}

export interface OrganizationDoubleOptions extends Omit<AwsDoubleOptions, 'accountId' | 'region'> {
  admin: string;
  members: readonly string[];
  regions: readonly string[];
  /** Called before each forwarded AWS call (tests advance an injected clock to make time pass). */
  beforeCall?: (rec: TrailRecord) => void;
}

export interface OrganizationDouble {
  readonly endpoint: string;
  readonly sts: StsSessions;
  readonly trail: TrailRecord[];
  readonly adminCredentials: { accessKeyId: string; secretAccessKey: string };
  /** The world of one account and Region (default: the first Region). */
  world(accountId: string, region?: string): AwsDouble;
  /** Calls made in one account (optionally of one event), from the trail. */
  callsIn(accountId: string, event?: string): TrailRecord[];
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** `Credential=AKID/20261128/us-east-1/ecs/aws4_request` → its parts. */
function credentialScope(auth: string | undefined): { accessKeyId: string; region: string; service: string } | undefined {
  const m = /Credential=([^/]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(auth ?? '');
  return m ? { accessKeyId: m[1]!, region: m[2]!, service: m[3]! } : undefined;
}

export async function startOrganizationDouble(opts: OrganizationDoubleOptions): Promise<OrganizationDouble> {
  const now = opts.now ?? (() => Date.now());
  const accounts = [opts.admin, ...opts.members];
  const worlds = new Map<string, AwsDouble>();
  for (const accountId of accounts) {
    for (const region of opts.regions) {
      const { beforeCall: _b, admin: _a, members: _m, regions: _r, ...rest } = opts;
      worlds.set(
        `${accountId}/${region}`,
        await startAwsDouble({ ...rest, now, accountId, region, principal: `arn:aws:sts::${accountId}:assumed-role/GuardDutyResponder/responder` }),
      );
    }
  }
  const sts = new StsSessions(now);
  const trail: TrailRecord[] = [];
  const adminPrincipal = `arn:aws:sts::${opts.admin}:assumed-role/GuardDutyResponderApp/app`;

  function refuse(req: IncomingMessage, res: ServerResponse, body: string, err: AwsServiceError): void {
    const id = randomUUID();
    if (req.headers['x-amz-target'] !== undefined) sendJsonError(res, '1.1', id, err);
    else if (new URL(req.url ?? '/', 'http://x').pathname !== '/') sendRestJsonError(res, id, err);
    else if (parseForm(body).Version === '2016-11-15') sendEc2Error(res, id, err);
    else sendQueryError(res, STS_XMLNS, id, err);
  }

  function eventOf(req: IncomingMessage, service: string, body: string): string {
    const target = parseTarget(req.headers['x-amz-target']);
    if (target) return `${service}:${target.op}`;
    const action = parseForm(body).Action;
    return `${service}:${action ?? `${req.method} ${req.url}`}`;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const body = raw.toString('utf8');
    const scope = credentialScope(req.headers.authorization);
    if (!scope) return refuse(req, res, body, new AwsServiceError('MissingAuthenticationToken', 'Request is missing Authentication Token', 403));
    const session = sts.sessions.get(scope.accessKeyId);
    const isAdmin = scope.accessKeyId === ADMIN_ACCESS_KEY_ID;
    const accountId = isAdmin ? opts.admin : session?.accountId;
    const principal = isAdmin
      ? adminPrincipal
      : session
        ? `arn:aws:sts::${session.accountId}:assumed-role/${session.roleArn.split('/').pop()}/${session.sessionName}`
        : scope.accessKeyId;
    const rec: TrailRecord = {
      at: now(),
      accountId: accountId ?? 'unknown',
      region: scope.region,
      event: eventOf(req, scope.service, body),
      accessKeyId: scope.accessKeyId,
      principal,
      ...(session?.sourceIdentity !== undefined ? { sourceIdentity: session.sourceIdentity } : {}),
      ...(session && Object.keys(session.tags).length ? { tags: session.tags } : {}),
    };
    trail.push(rec);
    if (!accountId) {
      rec.error = 'UnrecognizedClientException';
      return refuse(req, res, body, new AwsServiceError('UnrecognizedClientException', 'The security token included in the request is invalid.', 400));
    }
    if (session && now() >= session.expiresAt) {
      rec.error = 'ExpiredTokenException';
      return refuse(req, res, body, new AwsServiceError('ExpiredTokenException', 'The security token included in the request is expired', 400));
    }
    if (scope.service === 'sts') {
      const form = parseForm(body);
      const id = randomUUID();
      if (form.Action === 'GetCallerIdentity') {
        sendQuery(res, 'GetCallerIdentity', STS_XMLNS, id, { Account: accountId, Arn: principal, UserId: `AROA:${scope.accessKeyId}` });
        return;
      }
      if (form.Action === 'AssumeRole') {
        try {
          const s = sts.assumeRole(principal, form);
          sendQuery(res, 'AssumeRole', STS_XMLNS, id, {
            Credentials: { AccessKeyId: s.accessKeyId, SecretAccessKey: s.secretAccessKey, SessionToken: s.sessionToken, Expiration: new Date(s.expiresAt) },
            AssumedRoleUser: {
              AssumedRoleId: `AROA:${s.sessionName}`,
              Arn: `arn:aws:sts::${s.accountId}:assumed-role/${s.roleArn.split('/').pop()}/${s.sessionName}`,
            },
            ...(s.sourceIdentity !== undefined ? { SourceIdentity: s.sourceIdentity } : {}),
          });
        } catch (e) {
          const err = e instanceof AwsServiceError ? e : new AwsServiceError('InternalFailure', String(e), 500);
          rec.error = err.code;
          sendQueryError(res, STS_XMLNS, id, err);
        }
        return;
      }
      return refuse(req, res, body, new AwsServiceError('InvalidAction', `double: STS ${form.Action ?? ''} is not modelled`, 400));
    }
    const world = worlds.get(`${accountId}/${scope.region}`);
    if (!world) return refuse(req, res, body, new AwsServiceError('UnrecognizedClientException', `double: no world for ${accountId} in ${scope.region}`, 400));
    opts.beforeCall?.(rec);
    const target = new URL(req.url ?? '/', world.endpoint);
    await new Promise<void>((resolve, reject) => {
      const out = request(target, { method: req.method, headers: { ...req.headers, host: target.host } }, (answer) => {
        res.writeHead(answer.statusCode ?? 500, answer.headers);
        answer.pipe(res);
        answer.on('end', resolve);
        answer.on('error', reject);
      });
      out.on('error', reject);
      out.end(raw);
    });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) res.writeHead(500).end(String(e));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    sts,
    trail,
    adminCredentials: { accessKeyId: ADMIN_ACCESS_KEY_ID, secretAccessKey: 'org-admin-secret' },
    world(accountId, region = opts.regions[0]!) {
      const w = worlds.get(`${accountId}/${region}`);
      if (!w) throw new Error(`no world for ${accountId}/${region}`);
      return w;
    },
    callsIn: (accountId, event) => trail.filter((t) => t.accountId === accountId && (event === undefined || t.event === event)),
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await Promise.all([...worlds.values()].map((w) => w.close()));
    },
  };
}
