import { parseScamperJson } from './scamper-json';
import { parseTracerouteText, type TracerouteTextOptions } from './traceroute-text';

const UDP: TracerouteTextOptions = { from: 'A', protocol: 'udp', port: null };

describe('traceroute text dialects', () => {
  it('reads BusyBox traceroute (Linux layout, its own packet size)', () => {
    const text = [
      'traceroute to 192.0.2.7 (192.0.2.7), 30 hops max, 38 byte packets',
      ' 1  198.18.0.1 (198.18.0.1)  0.451 ms  0.374 ms  0.354 ms',
      ' 2  *  *  *',
      ' 3  192.0.2.7 (192.0.2.7)  9.120 ms  9.004 ms  8.998 ms',
      '',
    ].join('\n');
    const trace = parseTracerouteText(text, UDP);
    expect(trace.hops.map((h) => [h.ttl, h.ip, h.rttMs])).toEqual([
      [1, '198.18.0.1', [0.451, 0.374, 0.354]],
      [2, null, []],
      [3, '192.0.2.7', [9.12, 9.004, 8.998]],
    ]);
    expect(trace.destinationReached).toBe(true);
  });

  it('keeps every responder of a BSD continuation line with its own times and AS, and its marks', () => {
    const text = [
      'traceroute to 192.0.2.7 (192.0.2.7), 64 hops max, 40 byte packets',
      ' 1  gw (198.18.0.1)  1.000 ms',
      '    198.18.0.5 (198.18.0.5)  2.000 ms !H',
      '    [AS64500] b.example (198.18.0.9)  3.000 ms !X',
      ' 2  * 192.0.2.7 (192.0.2.7)  5.000 ms !N *',
      '',
    ].join('\n');
    const trace = parseTracerouteText(text, UDP);
    expect(trace.hops[0]).toEqual({
      ttl: 1, ip: '198.18.0.1', rttMs: [1], country: null, otherIps: ['198.18.0.5', '198.18.0.9'], marks: ['!H', '!X'],
      otherInterfaces: [
        { ip: '198.18.0.5', rttMs: [2], country: null },
        { ip: '198.18.0.9', rttMs: [3], country: null, asn: 64500 },
      ],
    });
    expect(trace.hops[1]).toMatchObject({ ttl: 2, ip: '192.0.2.7', rttMs: [5], marks: ['!N'] });
  });

  it('accepts [AS...] and [*] before (BSD) or after (Linux -A) the address', () => {
    const text = [
      'traceroute to 192.0.2.7 (192.0.2.7), 30 hops max, 60 byte packets',
      ' 1  [*] gw (198.18.0.1)  1.0 ms',
      ' 2  r2 (198.18.1.1) [AS64500]  2.0 ms',
      ' 3  [AS64501] 192.0.2.7  3.0 ms',
      '',
    ].join('\n');
    expect(parseTracerouteText(text, UDP).hops.map((h) => h.ip)).toEqual(['198.18.0.1', '198.18.1.1', '192.0.2.7']);
  });

  it('reads traceroute6 headers after a "multiple addresses" warning', () => {
    const text = [
      'traceroute6: Warning: v6.example has multiple addresses; using 2001:db8::7',
      'traceroute6 to v6.example (2001:DB8::7) from 2001:db8::2, 64 hops max, 20 byte packets',
      ' 1  2001:db8::1  1.5 ms  1.4 ms  1.3 ms',
      '',
    ].join('\n');
    const trace = parseTracerouteText(text, UDP);
    expect(trace).toMatchObject({ target: '2001:db8::7', targetName: 'v6.example' });
    expect(trace.hops[0].ip).toBe('2001:db8::1');
  });

  it('refuses headerless output unless the caller allows it, and then has no target', () => {
    const text = ' 1  198.18.0.1  1.0 ms\n 2  * * *\n';
    expect(() => parseTracerouteText(text, UDP)).toThrow('line 1: expected the header');
    const trace = parseTracerouteText(text, { ...UDP, allowHeaderless: true });
    expect(trace).toMatchObject({ target: '', targetName: null, destinationReached: false });
    expect(trace.hops.map((h) => h.ttl)).toEqual([1, 2]);
  });

  it('names the line number and the escaped line of unknown text', () => {
    const text = 'traceroute to 192.0.2.7 (192.0.2.7), 30 hops max, 60 byte packets\n 1  198.18.0.1  1.0 ms\nbogus\t"line"\n';
    expect(() => parseTracerouteText(text, UDP)).toThrow(
      'traceroute output line 3: expected a hop line "TTL ADDRESS RTT ms ...": "bogus\\t\\"line\\""',
    );
    expect(() => parseTracerouteText('    198.18.0.5  2.0 ms\n', { ...UDP, allowHeaderless: true })).toThrow(
      'traceroute output line 1: expected the header',
    );
  });
});

describe('scamper JSON unanswered replies', () => {
  it('treats a reply whose addr is "*" as a probe without answer', () => {
    const line = JSON.stringify({
      type: 'trace', method: 'icmp-echo', dst: '192.0.2.7', stop_reason: 'COMPLETED', hop_count: 2, firsthop: 1,
      hops: [
        { addr: '*', probe_ttl: 1, probe_id: 1 },
        { addr: '198.18.0.1', probe_ttl: 1, probe_id: 2, rtt: 1.5 },
        { addr: '*', probe_ttl: 2, probe_id: 1 },
      ],
    });
    const [trace] = parseScamperJson(`${line}\n`, { from: 'A' });
    expect(trace.hops.map((h) => [h.ttl, h.ip, h.rttMs])).toEqual([
      [1, '198.18.0.1', [1.5]],
      [2, null, []],
    ]);
  });
});
