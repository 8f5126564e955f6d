/**
 * The contract between the router and one AWS service double. Adding a service is one file that
 * exports a ServiceDefinition for its protocol (awsJson, ec2Query, awsQuery or restJson1), plus
 * one line in index.ts.
 */
import type { QueryParams } from './protocols/query-params.js';
import type { XmlObject } from './protocols/xml.js';

export interface CallContext {
  readonly requestId: string;
  /** Milliseconds since the epoch, from the double's injected clock. */
  readonly now: number;
  readonly region: string;
  readonly accountId: string;
}

/** A service error as AWS puts it on the wire: the code becomes the SDK exception's `name`. */
export class AwsServiceError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = code;
  }
}

export type JsonOperation = (input: Record<string, unknown>, ctx: CallContext) => unknown;
export type Ec2Operation = (params: QueryParams, ctx: CallContext) => XmlObject;
export type QueryOperation = (params: QueryParams, ctx: CallContext) => XmlObject | undefined;
/** restJson1: the JSON body, the path labels (`{DetectorId}`) and the query string. */
export type RestOperation = (input: { body: Record<string, unknown>; labels: Record<string, string>; query: URLSearchParams }, ctx: CallContext) => unknown;

interface ServiceBase {
  /** IAM prefix and call-log name: `ecs`, `ecr`, `ec2`… Faults are addressed as `${name}:${Op}`. */
  readonly name: string;
  /** The IAM resource an action is checked against, for AccessDenied messages. Default `*`. */
  resourceOf?(op: string, params: unknown): string;
}

/** awsJson1_0 / awsJson1_1: POST /, `X-Amz-Target: <targetPrefix>.<Op>`, JSON both ways. */
export interface JsonServiceDefinition extends ServiceBase {
  readonly protocol: 'awsJson1_1' | 'awsJson1_0';
  readonly targetPrefix: string;
  readonly operations: Readonly<Record<string, JsonOperation>>;
}

/** ec2Query: POST form `Action=…&Version=…`, XML responses with `<requestId>` and `<item>` lists. */
export interface Ec2ServiceDefinition extends ServiceBase {
  readonly protocol: 'ec2Query';
  readonly version: string;
  readonly operations: Readonly<Record<string, Ec2Operation>>;
}

/** awsQuery: the same form as ec2Query (`Name.member.N` lists), `<OpResult>` + `<member>` XML answers. */
export interface QueryServiceDefinition extends ServiceBase {
  readonly protocol: 'awsQuery';
  readonly version: string;
  /** Response namespace, e.g. `http://autoscaling.amazonaws.com/doc/2011-01-01/`. */
  readonly xmlns: string;
  /** The service's throttling error code (default `Throttling`). */
  readonly throttleCode?: string;
  readonly operations: Readonly<Record<string, QueryOperation>>;
}

/** restJson1: routed by method and path. */
export interface RestJsonServiceDefinition extends ServiceBase {
  readonly protocol: 'restJson1';
  readonly routes: readonly { method: string; path: string; op: string }[];
  readonly operations: Readonly<Record<string, RestOperation>>;
}

export type ServiceDefinition = JsonServiceDefinition | Ec2ServiceDefinition | QueryServiceDefinition | RestJsonServiceDefinition;

/** Reads typed fields from an already-parsed JSON request, failing like AWS validation does. */
export const json = {
  str(input: Record<string, unknown>, key: string): string | undefined {
    const v = input[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') throw new AwsServiceError('SerializationException', `Expected string for ${key}`);
    return v;
  },
  num(input: Record<string, unknown>, key: string): number | undefined {
    const v = input[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number') throw new AwsServiceError('SerializationException', `Expected number for ${key}`);
    return v;
  },
  strList(input: Record<string, unknown>, key: string): string[] | undefined {
    const v = input[key];
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new AwsServiceError('SerializationException', `Expected list of strings for ${key}`);
    return v as string[];
  },
  list<T>(input: Record<string, unknown>, key: string): T[] | undefined {
    const v = input[key];
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v)) throw new AwsServiceError('SerializationException', `Expected list for ${key}`);
    return v as T[];
  },
};

/** Opaque paging tokens: an offset into a stable ordering, tied to the query that produced it. */
export function encodeToken(offset: number, scope: string): string {
  return Buffer.from(JSON.stringify({ o: offset, s: scope })).toString('base64url');
}

export function decodeToken(token: string | undefined, scope: string, invalid: () => AwsServiceError): number {
  if (token === undefined || token === '') return 0;
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { o?: unknown; s?: unknown };
    if (typeof parsed.o === 'number' && parsed.s === scope) return parsed.o;
  } catch {
    /* fall through */
  }
  throw invalid();
}
