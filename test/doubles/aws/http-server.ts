/**
 * One loopback HTTP server for every service double. A request is routed by what it carries:
 * `X-Amz-Target` (awsJson: ECS, ECR, SSM), a path other than `/` (restJson1: GuardDuty), or a
 * form body's `Version` (ec2Query: EC2; awsQuery: Auto Scaling, ELBv2). Each call is logged,
 * passed through fault injection and rate limits, then to the service's handler.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import type { FaultController, FaultOutcome } from './faults.js';
import { parseJsonBody, parseTarget, sendJson, sendJsonError, jsonFaults } from './protocols/json.js';
import { parseForm, sendEc2, sendEc2Error, ec2Faults } from './protocols/ec2-query.js';
import { queryFaults, sendQuery, sendQueryError } from './protocols/aws-query.js';
import { matchRoute, restJsonFaults, sendRestJson, sendRestJsonError } from './protocols/rest-json.js';
import { QueryParams } from './protocols/query-params.js';
import type { XmlObject } from './protocols/xml.js';
import {
  AwsServiceError,
  type CallContext,
  type Ec2ServiceDefinition,
  type JsonServiceDefinition,
  type QueryServiceDefinition,
  type RestJsonServiceDefinition,
  type ServiceDefinition,
} from './service.js';

export interface CallRecord {
  service: string;
  op: string;
  /** The parsed JSON body (awsJson), the flat form parameters (ec2Query, awsQuery), or
   *  `{ labels, query, body }` (restJson1). */
  params: unknown;
  /** Injected-clock milliseconds when the request arrived. */
  at: number;
  requestId: string;
  status: number;
  /** The error code answered, if any (`ThrottlingException`, `AuthFailure`…). */
  error?: string;
}

interface Route {
  service: ServiceDefinition;
  op: string;
  params: unknown;
  run(ctx: CallContext): unknown;
  ok(res: ServerResponse, requestId: string, result: unknown): number;
  fail(res: ServerResponse, requestId: string, err: AwsServiceError): number;
  faults: ProtocolFaults;
}

interface ProtocolFaults {
  throttle(): AwsServiceError;
  deny(action: string, principal: string, resource: string): AwsServiceError;
  unknownOperation(op: string): AwsServiceError;
}

export interface ServerOptions {
  services: readonly ServiceDefinition[];
  region: string;
  accountId: string;
  now: () => number;
  faults: FaultController;
}

export interface RunningServer {
  endpoint: string;
  calls: CallRecord[];
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const jsonByPrefix = new Map<string, JsonServiceDefinition>();
  const queryByVersion = new Map<string, Ec2ServiceDefinition | QueryServiceDefinition>();
  const rest: RestJsonServiceDefinition[] = [];
  for (const s of opts.services) {
    if (s.protocol === 'ec2Query' || s.protocol === 'awsQuery') queryByVersion.set(s.version, s);
    else if (s.protocol === 'restJson1') rest.push(s);
    else jsonByPrefix.set(s.targetPrefix, s);
  }
  const calls: CallRecord[] = [];

