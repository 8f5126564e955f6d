/**
 * Kubernetes API errors as AppErrors that say what the platform engineer must change: 401 = the
 * cluster does not know the app's IAM role (no EKS access entry); 403 = RBAC refuses one verb on
 * one resource (the ClusterRole in deploy/eks lacks it). Never the raw body or a stack.
 */
import { ApiException } from '@kubernetes/client-node';
import { AppError } from '../errors.js';

export interface KubeCallContext {
  cluster: string;
  verb: string;
  /** Plural resource, with its API group when not core: `pods`, `networkpolicies.networking.k8s.io`. */
  resource: string;
  namespace?: string;
  name?: string;
}

/** One readable line: `patch pods "web-1" in namespace prod`. */
export function describeCall(c: KubeCallContext): string {
  return `${c.verb} ${c.resource}${c.name ? ` "${c.name}"` : ''}${c.namespace ? ` in namespace ${c.namespace}` : ''}`;
}

function statusMessage(body: unknown): string | undefined {
  const parsed = typeof body === 'string' ? safeJson(body) : body;
  const m = (parsed as { message?: unknown } | undefined)?.message;
  return typeof m === 'string' ? m.slice(0, 300) : undefined;
}

function safeJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
}

export function normaliseKubeError(err: unknown, c: KubeCallContext): AppError {
  if (err instanceof AppError) return err;
  const code = err instanceof ApiException ? (err.code as number) : undefined;
  const message = err instanceof ApiException ? statusMessage(err.body) : undefined;
  const context = { ...c, ...(code !== undefined ? { httpStatusCode: code } : {}), ...(message ? { kubeMessage: message } : {}) };
  const what = describeCall(c);
  if (code === 401) {
    return new AppError(
      'k8s_unauthorized',
      `EKS cluster ${c.cluster} does not accept the app's IAM role (401). Add an EKS access entry for the role and the guardduty-responder group (see deploy/eks in the README).`,
      { cause: err, context },
    );
  }
  if (code === 403) {
    return new AppError(
      'k8s_forbidden',
      `EKS cluster ${c.cluster} refused to let the app ${what} (403, RBAC). Add "${c.verb}" on "${c.resource}" to the guardduty-responder ClusterRole (deploy/eks/rbac.yaml).`,
      { cause: err, context },
    );
  }
  if (code === 404) return new AppError('k8s_not_found', `${what} on cluster ${c.cluster}: not found.`, { cause: err, context });
  if (code === 409)
    return new AppError('action_conflict', `${what} on cluster ${c.cluster}: conflict (${message ?? 'changed meanwhile'}).`, { cause: err, context });
  const reason = code !== undefined ? `HTTP ${code}${message ? `: ${message}` : ''}` : err instanceof Error ? err.message.split('\n')[0] : String(err);
  return new AppError('k8s_error', `Could not ${what} on cluster ${c.cluster} (${reason}).`, { cause: err, context });
}

/** Runs one Kubernetes call and normalises its failure. */
export async function kubeCall<T>(c: KubeCallContext, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw normaliseKubeError(err, c);
  }
}
