/**
 * Pure rules for placing deny entries in a network ACL.
 *
 * Facts (Amazon VPC User Guide, "Network ACL basics", "Network ACL rules", and the VPC quotas
 * page; checked with the search tool, see plan.ts):
 * - rules are evaluated lowest number first and the first match wins, so a deny only works
 *   below every allow rule that could match; we take free numbers from 1 upwards, below the
 *   lowest allow rule of that direction;
 * - user rule numbers run 1…32766;
 * - 20 rules per direction by default, counted separately for IPv4 and IPv6, the default deny
 *   rule included.
 */
import type { NetworkAclEntry } from '@aws-sdk/client-ec2';
import { ALL_PROTOCOLS, NACL_DEFAULT_DENY_RULE_IPV4, NACL_DEFAULT_DENY_RULE_IPV6, NACL_MAX_RULE_NUMBER, type IpFamily } from './types.js';

export function familyOf(cidr: string): IpFamily {
  return cidr.includes(':') ? 'ipv6' : 'ipv4';
}

/** `10.0.1.5` → `10.0.1.5/32`, `2001:db8::5` → `2001:db8::5/128`. */
export function hostCidr(address: string): string {
  return familyOf(address) === 'ipv6' ? `${address.toLowerCase()}/128` : `${address}/32`;
}

function entryCidr(e: NetworkAclEntry): string | undefined {
  return e.CidrBlock ?? e.Ipv6CidrBlock?.toLowerCase();
}

function isDefaultRule(e: NetworkAclEntry): boolean {
  return e.RuleNumber === NACL_DEFAULT_DENY_RULE_IPV4 || e.RuleNumber === NACL_DEFAULT_DENY_RULE_IPV6;
}

/** Lowest allow rule of a direction (the ceiling for our deny entries); 32767 when none. */
export function lowestAllowRule(entries: readonly NetworkAclEntry[], egress: boolean): number {
  let lowest = NACL_DEFAULT_DENY_RULE_IPV4;
  for (const e of entries) {
    if (e.Egress === egress && e.RuleAction === 'allow' && e.RuleNumber !== undefined && e.RuleNumber < lowest) lowest = e.RuleNumber;
  }
  return lowest;
}

/** An existing deny-all entry for exactly this host, placed where it takes effect. */
export function existingDeny(entries: readonly NetworkAclEntry[], egress: boolean, cidr: string): number | undefined {
  const ceiling = lowestAllowRule(entries, egress);
  const found = entries.find(
    (e) =>
      e.Egress === egress &&
      e.RuleAction === 'deny' &&
      e.Protocol === ALL_PROTOCOLS &&
      entryCidr(e) === cidr.toLowerCase() &&
      e.RuleNumber !== undefined &&
      e.RuleNumber < ceiling,
  );
  return found?.RuleNumber;
}

/** Entries counted against the quota for one direction and IP family. */
export function ruleCount(entries: readonly NetworkAclEntry[], egress: boolean, family: IpFamily): number {
  return entries.filter((e) => {
    if (e.Egress !== egress) return false;
    if (isDefaultRule(e)) return e.RuleNumber === (family === 'ipv4' ? NACL_DEFAULT_DENY_RULE_IPV4 : NACL_DEFAULT_DENY_RULE_IPV6);
    const c = entryCidr(e);
    return c !== undefined && familyOf(c) === family;
  }).length;
}

/**
 * `count` free rule numbers of one direction, lowest first, below the lowest allow rule.
 * `taken` are numbers already promised to other new entries.
 */
export function pickRuleNumbers(
  entries: readonly NetworkAclEntry[],
  egress: boolean,
  count: number,
  taken: ReadonlySet<number> = new Set(),
): { ok: true; numbers: number[] } | { ok: false; reason: string } {
  const used = new Set<number>(taken);
  for (const e of entries) if (e.Egress === egress && e.RuleNumber !== undefined) used.add(e.RuleNumber);
  const ceiling = Math.min(lowestAllowRule(entries, egress), NACL_MAX_RULE_NUMBER + 1);
  const numbers: number[] = [];
  for (let n = 1; n < ceiling && numbers.length < count; n++) if (!used.has(n)) numbers.push(n);
  if (numbers.length < count) {
    return {
      ok: false,
      reason: `has no free ${egress ? 'outbound' : 'inbound'} rule number below its lowest allow rule (${ceiling}), so a deny entry there would never be evaluated first`,
    };
  }
  return { ok: true, numbers };
}

export interface AclPlacement {
  /** New entries to create. */
  entries: { ruleNumber: number; egress: boolean; cidr: string; family: IpFamily }[];
  /** Hosts this ACL already denies (not ours: never recorded, never deleted). */
  alreadyDenied: { ruleNumber: number; egress: boolean; cidr: string }[];
  /** Set when nothing can be placed; no entries are planned then (all or nothing per ACL). */
  problem?: string;
}

/** Inbound (source = host) and outbound (destination = host) deny-all entries for every host. */
export function placeDenyEntries(entries: readonly NetworkAclEntry[], cidrs: readonly string[], ruleLimit: number): AclPlacement {
  const alreadyDenied: AclPlacement['alreadyDenied'] = [];
  const planned: AclPlacement['entries'] = [];
  for (const egress of [false, true]) {
    const needed: string[] = [];
    for (const cidr of cidrs) {
      const existing = existingDeny(entries, egress, cidr);
      if (existing !== undefined) alreadyDenied.push({ ruleNumber: existing, egress, cidr });
      else needed.push(cidr);
    }
    if (needed.length === 0) continue;
    for (const family of ['ipv4', 'ipv6'] as const) {
      const n = needed.filter((c) => familyOf(c) === family).length;
      if (n === 0) continue;
      const have = ruleCount(entries, egress, family);
      if (have + n > ruleLimit) {
        return {
          entries: [],
          alreadyDenied,
          problem: `is full: it has ${have} ${egress ? 'outbound' : 'inbound'} ${family === 'ipv4' ? 'IPv4' : 'IPv6'} rules and the quota is ${ruleLimit} (adding ${n} would exceed it)`,
        };
      }
    }
    const picked = pickRuleNumbers(entries, egress, needed.length);
    if (!picked.ok) return { entries: [], alreadyDenied, problem: picked.reason };
    needed.forEach((cidr, i) => {
      planned.push({ ruleNumber: picked.numbers[i]!, egress, cidr, family: familyOf(cidr) });
    });
  }
  return { entries: planned, alreadyDenied };
}
