/**
 * The traceroute dialects users paste (FreeBSD, macOS, traceroute6) against jc's expected parses
 * (test/fixtures/traceroute/dialects/README.md). jc keeps every probe; our Hop keeps the first
 * answering address with its own times plus the other addresses (hops.ts), so jc's parse is
 * projected onto that shape before comparing, and each difference is reported by TTL and field.
 *
 * jc's 21 traceroute fixtures are all here. 15 agree hop for hop. The others:
 *  - refused, one TraceParseError naming the line (REFUSED): generic/traceroute1 is a web-page
 *    paste (`http://name  (addr)` and a bare `!`), generic/traceroute5 has `Internal (Internal)`
 *    where an address belongs, generic/traceroute-long-ipv6 a run of colons jc made up to test
 *    long fields: none is a real address, so a Hop built from them would lie;
 *  - read, and jc is the one that is wrong (JC_LOSES_INLINE_RESPONDERS): on a Linux hop line that
 *    names a second address (`a  1 ms b  2 ms`), jc files every probe under the first address;
 *    the parser keeps the other address in otherIps and only the first one's times in rttMs.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { Hop } from '../types';
import { parseTracerouteText, TracerouteTextParser, type TracerouteTextOptions } from './traceroute-text';

const DIR = path.resolve(__dirname, '..', '..', 'test', 'fixtures', 'traceroute', 'dialects');

interface JcExpected {
  destination_ip: string | null;
  hops: Array<{ hop: number; probes: Array<{ ip: string | null; rtt: number | null; asn?: number | null }> }>;
}

interface Comparable {
  ttl: number;
  ip: string | null;
  rttMs: number[];
  otherIps: string[];
  /** AS number of `ip`, and of each of `otherIps`: null where jc (or the input) gives none. */
  asn: number | null;
  otherAsns: Array<number | null>;
}

/** jc's per-probe hop -> the contract's per-hop view (first responder, its times, the others). */
export function projectJcHop(hop: JcExpected['hops'][number]): Comparable {
  const answered = hop.probes.filter((p): p is { ip: string; rtt: number | null; asn?: number | null } => p.ip !== null);
  const ip = answered.length > 0 ? answered[0].ip.toLowerCase() : null;
  const rttMs = answered.filter((p) => p.ip.toLowerCase() === ip && p.rtt !== null).map((p) => p.rtt as number);
  const otherIps = [...new Set(answered.map((p) => p.ip.toLowerCase()).filter((a) => a !== ip))];
  const asnOf = (address: string | null): number | null => answered.find((p) => p.ip.toLowerCase() === address)?.asn ?? null;
  return { ttl: hop.hop, ip, rttMs, otherIps, asn: asnOf(ip), otherAsns: otherIps.map(asnOf) };
}

/** Every disagreement as "TTL n: field: ours X, jc Y", so a failure names exactly what differs. */
export function differences(ours: readonly Hop[], jc: readonly Comparable[]): string[] {
  const out: string[] = [];
  if (ours.length !== jc.length) out.push(`hop count: ours ${ours.length}, jc ${jc.length}`);
  for (let i = 0; i < Math.min(ours.length, jc.length); i++) {
    const a = ours[i];
    const b = jc[i];
    const fields: Array<[string, unknown, unknown]> = [
      ['ttl', a.ttl, b.ttl],
      ['ip', a.ip, b.ip],
      ['rttMs', a.rttMs, b.rttMs],
      ['otherIps', a.otherIps ?? [], b.otherIps],
      ['asn', a.asn ?? null, b.asn],
      ['otherAsns', (a.otherIps ?? []).map((ip) => a.otherInterfaces?.find((i) => i.ip === ip)?.asn ?? null), b.otherAsns],
    ];
    for (const [name, x, y] of fields) {
      if (JSON.stringify(x) !== JSON.stringify(y)) out.push(`TTL ${b.ttl}: ${name}: ours ${JSON.stringify(x)}, jc ${JSON.stringify(y)}`);
    }
  }
  return out;
}

const REFUSED: Record<string, number> = {
  'generic--traceroute1': 1,
  'generic--traceroute5': 3,
  'generic--traceroute-long-ipv6': 3,
};

