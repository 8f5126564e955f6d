/**
 * A loopback Kubernetes API double for EKS clusters: HTTPS with its own CA (generated at start;
 * the app must trust it from DescribeCluster's certificateAuthority, nothing else), one server
 * for many clusters at `https://127.0.0.1:PORT/clusters/<name>`, and the EKS token check of
 * aws-iam-authenticator: `k8s-aws-v1.<base64url>` decoding to a presigned STS GetCallerIdentity
 * URL, re-signed here with the AWS double's credentials and `x-k8s-aws-id: <cluster>` — a token
 * for another cluster or one older than 15 minutes gets 401.
 *
 * RBAC: `deny(verb, resource)` answers 403 with the API server's Status text, and
 * SelfSubjectAccessReview reports the same. Controllers are modelled only as far as the steps
 * notice: a pod deleted while its ReplicaSet wants replicas is replaced; scaling a Deployment to
 * 0 removes its pods.
 */
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { generate } from 'selfsigned';
import { decodeEksToken } from '../../src/aws/eks/token.js';
import { applyJsonPatch, mergePatch, RawJson, routeOf, type Obj } from './k8s-wire.js';

export interface K8sCall {
  cluster: string;
  method: string;
  path: string;
  query: URLSearchParams;
  contentType?: string;
  body?: unknown;
  status: number;
  verb: string;
  resource: string;
}

export class K8sCluster {
  readonly pods = new Map<string, Obj>();
  readonly nodes = new Map<string, Obj>();
  readonly policies = new Map<string, Obj>();
  readonly workloads = new Map<string, Obj>();
  readonly serviceAccounts = new Map<string, Obj>();
  readonly events: Obj[] = [];
  readonly logs = new Map<string, string>();
  readonly denied = new Set<string>();
  private seq = 0;
  /** Bumped on every change through the API (the paging cache of the pod list keys on it). */
  version = 0;
  constructor(
    readonly name: string,
    readonly endpoint: string,
  ) {}

