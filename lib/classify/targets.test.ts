import { classifyFlows } from './classify';
import { pickTracerouteTargets, type EndpointLike } from './targets';
import type { ClassifierInput } from './types';

describe('pickTracerouteTargets', () => {
  const a: EndpointLike[] = [
    { ip: '198.18.50.10', port: 443, protocol: 'tcp', name: 'c.whatsapp.net', names: ['c.whatsapp.net'], class: 'messaging' },
    { ip: '198.18.50.20', port: 443, protocol: 'tcp', name: 'v.whatsapp.net', names: ['v.whatsapp.net'], class: 'app-background' },
    { ip: '2001:DB8:50::10', port: 443, protocol: 'tcp', name: null, names: [], class: 'messaging' },
  ];
  const b: EndpointLike[] = [
    { ip: '198.18.50.10', port: 443, protocol: 'tcp', name: 'g.whatsapp.net', names: ['g.whatsapp.net', 'c.whatsapp.net'], class: 'app-background' },
    { ip: '198.18.50.10', port: 5222, protocol: 'tcp', name: null, names: [], class: 'messaging' },
    { ip: '198.18.50.10', port: 443, protocol: 'udp', name: null, class: 'messaging' },
    { ip: '2001:db8:50:0::10', port: 443, protocol: 'tcp', name: 'e6.whatsapp.net', class: 'messaging' },
  ];

  it('dedups by (address, protocol, port) across both sides, merging names and classes', () => {
    expect(pickTracerouteTargets([...a, ...b])).toEqual([
      { ip: '198.18.50.10', protocol: 'tcp', port: 443, name: 'c.whatsapp.net', names: ['c.whatsapp.net', 'g.whatsapp.net'], classes: ['messaging', 'app-background'] },
      { ip: '198.18.50.20', protocol: 'tcp', port: 443, name: 'v.whatsapp.net', names: ['v.whatsapp.net'], classes: ['app-background'] },
      // two spellings of one IPv6 address are one target; the later endpoint supplies the name
      { ip: '2001:DB8:50::10', protocol: 'tcp', port: 443, name: 'e6.whatsapp.net', names: ['e6.whatsapp.net'], classes: ['messaging'] },
      { ip: '198.18.50.10', protocol: 'tcp', port: 5222, name: null, names: [], classes: ['messaging'] },
      { ip: '198.18.50.10', protocol: 'udp', port: 443, name: null, names: [], classes: ['messaging'] },
    ]);
  });

  it('keeps only the requested classes', () => {
    const targets = pickTracerouteTargets([...a, ...b], { classes: ['messaging'] });
    expect(targets.map((t) => `${t.protocol} ${t.ip} ${t.port}`)).toEqual([
      'tcp 198.18.50.10 443',
      'tcp 2001:DB8:50::10 443',
      'tcp 198.18.50.10 5222',
      'udp 198.18.50.10 443',
    ]);
  });

  it('takes the endpoints of a real classification and rejects a non-address', () => {
    const input: ClassifierInput = {
      side: 'A',
      capture: {
        flows: [
          { protocol: 'tcp', client: { ip: '198.18.7.100', port: 40000 }, server: { ip: '198.18.60.10', port: 8080 }, packets: 2, bytes: 200,
            firstSeen: '2015-10-01T12:00:20.000Z', lastSeen: '2015-10-01T12:00:20.500Z', packetTimes: [1443700820000, 1443700820500] },
        ],
      },
      messages: [{ index: 0, direction: 'A->B', sentAt: 1443700820100, receivedAt: 1443700821000 }],
      rules: { blacklist: { hosts: [], cidrs: [], ports: [] }, whitelist: { hosts: [], cidrs: ['198.18.60.0/24'] }, timers: { correlationWindowMs: 2000 } },
    };
    const result = classifyFlows(input);
    expect(pickTracerouteTargets(result.endpoints)).toEqual([
      { ip: '198.18.60.10', protocol: 'tcp', port: 8080, name: null, names: [], classes: ['messaging'] },
    ]);
    expect(() => pickTracerouteTargets([{ ip: 'chat.example.net', port: 443, protocol: 'tcp' }])).toThrow('not an IP address: "chat.example.net"');
  });
});
