/**
 * IP addresses as bigints and CIDR prefixes with longest-prefix lookup. IPv4-mapped IPv6
 * addresses (::ffff:a.b.c.d) are treated as the IPv4 address, so that a v4 correction also
 * applies to a hop that a dual-stack tool printed in mapped form.
 */
import { isIP } from 'net';

export type IpFamily = 4 | 6;

export interface ParsedIp {
  family: IpFamily;
  value: bigint;
}

export interface Cidr extends ParsedIp {
  bits: number;
  text: string;
}

function parseV4(text: string): bigint {
  return text.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
}

function parseV6(text: string): bigint {
  let body = text;
  let tail: bigint[] = [];
  const lastColon = body.lastIndexOf(':');
  if (body.includes('.', lastColon)) {
    const v4 = parseV4(body.slice(lastColon + 1));
    tail = [v4 >> 16n, v4 & 0xffffn];
    body = `${body.slice(0, lastColon + 1)}0:0`;
  }
  const [head, rest] = body.split('::');
  const headParts = head ? head.split(':') : [];
  const restParts = rest !== undefined && rest !== '' ? rest.split(':') : [];
  const missing = rest === undefined ? 0 : 8 - headParts.length - restParts.length;
  const groups = [...headParts, ...Array<string>(missing).fill('0'), ...restParts].map((g) => BigInt(parseInt(g, 16)));
  if (tail.length) groups.splice(6, 2, ...tail);
  return groups.reduce((acc, g) => (acc << 16n) | g, 0n);
}

const MAPPED_PREFIX = 0xffffn << 32n;

/** Parses an address (zone ids like %eth0 are dropped); null when it is not an IP address. */
export function parseIp(text: string): ParsedIp | null {
  const clean = text.trim().replace(/%.*$/, '');
  const kind = isIP(clean);
  if (kind === 4) return { family: 4, value: parseV4(clean) };
  if (kind === 6) {
    const value = parseV6(clean);
    if (value >> 32n === 0xffffn && (value & ~0xffffffffn) === MAPPED_PREFIX) return { family: 4, value: value & 0xffffffffn };
    return { family: 6, value };
  }
  return null;
}

const width = (family: IpFamily): number => (family === 4 ? 32 : 128);

/** Parses `a.b.c.d/n` or `x::/n` (a bare address is a host prefix); throws with the text. */
export function parseCidr(text: string): Cidr {
  const [addr, bitsText, extra] = text.trim().split('/');
  const ip = extra === undefined ? parseIp(addr ?? '') : null;
  if (!ip) throw new Error(`not a CIDR prefix: ${JSON.stringify(text)}`);
  // A v4-mapped v6 prefix (::ffff:0:0/96 and longer) becomes the v4 prefix it covers.
  const written = isIP(addr.replace(/%.*$/, '')) as IpFamily;
  let bits = bitsText === undefined ? width(written) : Number(bitsText);
  if (!/^\d+$/.test(bitsText ?? '0') || bits > width(written)) throw new Error(`bad prefix length in ${JSON.stringify(text)}`);
  if (written === 6 && ip.family === 4) {
    if (bits < 96) throw new Error(`IPv4-mapped prefix shorter than /96: ${JSON.stringify(text)}`);
    bits -= 96;
  }
  const host = width(ip.family) - bits;
  const value = (ip.value >> BigInt(host)) << BigInt(host);
  return { family: ip.family, value, bits, text: `${text.trim()}` };
}

export function cidrContains(cidr: Cidr, ip: ParsedIp): boolean {
  if (cidr.family !== ip.family) return false;
  const host = BigInt(width(cidr.family) - cidr.bits);
  return ip.value >> host === cidr.value >> host;
}

/** Longest-prefix-match table; lookups walk prefix lengths from longest to shortest. */
export class PrefixTable<T> {
  private readonly byFamily = new Map<IpFamily, Map<number, Map<bigint, T>>>();

  set(cidr: Cidr, value: T): void {
    let byBits = this.byFamily.get(cidr.family);
    if (!byBits) this.byFamily.set(cidr.family, (byBits = new Map()));
    let entries = byBits.get(cidr.bits);
    if (!entries) byBits.set(cidr.bits, (entries = new Map()));
    entries.set(cidr.value, value);
  }

  lookup(ip: ParsedIp): T | undefined {
    const byBits = this.byFamily.get(ip.family);
    if (!byBits) return undefined;
    const lengths = [...byBits.keys()].sort((a, b) => b - a);
    for (const bits of lengths) {
      const host = BigInt(width(ip.family) - bits);
      const hit = byBits.get(bits)?.get((ip.value >> host) << host);
      if (hit !== undefined) return hit;
    }
    return undefined;
  }

  get size(): number {
    let n = 0;
    for (const byBits of this.byFamily.values()) for (const entries of byBits.values()) n += entries.size;
    return n;
  }
}

/**
 * Special-purpose ranges (RFC 6890 and successors): no public database knows where they are, so
 * only the corrections overlay can place them. 198.18.0.0/15 and 2001:db8::/32 are what the
 * emulated testbed uses.
 */
export const SPECIAL_PURPOSE_PREFIXES: readonly Cidr[] = [
  '0.0.0.0/8', '10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12',
  '192.0.0.0/24', '192.0.2.0/24', '192.168.0.0/16', '198.18.0.0/15', '198.51.100.0/24',
  '203.0.113.0/24', '224.0.0.0/4', '240.0.0.0/4',
  '::/127', '64:ff9b:1::/48', '100::/64', '2001:db8::/32', 'fc00::/7', 'fe80::/10', 'ff00::/8',
].map(parseCidr);

export function isSpecialPurpose(ip: ParsedIp): boolean {
  return SPECIAL_PURPOSE_PREFIXES.some((c) => cidrContains(c, ip));
}
