import * as fs from 'fs';
import * as path from 'path';
import { parseScamperJson } from './scamper-json';

const FIXTURES = path.resolve(__dirname, '..', '..', 'test', 'fixtures', 'traceroute');
const real = (name: string) => parseScamperJson(fs.readFileSync(path.join(FIXTURES, name, 'input.jsonl'), 'utf8'), { from: 'A' });

describe('scamper tracelb (real output of the per-flow ECMP namespaces, capture-tracelb.sh)', () => {
  it('udp-sport: both branches at TTL 2, each with its own times; the port is the destination port', () => {
    const [trace] = real('real-scamper-tracelb-udp-sport-two-branches');
    expect(trace).toMatchObject({ tool: 'scamper', method: 'tracelb', protocol: 'udp', port: 53, target: '198.18.60.26', destinationReached: true, stopReason: null });
    expect(trace.hops.map((h) => [h.ttl, h.ip, h.otherIps])).toEqual([
      [1, '198.18.60.2', []],
      [2, '198.18.60.6', ['198.18.60.10']],
      [3, '198.18.60.14', []],
      [4, '198.18.60.26', []],
    ]);
    const two = trace.hops[1];
    expect(two.rttMs.length).toBeGreaterThan(0);
    expect(two.otherInterfaces?.[0].rttMs.length).toBeGreaterThan(0);
    // The first node's own replies are not in scamper's JSON: its hop has an address, no times.
    expect(trace.hops[0].rttMs).toEqual([]);
  });

  it('tcp-sport on unequal branches: two interfaces at TTL 2 and at TTL 3; the RST of the destination carries no mark', () => {
    const [trace] = real('real-scamper-tracelb-tcp-sport-unequal-branches');
    expect(trace).toMatchObject({ protocol: 'tcp', port: 443, method: 'tracelb' });
    expect(trace.hops.map((h) => [h.ttl, [h.ip, ...(h.otherIps ?? [])].sort()])).toEqual([
      [1, ['198.18.60.2']],
      [2, ['198.18.60.10', '198.18.60.6']],
      [3, ['198.18.60.14', '198.18.60.18']],
      [4, ['198.18.60.26']],
    ]);
    expect(trace.hops.flatMap((h) => h.marks ?? [])).toEqual([]);
  });

  it('icmp-echo: a load balancer that hashes ports sends every echo one way; the longer branch is seen whole', () => {
    const [trace] = real('real-scamper-tracelb-icmp-echo-unequal-branches');
    expect(trace).toMatchObject({ protocol: 'icmp', port: null });
    expect(trace.hops.map((h) => h.ip)).toHaveLength(5);
    expect(trace.hops.every((h) => (h.otherIps ?? []).length === 0)).toBe(true);
  });
});

describe('scamper tracelb, structure', () => {
  const base = { type: 'tracelb', method: 'udp-sport', dst: '192.0.2.9', dport: 53, firsthop: 1 };
  const parse = (o: object) => parseScamperJson(JSON.stringify(o), { from: 'B' });

  it('a "*" inside a link is an unanswered TTL, placed by its position', () => {
    const probe = (ttl: number, rtt: number) => ({ ttl, replies: [{ rtt, icmp_type: 11, icmp_code: 0 }] });
    const [trace] = parse({
      ...base,
      nodes: [{ addr: '192.0.2.1', linkc: 1, links: [[{ addr: '*' }], [{ addr: '192.0.2.9', probes: [probe(3, 4.5)] }]] }],
    });
    expect(trace.hops.map((h) => [h.ttl, h.ip, h.rttMs])).toEqual([
      [1, null, []],
      [2, null, []],
      [3, '192.0.2.9', [4.5]],
    ]);
  });

  it('a trace without nodes (nothing answered) has no hops; unknown methods and broken links are refused', () => {
    expect(parse(base)[0].hops).toEqual([]);
    expect(() => parse({ ...base, method: 'udp-paris' })).toThrow(/unknown tracelb "method" "udp-paris"/);
    expect(() => parse({ ...base, nodes: [{ addr: '192.0.2.1', links: {} }] })).toThrow(/nodes\[0\]\.links is not a non-empty array/);
    expect(() => parse({ ...base, nodes: [{ addr: 'x', links: [[]] }] })).toThrow(/nodes\[0\]\.addr is not an IP address or "\*"/);
    expect(() => parse({ ...base, nodes: [{ addr: '192.0.2.1', links: [[{ addr: '192.0.2.9', probes: [{ ttl: 2, replies: [{ rtt: 'x' }] }] }]] }] })).toThrow(/replies\[0\]\.rtt is not a time/);
  });
});
