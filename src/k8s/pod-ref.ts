/**
 * The pod target of a `/guardduty` verb: `namespace/pod --cluster NAME` (or `--cluster=NAME`,
 * the flag before or after). Pure: the command grammar wires it in. Names are checked against
 * Kubernetes' own rules (DNS-1123 label for namespaces, subdomain for pods; EKS cluster names
 * 1-100 of [A-Za-z0-9_-], starting alphanumeric) so nothing odd reaches an API path.
 */
export interface PodCommandTarget {
  cluster: string;
  namespace: string;
  pod: string;
}

export type PodRefResult = { ok: true; target: PodCommandTarget } | { ok: false; error: string };

const NAMESPACE_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const POD_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const CLUSTER_RE = /^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/;
export const USAGE = 'Name the pod as `namespace/pod --cluster CLUSTER`, e.g. `web/shop-7d9f-x2kqp --cluster prod`.';

export function parsePodRef(text: string): PodRefResult {
  const words = text.trim().split(/\s+/).filter(Boolean);
  let cluster: string | undefined;
  const rest: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (w === '--cluster') {
      if (cluster !== undefined) return { ok: false, error: '`--cluster` is given twice.' };
      cluster = words[++i];
      if (cluster === undefined) return { ok: false, error: `\`--cluster\` needs a cluster name. ${USAGE}` };
    } else if (w.startsWith('--cluster=')) {
      if (cluster !== undefined) return { ok: false, error: '`--cluster` is given twice.' };
      cluster = w.slice('--cluster='.length);
    } else rest.push(w);
  }
  if (rest.length !== 1) return { ok: false, error: rest.length === 0 ? `No pod named. ${USAGE}` : `One pod at a time. ${USAGE}` };
  if (cluster === undefined) return { ok: false, error: `Which cluster? ${USAGE}` };
  if (!CLUSTER_RE.test(cluster)) return { ok: false, error: 'That is not an EKS cluster name (1-100 letters, digits, - or _).' };
  const parts = rest[0]!.split('/');
  if (parts.length !== 2) return { ok: false, error: `\`${rest[0]!.slice(0, 80)}\` is not namespace/pod. ${USAGE}` };
  const [namespace, pod] = parts as [string, string];
  if (namespace.length > 63 || !NAMESPACE_RE.test(namespace))
    return { ok: false, error: 'That is not a Kubernetes namespace name (lower-case letters, digits and -, at most 63).' };
  if (pod.length > 253 || !POD_RE.test(pod))
    return { ok: false, error: 'That is not a Kubernetes pod name (lower-case letters, digits, - and ., at most 253).' };
  return { ok: true, target: { cluster, namespace, pod } };
}
