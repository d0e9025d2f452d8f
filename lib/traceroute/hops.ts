/**
 * The part both traceroute parsers share: probe replies of one TTL -> one contract `Hop`
 * (DESIGN 4.1), and the parse error they throw.
 *
 * Decisions (documented here once, applied to Debian traceroute text and scamper JSON alike):
 *  - one Hop per probed TTL, in TTL order; a TTL where no probe was answered is a Hop with
 *    `ip: null` and `rttMs: []` (traceroute's `* * *`), so hop numbers never shift;
 *  - `ip` is the FIRST address that answered at that TTL; `otherIps` lists the other distinct
 *    addresses (load balancers answer a TTL from several routers), in order of first answer;
 *  - `rttMs` holds the round-trip times of the probes answered by `ip` only, in probe order:
 *    RTT plausibility checks pair an address with its own times, and another router's times
 *    would make them lie. The other addresses' times go to `otherInterfaces` (one per entry
 *    of `otherIps`, same order), present only when there are other addresses;
 *  - `asn` (of `ip`, and of each other interface) is the first AS number printed for that
 *    address at that TTL, when the tool printed one;
 *  - `marks` collects the distinct annotations of the hop in order of first appearance:
 *    traceroute's `!H !N !P !S !F-<mtu> !X !V !C !<code>` and `<syn,ack>`-style extensions; scamper
 *    ICMP unreachable codes are translated to the same notation (see `icmpMark`);
 *  - `country` is null: geolocation is a later, separate pass.
 */
import type { Hop, HopInterface, Trace } from '../types';

/** Input text the parser cannot read: names the 1-based line number and the offending text. */
export class TraceParseError extends Error {
  constructor(
    readonly format: 'traceroute' | 'scamper-json',
    readonly line: number,
    readonly text: string,
    readonly problem: string,
  ) {
    super(`${format} output line ${line}: ${problem}: ${JSON.stringify(excerpt(text))}`);
    this.name = 'TraceParseError';
  }
}

function excerpt(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}...` : text;
}

/** A Trace as the parsers return it: the contract fields plus what the tool told us. */
export interface ParsedTrace extends Trace {
  tool: 'scamper' | 'traceroute';
  targetName: string | null;
  /** The last hop answered from the target address (or scamper stopped with COMPLETED). */
  destinationReached: boolean;
  /** scamper's stop_reason (COMPLETED, GAPLIMIT, UNREACH, LOOP, ...); null for traceroute text. */
  stopReason: string | null;
}

/** One probe at one TTL: the answering address (null = no answer), its RTT, its annotations. */
export interface ProbeReply {
  ip: string | null;
  rttMs: number | null;
  marks: string[];
  /** The AS number the tool printed for this address (traceroute -A / -a), when it did. */
  asn?: number;
}

export function buildHop(ttl: number, probes: readonly ProbeReply[]): Hop {
  const byIp = new Map<string, HopInterface>();
  for (const probe of probes) {
    if (probe.ip === null) continue;
    let found = byIp.get(probe.ip);
    if (!found) byIp.set(probe.ip, (found = { ip: probe.ip, rttMs: [], country: null }));
    if (probe.rttMs !== null) found.rttMs.push(probe.rttMs);
    if (found.asn === undefined && probe.asn !== undefined) found.asn = probe.asn;
  }
  const marks: string[] = [];
  for (const probe of probes) for (const mark of probe.marks) if (!marks.includes(mark)) marks.push(mark);
  const [first, ...others] = byIp.values();
  const hop: Hop = { ttl, ip: first?.ip ?? null, rttMs: first?.rttMs ?? [], country: null, otherIps: others.map((o) => o.ip), marks };
  if (first?.asn !== undefined) hop.asn = first.asn;
  if (others.length > 0) hop.otherInterfaces = others;
  return hop;
}

/** Every interface of a hop, `ip` first: what the analysis and geolocation walk over. Records
 *  written before `otherInterfaces` existed give their `otherIps` as interfaces without times. */
export function hopInterfaces(hop: Hop): HopInterface[] {
  const out: HopInterface[] = [];
  if (hop.ip) out.push({ ip: hop.ip, rttMs: hop.rttMs, country: hop.country, ...(hop.geo ? { geo: hop.geo } : {}), ...(hop.asn !== undefined ? { asn: hop.asn } : {}), ...(hop.as ? { as: hop.as } : {}), ...(hop.ixp !== undefined ? { ixp: hop.ixp } : {}) });
  const detailed = new Map((hop.otherInterfaces ?? []).map((i) => [i.ip, i]));
  for (const ip of hop.otherIps ?? []) out.push(detailed.get(ip) ?? { ip, rttMs: [], country: null });
  for (const i of hop.otherInterfaces ?? []) if (!(hop.otherIps ?? []).includes(i.ip)) out.push(i);
  return out;
}

/** Lower-case form so that IPv6 addresses compare as text. */
export function normalizeAddress(address: string): string {
  return address.toLowerCase();
}

export function reachedTarget(hops: readonly Hop[], target: string): boolean {
  const last = hops[hops.length - 1];
  if (!last) return false;
  return last.ip === target || (last.otherIps ?? []).includes(target);
}

/**
 * traceroute's notation for an ICMP reply that is neither "time exceeded" nor the destination's
 * own answer (Debian traceroute 2.1, traceroute.c). Returns null for replies that carry no mark.
 */
export function icmpMark(family: 4 | 6, type: number, code: number, nextHopMtu?: number): string | null {
  if (family === 4) {
    if (type !== 3) return null; // echo reply, time exceeded: no mark
    switch (code) {
      case 0: case 6: case 8: case 11: return '!N';
      case 1: case 7: case 12: return '!H';
      case 2: return '!P';
      case 3: return null; // port unreachable: the destination answered
      case 4: return nextHopMtu !== undefined ? `!F-${nextHopMtu}` : '!F';
      case 5: return '!S';
      case 9: case 10: case 13: return '!X';
      case 14: return '!V';
      case 15: return '!C';
      default: return `!${code}`;
    }
  }
  if (type !== 1) return null; // echo reply 129, time exceeded 3: no mark
  switch (code) {
    case 0: return '!N';
    case 1: return '!X';
    case 2: return '!S';
    case 3: return '!H';
    case 4: return null; // port unreachable: the destination answered
    default: return `!${code}`;
  }
}

/**
 * The countries one trace went through: the tracing node's country, then the country of each
 * hop's primary address in TTL order (other interfaces are alternatives, not steps), hops without
 * address or country left out, consecutive repeats collapsed. The workflow texts, the HTML map and
 * the anomalies read a trace this way.
 */
export function countrySequence(trace: Trace, startCountry: string): string[] {
  const out = [startCountry];
  for (const h of [...trace.hops].sort((x, y) => x.ttl - y.ttl)) if (h.ip && h.country && out[out.length - 1] !== h.country) out.push(h.country);
  return out;
}
