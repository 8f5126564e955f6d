/**
 * AWS error normalisation. Every adapter call goes through `awsCall`, so callers only ever
 * see an AppError with a stable code, the IAM action that failed, the AWS error name and the
 * request id (what AWS Support asks for first).
 */
import { AppError, isAppError } from '../errors.js';

/** `service:Operation`, as written in IAM policies (e.g. `ecs:StopTask`). */
export type IamAction = `${string}:${string}`;

export interface AwsCallContext {
  action: IamAction;
  /** ARN or id the call acted on; named in the access-denied message. */
  resource?: string;
}

interface AwsErrorShape {
  name?: string;
  code?: string;
  Code?: string;
  message?: string;
  $fault?: 'client' | 'server';
  $retryable?: { throttling?: boolean };
  $metadata?: { requestId?: string; httpStatusCode?: number; extendedRequestId?: string };
}

/** IAM refusals, across the query (EC2) and JSON (ECS, ECR, STS) protocols. */
export const ACCESS_DENIED_NAMES: ReadonlySet<string> = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'UnauthorizedException',
  'NotAuthorized',
  'Client.UnauthorizedOperation',
]);

export const THROTTLING_NAMES: ReadonlySet<string> = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
]);

/** "Does not exist" errors of the services we call. */
export const NOT_FOUND_NAMES: ReadonlySet<string> = new Set([
  'ClusterNotFoundException',
  'ServiceNotFoundException',
  'ServiceNotActiveException',
  'TaskSetNotFoundException',
  'RepositoryNotFoundException',
  'ImageNotFoundException',
  'RegistryNotFoundException',
  'ScanNotFoundException',
  'InvalidNetworkInterfaceID.NotFound',
  'InvalidGroup.NotFound',
  'InvalidGroupId.NotFound',
  'InvalidNetworkAclID.NotFound',
  'InvalidNetworkAclEntry.NotFound',
  'InvalidSubnetID.NotFound',
  'InvalidVpcID.NotFound',
  'InvalidInstanceID.NotFound',
  'ResourceNotFoundException',
  'NotFoundException',
]);

function shapeOf(err: unknown): AwsErrorShape {
  return typeof err === 'object' && err !== null ? (err as AwsErrorShape) : {};
}

export function awsErrorName(err: unknown): string | undefined {
  const e = shapeOf(err);
  return e.name ?? e.code ?? e.Code;
}

export function awsErrorRequestId(err: unknown): string | undefined {
  return shapeOf(err).$metadata?.requestId;
}

/**
 * ECS reports some missing things as a generic ClientException/InvalidParameterException
 * ("The referenced task was not found.", "Tasks cannot be found"): detect them by message.
 */
function looksNotFound(name: string | undefined, message: string): boolean {
  if (name !== 'ClientException' && name !== 'InvalidParameterException') return false;
  return /\b(not found|cannot be found|could not be found|does not exist)\b/i.test(message);
}

export function normaliseAwsError(err: unknown, ctx: AwsCallContext): AppError {
  if (isAppError(err)) return err;
  const e = shapeOf(err);
  const name = awsErrorName(err);
  const awsMessage = typeof e.message === 'string' ? e.message : String(err);
  const requestId = awsErrorRequestId(err);
  const httpStatusCode = e.$metadata?.httpStatusCode;
  const resource = ctx.resource ?? 'the requested resource';
  const context: Record<string, unknown> = {
    action: ctx.action,
    ...(ctx.resource !== undefined ? { resource: ctx.resource } : {}),
    ...(name !== undefined ? { awsErrorName: name } : {}),
    ...(requestId !== undefined ? { requestId } : {}),
    ...(httpStatusCode !== undefined ? { httpStatusCode } : {}),
    awsMessage,
  };
  const options = { cause: err, context };

  if (name !== undefined && ACCESS_DENIED_NAMES.has(name)) {
    return new AppError(
      'aws_access_denied',
      `The app's AWS role is not allowed to call ${ctx.action} on ${resource}. Add ${ctx.action} to its policy.`,
      options,
    );
  }
  if ((name !== undefined && THROTTLING_NAMES.has(name)) || e.$retryable?.throttling === true || httpStatusCode === 429) {
    return new AppError('aws_throttled', `AWS throttled ${ctx.action} even after retries. Wait a minute and try again.`, options);
  }
  if ((name !== undefined && NOT_FOUND_NAMES.has(name)) || looksNotFound(name, awsMessage)) {
    return new AppError('aws_not_found', `${ctx.action}: ${resource} was not found (${name ?? 'not found'}).`, options);
  }
  return new AppError('aws_error', `${ctx.action} failed on ${resource}: ${name ?? 'Error'}: ${awsMessage}`, options);
}

/** Every successful SDK v3 response carries `$metadata.requestId`. */
export function requestIdOf(output: unknown): string | undefined {
  const meta = shapeOf(output).$metadata;
  return typeof meta?.requestId === 'string' && meta.requestId !== '' ? meta.requestId : undefined;
}

/**
 * Runs one SDK call: records its request id in `requestIds` (also for a failure, when AWS
 * returned one) and turns any failure into an AppError naming `ctx.action`.
 */
export async function awsCall<T>(ctx: AwsCallContext, requestIds: string[], call: () => Promise<T>): Promise<T> {
  try {
    const out = await call();
    const id = requestIdOf(out);
    if (id !== undefined) requestIds.push(id);
    return out;
  } catch (err) {
    const id = awsErrorRequestId(err);
    if (id !== undefined) requestIds.push(id);
    throw normaliseAwsError(err, ctx);
  }
}

/** A one-line, user-safe description of an error for result lists (no stack). */
export function errorLine(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