  addPod(p: {
    namespace?: string;
    name: string;
    labels?: Record<string, string>;
    node?: string;
    image?: string;
    digest?: string;
    owner?: { kind: string; name: string };
    serviceAccount?: string;
    containers?: string[];
  }): Obj {
    const namespace = p.namespace ?? 'default';
    const containers = p.containers ?? ['app'];
    const image = p.image ?? 'web:1';
    const pod: Obj = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: p.name,
        namespace,
        uid: `uid-${p.name}`,
        labels: { ...(p.labels ?? {}) },
        ...(p.owner
          ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: p.owner.kind, name: p.owner.name, uid: `uid-${p.owner.name}`, controller: true }] }
          : {}),
      },
      spec: {
        nodeName: p.node ?? 'ip-10-0-1-20.ec2.internal',
        serviceAccountName: p.serviceAccount ?? 'default',
        containers: containers.map((c) => ({ name: c, image })),
      },
      status: {
        phase: 'Running',
        podIP: '10.0.1.55',
        containerStatuses: containers.map((c) => ({
          name: c,
          image,
          imageID: p.digest ? `${image.split(':')[0]}@${p.digest}` : '',
          ready: true,
          restartCount: 0,
        })),
      },
    };
    this.pods.set(`${namespace}/${p.name}`, pod);
    return pod;
  }

  /** Deployment → ReplicaSet `<name>-rs` → `replicas` pods. */
  addDeployment(d: {
    namespace?: string;
    name: string;
    replicas?: number;
    labels?: Record<string, string>;
    image?: string;
    digest?: string;
    node?: string;
  }): string[] {
    const namespace = d.namespace ?? 'default';
    const replicas = d.replicas ?? 2;
    const labels = d.labels ?? { app: d.name };
    const image = d.image ?? 'web:1';
    this.workloads.set(`deployments/${namespace}/${d.name}`, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: d.name, namespace, uid: `uid-${d.name}` },
      spec: { replicas, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'app', image }] } } },
    });
    this.workloads.set(`replicasets/${namespace}/${d.name}-rs`, {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: `${d.name}-rs`,
        namespace,
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: d.name, uid: `uid-${d.name}`, controller: true }],
      },
      spec: { replicas },
    });
    const names: string[] = [];
    for (let i = 0; i < replicas; i++)
      names.push(this.replica(namespace, d.name, { labels, image, ...(d.digest ? { digest: d.digest } : {}), ...(d.node ? { node: d.node } : {}) }));
    return names;
  }

  private replica(namespace: string, deployment: string, t: { labels: Record<string, string>; image: string; digest?: string; node?: string }): string {
    const name = `${deployment}-rs-${(++this.seq).toString(36).padStart(5, 'x')}`;
    this.addPod({
      namespace,
      name,
      labels: t.labels,
      image: t.image,
      ...(t.digest ? { digest: t.digest } : {}),
      ...(t.node ? { node: t.node } : {}),
      owner: { kind: 'ReplicaSet', name: `${deployment}-rs` },
    });
    return name;
  }

  /**
   * Benchmarks: many pods kept as JSON text (one string each, not an object tree), so 100,000 pods
   * do not turn the double's heap into the thing being measured. Listed after the live pods;
   * read-only.
   */
  readonly rawPods: string[] = [];
  addRawPods(count: number, pod: (i: number) => Parameters<K8sCluster['addPod']>[0]): void {
    for (let i = 0; i < count; i++) {
      const p = this.addPod(pod(i));
      this.pods.delete(`${p.metadata.namespace}/${p.metadata.name}`);
      this.rawPods.push(JSON.stringify(p));
    }
  }

  addNode(name: string, instanceId: string, az = 'us-east-1a'): void {
    this.nodes.set(name, {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name, labels: { 'kubernetes.io/hostname': name } },
      spec: { providerID: `aws:///${az}/${instanceId}` },
    });
  }

  addPolicy(namespace: string, name: string, spec: Obj): void {
    this.policies.set(`${namespace}/${name}`, { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec });
  }

  addDaemonSet(name: string, containers: Obj[], namespace = 'kube-system'): void {
    this.workloads.set(`daemonsets/${namespace}/${name}`, {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name, namespace },
      spec: { template: { spec: { containers } } },
    });
  }

  addServiceAccount(namespace: string, name: string, annotations: Record<string, string> = {}): void {
    this.serviceAccounts.set(`${namespace}/${name}`, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace, annotations } });
  }

  /** RBAC refusal of `verb` on `resource` (`pods`, `networkpolicies.networking.k8s.io`, `pods/log`…). */
  deny(verb: string, resource: string): void {
    this.denied.add(`${verb} ${resource}`);
  }

  podsOf(namespace: string, deployment: string): Obj[] {
    return [...this.pods.values()].filter((p) => p.metadata.namespace === namespace && p.metadata.ownerReferences?.[0]?.name === `${deployment}-rs`);
  }

  /** What the ReplicaSet controller does after a pod left it. */
  reconcile(namespace: string, rsName: string): void {
    const rs = this.workloads.get(`replicasets/${namespace}/${rsName}`);
    const dep = rs ? this.workloads.get(`deployments/${namespace}/${rs.metadata.ownerReferences[0].name}`) : undefined;
    if (!dep) return;
    const want = dep.spec.replicas as number;
    const labels = dep.spec.template.metadata.labels as Record<string, string>;
    const matches = (p: Obj) =>
      p.metadata.namespace === namespace &&
      p.metadata.ownerReferences?.[0]?.name === rsName &&
      Object.entries(labels).every(([k, v]) => p.metadata.labels?.[k] === v);
    const have = [...this.pods.values()].filter(matches);
    for (const extra of have.slice(want)) this.pods.delete(`${namespace}/${extra.metadata.name}`);
    const template = { labels, image: dep.spec.template.spec.containers[0].image as string };
    for (let i = have.length; i < want; i++) this.replica(namespace, dep.metadata.name, template);
  }
}

export interface K8sDouble {
  /** `https://127.0.0.1:PORT` */
  origin: string;
  /** Base64 PEM of the CA, as DescribeCluster returns it. */
  caData: string;
  calls: K8sCall[];
  addCluster(name: string): K8sCluster;
  cluster(name: string): K8sCluster;
  /** Calls other than SelfSubjectAccessReviews (the ones that read or change something). */
  changes(): K8sCall[];
  close(): Promise<void>;
}

export interface K8sDoubleOptions {
  credentials: { accessKeyId: string; secretAccessKey: string };
  now?: () => number;
  /** Wall-clock delay before each answer (an API server's own latency; benchmarks only). */
  latencyMs?: number;
}

let pems: Promise<{ cert: string; key: string }> | undefined;
/** One CA-flagged self-signed certificate for 127.0.0.1, made once per process (RSA keygen is slow). */
function certificate() {
  pems ??= generate([{ name: 'commonName', value: 'kubernetes' }], {
    algorithm: 'sha256',
    keyType: 'ec',
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'keyUsage', keyCertSign: true, digitalSignature: true, keyEncipherment: true },
      { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] },
    ],
  }).then((r) => ({ cert: r.cert, key: r.private }));
  return pems;
}

