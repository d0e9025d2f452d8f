/**
 * Matchers for black- and whitelist entries: host patterns, CIDR blocks, protocol/port, and the
 * built-in "not a service address" test. Pure functions over strings; invalid entries throw
 * with the entry's text so a config error names the value.
 */
import { isIP } from 'net';

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

/* ---- addresses and CIDR blocks ---- */

export interface Cidr {
  text: string;
  family: 4 | 6;
  network: bigint;
  prefixLength: number;
}

/** `a.b.c.d/len` or `v6::/len`; host bits must be zero (a typo would silently widen the block). */
export function parseCidr(text: string): Cidr {
  const m = /^([^/\s]+)\/(\d{1,3})$/.exec(text.trim());
  const family = m ? isIP(m[1]) : 0;
  if (!m || (family !== 4 && family !== 6)) throw new Error(`not a CIDR block: ${JSON.stringify(text)}`);
  const bits = family === 4 ? 32 : 128;
  const prefixLength = Number(m[2]);
  if (prefixLength > bits) throw new Error(`CIDR prefix length ${prefixLength} exceeds ${bits}: ${JSON.stringify(text)}`);
  const network = addressToBigInt(m[1]);
  if ((network & hostMask(bits, prefixLength)) !== 0n) throw new Error(`CIDR block has host bits set: ${JSON.stringify(text)}`);
  return { text: text.trim(), family, network, prefixLength };
}

function hostMask(bits: number, prefixLength: number): bigint {
  return (1n << BigInt(bits - prefixLength)) - 1n;
}

/** The address as a number; IPv6 may embed a dotted IPv4 tail (`::ffff:192.0.2.1`). */
export function addressToBigInt(address: string): bigint {
  const family = isIP(address);
  if (family === 4) return address.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
  if (family !== 6) throw new Error(`not an IP address: ${JSON.stringify(address)}`);
  let text = address.toLowerCase();
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.', lastColon)) {
    const v4 = addressToBigInt(text.slice(lastColon + 1));
    text = `${text.slice(0, lastColon + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const headParts = head ? head.split(':') : [];
  const tailParts = tail === undefined ? [] : tail ? tail.split(':') : [];
  const zeros = tail === undefined ? 0 : 8 - headParts.length - tailParts.length;
  return [...headParts, ...Array<string>(zeros).fill('0'), ...tailParts].reduce((acc, part) => (acc << 16n) | BigInt(parseInt(part, 16)), 0n);
}

const V4_MAPPED_PREFIX = 0xffffn << 32n;

/** Family and value of an address; an IPv4-mapped IPv6 address counts as IPv4. */
function addressKey(address: string): { family: 4 | 6; value: bigint } | null {
  const family = isIP(address);
  if (family === 0) return null;
  const value = addressToBigInt(address);
  if (family === 6 && value >> 32n === V4_MAPPED_PREFIX >> 32n) return { family: 4, value: value & 0xffffffffn };
  return { family: family as 4 | 6, value };
}

export function cidrContains(cidr: Cidr, address: string): boolean {
  const key = addressKey(address);
  if (!key || key.family !== cidr.family) return false;
  const bits = cidr.family === 4 ? 32 : 128;
  return (key.value & ~hostMask(bits, cidr.prefixLength)) === cidr.network;
}

/**
 * Addresses that are never a service endpoint and cannot be tracerouted across the Internet:
 * unspecified, loopback, link-local, multicast and limited broadcast (DHCP, mDNS, SSDP, ...).
 */
const LOCAL_SCOPE = ['0.0.0.0/8', '127.0.0.0/8', '169.254.0.0/16', '224.0.0.0/4', '255.255.255.255/32', '::/128', '::1/128', 'fe80::/10', 'ff00::/8'].map(parseCidr);

export function localScopeBlock(address: string): string | null {
  return LOCAL_SCOPE.find((cidr) => cidrContains(cidr, address))?.text ?? null;
}
