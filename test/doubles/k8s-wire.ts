/**
 * The Kubernetes REST paths the responder uses, each with the RBAC verb and resource the API
 * server would check, and the two patch formats (JSON merge patch RFC 7386, JSON patch RFC 6902
 * with `test`).
 */
import type { K8sCluster } from './k8s.js';

/** A Kubernetes object as the double stores and patches it: free-form JSON, like the API server's. */
// biome-ignore lint/suspicious/noExplicitAny: Kubernetes objects here are free-form JSON read and patched at any depth
export type Obj = any;

export interface RunInput {
  body: unknown;
  query: URLSearchParams;
  contentType: string;
  mergePatch: typeof mergePatch;
  applyJsonPatch: typeof applyJsonPatch;
}

export interface Route {
  verb: string;
  resource: string;
  namespace?: string;
  name?: string;
  run(c: K8sCluster, input: RunInput): unknown;
}

const fail = (code: number, reason: string, message: string) => Object.assign(new Error(message), { code, reason });
const notFound = (what: string, name: string) => fail(404, 'NotFound', `${what} "${name}" not found`);
const clone = <T>(o: T): T => JSON.parse(JSON.stringify(o)) as T;

export function mergePatch(target: Obj, patch: Obj): Obj {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out = target && typeof target === 'object' && !Array.isArray(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

export function applyJsonPatch(target: Obj, ops: { op: string; path: string; value?: unknown }[]): Obj {
  const doc = clone(target);
  for (const op of ops) {
    const parts = op.path
      .split('/')
      .slice(1)
      .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
    const last = parts.pop()!;
    let parent = doc;
    for (const p of parts) {
      parent = parent?.[p];
      if (parent === undefined) throw fail(422, 'Invalid', `path ${op.path} does not exist`);
    }
    if (op.op === 'test') {
      if (JSON.stringify(parent[last]) !== JSON.stringify(op.value)) throw fail(422, 'Invalid', `the test of ${op.path} failed: the object changed`);
    } else if (op.op === 'replace' || op.op === 'add') parent[last] = op.value;
    else if (op.op === 'remove') delete parent[last];
    else throw fail(422, 'Invalid', `unsupported op ${op.op}`);
  }
  return doc;
}

/** A response body already serialised (the benchmark's raw pods). */
export class RawJson {
  constructor(readonly text: string) {}
}

function listRawPods(c: K8sCluster, q: URLSearchParams): RawJson {
  const limit = Number(q.get('limit') ?? 0) || c.rawPods.length;
  const start = q.get('continue') ? Number(Buffer.from(q.get('continue')!, 'base64url').toString()) : 0;
  const more = start + limit < c.rawPods.length;
  const metadata = {
    resourceVersion: '1',
    ...(more ? { continue: Buffer.from(String(start + limit)).toString('base64url'), remainingItemCount: c.rawPods.length - start - limit } : {}),
  };
  return new RawJson(
    `{"apiVersion":"v1","kind":"PodList","metadata":${JSON.stringify(metadata)},"items":[${c.rawPods.slice(start, start + limit).join(',')}]}`,
  );
}

const sortedPods = new WeakMap<K8sCluster, { size: number; version: number; list: Obj[] }>();

function listPods(c: K8sCluster, q: URLSearchParams) {
  if (c.rawPods.length > 0 && c.pods.size === 0) return listRawPods(c, q);
  // Sorted once per change of the pod set (a 5,000-pod list is paged 10 times).
  const cache = sortedPods.get(c);
  const all =
    cache && cache.size === c.pods.size && cache.version === c.version
      ? cache.list
      : [...c.pods.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, p]) => p);
  sortedPods.set(c, { size: c.pods.size, version: c.version, list: all });
  const limit = Number(q.get('limit') ?? 0) || all.length;
  const start = q.get('continue') ? Number(Buffer.from(q.get('continue')!, 'base64url').toString()) : 0;
  const items = all.slice(start, start + limit);
  const more = start + limit < all.length;
  return {
    apiVersion: 'v1',
    kind: 'PodList',
    metadata: {
      resourceVersion: '1',
      ...(more ? { continue: Buffer.from(String(start + limit)).toString('base64url'), remainingItemCount: all.length - start - limit } : {}),
    },
    items,
  };
}

