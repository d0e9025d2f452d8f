import { validateTunnelSpec } from '../drivers/node';
import { tunnelSpec } from './lab';

const base = { routerUnderlay: '198.19.1.10', nodeUnderlay: '198.18.4.101', phoneSubnet: '198.19.16.0/24' } as const;

describe('tunnelSpec', () => {
  it('WireGuard: ports unique per (testbed, side), per-end names within IFNAMSIZ, no VXLAN fields', () => {
    const specs = [0, 1, 127].flatMap((testbedIndex) => (['A', 'B'] as const).map((side) => validateTunnelSpec(tunnelSpec({ testbedIndex, side, mode: 'wireguard', ...base }))));
    expect(specs.map((s) => s.wireguard?.node.listenPort)).toEqual([51820, 51821, 51822, 51823, 52074, 52075]);
    expect(specs.every((s) => s.wireguard?.router.listenPort === s.wireguard?.node.listenPort && s.vni === undefined)).toBe(true);
    expect(specs[5].name).toBe('mt-tn127-b');
    expect(tunnelSpec({ testbedIndex: 2, side: 'B', mode: 'wireguard', wireguard: { listenPort: 40000 }, ...base }).wireguard).toEqual({ router: { listenPort: 40001 }, node: { listenPort: 40001 } });
  });

  it('vxlan keeps its VNI and port, and no WireGuard fields', () => {
    const s = tunnelSpec({ testbedIndex: 1, side: 'A', mode: 'vxlan', ...base });
    expect([s.vni, s.vxlanPort, s.wireguard]).toEqual([4202, 4789, undefined]);
  });
});
