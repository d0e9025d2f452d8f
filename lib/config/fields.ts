/**
 * Building blocks for the config schemas. Every leaf carries ONE human sentence of what it
 * expects ("a number >= 0"), used for every way the value can be wrong (wrong type, out of
 * range, bad pattern), so the error reads `expected a number >= 0, got "ten"` instead of zod's
 * per-check wording. Objects are strict: an unknown key is an error that suggests the closest
 * allowed key, because a typo in an optional key would otherwise be silently ignored.
 */
import { z } from 'zod';
import { ipFamily, type IpPrefix, prefixesOverlap, tryParsePrefix } from '../net/ip';
import { looksLikeKeyMaterial } from './errors';

export const expected = (what: string): string => `expected ${what}`;

export interface NumberOptions {
  min?: number;
  max?: number;
  /** exclusive lower bound */
  above?: number;
  int?: boolean;
}

/** Describe a number constraint the way a person would: `an integer between 1 and 65535`. */
export function describeNumber(o: NumberOptions): string {
  const noun = o.int ? 'an integer' : 'a number';
  if (o.min !== undefined && o.max !== undefined) return `${noun} between ${o.min} and ${o.max}`;
  if (o.above !== undefined) return `${noun} > ${o.above}`;
  if (o.min !== undefined) return `${noun} >= ${o.min}`;
  if (o.max !== undefined) return `${noun} <= ${o.max}`;
  return noun;
}

export function num(o: NumberOptions = {}, what = describeNumber(o)) {
  const error = expected(what);
  let s = z.number({ error });
  if (o.int) s = s.int({ error });
  if (o.min !== undefined) s = s.min(o.min, { error });
  if (o.max !== undefined) s = s.max(o.max, { error });
  if (o.above !== undefined) s = s.gt(o.above, { error });
  return s;
}

export const port = () => num({ int: true, min: 1, max: 65535 }, 'a port number (an integer between 1 and 65535)');

export { LIMITS } from './limits';
import { LIMITS } from './limits';

export const seconds = () => num({ min: 0, max: LIMITS.seconds });

/** A non-empty string, optionally matching `pattern`, described by `what`. */
export function str(what = 'a non-empty string', pattern?: RegExp) {
  const error = expected(what);
  let s = z.string({ error }).min(1, { error });
  if (pattern) s = s.regex(pattern, { error });
  return s;
}

/** Ids appear in workflow ids and task queues (`<campaign>/<app>/<nodeA>/<nodeB>`, `testbed-<id>`). */
export const ID_PATTERN = /^[a-z][a-z0-9-]*$/;
export const id = () =>
  str(`an id (at most ${LIMITS.idLength} of lowercase letters, digits and "-", starting with a letter)`, ID_PATTERN).max(LIMITS.idLength, {
    error: expected(`an id (at most ${LIMITS.idLength} of lowercase letters, digits and "-", starting with a letter)`),
  });

/**
 * A local file path (an SSH key, a known_hosts file): `~/` is the home directory, a relative
 * path is relative to the file that holds it (the loader resolves both). Pasted key material is
 * refused without echoing it: it must not reach terminals, logs or workflow history.
 */
export function pathRef(what: string) {
  const error = expected(`${what} (a path, not the key itself)`);
  return z
    .string({ error })
    .min(1, { error })
    .max(LIMITS.pathLength, { error: expected(`${what} of at most ${LIMITS.pathLength} characters`) })
    .refine((v) => !looksLikeKeyMaterial(v) && !/[\r\n]/.test(v), { error: `expected ${what}: this looks like key material, not a path (the value is not shown)` });
}

export function bool() {
  return z.boolean({ error: expected('true or false') });
}

export function literal<T extends string>(value: T) {
  return z.literal(value, { error: expected(JSON.stringify(value)) });
}

export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: expected(`one of ${values.map((v) => JSON.stringify(v)).join(', ')}`) });
}

/**
 * How the drivers run commands that need root on a router or node (drivers/ssh/privilege.ts):
 * auto = `sudo -n` when the login is not root, always = always, never = never (a non-root login
 * then fails privileged steps with privilege_denied).
 */
export const SUDO_MODES = ['auto', 'always', 'never'] as const;
export type SudoMode = (typeof SUDO_MODES)[number];
export const sudoMode = () => oneOf(SUDO_MODES);

export function list<T extends z.ZodType>(item: T, o: { min?: number; what?: string } = {}) {
  const what = o.what ?? 'a list';
  let s = z.array(item, { error: expected(what) });
  if (o.min) s = s.min(o.min, { error: expected(`${what} with at least ${o.min} entr${o.min === 1 ? 'y' : 'ies'}`) });
  return s;
}