async function tokenValid(header: string | undefined, cluster: string, opts: K8sDoubleOptions): Promise<boolean> {
  const url = decodeEksToken((header ?? '').replace(/^Bearer /, ''));
  if (url?.protocol !== 'https:' || !/^sts\.[a-z0-9-]+\.amazonaws\.com$/.test(url.hostname) || url.pathname !== '/') return false;
  const q = url.searchParams;
  if (q.get('Action') !== 'GetCallerIdentity' || q.get('Version') !== '2011-06-15' || q.get('X-Amz-Expires') !== '60') return false;
  if (!(q.get('X-Amz-SignedHeaders') ?? '').split(';').includes('x-k8s-aws-id')) return false;
  const date = q.get('X-Amz-Date') ?? '';
  const signedAt = Date.parse(date.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'));
  const now = (opts.now ?? Date.now)();
  if (!(signedAt <= now + 60_000 && now - signedAt < 15 * 60_000)) return false;
  const region = url.hostname.split('.')[1]!;
  const signer = new SignatureV4({ service: 'sts', region, credentials: opts.credentials, sha256: Sha256 });
  const again = await signer.presign(
    {
      method: 'GET',
      protocol: 'https:',
      hostname: url.hostname,
      path: '/',
      query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
      headers: { host: url.hostname, 'x-k8s-aws-id': cluster },
    },
    { expiresIn: 60, signingDate: new Date(signedAt) },
  );
  return again.query?.['X-Amz-Signature'] === q.get('X-Amz-Signature');
}

export async function startK8sDouble(opts: K8sDoubleOptions): Promise<K8sDouble> {
  const { cert, key } = await certificate();
  const clusters = new Map<string, K8sCluster>();
  const calls: K8sCall[] = [];
  let origin = '';
  const server: Server = createServer({ cert, key }, (req, res) => {
    void handle(req, res);
  });
  const send = (res: ServerResponse, status: number, body: unknown) => {
    const text = body instanceof RawJson ? body.text : typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/plain' : 'application/json' });
    res.end(text);
    return status;
  };
  const statusBody = (code: number, reason: string, message: string) => ({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message, reason, code });

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    const m = /^\/clusters\/([^/]+)(\/.*)$/.exec(url.pathname);
    const cluster = m ? clusters.get(m[1]!) : undefined;
    const path = m?.[2] ?? url.pathname;
    const method = req.method ?? 'GET';
    const body = raw ? (JSON.parse(raw) as unknown) : undefined;
    const route = routeOf(method, path);
    if (opts.latencyMs) await new Promise((r) => setTimeout(r, opts.latencyMs));
    const call: K8sCall = {
      cluster: cluster?.name ?? '?',
      method,
      path,
      query: url.searchParams,
      ...(req.headers['content-type'] ? { contentType: req.headers['content-type'] } : {}),
      ...(body !== undefined ? { body } : {}),
      status: 0,
      verb: route?.verb ?? '?',
      resource: route?.resource ?? '?',
    };
    calls.push(call);
    if (!cluster) {
      call.status = send(res, 404, statusBody(404, 'NotFound', 'no such cluster'));
      return;
    }
    if (!(await tokenValid(req.headers.authorization, cluster.name, opts))) {
      call.status = send(res, 401, statusBody(401, 'Unauthorized', 'Unauthorized'));
      return;
    }
    if (!route) {
      call.status = send(res, 404, statusBody(404, 'NotFound', `the server could not find the requested resource (${method} ${path})`));
      return;
    }
    if (cluster.denied.has(`${route.verb} ${route.resource}`)) {
      const [plural, group] = [route.resource.split('.')[0], route.resource.split('.').slice(1).join('.')];
      const msg = `${plural} ${route.name ? `"${route.name}" ` : ''}is forbidden: User "arn:aws:sts::123456789012:assumed-role/GuardDutyResponder/responder" cannot ${route.verb} resource "${plural}" in API group "${group}"${route.namespace ? ` in the namespace "${route.namespace}"` : ' at the cluster scope'}`;
      call.status = send(res, 403, statusBody(403, 'Forbidden', msg));
      return;
    }
    try {
      if (method !== 'GET') cluster.version += 1;
      const out = route.run(cluster, { body, query: url.searchParams, contentType: req.headers['content-type'] ?? '', mergePatch, applyJsonPatch });
      call.status = send(res, 200, out);
    } catch (err) {
      const e = err as { code?: number; reason?: string; message: string };
      call.status = send(res, e.code ?? 500, statusBody(e.code ?? 500, e.reason ?? 'InternalError', e.message));
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  origin = `https://127.0.0.1:${port}`;
  return {
    origin,
    caData: Buffer.from(cert).toString('base64'),
    calls,
    addCluster(name) {
      const c = new K8sCluster(name, `${origin}/clusters/${name}`);
      clusters.set(name, c);
      return c;
    },
    cluster: (name) => clusters.get(name)!,
    changes: () => calls.filter((c) => c.resource !== 'selfsubjectaccessreviews.authorization.k8s.io'),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
