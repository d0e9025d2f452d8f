/**
 * Parser for the text output of Debian's `traceroute` (Dmitry Butskoy's traceroute 2.1.x, the
 * `traceroute` package): default UDP, -U, -T, -I modes, with or without -n, IPv4 and IPv6; and of
 * the other dialects users paste: BusyBox traceroute (same layout), FreeBSD/macOS traceroute and
 * traceroute6 (`traceroute6 to ...` headers, `traceroute: Warning: ...` lines before the header,
 * `[AS1234]` before the address, and continuation lines: when another router answers a later probe
 * of the same TTL, BSD prints it on its own indented line without the TTL).
 *
 *   traceroute to example.org (192.0.2.7), 30 hops max, 60 byte packets
 *    1  gw (198.18.0.1)  0.512 ms  0.470 ms  0.455 ms
 *    2  * 198.18.1.1  9.1 ms !H *
 *    3  198.18.2.1  12.0 ms 198.18.2.5  12.3 ms  11.9 ms
 *
 * A hop line is the TTL and then one entry per probe: `*` (no answer) or round-trip time `<t> ms`;
 * the answering address is printed only when it differs from the previous answer of that TTL
 * (`name (addr)` without -n, `addr` with -n), and a probe's time may be followed by a mark
 * (`!H`, `!F-1500`, ...). After an address traceroute may print `<syn,ack>`-style (-O info) or MPLS
 * (`<MPLS:...>`, -e) extensions, kept as marks, `[AS1234]` (-A after the address; BSD -a before
 * it), kept as the address's AS number (`[*]`: no AS known), and `'-N'` (--back), ignored.
 *
 * The text does not say which probe method was used, so the caller passes protocol and port (it
 * knows the command it ran). Output without a header (pasted from the middle of a terminal) is
 * refused unless the caller allows it: a trace we ran ourselves always has one, so its absence
 * there means the output was cut. One core, two forms: `TracerouteTextParser` takes chunks as they
 * arrive (an ssh stream), `parseTracerouteText` a whole string.
 */
import { ipFamily } from '../net/ip';
import type { Hop, Protocol, Side } from '../types';
import { buildHop, normalizeAddress, reachedTarget, TraceParseError, type ParsedTrace, type ProbeReply } from './hops';

export interface TracerouteTextOptions {
  from: Side;
  /** The probe method of the command that ran: -T tcp, -U or default udp, -I icmp. */
  protocol: Protocol;
  /** The destination port of -T/-U runs (-p); null for icmp and for default UDP (port varies). */
  port: number | null;
  /** Accept hop lines without a preceding header; the trace's target is then '' (unknown). */
  allowHeaderless?: boolean;
}

const HEADER = /^traceroute6? to (\S+) \((\S+)\)(?: from (\S+))?, (\d+) hops max, (\d+) byte packets$/;
const HOP_LINE = /^\s*(\d+)(?:\s+(.*))?$/;
// BSD: another responder of the previous TTL, indented, without a TTL of its own.
const CONTINUATION_LINE = /^\s+(?!\d+(?:\s|$))(\S.*)$/;
// The tools' own diagnostics (e.g. "has multiple addresses; using ..."), printed before the header.
const TOOL_WARNING = /^traceroute6?: Warning: /;
const RTT = /^\d+(?:\.\d+)?$/;
const MARK = /^!(?:[A-Z](?:-\d+)?|\d+)?$/;
const EXTENSION = /^<[^<>\s]*>$/;
const AS_LOOKUP = /^\[[^\]\s]*\]$/;
const BACKWARD_HOPS = /^'-?\d+'$/;
const PARENTHESIZED = /^\((.+)\)$/;

export class TracerouteTextParser {
  private lineNumber = 0;
  private pending = '';
  private header: { name: string; address: string } | null = null;
  private headerless = false;
  private readonly hops: Hop[] = [];
  /** The probes of the last hop, so that a continuation line can add to them. */
  private lastProbes: ProbeReply[] = [];

  constructor(private readonly options: TracerouteTextOptions) {
    if (options.protocol === 'icmp' && options.port !== null) {
      throw new Error(`traceroute options: an icmp trace has no port (got port ${options.port})`);
    }
  }

  /** Feed a chunk of output; complete lines are parsed at once. */
  push(chunk: string): void {
    const lines = (this.pending + chunk).split('\n');
    this.pending = lines.pop() ?? '';
    for (const line of lines) this.line(line);
  }

  /** The trace; throws when the output ended before a header. */
  end(): ParsedTrace {
    if (this.pending !== '') this.line(this.pending);
    this.pending = '';
    if (!this.header && !(this.headerless && this.hops.length > 0)) {
      throw new TraceParseError('traceroute', this.lineNumber, '', 'output ended before the "traceroute to" header');
    }
    const target = this.header?.address ?? '';
    return {
      from: this.options.from,
      target,
      protocol: this.options.protocol,
      port: this.options.port,
      hops: this.hops,
      targetName: this.header && this.header.name !== this.header.address ? this.header.name : null,
      tool: 'traceroute',
      destinationReached: reachedTarget(this.hops, target),
      stopReason: null,
    };
  }

