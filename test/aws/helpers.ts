/** Shared bits for AWS adapter tests. */

/** An error shaped like the SDK's service exceptions: `name`, `$fault`, `$metadata`. */
export function awsError(name: string, message = name, requestId = `req-${name}`, httpStatusCode = 400): Error {
  const err = new Error(message) as Error & { $fault: string; $metadata: Record<string, unknown> };
  err.name = name;
  err.$fault = 'client';
  err.$metadata = { httpStatusCode, requestId, attempts: 1, totalRetryDelay: 0 };
  return err;
}

export const meta = (requestId: string) => ({ $metadata: { requestId, httpStatusCode: 200 } });

export const ACCOUNT = '123456789012';
export const REGION = 'eu-west-1';
export const DIGEST_A = `sha256:${'a'.repeat(64)}`;
export const DIGEST_B = `sha256:${'b'.repeat(64)}`;
export const DIGEST_C = `sha256:${'c'.repeat(64)}`;
export const REPO_URI = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/shop/web`;

export const clusterArn = (name: string) => `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/${name}`;
export const taskArn = (cluster: string, id: string) => `arn:aws:ecs:${REGION}:${ACCOUNT}:task/${cluster}/${id}`;
export const taskDefArn = (family: string, rev: number) => `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/${family}:${rev}`;
