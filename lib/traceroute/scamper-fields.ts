import { ipFamily } from '../net/ip';
import type { Protocol } from '../types';
import { normalizeAddress } from './hops';

/** Field readers shared by the scamper JSON `trace` and `tracelb` converters: one error style. */
export type Fail = (problem: string) => never;
export type JsonObject = Record<string, unknown>;

export function integer(object: JsonObject, key: string, fail: Fail, range: { min: number; max: number }, where?: string): number {
  const value = object[key];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < range.min || value > range.max) {
    fail(`${where ? `${where}.` : ''}"${key}" is not an integer in ${range.min}..${range.max}: ${JSON.stringify(value)}`);
  }
  return value as number;
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A reply's round-trip time in ms (scamper prints it with microsecond precision). */
export function rttOf(reply: JsonObject, fail: Fail, where: string): number {
  const rtt = reply.rtt;
  if (typeof rtt !== 'number' || !Number.isFinite(rtt) || rtt < 0) fail(`${where}.rtt is not a time in ms: ${JSON.stringify(rtt)}`);
  return rtt as number;
}

/** What every scamper trace object starts with: the destination, and the method with its port
 *  (`dport` for udp/tcp methods, null for icmp). `kind` names the object in errors. */
export function traceHead(trace: JsonObject, methods: Readonly<Record<string, Protocol>>, kind: string, fail: Fail): { target: string; family: 4 | 6; protocol: Protocol; port: number | null } {
  const dst = trace.dst;
  if (typeof dst !== 'string' || ipFamily(dst) === 0) fail(`"dst" is not an IP address: ${JSON.stringify(dst)}`);
  const target = normalizeAddress(dst as string);
  const method = trace.method;
  const protocol = typeof method === 'string' ? methods[method] : undefined;
  if (protocol === undefined) fail(`unknown ${kind}"method" ${JSON.stringify(method)} (known: ${Object.keys(methods).join(', ')})`);
  const port = protocol === 'icmp' ? null : integer(trace, 'dport', fail, { min: 0, max: 65535 });
  return { target, family: ipFamily(target) === 6 ? 6 : 4, protocol: protocol as Protocol, port };
}