  private line(raw: string): void {
    this.lineNumber++;
    const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (text.trim() === '') return;
    const fail: (problem: string) => never = (problem) => {
      throw new TraceParseError('traceroute', this.lineNumber, text, problem);
    };
    if (!this.header && !this.headerless) {
      if (TOOL_WARNING.test(text)) return;
      const m = HEADER.exec(text.trim());
      if (m) {
        if (ipFamily(m[2]) === 0) fail(`the header's target ${JSON.stringify(m[2])} is not an IP address`);
        this.header = { name: m[1], address: normalizeAddress(m[2]) };
        return;
      }
      if (!this.options.allowHeaderless || !HOP_LINE.test(text)) {
        fail('expected the header "traceroute to NAME (ADDRESS), N hops max, N byte packets"');
      }
      this.headerless = true;
    }
    const previous = this.hops[this.hops.length - 1];
    const continuation = CONTINUATION_LINE.exec(text);
    if (continuation && previous) {
      this.lastProbes = [...this.lastProbes, ...parseProbes(continuation[1], fail)];
      this.hops[this.hops.length - 1] = buildHop(previous.ttl, this.lastProbes);
      return;
    }
    const m = HOP_LINE.exec(text);
    if (!m) return fail('expected a hop line "TTL ADDRESS RTT ms ..."');
    const ttl = Number(m[1]);
    if (ttl < 1 || (previous && ttl <= previous.ttl)) fail(`TTL ${ttl} does not follow TTL ${previous?.ttl ?? 0}`);
    this.lastProbes = parseProbes(m[2] ?? '', fail);
    this.hops.push(buildHop(ttl, this.lastProbes));
  }
}

/** The probe entries of one hop line (everything after the TTL). */
function parseProbes(rest: string, fail: (problem: string) => never): ProbeReply[] {
  const tokens = rest.split(/\s+/).filter((t) => t !== '');
  if (tokens.length === 0) fail('a hop line without probes');
  const probes: ProbeReply[] = [];
  let address: string | null = null;
  let addressWithoutTime = false; // an address must be followed by its probe's time
  let extensions: string[] = [];
  let asn: number | undefined; // of `address`
  let asnBefore: number | undefined; // BSD: printed before the address it belongs to
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    const next = tokens[i + 1];
    if (token === '*') {
      if (addressWithoutTime) fail(`address ${address} has no round-trip time`);
      probes.push({ ip: null, rttMs: null, marks: [] });
    } else if (RTT.test(token) && next === 'ms') {
      if (address === null) fail(`round-trip time ${token} ms before any address`);
      probes.push({ ip: address, rttMs: Number(token), marks: extensions, ...(asn !== undefined ? { asn } : {}) });
      extensions = [];
      addressWithoutTime = false;
      i++;
    } else if (MARK.test(token)) {
      const last = probes[probes.length - 1];
      if (!last || last.ip === null || addressWithoutTime) fail(`mark ${token} does not follow an answered probe`);
      last.marks.push(token);
    } else if (EXTENSION.test(token)) {
      if (!addressWithoutTime) fail(`extension ${token} does not follow an address`);
      extensions.push(token);
    } else if (AS_LOOKUP.test(token) && !addressWithoutTime && next !== undefined && startsAddress(next)) {
      asnBefore = asNumber(token); // macOS/FreeBSD -a print the AS before the address
    } else if (AS_LOOKUP.test(token) || BACKWARD_HOPS.test(token)) {
      if (!addressWithoutTime) fail(`annotation ${token} does not follow an address`);
      if (AS_LOOKUP.test(token)) asn = asNumber(token); // Linux -A: after the address
    } else {
      if (addressWithoutTime) fail(`address ${address} has no round-trip time`);
      const named = next !== undefined ? PARENTHESIZED.exec(next) : null;
      if (named && ipFamily(named[1]) !== 0) {
        address = normalizeAddress(named[1]); // `name (address)`: the name is not kept
        i++;
      } else if (ipFamily(token) !== 0) {
        address = normalizeAddress(token);
      } else {
        fail(`unexpected ${JSON.stringify(token)} (not "*", an address, "<time> ms" or a mark)`);
      }
      addressWithoutTime = true;
      asn = asnBefore;
      asnBefore = undefined;
    }
  }
  if (addressWithoutTime) fail(`address ${address} has no round-trip time`);
  return probes;
}

/** `[AS1234]` -> 1234; `[*]` and other lookups without a number -> undefined. */
function asNumber(token: string): number | undefined {
  const m = /^\[AS(\d{1,10})\]$/i.exec(token);
  return m ? Number(m[1]) : undefined;
}

/** Whether a token can open an address entry (`name` of `name (addr)`, or a bare address). */
function startsAddress(token: string): boolean {
  return token !== '*' && !RTT.test(token) && !MARK.test(token) && !EXTENSION.test(token) && !AS_LOOKUP.test(token);
}

/** Whole-output form of `TracerouteTextParser`. */
export function parseTracerouteText(text: string, options: TracerouteTextOptions): ParsedTrace {
  const parser = new TracerouteTextParser(options);
  parser.push(text);
  return parser.end();
}
