import { DriverConfigError } from '../ssh/failures';
import { tracerouteArgv } from './traceroute';

describe('traceroute commands', () => {
  it('scamper: json output, paris methods for udp/icmp, the service port', () => {
    expect(tracerouteArgv({ backend: 'scamper', target: '198.19.220.14', protocol: 'tcp', port: 443 })).toEqual([
      'scamper', '-O', 'json', '-p', '20', '-c', 'trace -P tcp -d 443 -m 30 -q 2 -w 2', '-i', '198.19.220.14',
    ]);
    expect(tracerouteArgv({ backend: 'scamper', target: '198.19.220.14', protocol: 'udp', port: 3478 })[6]).toBe('trace -P udp-paris -d 3478 -m 30 -q 2 -w 2');
    expect(tracerouteArgv({ backend: 'scamper', target: '198.19.220.14', protocol: 'icmp', pps: 50 })).toContain('trace -P icmp-paris -m 30 -q 2 -w 2');
  });

  it('mda: scamper tracelb varying the source port (the service port stays), 95 % confidence, capped probes', () => {
    expect(tracerouteArgv({ backend: 'scamper', target: '198.19.220.14', protocol: 'tcp', port: 443, mda: true })).toEqual([
      'scamper', '-O', 'json', '-c', 'tracelb -P tcp-sport -d 443 -c 95 -q 2 -w 2 -W 15 -Q 1000', '-i', '198.19.220.14',
    ]);
    expect(tracerouteArgv({ backend: 'scamper', target: '198.19.220.14', protocol: 'udp', port: 3478, mda: true })[4]).toBe('tracelb -P udp-sport -d 3478 -c 95 -q 2 -w 2 -W 15 -Q 1000');
    expect(tracerouteArgv({ backend: 'scamper', target: '198.19.220.14', protocol: 'icmp', mda: true })[4]).toBe('tracelb -P icmp-echo -c 95 -q 2 -w 2 -W 15 -Q 1000');
    expect(() => tracerouteArgv({ backend: 'traceroute', target: '198.19.220.14', protocol: 'tcp', port: 443, mda: true })).toThrow('traceroute.mda: Paris MDA needs backend scamper, not "traceroute"');
  });

  it('traceroute: -n with -T/-U/-I and -p', () => {
    expect(tracerouteArgv({ backend: 'traceroute', target: '2001:db8:e0::14', protocol: 'tcp', port: 5222, maxHops: 20, queries: 1, waitSeconds: 1 })).toEqual([
      'traceroute', '-n', '-T', '-p', '5222', '-m', '20', '-q', '1', '-w', '1', '2001:db8:e0::14',
    ]);
    expect(tracerouteArgv({ backend: 'traceroute', target: 'h.example', protocol: 'udp', port: 53 }).slice(0, 5)).toEqual(['traceroute', '-n', '-U', '-p', '53']);
    expect(tracerouteArgv({ backend: 'traceroute', target: 'h.example', protocol: 'icmp' })).not.toContain('-p');
  });

  it.each([
    { backend: 'traceroute', target: '-oX', protocol: 'tcp', port: 80 },
    { backend: 'traceroute', target: '198.19.220.14', protocol: 'tcp', port: null },
    { backend: 'traceroute', target: '198.19.220.14', protocol: 'sctp', port: 80 },
    { backend: 'mtr', target: '198.19.220.14', protocol: 'tcp', port: 80 },
    { backend: 'scamper', target: '198.19.220.14', protocol: 'tcp', port: 80, pps: 0 },
  ])('rejects %j', (req) => {
    expect(() => tracerouteArgv(req as never)).toThrow(DriverConfigError);
  });
});
