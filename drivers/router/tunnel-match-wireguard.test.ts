import { tunnelSpec } from '../../activities/lab';
import { forEnd } from '../node/tunnel-spec';
import { matchWireguardTunnel, parseWireguardObservation, wireguardObservationScript, type WireguardObservation } from './tunnel-match-wireguard';

const SPEC = forEnd(tunnelSpec({ testbedIndex: 0, side: 'A', mode: 'wireguard', routerUnderlay: '198.19.1.10', nodeUnderlay: '198.18.4.101', phoneSubnet: '198.19.16.0/24' }), 'router');

// As BusyBox v1.35 `ip` and wg print them on a router running wireguard-go (private key masked).
const OBS: WireguardObservation = {
  addr: '2: mt-tn0-a-r: <POINTOPOINT,MULTICAST,NOARP,UP,LOWER_UP> mtu 1420 qdisc pfifo_fast qlen 500\n    link/[65534] \n    inet 198.19.128.1/30 scope global mt-tn0-a-r\n       valid_lft forever preferred_lft forever',
  dump: '(hidden)\tF7/YUytdfgj68fZDXjjYfZoSGXQu3ugii+B8qqntrB0=\t51820\toff\nKjgji2737jPed5e+68snnBHOamH5G93L0CRC+GLr9AY=\t(none)\t198.18.4.101:51820\t0.0.0.0/0\t1796327745\t692\t784\t25',
  rules: '0:\tfrom all lookup local \n1200:\tfrom 198.19.16.0/24 lookup 120 \n32766:\tfrom all lookup main ',
  route: 'default via 198.19.128.2 dev mt-tn0-a-r ',
  forward: '1',
  kernel: 'Linux 6.1.0',
};

describe('WireGuard tunnel match', () => {
  it('matches the tunnel as built', () => {
    expect(SPEC.name).toBe('mt-tn0-a-r');
    expect(matchWireguardTunnel(SPEC, OBS)).toEqual({ match: true });
  });

  it.each<[Partial<WireguardObservation>, RegExp, string | null]>([
    [{ addr: '' }, /no interface/, null],
    [{ dump: '' }, /not a WireGuard interface/, null],
    [{ dump: OBS.dump.replace('198.18.4.101:51820', '198.18.9.9:51820') }, /peer endpoint 198\.18\.9\.9:51820/, '198.18.9.9'],
    [{ dump: OBS.dump.replace('\t51820\toff', '\t51999\toff') }, /listen port 51999/, '198.18.4.101'],
    [{ addr: OBS.addr.replace('UP,LOWER_UP', 'LOWER_UP') }, /down/, '198.18.4.101'],
    [{ addr: OBS.addr.replace('198.19.128.1/30', '198.19.128.5/30') }, /no address/, '198.18.4.101'],
    [{ rules: '0:\tfrom all lookup local' }, /no rule/, '198.18.4.101'],
    [{ route: 'default via 198.19.128.6 dev mt-tn0-a-r' }, /no default route/, '198.18.4.101'],
    [{ forward: '0' }, /forwarding/, '198.18.4.101'],
  ])('mismatch %j', (change, reason, remote) => {
    const r = matchWireguardTunnel(SPEC, { ...OBS, ...change });
    expect(r).toMatchObject({ match: false, remote });
    if (!r.match) expect(r.reason).toMatch(reason);
  });

  it('script: masks the private key on the router; its sections parse back', () => {
    expect(wireguardObservationScript()).toContain(`NR==1{$1="(hidden)"}`);
    expect(wireguardObservationScript()).not.toMatch(/-j|ip -d/);
    const stdout = Object.entries(OBS).map(([k, v]) => `@@matador-wg-section ${k}\n${v}`).join('\n');
    expect(parseWireguardObservation(stdout)).toEqual(Object.fromEntries(Object.entries(OBS).map(([k, v]) => [k, v.trim()])));
  });
});
