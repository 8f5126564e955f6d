/**
 * Deterministic identifiers (a counter, not randomness) so two runs of a test see the same ids,
 * shaped like AWS's: `eni-` + 17 hex, task ids of 32 hex, UUIDs for attachments.
 */
export class IdGenerator {
  private n = 0;

  hex(length: number): string {
    this.n += 1;
    // A mixed prefix so ids do not look alike, and the counter as a suffix so they are unique.
    let mixed = '';
    for (let k = 1; mixed.length < length; k++) mixed += (Math.imul(this.n * k, 0x9e3779b1) >>> 0).toString(16).padStart(8, '0');
    const counter = this.n.toString(16).padStart(6, '0');
    return (mixed.slice(0, Math.max(0, length - counter.length)) + counter).slice(-length);
  }

  /** `eni-0…` style: prefix + 17 hex digits. */
  resource(prefix: string): string {
    return `${prefix}-${this.hex(17)}`;
  }

  uuid(): string {
    const h = this.hex(32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }
}

export function ipToInt(ip: string): number {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) throw new Error(`bad IPv4 address ${ip}`);
  return (((parts[0]! << 24) >>> 0) + (parts[1]! << 16) + (parts[2]! << 8) + parts[3]!) >>> 0;
}

export function intToIp(n: number): string {
  return [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export function parseCidr(cidr: string): { base: number; bits: number; size: number } {
  const [ip, bitsText] = cidr.split('/');
  const bits = Number(bitsText);
  if (ip === undefined || !Number.isInteger(bits) || bits < 0 || bits > 32) throw new Error(`bad CIDR ${cidr}`);
  const size = 2 ** (32 - bits);
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return { base: (ipToInt(ip) & mask) >>> 0, bits, size };
}

export function cidrContains(cidr: string, ip: string): boolean {
  const { base, size } = parseCidr(cidr);
  const n = ipToInt(ip);
  return n >= base && n < base + size;
}