/** Fixture -> the TTLs whose Linux hop line names several addresses. */
const JC_LOSES_INLINE_RESPONDERS: Record<string, number[]> = {
  'generic--traceroute8': [9],
  'generic--traceroute-n-ipv4': [4],
  'generic--traceroute-n-ipv6': [3, 4, 6, 7, 8, 9, 10],
};

const fixtures = fs
  .readdirSync(DIR)
  .filter((f) => f.endsWith('.out'))
  .map((f) => f.slice(0, -'.out'.length))
  .sort();

describe('traceroute dialects agree with jc', () => {
  it('has the FreeBSD, macOS, traceroute6, AS, warning and headerless fixtures', () => {
    expect(fixtures.length).toBe(21);
    for (const name of fixtures) {
      expect([name, name in REFUSED || fs.existsSync(path.join(DIR, `${name}.expected.json`))]).toEqual([name, true]);
    }
  });

  it.each(fixtures)('%s', (name) => {
    const text = fs.readFileSync(path.join(DIR, `${name}.out`), 'utf8');
    const options: TracerouteTextOptions = { from: 'A', protocol: 'udp', port: null, allowHeaderless: true };
    const parse = () => parseTracerouteText(text, options);
    if (name in REFUSED) {
      expect(parse).toThrow(new RegExp(`^traceroute output line ${REFUSED[name]}: [^\n]+$`));
      return;
    }
    const expected = JSON.parse(fs.readFileSync(path.join(DIR, `${name}.expected.json`), 'utf8')) as JcExpected;
    const trace = parse();
    // A continuation line may arrive in a later ssh chunk than the hop line it extends.
    const streaming = new TracerouteTextParser(options);
    for (let i = 0; i < text.length; i += 7) streaming.push(text.slice(i, i + 7));
    expect(streaming.end()).toEqual(trace);
    const jc = expected.hops.map(projectJcHop);
    const known = JC_LOSES_INLINE_RESPONDERS[name] ?? [];
    const unexplained = differences(trace.hops, jc).filter((d) => !known.some((ttl) => d.startsWith(`TTL ${ttl}: rttMs:`) || d.startsWith(`TTL ${ttl}: otherIps:`) || d.startsWith(`TTL ${ttl}: otherAsns:`)));
    expect(unexplained).toEqual([]);
    for (const ttl of known) {
      const hop = trace.hops.find((h) => h.ttl === ttl);
      expect(hop?.otherIps?.length ?? 0).toBeGreaterThan(0);
      expect(jc.find((h) => h.ttl === ttl)?.otherIps).toEqual([]);
    }
    expect(trace.target).toBe(expected.destination_ip ?? '');
  });

  it('the AS numbers jc reads are compared too (macOS -a before the address, AS0 kept as printed)', () => {
    const asnHops = (name: string) => parseTracerouteText(fs.readFileSync(path.join(DIR, `${name}.out`), 'utf8'), { from: 'A', protocol: 'udp', port: null, allowHeaderless: true }).hops;
    expect(asnHops('osx-10.14.6--traceroute-asn').map((h) => h.asn ?? null)).toEqual([198949, 0, null, 7018]);
    const seven = asnHops('generic--traceroute7');
    expect(seven[0].asn).toBe(128742);
    // TTL 6: two routers answered, each with its own [AS0]
    expect(seven[5]).toMatchObject({ ip: '94.142.122.45', asn: 0, otherInterfaces: [{ ip: '94.142.122.44', asn: 0, rttMs: [41.479] }] });
  });
});

describe('differences', () => {
  it('names the TTL, the field and both values', () => {
    const ours: Hop[] = [{ ttl: 1, ip: '192.0.2.1', rttMs: [1], country: null, otherIps: [] }];
    expect(differences(ours, [{ ttl: 1, ip: '192.0.2.9', rttMs: [1], otherIps: [], asn: 64500, otherAsns: [] }])).toEqual([
      'TTL 1: ip: ours "192.0.2.1", jc "192.0.2.9"',
      'TTL 1: asn: ours null, jc 64500',
    ]);
    expect(differences([], [{ ttl: 1, ip: null, rttMs: [], otherIps: [], asn: null, otherAsns: [] }])).toEqual(['hop count: ours 0, jc 1']);
  });
});
