/**
 * Parser for `scamper -O json` trace output: one JSON object per line. Objects of type "trace"
 * (one path) and "tracelb" (Paris MDA, every load-balanced branch: scamper-tracelb.ts) become
 * traces; the cycle-start/cycle-stop/cycle-def bookkeeping lines are skipped; any other type
 * (ping, dealias, ...) is an error, because the caller asked for traces.
 *
 *   {"type":"trace", "method":"udp-paris", "dst":"192.0.2.7", "dport":33435,
 *    "stop_reason":"COMPLETED", "hop_count":3, "firsthop":1,
 *    "hops":[{"addr":"198.18.0.1", "probe_ttl":1, "probe_id":1, "rtt":0.512,
 *             "icmp_type":11, "icmp_code":0}, ...]}
 *
 * `hops` lists replies, not hops: several replies may share a probe_ttl and TTLs without any
 * reply are absent (the whole key is absent when nothing answered). Hops are rebuilt per TTL from
 * `firsthop` to `hop_count` with the rules of hops.ts. The port is `dport` for udp and tcp
 * methods (for classic `udp` that is the first port; it increments per probe) and null for icmp.
 * One core, two forms: `ScamperJsonParser` for chunks, `parseScamperJson` for a whole string.
 */
import { ipFamily } from '../net/ip';
import type { Hop, Protocol, Side } from '../types';
import { buildHop, icmpMark, normalizeAddress, TraceParseError, type ParsedTrace, type ProbeReply } from './hops';
import { integer, isObject, rttOf, traceHead, type Fail, type JsonObject } from './scamper-fields';
import { convertTracelb } from './scamper-tracelb';

export interface ScamperJsonOptions {
  from: Side;
}

/** scamper trace methods and the protocol their probes use. */
export const SCAMPER_METHODS: Readonly<Record<string, Protocol>> = {
  'icmp-echo': 'icmp',
  'icmp-echo-paris': 'icmp',
  udp: 'udp',
  'udp-paris': 'udp',
  tcp: 'tcp',
  'tcp-ack': 'tcp',
};

const SKIPPED_TYPES = new Set(['cycle-start', 'cycle-stop', 'cycle-def']);


export class ScamperJsonParser {
  private lineNumber = 0;
  private pending = '';
  private readonly traces: ParsedTrace[] = [];

  constructor(private readonly options: ScamperJsonOptions) {}

  push(chunk: string): void {
    const lines = (this.pending + chunk).split('\n');
    this.pending = lines.pop() ?? '';
    for (const line of lines) this.line(line);
  }

  /** All traces of the output, in output order. */
  end(): ParsedTrace[] {
    if (this.pending !== '') this.line(this.pending);
    this.pending = '';
    return this.traces;
  }

  private line(raw: string): void {
    this.lineNumber++;
    const text = raw.trim();
    if (text === '') return;
    const fail: Fail = (problem) => {
      throw new TraceParseError('scamper-json', this.lineNumber, text, problem);
    };
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      fail(`not JSON (${(error as Error).message})`);
    }
    if (!isObject(value)) return fail('not a JSON object');
    const type = value.type;
    if (typeof type !== 'string') return fail('object without a "type"');
    if (SKIPPED_TYPES.has(type)) return;
    if (type === 'tracelb') return void this.traces.push(convertTracelb(value, this.options.from, fail));
    if (type !== 'trace') return fail(`unsupported object type ${JSON.stringify(type)} (expected "trace" or "tracelb")`);
    this.traces.push(convertTrace(value, this.options.from, fail));
  }
}

function convertTrace(trace: JsonObject, from: Side, fail: Fail): ParsedTrace {
  const { target, family, protocol, port } = traceHead(trace, SCAMPER_METHODS, '', fail);
  const firstHop = trace.firsthop === undefined ? 1 : integer(trace, 'firsthop', fail, { min: 1, max: 255 });
  const hopCount = integer(trace, 'hop_count', fail, { min: 0, max: 255 });
  const stopReason = trace.stop_reason;
  if (typeof stopReason !== 'string') fail(`"stop_reason" is not a string: ${JSON.stringify(stopReason)}`);

  const replies = trace.hops === undefined ? [] : trace.hops;
  if (!Array.isArray(replies)) return fail('"hops" is not an array');
  const byTtl = new Map<number, Array<{ order: number; probeId: number; reply: ProbeReply }>>();
  replies.forEach((reply: unknown, order) => {
    if (!isObject(reply)) fail(`hops[${order}] is not an object`);
    const r = reply as JsonObject;
    const where = `hops[${order}]`;
    const addr = r.addr;
    const ttl = integer(r, 'probe_ttl', fail, { min: 1, max: 255 }, where);
    const probeId = r.probe_id === undefined ? 0 : integer(r, 'probe_id', fail, { min: 0, max: 65535 }, where);
    const list = byTtl.get(ttl) ?? [];
    byTtl.set(ttl, list);
    // Some scamper versions and converters write an unanswered probe as addr "*": a lost probe,
    // like traceroute's `*`, not a broken file.
    if (addr === '*') {
      list.push({ order, probeId, reply: { ip: null, rttMs: null, marks: [] } });
      return;
    }
    if (typeof addr !== 'string' || ipFamily(addr) === 0) fail(`${where}.addr is not an IP address: ${JSON.stringify(addr)}`);
    const rtt = rttOf(r, fail, where);
    const marks: string[] = [];
    if (typeof r.icmp_type === 'number' && typeof r.icmp_code === 'number') {
      const nhmtu = typeof r.icmp_nhmtu === 'number' ? r.icmp_nhmtu : undefined;
      const mark = icmpMark(family, r.icmp_type, r.icmp_code, nhmtu);
      if (mark !== null) marks.push(mark);
    }
    list.push({ order, probeId, reply: { ip: normalizeAddress(addr as string), rttMs: rtt, marks } });
  });

  const lastTtl = Math.max(hopCount, ...byTtl.keys());
  const hops: Hop[] = [];
  for (let ttl = firstHop; ttl <= lastTtl; ttl++) {
    const probes = (byTtl.get(ttl) ?? []).sort((a, b) => a.probeId - b.probeId || a.order - b.order).map((p) => p.reply);
    hops.push(buildHop(ttl, probes));
  }
  return {
    from,
    target,
    protocol: protocol as Protocol,
    port,
    hops,
    targetName: null,
    tool: 'scamper',
    method: 'trace',
    destinationReached: stopReason === 'COMPLETED',
    stopReason: stopReason as string,
  };
}

/** Whole-output form of `ScamperJsonParser`. */
export function parseScamperJson(text: string, options: ScamperJsonOptions): ParsedTrace[] {
  const parser = new ScamperJsonParser(options);
  parser.push(text);
  return parser.end();
}
