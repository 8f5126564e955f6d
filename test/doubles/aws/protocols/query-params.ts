/**
 * Reads EC2 query-protocol parameters: flat `Key=value` pairs where lists are numbered from 1
 * (`GroupId.1`, `Filter.1.Name`, `Filter.1.Value.2`, `IpPermissions.1.IpRanges.1.CidrIp`).
 */
import { AwsServiceError } from '../service.js';

export interface Filter {
  name: string;
  values: string[];
}

export class QueryParams {
  constructor(readonly raw: Readonly<Record<string, string>>) {}

  str(key: string): string | undefined {
    return this.raw[key];
  }

  required(key: string): string {
    const v = this.raw[key];
    if (v === undefined || v === '') throw new AwsServiceError('MissingParameter', `The request must contain the parameter ${key}`);
    return v;
  }

  int(key: string): number | undefined {
    const v = this.raw[key];
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n)) throw new AwsServiceError('InvalidParameterValue', `Value (${v}) for parameter ${key} is invalid. Expected an integer.`);
    return n;
  }

  bool(key: string): boolean | undefined {
    const v = this.raw[key];
    if (v === undefined) return undefined;
    return v === 'true';
  }

  /** `Prefix.1`, `Prefix.2`, … until the first gap. */
  list(prefix: string): string[] {
    const out: string[] = [];
    for (let i = 1; ; i++) {
      const v = this.raw[`${prefix}.${i}`];
      if (v === undefined) break;
      out.push(v);
    }
    return out;
  }

  /** Numbered structures: returns a QueryParams view of each `Prefix.N.*` (rebased to its fields). */
  structs(prefix: string): QueryParams[] {
    const groups = new Map<number, Record<string, string>>();
    const head = `${prefix}.`;
    for (const [k, v] of Object.entries(this.raw)) {
      if (!k.startsWith(head)) continue;
      const rest = k.slice(head.length);
      const dot = rest.indexOf('.');
      const idx = Number(dot === -1 ? rest : rest.slice(0, dot));
      if (!Number.isInteger(idx) || dot === -1) continue;
      let g = groups.get(idx);
      if (!g) {
        g = {};
        groups.set(idx, g);
      }
      g[rest.slice(dot + 1)] = v;
    }
    return [...groups.entries()].sort((a, b) => a[0] - b[0]).map(([, g]) => new QueryParams(g));
  }

  /** A nested structure `Prefix.Field` as its own view. */
  struct(prefix: string): QueryParams | undefined {
    const head = `${prefix}.`;
    const g: Record<string, string> = {};
    let found = false;
    for (const [k, v] of Object.entries(this.raw)) {
      if (k.startsWith(head)) {
        g[k.slice(head.length)] = v;
        found = true;
      }
    }
    return found ? new QueryParams(g) : undefined;
  }

  filters(): Filter[] {
    return this.structs('Filter').map((f) => ({ name: f.str('Name') ?? '', values: f.list('Value') }));
  }

  /** `Tag.N.Key/Value` (CreateTags) or `TagSpecification.N.Tag.N.*` for one resource type. */
  tags(prefix = 'Tag'): { key: string; value: string }[] {
    return this.structs(prefix).map((t) => ({ key: t.str('Key') ?? '', value: t.str('Value') ?? '' }));
  }
}
