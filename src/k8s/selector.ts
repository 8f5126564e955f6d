/**
 * Kubernetes label-selector evaluation (matchLabels AND every matchExpression), done here
 * because the API cannot answer "which NetworkPolicies select this pod": policies are listed and
 * their podSelector evaluated against the pod's labels. An empty selector selects every pod.
 */
import type { V1LabelSelector } from '@kubernetes/client-node';

export type Labels = Readonly<Record<string, string>>;

export function selectorMatches(selector: V1LabelSelector | undefined, labels: Labels): boolean {
  if (!selector) return true;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, e.key);
    const values = e.values ?? [];
    switch (e.operator) {
      case 'In':
        if (!has || !values.includes(labels[e.key]!)) return false;
        break;
      case 'NotIn':
        if (has && values.includes(labels[e.key]!)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        // An operator we do not know: assume it matches, so isolation never claims too much.
        break;
    }
  }
  return true;
}

/**
 * The pod labels whose removal makes `selector` stop matching: keys required by matchLabels,
 * `In` and `Exists`. Empty when only absence-based terms (NotIn, DoesNotExist) or nothing select
 * the pod — then no label change detaches it.
 */
export function labelsToDetach(selector: V1LabelSelector | undefined, labels: Labels): string[] {
  if (!selector) return [];
  const keys = new Set<string>();
  for (const k of Object.keys(selector.matchLabels ?? {})) if (k in labels) keys.add(k);
  for (const e of selector.matchExpressions ?? []) if ((e.operator === 'In' || e.operator === 'Exists') && e.key in labels) keys.add(e.key);
  return [...keys];
}

/** A string as a valid label value: ≤ 63 chars of [A-Za-z0-9-_.], alphanumeric at both ends. */
export function toLabelValue(s: string): string {
  const v = s
    .replace(/[^A-Za-z0-9._-]/g, '-')
    .slice(0, 63)
    .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
  return v || 'unknown';
}