  const route = (req: IncomingMessage, body: string): Route | AwsServiceError => {
    const target = parseTarget(req.headers['x-amz-target']);
    if (target) {
      const service = jsonByPrefix.get(target.prefix);
      if (!service) return jsonFaults.unknownOperation(`${target.prefix}.${target.op}`);
      const version = service.protocol === 'awsJson1_0' ? '1.0' : '1.1';
      const handler = service.operations[target.op];
      if (!handler) return jsonFaults.unknownOperation(target.op);
      const params = parseJsonBody(body);
      return {
        service,
        op: target.op,
        params,
        run: (ctx) => handler(params, ctx),
        ok: (res, id, result) => sendJson(res, version, id, result),
        fail: (res, id, err) => sendJsonError(res, version, id, err),
        faults: jsonFaults,
      };
    }
    const url = new URL(req.url ?? '/', 'http://double.invalid');
    if (url.pathname !== '/') {
      const method = req.method ?? 'GET';
      for (const service of rest) {
        const m = matchRoute(service.routes, method, url.pathname);
        const handler = m ? service.operations[m.op] : undefined;
        if (!m || !handler) continue;
        const input = { body: parseJsonBody(body), labels: m.labels, query: url.searchParams };
        return {
          service,
          op: m.op,
          params: { labels: m.labels, query: Object.fromEntries(url.searchParams), body: input.body },
          run: (ctx) => handler(input, ctx),
          ok: (res, id, result) => sendRestJson(res, id, result),
          fail: (res, id, err) => sendRestJsonError(res, id, err),
          faults: restJsonFaults,
        };
      }
      return restJsonFaults.unknownOperation(`${method} ${url.pathname}`);
    }
    const form = parseForm(body);
    const action = form.Action ?? '';
    const service = queryByVersion.get(form.Version ?? '');
    const handler = service?.operations[action];
    if (!service || !handler) return ec2Faults.unknownOperation(action);
    const params = new QueryParams(form);
    if (service.protocol === 'awsQuery') {
      const run = handler as (p: QueryParams, ctx: CallContext) => XmlObject | undefined;
      return {
        service,
        op: action,
        params: form,
        run: (ctx) => run(params, ctx),
        ok: (res, id, result) => sendQuery(res, action, service.xmlns, id, result as XmlObject | undefined),
        fail: (res, id, err) => sendQueryError(res, service.xmlns, id, err),
        faults: queryFaults(service.throttleCode),
      };
    }
    return {
      service,
      op: action,
      params: form,
      run: (ctx) => handler(params, ctx),
      ok: (res, id, result) => sendEc2(res, action, service.version, id, result as never),
      fail: (res, id, err) => sendEc2Error(res, id, err),
      faults: ec2Faults,
    };
  };

  const outcomeError = (r: Route, outcome: Exclude<FaultOutcome, { kind: 'reset' }>): AwsServiceError => {
    const action = `${r.service.name}:${r.op}`;
    if (outcome.kind === 'error') return outcome.error;
    if (outcome.kind === 'throttle') return r.faults.throttle();
    return r.faults.deny(action, outcome.principal, r.service.resourceOf?.(r.op, r.params) ?? '*');
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = await readBody(req);
    const requestId = randomUUID();
    const at = opts.now();
    let r: Route | AwsServiceError;
    try {
      r = route(req, body);
    } catch (e) {
      r = e instanceof AwsServiceError ? e : new AwsServiceError('SerializationException', String(e));
    }
    if (r instanceof AwsServiceError) {
      const isJson = req.headers['x-amz-target'] !== undefined;
      const isRest = new URL(req.url ?? '/', 'http://double.invalid').pathname !== '/';
      const status = isJson ? sendJsonError(res, '1.1', requestId, r) : isRest ? sendRestJsonError(res, requestId, r) : sendEc2Error(res, requestId, r);
      calls.push({ service: 'unknown', op: '', params: body, at, requestId, status, error: r.code });
      return;
    }
    const record: CallRecord = { service: r.service.name, op: r.op, params: r.params, at, requestId, status: 0 };
    // sts:GetCallerIdentity is the app's start-up read of its own account: it needs no permission
    // and is about no resource, so it stays out of the log tests read as "calls about resources".
    if (r.service.name !== 'sts') calls.push(record);
    const qualified = `${r.service.name}:${r.op}`;
    const delay = opts.faults.latencyFor(qualified);
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    const outcome = opts.faults.check(qualified);
    if (outcome?.kind === 'reset') {
      record.error = 'ConnectionReset';
      req.socket.destroy();
      return;
    }
    if (outcome) {
      const err = outcomeError(r, outcome);
      record.error = err.code;
      record.status = r.fail(res, requestId, err);
      return;
    }
    try {
      const result = r.run({ requestId, now: opts.now(), region: opts.region, accountId: opts.accountId });
      record.status = r.ok(res, requestId, result);
    } catch (e) {
      const err =
        e instanceof AwsServiceError
          ? e
          : new AwsServiceError(
              r.service.protocol === 'ec2Query' ? 'InternalError' : 'InternalFailure',
              `double bug: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`,
              500,
            );
      record.error = err.code;
      record.status = r.fail(res, requestId, err);
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) res.writeHead(500).end(String(e));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
