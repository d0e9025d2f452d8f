/**
 * IP addresses and prefixes: the one parser under every validator and matcher (config fields,
 * black/whitelists, geolocation corrections, driver arguments) and the RFC 5952 text form.
 * Pure: no Node `net`, no I/O.
 *
 * Addresses are accepted in exactly the forms Node's `net.isIP` accepts: dotted-quad IPv4 without
 * leading zeros; IPv6 with at most one "::" (standing for one or more zero groups), an optional
 * dotted IPv4 tail and an optional zone id (`fe80::1%eth0`, ignored in the value). Values are
 * bigints (IPv4: 32 bits, IPv6: 128 bits). Prefixes (`address/length`) never take a zone id.
 *
 * IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) keep family 6 here; `unmapIPv4` turns them into
 * the IPv4 address for matchers that treat them as such.
 */

export type IpFamily = 4 | 6;

export interface IpAddress {
  family: IpFamily;
  value: bigint;
}

/** A network: `network` has no bits set beyond `prefixLength` (unless parsed with hostBits 'keep'). */
export interface IpPrefix {
  family: IpFamily;
  network: bigint;
  prefixLength: number;
}

/** Bits in an address of the family: 32 or 128. */
export function addressBits(family: IpFamily): number {
  return family === 4 ? 32 : 128;
}

/* ---- parsing addresses ---- */

const V4_PART = /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]\d|\d)$/;
const V6_GROUP = /^[0-9a-fA-F]{1,4}$/;
const ZONE_ID = /%[0-9a-zA-Z.:-]+$/;

function parseV4(text: string): bigint | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  let value = 0n;
  for (const part of parts) {
    if (!V4_PART.test(part)) return null;
    value = (value << 8n) | BigInt(Number(part));
  }
  return value;
}

/** The 16-bit groups of `parts` (the last may be a dotted IPv4 tail when `tailMayBeV4`). */
function groupsOf(parts: string[], tailMayBeV4: boolean): number[] | null {
  const groups: number[] = [];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    if (V6_GROUP.test(part)) {
      groups.push(parseInt(part, 16));
    } else if (tailMayBeV4 && i === parts.length - 1 && part.includes('.')) {
      const v4 = parseV4(part);
      if (v4 === null) return null;
      groups.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
    } else {
      return null;
    }
  }
  return groups;
}

function parseV6(text: string): bigint | null {
  const halves = text.split('::');
  if (halves.length > 2) return null;
  let groups: number[] | null;
  if (halves.length === 1) {
    groups = groupsOf(text.split(':'), true);
    if (groups === null || groups.length !== 8) return null;
  } else {
    const head = halves[0] === '' ? [] : groupsOf(halves[0].split(':'), false);
    const tail = halves[1] === '' ? [] : groupsOf(halves[1].split(':'), true);
    // "::" stands for at least one zero group.
    if (head === null || tail === null || head.length + tail.length > 7) return null;
    groups = [...head, ...Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  }
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n);
}

/** Parses an address (a zone id on IPv6 is accepted and dropped); null when it is not one
 *  (also when it is not a string: config values arrive unchecked). No whitespace is skipped. */
export function parseAddress(text: string): IpAddress | null {
  if (typeof text !== 'string') return null;
  if (text.includes(':')) {
    const value = parseV6(text.replace(ZONE_ID, ''));
    return value === null ? null : { family: 6, value };
  }
  const value = parseV4(text);
  return value === null ? null : { family: 4, value };
}

/** 4, 6 or 0 (not an address): what `net.isIP` answers, without Node's `net`. */
export function ipFamily(text: string): 0 | IpFamily {
  return parseAddress(text)?.family ?? 0;
}

/* ---- IPv4-mapped addresses ---- */

const MAPPED_HIGH = 0xffffn; // ::ffff:0:0/96, shifted right by 32

export function isIPv4Mapped(ip: IpAddress): boolean {
  return ip.family === 6 && ip.value >> 32n === MAPPED_HIGH;
}

/** The IPv4 address of an IPv4-mapped IPv6 address; any other address unchanged. */
export function unmapIPv4(ip: IpAddress): IpAddress {
  return isIPv4Mapped(ip) ? { family: 4, value: ip.value & 0xffffffffn } : ip;
}

/* ---- text forms (RFC 5952) ---- */

/** Dotted quad of the 4 bytes at `offset`. */
export function formatIPv4(bytes: Uint8Array, offset = 0): string {
  return `${bytes[offset]}.${bytes[offset + 1]}.${bytes[offset + 2]}.${bytes[offset + 3]}`;
}

/**
 * RFC 5952 text of eight 16-bit groups: lower-case hex, no leading zeros, the longest run of two
 * or more zero groups shortened to "::" (the first run on a tie), and IPv4-mapped addresses in
 * mixed notation (::ffff:192.0.2.1, section 5) — what Wireshark and `ip` print.
 */
function formatGroups(groups: readonly number[]): string {
  if (groups[0] === 0 && groups[1] === 0 && groups[2] === 0 && groups[3] === 0 && groups[4] === 0 && groups[5] === 0xffff) {
    return `::ffff:${groups[6] >> 8}.${groups[6] & 0xff}.${groups[7] >> 8}.${groups[7] & 0xff}`;
  }
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestLen < 2) return groups.map((g) => g.toString(16)).join(':');
  const head = groups.slice(0, bestStart).map((g) => g.toString(16)).join(':');
  const tail = groups.slice(bestStart + bestLen).map((g) => g.toString(16)).join(':');
  return `${head}::${tail}`;
}

