import { DriverConfigError } from '../ssh/failures';
import { endInterfaceName, forEnd, nodeDownSteps, nodeUpSteps, routerDownSteps, routerUpSteps, TunnelSpec, validateTunnelSpec } from './tunnel-spec';

const spec: TunnelSpec = {
  name: 'mt-tun0',
  mode: 'gre',
  routerUnderlay: '198.19.220.10',
  nodeUnderlay: '198.19.220.6',
  routerInner: '198.19.220.17',
  nodeInner: '198.19.220.18',
  innerPrefixLength: 30,
  phoneSubnet: '198.19.220.128/28',
  table: 120,
  rulePriority: 1200,
};

describe('tunnel commands', () => {
  it('router end: link, address, default via node in its own table, rule for the phone subnet', () => {
    expect(routerUpSteps(spec)).toEqual([
      ['sysctl', '-q', '-w', 'net.ipv4.ip_forward=1'],
      ['ip', 'link', 'add', 'mt-tun0', 'type', 'gre', 'local', '198.19.220.10', 'remote', '198.19.220.6', 'ttl', '64'],
      ['ip', 'addr', 'add', '198.19.220.17/30', 'dev', 'mt-tun0'],
      ['ip', 'link', 'set', 'mt-tun0', 'up'],
      ['ip', '-4', 'route', 'replace', 'default', 'via', '198.19.220.18', 'dev', 'mt-tun0', 'table', '120'],
      ['ip', 'rule', 'add', 'from', '198.19.220.128/28', 'lookup', '120', 'priority', '1200'],
    ]);
    expect(routerDownSteps(spec)[0]).toEqual(['ip', 'rule', 'del', 'from', '198.19.220.128/28', 'lookup', '120', 'priority', '1200']);
  });

  it('node end: mirrored link, return route, masquerade out of the egress interface; down deletes the same rules', () => {
    const up = nodeUpSteps({ ...spec, mode: 'vxlan', vni: 7 }, 'eth0');
    expect(up[1]).toEqual(['ip', 'link', 'add', 'mt-tun0', 'type', 'vxlan', 'id', '7', 'local', '198.19.220.6', 'remote', '198.19.220.10', 'dstport', '4789', 'ttl', '64']);
    expect(up).toContainEqual(['ip', 'route', 'replace', '198.19.220.128/28', 'via', '198.19.220.17', 'dev', 'mt-tun0']);
    expect(up).toContainEqual(['iptables', '-w', '5', '-t', 'nat', '-A', 'POSTROUTING', '-s', '198.19.220.128/28', '-o', 'eth0', '-m', 'comment', '--comment', 'matador-tunnel:mt-tun0', '-j', 'MASQUERADE']);
    const ruleBodies = (steps: readonly (readonly string[])[]) => steps.filter((s) => s[0] === 'iptables').map((s) => s.slice(6).join(' '));
    expect(ruleBodies(nodeDownSteps(spec, 'eth0'))).toEqual(ruleBodies(nodeUpSteps(spec, 'eth0')));
    expect(nodeDownSteps(spec, 'eth0').every((s) => s[0] !== 'iptables' || s[5] === '-D')).toBe(true);
  });

  it.each([{ mode: 'wireguard', name: 'mt-tunnel0-abcd' }, { mode: 'wireguard', wireguard: { router: { listenPort: 0 }, node: { listenPort: 51820 } } }, { mode: 'wireguard', wireguard: { router: { listenPort: 51820, privateKeyFile: 'key; rm -rf /' }, node: { listenPort: 51820 } } }, { name: 'a b' }, { routerUnderlay: '2001:db8::1' }, { phoneSubnet: '2001:db8:e0::/64' }, { innerPrefixLength: 32 }, { table: 253 }, { rulePriority: 0 }, { vni: 0 }])(
    'rejects %j',
    (bad) => {
      expect(() => validateTunnelSpec({ ...spec, ...(bad as Partial<TunnelSpec>) })).toThrow(DriverConfigError);
    },
  );

  describe('wireguard', () => {
    const NODE_PUB = 'Kjgji2737jPed5e+68snnBHOamH5G93L0CRC+GLr9AY=';
    const ROUTER_PUB = 'F7/YUytdfgj68fZDXjjYfZoSGXQu3ugii+B8qqntrB0=';
    const wg = validateTunnelSpec({ ...spec, mode: 'wireguard', wireguard: { router: { listenPort: 51830 }, node: { listenPort: 51831, privateKeyFile: '/etc/wireguard/node.key' } } });

    it('is accepted, with one interface name per end within IFNAMSIZ', () => {
      expect(wg.wireguard).toEqual({ router: { listenPort: 51830 }, node: { listenPort: 51831, privateKeyFile: '/etc/wireguard/node.key' } });
      expect([endInterfaceName(wg, 'router'), endInterfaceName(wg, 'node')]).toEqual(['mt-tun0-r', 'mt-tun0-n']);
      expect(endInterfaceName(spec, 'router')).toBe('mt-tun0');
      expect(validateTunnelSpec({ ...spec, mode: 'wireguard' }).wireguard).toEqual({ router: { listenPort: 51820 }, node: { listenPort: 51820 } });
    });

    it('router end: no link add (prepared before), peer = node key dialled at its port, MTU 1420, policy routing', () => {
      const r = forEnd(wg, 'router');
      expect(routerUpSteps(r, NODE_PUB)).toEqual([
        ['sysctl', '-q', '-w', 'net.ipv4.ip_forward=1'],
        ['wg', 'set', 'mt-tun0-r', 'peer', NODE_PUB, 'endpoint', '198.19.220.6:51831', 'allowed-ips', '0.0.0.0/0', 'persistent-keepalive', '25'],
        ['ip', 'link', 'set', 'mt-tun0-r', 'mtu', '1420'],
        ['ip', 'addr', 'add', '198.19.220.17/30', 'dev', 'mt-tun0-r'],
        ['ip', 'link', 'set', 'mt-tun0-r', 'up'],
        ['ip', '-4', 'route', 'replace', 'default', 'via', '198.19.220.18', 'dev', 'mt-tun0-r', 'table', '120'],
        ['ip', 'rule', 'add', 'from', '198.19.220.128/28', 'lookup', '120', 'priority', '1200'],
      ]);
    });

    it('node end: peer = router key, no endpoint (learnt from the handshake), only the router and the phone subnet allowed', () => {
      const up = nodeUpSteps(forEnd(wg, 'node'), 'eth0', ROUTER_PUB);
      expect(up[1]).toEqual(['wg', 'set', 'mt-tun0-n', 'peer', ROUTER_PUB, 'allowed-ips', '198.19.220.17/32,198.19.220.128/28']);
      expect(up).toContainEqual(['ip', 'route', 'replace', '198.19.220.128/28', 'via', '198.19.220.17', 'dev', 'mt-tun0-n']);
    });

    it('takes only a well-formed public key for the peer, never echoing a bad one', () => {
      expect(() => routerUpSteps(forEnd(wg, 'router'), '--help')).toThrow(/not a WireGuard key \(44 base64 characters\)$/);
      expect(() => routerUpSteps(forEnd(wg, 'router'))).toThrow(/needs the peer's public key/);
    });

    it('uses only ip subcommands BusyBox ip has (no -j, no -d)', () => {
      const all = [...routerUpSteps(forEnd(wg, 'router'), NODE_PUB), ...routerDownSteps(forEnd(wg, 'router'))].filter((a) => a[0] === 'ip');
      expect(all.every((a) => !a.includes('-j') && !a.includes('-d'))).toBe(true);
    });
  });
});

