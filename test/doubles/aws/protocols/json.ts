/**
 * awsJson1_0 / awsJson1_1 on the wire: POST / with `X-Amz-Target: <Prefix>.<Op>`, a JSON body
 * whose member names are the model's own (camelCase for ECS/ECR), timestamps as epoch seconds.
 * Errors are HTTP 4xx/5xx with `{"__type":"<Code>","message":"…"}`; the SDK turns `__type` into the
 * exception's `name`. The request id travels in the `x-amzn-RequestId` header.
 */
import type { ServerResponse } from 'node:http';
import { AwsServiceError } from '../service.js';

export function parseTarget(header: string | string[] | undefined): { prefix: string; op: string } | undefined {
  const target = Array.isArray(header) ? header[0] : header;
  if (!target) return undefined;
  const dot = target.lastIndexOf('.');
  if (dot <= 0) return undefined;
  return { prefix: target.slice(0, dot), op: target.slice(dot + 1) };
}

export function parseJsonBody(body: string): Record<string, unknown> {
  if (body.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new AwsServiceError('SerializationException', 'Start of structure or map found where not expected.');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new AwsServiceError('SerializationException', 'Start of structure or map found where not expected.');
  }
  return parsed as Record<string, unknown>;
}

/** Dates anywhere in a response become epoch seconds, the awsJson default timestamp format. */
function dateReplacer(this: Record<string, unknown>, key: string, value: unknown): unknown {
  const raw = this[key];
  return raw instanceof Date ? raw.getTime() / 1000 : value;
}

export function sendJson(res: ServerResponse, version: '1.0' | '1.1', requestId: string, body: unknown): number {
  const text = JSON.stringify(body ?? {}, dateReplacer);
  res.writeHead(200, {
    'content-type': `application/x-amz-json-${version}`,
    'x-amzn-requestid': requestId,
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
  return 200;
}

export function sendJsonError(res: ServerResponse, version: '1.0' | '1.1', requestId: string, err: AwsServiceError): number {
  const text = JSON.stringify({ __type: err.code, message: err.message });
  res.writeHead(err.status, {
    'content-type': `application/x-amz-json-${version}`,
    'x-amzn-requestid': requestId,
    'x-amzn-errortype': err.code,
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
  return err.status;
}

export const jsonFaults = {
  throttle: () => new AwsServiceError('ThrottlingException', 'Rate exceeded', 400),
  /** ECS's wording for an IAM deny, e.g. "User: arn:aws:sts::…:assumed-role/R/s is not authorized
   *  to perform: ecs:StopTask on resource: arn:aws:ecs:… because no identity-based policy allows
   *  the ecs:StopTask action". */
  deny: (action: string, principal: string, resource: string) =>
    new AwsServiceError(
      'AccessDeniedException',
      `User: ${principal} is not authorized to perform: ${action} on resource: ${resource} because no identity-based policy allows the ${action} action`,
      400,
    ),
  unknownOperation: (op: string) => new AwsServiceError('UnknownOperationException', `Unknown operation ${op}`, 400),
};
