/**
 * Validation of config values before they are used in remote commands. Quoting (shell-quote.ts)
 * keeps values from being interpreted by the shell; validation keeps them from being interpreted
 * by the program as something else (an option, a different interface, a path outside a dir).
 */
import { ipFamily, tryParsePrefix } from '../../lib/net/ip';
import { DriverConfigError } from './failures';

export function ipAddress(value: unknown, what: string, family?: 4 | 6): string {
  if (typeof value !== 'string' || ipFamily(value) === 0) throw new DriverConfigError(`${what}: not an IP address: ${JSON.stringify(value)}`);
  if (family !== undefined && ipFamily(value) !== family) throw new DriverConfigError(`${what}: not an IPv${family} address: ${JSON.stringify(value)}`);
  return value;
}

/** "address/prefix" (host bits allowed, as `ip` takes them); returns it with the length
 *  normalised (no leading zeros). */
export function cidr(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new DriverConfigError(`${what}: not a CIDR string: ${JSON.stringify(value)}`);
  const prefix = tryParsePrefix(value, { hostBits: 'keep' });
  if (!prefix) throw new DriverConfigError(`${what}: not a CIDR prefix (address/len): ${JSON.stringify(value)}`);
  return `${value.slice(0, value.indexOf('/'))}/${prefix.prefixLength}`;
}

/** Linux interface name: 1-15 chars, no slash/space/colon, not "." or "..", no leading dash. */
export function interfaceName(value: unknown, what: string): string {
  if (typeof value !== 'string' || !/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,14}$/.test(value) || value === '.' || value === '..') {
    throw new DriverConfigError(`${what}: not a valid interface name (1-15 of [A-Za-z0-9_.-], no leading dash): ${JSON.stringify(value)}`);
  }
  return value;
}

export function port(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 65535) {
    throw new DriverConfigError(`${what}: not a port number 1-65535: ${JSON.stringify(value)}`);
  }
  return value;
}

export function integerInRange(value: unknown, what: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new DriverConfigError(`${what}: not an integer in ${min}..${max}: ${JSON.stringify(value)}`);
  }
  return value;
}

/** Absolute path of plain components ([A-Za-z0-9_.-]), no "..": safe as a remote file name. */
export function remotePath(value: unknown, what: string): string {
  if (typeof value !== 'string' || !/^(\/[A-Za-z0-9_.-]+)+\/?$/.test(value) || value.split('/').some((c) => c === '..' || c === '.')) {
    throw new DriverConfigError(`${what}: not an absolute path of plain components: ${JSON.stringify(value)}`);
  }
  return value;
}

/** Identifier used inside remote file names and comments: [A-Za-z0-9_-], 1-64 chars. */
export function identifier(value: unknown, what: string): string {
  if (typeof value !== 'string' || !/^[A-Za-z0-9_][A-Za-z0-9_-]{0,63}$/.test(value)) {
    throw new DriverConfigError(`${what}: not an identifier (1-64 of [A-Za-z0-9_-]): ${JSON.stringify(value)}`);
  }
  return value;
}

/** DNS name or IP (traceroute target). */
export function hostName(value: unknown, what: string): string {
  if (typeof value === 'string' && ipFamily(value) !== 0) return value;
  if (typeof value !== 'string' || value.length > 253 || !/^(?!-)[A-Za-z0-9-]{1,63}(\.(?!-)[A-Za-z0-9-]{1,63})*\.?$/.test(value)) {
    throw new DriverConfigError(`${what}: not an IP address or DNS name: ${JSON.stringify(value)}`);
  }
  return value;
}

/** A WireGuard PUBLIC key as `wg pubkey` prints it: 32 bytes, base64 (44 chars, one '='). */
export function wireguardKey(value: unknown, what: string): string {
  if (typeof value !== 'string' || !/^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/.test(value)) {
    // The value is not echoed: a key (maybe a private one pasted by mistake) stays out of errors.
    throw new DriverConfigError(`${what}: not a WireGuard key (44 base64 characters)`);
  }
  return value;
}
