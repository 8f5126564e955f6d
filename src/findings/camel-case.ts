/**
 * Re-cases the object KEYS of a GuardDuty finding from the SDK/CLI PascalCase (`EcsClusterDetails`)
 * to the wire camelCase (`ecsClusterDetails`) that EventBridge and the REST API use. Values are
 * data and never touched: tag keys/values, process names, ARNs stay exactly as sent.
 *
 * The rule is the one the GuardDuty service model uses: lower-case the first character only. Its
 * acronyms keep their case after the first letter (`IamInstanceProfile`→`iamInstanceProfile`,
 * `Ipv6Addresses`→`ipv6Addresses`, `EksClusterDetails`→`eksClusterDetails`, `HostIPC`→`hostIPC`,
 * `ETag`→`eTag`), so a "lower the whole leading acronym" rule would be wrong. The few members whose
 * wire name is not derived from the member name are listed in RENAMES (checked against the
 * `jsonName` traits in @aws-sdk/client-guardduty's schema, for every shape reachable from Finding).
 * Already camelCase input passes through unchanged.
 */

/** PascalCase member → wire name, where the wire name is not simply the first letter lowered. */
const RENAMES: Readonly<Record<string, string>> = {
  TaskCreatedAt: 'createdAt', // EcsTaskDetails
  SourceIps: 'sourceIPs', // KubernetesApiCallAction
  Latitude: 'lat',
  Longitude: 'lon',
  DNSLogs: 'dnsLogs',
  KubernetesResourcesTypes: 'type',
};

/** Renames that only apply under one parent (the same member name elsewhere keeps the plain rule). */
const RENAMES_BY_PARENT: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  productCodes: { Code: 'productCodeId', ProductType: 'productCodeType' },
};

/**
 * Members whose value is a map keyed by data (not by member names): how many levels of keys below
 * them are data. `affectedResources` is map<string,string>; anomaly `profiles` and `behavior` are
 * map<string, map<string, …>>. Keys at those levels are kept verbatim.
 */
const DATA_MAPS: Readonly<Record<string, number>> = {
  affectedResources: 1,
  AffectedResources: 1,
  profiles: 2,
  Profiles: 2,
  behavior: 2,
  Behavior: 2,
};

export function camelKey(key: string, parentKey?: string): string {
  const scoped = parentKey !== undefined ? RENAMES_BY_PARENT[parentKey]?.[key] : undefined;
  if (scoped) return scoped;
  const renamed = Object.hasOwn(RENAMES, key) ? RENAMES[key] : undefined;
  if (renamed) return renamed;
  return key.length > 0 ? key.charAt(0).toLowerCase() + key.slice(1) : key;
}

/** Deep copy of `value` with every object key camelCased (see module comment). */
export function camelizeKeys(value: unknown): unknown {
  return walk(value, undefined, 0, 0);
}

/** Guards against pathological nesting in untrusted input (a finding is < 15 levels deep). */
const MAX_DEPTH = 64;

function walk(value: unknown, parentKey: string | undefined, dataLevels: number, depth: number): unknown {
  if (depth > MAX_DEPTH) return undefined;
  if (Array.isArray(value)) return value.map((v) => walk(v, parentKey, dataLevels, depth + 1));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (dataLevels > 0) {
      // A data key: keep it, and the levels below it count down towards member names again.
      defineKey(out, k, walk(v, parentKey, dataLevels - 1, depth + 1));
      continue;
    }
    const key = camelKey(k, parentKey);
    defineKey(out, key, walk(v, key, DATA_MAPS[k] ?? 0, depth + 1));
  }
  return out;
}

/** Plain assignment would let a `__proto__` key from the input change the object's prototype. */
function defineKey(obj: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}
