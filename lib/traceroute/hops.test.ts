import * as fs from 'fs';
import * as path from 'path';
import { buildHop, hopInterfaces, icmpMark, TraceParseError } from './hops';
import { parseTracerouteText } from './traceroute-text';

const FIXTURES = path.resolve(__dirname, '..', '..', 'test', 'fixtures', 'traceroute');

describe('icmpMark', () => {
  // The real-mark-* fixtures are traceroute's own output for ICMP codes sent by iptables REJECT:
  // scamper replies with the same codes must get the same marks.
  it.each([
    ['real-mark-N-net-unreachable', 0],
    ['real-mark-H-host-unreachable', 1],
    ['real-mark-P-protocol-unreachable', 2],
    ['real-mark-X-admin-prohibited', 13],
  ])('agrees with real traceroute output in %s (ICMP code %d)', (scenario, code) => {
    const text = fs.readFileSync(path.join(FIXTURES, scenario, 'input.txt'), 'utf8');
    const trace = parseTracerouteText(text, { from: 'A', protocol: 'udp', port: null });
    expect(trace.hops[0].marks).toEqual([icmpMark(4, 3, code)]);
  });

  it('gives no mark to time-exceeded, echo replies and port unreachable', () => {
    expect(icmpMark(4, 11, 0)).toBeNull();
    expect(icmpMark(4, 0, 0)).toBeNull();
    expect(icmpMark(4, 3, 3)).toBeNull();
    expect(icmpMark(6, 3, 0)).toBeNull();
    expect(icmpMark(6, 129, 0)).toBeNull();
    expect(icmpMark(6, 1, 4)).toBeNull();
  });

  it('uses the numeric form for codes without a letter', () => {
    expect(icmpMark(4, 3, 4, 1400)).toBe('!F-1400');
    expect(icmpMark(4, 3, 99)).toBe('!99');
    expect(icmpMark(6, 1, 1)).toBe('!X');
    expect(icmpMark(6, 1, 3)).toBe('!H');
  });
});

describe('buildHop', () => {
  it('takes the first answering address with its own times, lists the others once with theirs', () => {
    const hop = buildHop(4, [
      { ip: null, rttMs: null, marks: [] },
      { ip: '198.18.101.5', rttMs: 21.3, marks: [] },
      { ip: '198.18.101.9', rttMs: 21.8, marks: ['!H'] },
      { ip: '198.18.101.5', rttMs: 21.4, marks: ['!H'] },
      { ip: '198.18.101.9', rttMs: 21.9, marks: [] },
    ]);
    expect(hop).toEqual({
      ttl: 4, ip: '198.18.101.5', rttMs: [21.3, 21.4], country: null, otherIps: ['198.18.101.9'], marks: ['!H'],
      otherInterfaces: [{ ip: '198.18.101.9', rttMs: [21.8, 21.9], country: null }],
    });
  });

  it('keeps the AS number printed for each address (the first one seen at that TTL)', () => {
    const hop = buildHop(2, [
      { ip: '198.18.0.1', rttMs: 1, marks: [], asn: 64500 },
      { ip: '198.18.0.9', rttMs: 2, marks: [], asn: 0 },
      { ip: '198.18.0.1', rttMs: 3, marks: [], asn: 64501 },
    ]);
    expect(hop).toMatchObject({ ip: '198.18.0.1', asn: 64500, otherInterfaces: [{ ip: '198.18.0.9', asn: 0 }] });
    expect(buildHop(3, [{ ip: '198.18.0.2', rttMs: 1, marks: [] }])).not.toHaveProperty('asn');
  });

  it('hopInterfaces: every interface, ip first; old records (otherIps only) give interfaces without times', () => {
    const hop = buildHop(4, [
      { ip: '198.18.101.5', rttMs: 21.3, marks: [] },
      { ip: '198.18.101.9', rttMs: 21.8, marks: [] },
    ]);
    expect(hopInterfaces({ ...hop, country: 'DE' }).map((i) => [i.ip, i.rttMs, i.country])).toEqual([['198.18.101.5', [21.3], 'DE'], ['198.18.101.9', [21.8], null]]);
    const old = { ttl: 4, ip: '198.18.101.5', rttMs: [1], country: 'DE', otherIps: ['198.18.101.9'] };
    expect(hopInterfaces(old)).toEqual([{ ip: '198.18.101.5', rttMs: [1], country: 'DE' }, { ip: '198.18.101.9', rttMs: [], country: null }]);
    expect(hopInterfaces({ ttl: 5, ip: null, rttMs: [], country: null })).toEqual([]);
  });

  it('an unanswered TTL is a hop without address', () => {
    expect(buildHop(3, [{ ip: null, rttMs: null, marks: [] }])).toEqual({ ttl: 3, ip: null, rttMs: [], country: null, otherIps: [], marks: [] });
  });
});

describe('TraceParseError', () => {
  it('names the format, the line number and the offending text', () => {
    const text = 'traceroute to 198.18.40.7 (198.18.40.7), 30 hops max, 60 byte packets\n 1  198.18.7.1  0.4 ms\n 2  what?\n';
    expect(() => parseTracerouteText(text, { from: 'A', protocol: 'udp', port: null })).toThrow(
      'traceroute output line 3: unexpected "what?" (not "*", an address, "<time> ms" or a mark): " 2  what?"',
    );
    try {
      parseTracerouteText(text, { from: 'A', protocol: 'udp', port: null });
    } catch (error) {
      expect(error).toBeInstanceOf(TraceParseError);
      expect((error as TraceParseError).line).toBe(3);
    }
  });

  it('rejects a port for an icmp trace', () => {
    expect(() => parseTracerouteText('', { from: 'A', protocol: 'icmp', port: 80 })).toThrow('an icmp trace has no port (got port 80)');
  });
});
