/**
 * One failed step of a multi-step AWS action, as the thread reports it. Multi-step adapters
 * (evidence, detach, deregister…) try every step, keep what worked and list what did not, so a
 * partial result is never thrown away because its fourth call was refused.
 */
import { isAppError } from '../errors.js';
import { awsErrorName, awsErrorRequestId, errorLine, type IamAction } from './errors.js';
import type { StepFailure } from './ec2/types.js';

export type { StepFailure } from './ec2/types.js';

export function stepFailure(step: IamAction, resource: string, err: unknown): StepFailure {
  const requestId = isAppError(err) ? (err.context.requestId as string | undefined) : awsErrorRequestId(err);
  return {
    step,
    resource,
    code: isAppError(err) ? err.code : 'aws_error',
    message: errorLine(err),
    ...(requestId !== undefined ? { requestId } : {}),
  };
}

/** The AWS error name behind an AppError from `awsCall` (or a raw SDK error). */
export function awsNameOf(err: unknown): string | undefined {
  if (isAppError(err)) return err.context.awsErrorName as string | undefined;
  return awsErrorName(err);
}
