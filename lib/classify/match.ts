/**
 * Matchers for black- and whitelist entries: host patterns, CIDR blocks, protocol/port, and the
 * built-in "not a service address" test. Pure functions over strings; invalid entries throw
 * with the entry's text so a config error names the value.
 */
import { type IpPrefix, parseAddress, parsePrefix, PrefixError, prefixContains, unmapIPv4 } from '../net/ip';

/* ---- host patterns ---- */

/**
 * Host patterns (the config's `hostPattern`): DNS names, case-insensitive, a trailing dot ignored.
 *  - `chat.example.net` matches exactly that name;
 *  - `*` inside a label matches any run of characters within that label (`e*.whatsapp.net`
 *    matches `e1.whatsapp.net`, not `e1.x.whatsapp.net`);
 *  - a leading `*.` matches ONE OR MORE labels: `*.google.com` matches `mtalk.google.com` and
 *    `a.b.google.com` but NOT `google.com` itself — list the apex separately when it is meant.
 */
export function compileHostPattern(pattern: string): RegExp {
  const text = normalizeName(pattern);
  if (!/^[a-z0-9*_-]+(\.[a-z0-9*_-]+)*$/.test(text)) throw new Error(`not a host name or pattern: ${JSON.stringify(pattern)}`);
  const labels = text.split('.');
  let prefix = '';
  if (labels[0] === '*' && labels.length > 1) {
    labels.shift();
    prefix = '(?:[a-z0-9_-]+\\.)+';
  }
  const body = labels.map((label) => label.split('*').map(escapeRegExp).join('[a-z0-9_-]*')).join('\\.');
  return new RegExp(`^${prefix}${body}$`);
}

/** Lower case, no trailing dot: the form names are compared in. */
export function normalizeName(name: string): string {
  const lower = name.trim().toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/* ---- addresses and CIDR blocks (parsed by lib/net/ip.ts) ---- */

export interface Cidr extends IpPrefix {
  text: string;
}

/** `a.b.c.d/len` or `v6::/len`; host bits must be zero (a typo would silently widen the block). */
export function parseCidr(text: string): Cidr {
  const trimmed = text.trim();
  try {
    return { text: trimmed, ...parsePrefix(trimmed) };
  } catch (err) {
    if (!(err instanceof PrefixError)) throw err;
    if (err.problem === 'host-bits') throw new Error(`CIDR block has host bits set: ${JSON.stringify(text)}`);
    if (err.problem === 'length' && /^\d+$/.test(err.lengthText ?? '')) {
      const bits = trimmed.includes(':') ? 128 : 32;
      throw new Error(`CIDR prefix length ${Number(err.lengthText)} exceeds ${bits}: ${JSON.stringify(text)}`);
    }
    throw new Error(`not a CIDR block: ${JSON.stringify(text)}`);
  }
}

/** The address as a number; IPv6 may embed a dotted IPv4 tail (`::ffff:192.0.2.1`). */
export function addressToBigInt(address: string): bigint {
  const ip = parseAddress(address);
  if (!ip) throw new Error(`not an IP address: ${JSON.stringify(address)}`);
  return ip.value;
}

/** Whether the address lies in the block; an IPv4-mapped IPv6 address counts as IPv4. */
export function cidrContains(cidr: Cidr, address: string): boolean {
  const ip = parseAddress(address);
  return ip !== null && prefixContains(cidr, unmapIPv4(ip));
}

/**
 * Addresses that are never a service endpoint and cannot be tracerouted across the Internet:
 * unspecified, loopback, link-local, multicast and limited broadcast (DHCP, mDNS, SSDP, ...).
 */
const LOCAL_SCOPE = ['0.0.0.0/8', '127.0.0.0/8', '169.254.0.0/16', '224.0.0.0/4', '255.255.255.255/32', '::/128', '::1/128', 'fe80::/10', 'ff00::/8'].map(parseCidr);

export function localScopeBlock(address: string): string | null {
  return LOCAL_SCOPE.find((cidr) => cidrContains(cidr, address))?.text ?? null;
}
