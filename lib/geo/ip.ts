/**
 * Geolocation's view of addresses (lib/net/ip.ts parses them): IPv4-mapped IPv6 addresses
 * (::ffff:a.b.c.d) are treated as the IPv4 address, so that a v4 correction also applies to a hop
 * that a dual-stack tool printed in mapped form; CIDR prefixes with longest-prefix lookup.
 */
import {
  addressBits, type IpAddress, type IpFamily, isIPv4Mapped, parseAddress, parsePrefix, PrefixError, prefixContains, unmapIPv4,
} from '../net/ip';

export type { IpFamily } from '../net/ip';

export type ParsedIp = IpAddress;

export interface Cidr extends ParsedIp {
  bits: number;
  text: string;
}

/** Parses an address (surrounding blanks and zone ids like %eth0 are dropped); null when it is
 *  not an IP address. */
export function parseIp(text: string): ParsedIp | null {
  const ip = parseAddress(text.trim().replace(/%.*$/, ''));
  return ip && unmapIPv4(ip);
}

/** Parses `a.b.c.d/n` or `x::/n` (a bare address is a host prefix, host bits are cleared);
 *  throws with the text. */
export function parseCidr(text: string): Cidr {
  const trimmed = text.trim();
  let prefix;
  try {
    prefix = parsePrefix(trimmed, { bareAddress: true, hostBits: 'clear' });
  } catch (err) {
    if (err instanceof PrefixError && err.problem === 'length') throw new Error(`bad prefix length in ${JSON.stringify(text)}`);
    throw new Error(`not a CIDR prefix: ${JSON.stringify(text)}`);
  }
  // A v4-mapped v6 prefix (::ffff:0:0/96 and longer) becomes the v4 prefix it covers.
  if (isIPv4Mapped(parseAddress(trimmed.split('/')[0])!)) {
    if (prefix.prefixLength < 96) throw new Error(`IPv4-mapped prefix shorter than /96: ${JSON.stringify(text)}`);
    return { family: 4, value: prefix.network & 0xffffffffn, bits: prefix.prefixLength - 96, text: trimmed };
  }
  return { family: prefix.family, value: prefix.network, bits: prefix.prefixLength, text: trimmed };
}

export function cidrContains(cidr: Cidr, ip: ParsedIp): boolean {
  return prefixContains({ family: cidr.family, network: cidr.value, prefixLength: cidr.bits }, ip);
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
      const host = BigInt(addressBits(ip.family) - bits);
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