export function routeOf(method: string, path: string): Route | undefined {
  let m: RegExpExecArray | null;
  m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)(\/log)?$/.exec(path);
  if (m) {
    const [namespace, name, log] = [m[1]!, m[2]!, m[3]];
    const key = `${namespace}/${name}`;
    const pod = (c: K8sCluster) =>
      c.pods.get(key) ??
      (() => {
        throw notFound('pods', name);
      })();
    if (log && method === 'GET')
      return {
        verb: 'get',
        resource: 'pods/log',
        namespace,
        name,
        run: (c, i) => {
          pod(c);
          return c.logs.get(`${key}/${i.query.get('container') ?? ''}`) ?? '';
        },
      };
    if (method === 'GET') return { verb: 'get', resource: 'pods', namespace, name, run: (c) => pod(c) };
    if (method === 'PATCH')
      return {
        verb: 'patch',
        resource: 'pods',
        namespace,
        name,
        run: (c, i) => {
          if (!i.contentType.startsWith('application/merge-patch+json')) throw fail(415, 'UnsupportedMediaType', `unexpected patch type ${i.contentType}`);
          const next = mergePatch(pod(c), i.body);
          c.pods.set(key, next);
          const rs = next.metadata.ownerReferences?.[0];
          if (rs?.kind === 'ReplicaSet') c.reconcile(namespace, rs.name);
          return next;
        },
      };
    if (method === 'DELETE')
      return {
        verb: 'delete',
        resource: 'pods',
        namespace,
        name,
        run: (c) => {
          const p = pod(c);
          c.pods.delete(key);
          const rs = p.metadata.ownerReferences?.[0];
          if (rs?.kind === 'ReplicaSet') c.reconcile(namespace, rs.name);
          return p;
        },
      };
  }
  if (path === '/api/v1/pods' && method === 'GET') return { verb: 'list', resource: 'pods', run: (c, i) => listPods(c, i.query) };
  m = /^\/api\/v1\/namespaces\/([^/]+)\/events$/.exec(path);
  if (m && method === 'GET') {
    const namespace = m[1]!;
    return {
      verb: 'list',
      resource: 'events',
      namespace,
      run: (c, i) => {
        const want = Object.fromEntries(
          (i.query.get('fieldSelector') ?? '')
            .split(',')
            .filter(Boolean)
            .map((kv) => kv.split('=') as [string, string]),
        );
        const items = c.events.filter(
          (e) =>
            e.metadata.namespace === namespace &&
            (!want['involvedObject.name'] || e.involvedObject.name === want['involvedObject.name']) &&
            (!want['involvedObject.kind'] || e.involvedObject.kind === want['involvedObject.kind']),
        );
        return { apiVersion: 'v1', kind: 'EventList', metadata: {}, items };
      },
    };
  }
  m = /^\/api\/v1\/namespaces\/([^/]+)\/serviceaccounts\/([^/]+)$/.exec(path);
  if (m && method === 'GET') {
    const [namespace, name] = [m[1]!, m[2]!];
    return {
      verb: 'get',
      resource: 'serviceaccounts',
      namespace,
      name,
      run: (c) =>
        c.serviceAccounts.get(`${namespace}/${name}`) ??
        (() => {
          throw notFound('serviceaccounts', name);
        })(),
    };
  }
  m = /^\/api\/v1\/nodes\/([^/]+)$/.exec(path);
  if (m) {
    const name = m[1]!;
    const node = (c: K8sCluster) =>
      c.nodes.get(name) ??
      (() => {
        throw notFound('nodes', name);
      })();
    if (method === 'GET') return { verb: 'get', resource: 'nodes', name, run: (c) => node(c) };
    if (method === 'PATCH')
      return {
        verb: 'patch',
        resource: 'nodes',
        name,
        run: (c, i) => {
          const next = mergePatch(node(c), i.body);
          c.nodes.set(name, next);
          return next;
        },
      };
  }
  m = /^\/apis\/networking\.k8s\.io\/v1\/namespaces\/([^/]+)\/networkpolicies(?:\/([^/]+))?$/.exec(path);
  if (m) {
    const [namespace, name] = [m[1]!, m[2]];
    const resource = 'networkpolicies.networking.k8s.io';
    if (!name && method === 'GET')
      return {
        verb: 'list',
        resource,
        namespace,
        run: (c) => ({
          apiVersion: 'networking.k8s.io/v1',
          kind: 'NetworkPolicyList',
          metadata: {},
          items: [...c.policies.values()].filter((p) => p.metadata.namespace === namespace),
        }),
      };
    if (!name && method === 'POST')
      return {
        verb: 'create',
        resource,
        namespace,
        run: (c, i) => {
          const p = clone(i.body) as Obj;
          const key = `${namespace}/${p.metadata.name}`;
          if (c.policies.has(key)) throw fail(409, 'AlreadyExists', `networkpolicies.networking.k8s.io "${p.metadata.name}" already exists`);
          c.policies.set(key, p);
          return p;
        },
      };
    if (name && method === 'DELETE')
      return {
        verb: 'delete',
        resource,
        namespace,
        name,
        run: (c) => {
          const p = c.policies.get(`${namespace}/${name}`);
          if (!p) throw notFound(resource, name);
          c.policies.delete(`${namespace}/${name}`);
          return { kind: 'Status', status: 'Success' };
        },
      };
  }
  m = /^\/apis\/apps\/v1\/namespaces\/([^/]+)\/(deployments|statefulsets|daemonsets|replicasets)(?:\/([^/]+))?$/.exec(path);
  if (m) {
    const [namespace, kind, name] = [m[1]!, m[2]!, m[3]];
    const resource = `${kind}.apps`;
    if (!name && method === 'GET')
      return {
        verb: 'list',
        resource,
        namespace,
        run: (c) => ({
          apiVersion: 'apps/v1',
          kind: 'List',
          metadata: {},
          items: [...c.workloads.entries()].filter(([k]) => k.startsWith(`${kind}/${namespace}/`)).map(([, v]) => v),
        }),
      };
    if (!name) return undefined;
    const key = `${kind}/${namespace}/${name}`;
    const obj = (c: K8sCluster) =>
      c.workloads.get(key) ??
      (() => {
        throw notFound(resource, name);
      })();
    if (method === 'GET') return { verb: 'get', resource, namespace, name, run: (c) => obj(c) };
    if (method === 'PATCH')
      return {
        verb: 'patch',
        resource,
        namespace,
        name,
        run: (c, i) => {
          if (!i.contentType.startsWith('application/json-patch+json')) throw fail(415, 'UnsupportedMediaType', `unexpected patch type ${i.contentType}`);
          const next = applyJsonPatch(obj(c), i.body as never);
          c.workloads.set(key, next);
          if (kind === 'deployments') {
            const rs = c.workloads.get(`replicasets/${namespace}/${name}-rs`);
            if (rs) rs.spec.replicas = next.spec.replicas;
            c.reconcile(namespace, `${name}-rs`);
          }
          return next;
        },
      };
  }
  if (path === '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews' && method === 'POST')
    return {
      verb: 'create',
      resource: 'selfsubjectaccessreviews.authorization.k8s.io',
      run: (c, i) => {
        const ra = (i.body as Obj).spec.resourceAttributes;
        const resource = `${ra.resource}${ra.subresource ? `/${ra.subresource}` : ''}${ra.group ? `.${ra.group}` : ''}`;
        const allowed = !c.denied.has(`${ra.verb} ${resource}`);
        return { ...(i.body as Obj), status: { allowed, ...(allowed ? {} : { reason: 'RBAC: no rule allows it' }) } };
      },
    };
  return undefined;
}