/** A strict mapping: unknown keys are errors, with a "did you mean" for near misses. */
export function strict<S extends z.core.$ZodLooseShape>(shape: S, what = 'a mapping (key: value)') {
  const allowed = Object.keys(shape);
  return z.strictObject(shape, {
    error: (issue) => {
      if (issue.code === 'unrecognized_keys') return unknownKeyMessage(issue.keys[0] ?? '', allowed);
      return expected(what);
    },
  });
}

export function unknownKeyMessage(key: string, allowed: readonly string[]): string {
  const near = closest(key, allowed);
  return near ? `unknown key (did you mean "${near}"?)` : `unknown key (allowed: ${allowed.join(', ')})`;
}

function closest(key: string, candidates: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(key.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best !== null && bestDistance <= Math.max(2, Math.floor(key.length / 4)) ? best : null;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}

/* ---- network patterns ---- */

/**
 * Host patterns as used in black- and whitelists: DNS names in lower case whose labels may
 * contain `*` wildcards (`*.googleapis.com`, `e*.whatsapp.net`, `g-*.0.threema.ch`). A `*`
 * matches within one label only, except a leading `*.` which matches any number of labels.
 */
const HOST_PATTERN = /^(?=.{1,253}$)(\*|[a-z0-9*]([a-z0-9*-]{0,61}[a-z0-9*])?)(\.[a-z0-9*]([a-z0-9*-]{0,61}[a-z0-9*])?)*$/;
export const hostPattern = () =>
  str('a host name or pattern in lower case, "*" as wildcard (e.g. "*.whatsapp.net")', HOST_PATTERN);

/** A DNS name without wildcards. */
const HOST_NAME = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;
export function hostName() {
  const error = expected('a host name or IP address');
  return z.string({ error }).refine((v) => HOST_NAME.test(v) || ipFamily(v) !== 0, { error });
}

export function ipAddress() {
  return str('an IP address').refine((v) => ipFamily(v) !== 0, { error: expected('an IP address') });
}

/** `a.b.c.d/len` or `v6::/len` with no host bits set (a typo in either part changes the net). */
export function cidr() {
  const error = expected('a CIDR block with no host bits set, e.g. "198.18.0.0/15" or "2001:db8::/32"');
  return z.string({ error }).refine((v) => parseCidr(v) !== null, { error });
}

/** A parsed CIDR block (lib/net/ip.ts): family, network as a big integer, prefix length. */
export type ParsedCidr = IpPrefix;

/** `a.b.c.d/len` or `v6::/len` with no host bits set; null for anything else. */
export function parseCidr(text: string): ParsedCidr | null {
  return tryParsePrefix(text);
}

/* ---- values that end up in commands on routers and vantage nodes ----
 * The rules are those of drivers/ssh/validate.ts and drivers/node/tunnel-spec.ts (lib/ does not
 * import drivers; test/config-wiring.test.ts checks that both agree), so a value the
 * config accepts is never refused later over SSH, and a bad one fails at load with file, key
 * path and value instead of in the middle of a measurement. */

/** A Linux interface name: 1-15 characters (IFNAMSIZ), no slash, space or colon, no leading "-". */
export const INTERFACE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,14}$/;
export function interfaceName() {
  return str('a network interface name (1-15 of A-Z a-z 0-9 _ . -, starting with a letter, digit or "_", e.g. "wlan0")', INTERFACE_NAME);
}

/** An IPv4 address in dotted-quad form (the tunnel drivers are IPv4 only). */
export function ipv4Address(what = 'an IPv4 address') {
  const error = expected(what);
  return z.string({ error }).refine((v) => ipFamily(v) === 4, { error });
}

/** The phone LAN behind a WLAN router: IPv4 (as the tunnel), no host bits (`ip route` refuses
 *  them), and a real LAN that holds the router and a phone (/8../30: a /0 would pull the
 *  router's own traffic, SSH included, into the tunnel). */
export function phoneSubnet() {
  const error = expected('an IPv4 CIDR block with no host bits set and a prefix length between 8 and 30, e.g. "192.168.42.0/24"');
  return z.string({ error }).refine((v) => {
    const net = parseCidr(v);
    return net !== null && net.family === 4 && net.prefixLength >= 8 && net.prefixLength <= 30;
  }, { error });
}

/** An absolute remote path of plain components, no "." or "..": safe as a remote file name. */
export const REMOTE_PATH = /^(\/[A-Za-z0-9_.-]+)+\/?$/;
export function remoteDirectory() {
  const error = expected('an absolute directory path of plain components (A-Z a-z 0-9 _ . -, no "." or ".."), e.g. "/var/tmp/matador-captures"');
  return z.string({ error }).refine((v) => REMOTE_PATH.test(v) && !v.split('/').some((c) => c === '.' || c === '..'), { error });
}

/** Whether two parsed CIDR blocks of one family share any address. */
export const cidrsOverlap = prefixesOverlap;