/** RFC 5952 text of the 16 bytes at `offset`. */
export function formatIPv6(bytes: Uint8Array, offset = 0): string {
  const groups = new Array<number>(8);
  for (let i = 0; i < 8; i++) groups[i] = (bytes[offset + 2 * i] << 8) | bytes[offset + 2 * i + 1];
  return formatGroups(groups);
}

/** Dotted quad or RFC 5952 text of an address. */
export function formatAddress(ip: IpAddress): string {
  if (ip.family === 4) {
    const v = Number(ip.value);
    return `${v >>> 24}.${(v >>> 16) & 0xff}.${(v >>> 8) & 0xff}.${v & 0xff}`;
  }
  const groups = new Array<number>(8);
  for (let i = 0; i < 8; i++) groups[i] = Number((ip.value >> BigInt(16 * (7 - i))) & 0xffffn);
  return formatGroups(groups);
}

/** `a.b.c.d/len` or RFC 5952 `x::/len`. */
export function formatPrefix(prefix: IpPrefix): string {
  return `${formatAddress({ family: prefix.family, value: prefix.network })}/${prefix.prefixLength}`;
}

/* ---- prefixes ---- */

/** Why a text is not a prefix: `syntax` (not `address/length`, or the address is not one),
 *  `length` (the length is not a decimal number up to 32 or 128), `host-bits` (bits beyond the
 *  length are set, with hostBits 'reject'). */
export type PrefixProblem = 'syntax' | 'length' | 'host-bits';

export class PrefixError extends Error {
  override readonly name = 'PrefixError';
  constructor(
    readonly problem: PrefixProblem,
    readonly text: string,
    /** the length as written, when `problem` is `length` */
    readonly lengthText?: string,
  ) {
    super(`not an IP prefix (${problem}): ${JSON.stringify(text)}`);
  }
}

export interface PrefixOptions {
  /** Bits set beyond the length: 'reject' (default; a typo would silently change the network),
   *  'clear' them, or 'keep' the address as written in `network`. */
  hostBits?: 'reject' | 'clear' | 'keep';
  /** A bare address is a host prefix (/32, /128); default false. */
  bareAddress?: boolean;
}

function hostMask(family: IpFamily, prefixLength: number): bigint {
  return (1n << BigInt(addressBits(family) - prefixLength)) - 1n;
}

/** Parses `address/length` (no whitespace, no zone id); throws PrefixError (also for a value
 *  that is not a string). */
export function parsePrefix(text: string, o: PrefixOptions = {}): IpPrefix {
  if (typeof text !== 'string') throw new PrefixError('syntax', String(text));
  const parts = text.split('/');
  if (parts.length > 2 || (parts.length === 1 && !o.bareAddress) || parts[0].includes('%')) throw new PrefixError('syntax', text);
  const address = parseAddress(parts[0]);
  if (!address) throw new PrefixError('syntax', text);
  const bits = addressBits(address.family);
  const lengthText = parts[1];
  const prefixLength = lengthText === undefined ? bits : /^\d+$/.test(lengthText) ? Number(lengthText) : NaN;
  if (!(prefixLength <= bits)) throw new PrefixError('length', text, lengthText);
  const mask = hostMask(address.family, prefixLength);
  const hostBits = o.hostBits ?? 'reject';
  if (hostBits === 'reject' && (address.value & mask) !== 0n) throw new PrefixError('host-bits', text);
  return { family: address.family, network: hostBits === 'keep' ? address.value : address.value & ~mask, prefixLength };
}

/** parsePrefix, null instead of an error. */
export function tryParsePrefix(text: string, o: PrefixOptions = {}): IpPrefix | null {
  try {
    return parsePrefix(text, o);
  } catch (err) {
    if (err instanceof PrefixError) return null;
    throw err;
  }
}

/** The IPv4 prefix an IPv4-mapped IPv6 prefix (::ffff:0:0/96 or longer) covers; null for any
 *  other prefix. */
export function unmapIPv4Prefix(prefix: IpPrefix): IpPrefix | null {
  if (prefix.prefixLength < 96 || !isIPv4Mapped({ family: prefix.family, value: prefix.network })) return null;
  return { family: 4, network: prefix.network & 0xffffffffn, prefixLength: prefix.prefixLength - 96 };
}

/** Whether `ip` lies in `prefix`; families never mix (unmap first where mapped addresses count as IPv4). */
export function prefixContains(prefix: IpPrefix, ip: IpAddress): boolean {
  if (prefix.family !== ip.family) return false;
  const shift = BigInt(addressBits(prefix.family) - prefix.prefixLength);
  return ip.value >> shift === prefix.network >> shift;
}

/** Whether two prefixes share any address (one contains the other). */
export function prefixesOverlap(a: IpPrefix, b: IpPrefix): boolean {
  if (a.family !== b.family) return false;
  const shift = BigInt(addressBits(a.family) - Math.min(a.prefixLength, b.prefixLength));
  return a.network >> shift === b.network >> shift;
}
