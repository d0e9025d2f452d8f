/**
 * The wiring keys of real testbeds and nodes as a user meets them on the command line:
 * `matador campaign plan` validates every referenced file, so a bad wiring value is one line on
 * stderr (file, key path, value, referencing key), exit 1, no stack trace; a good one shows up
 * resolved (defaults filled in) in the plan.
 */
import { matador } from './support/matador-cli';


const fixture = (name: string) => `test/fixtures/config/${name}`;

describe('matador campaign plan with real-testbed wiring', () => {
  it('a bad router key in the testbeds file: one line naming file, key path, value and the referencing key', async () => {
    const run = await matador(['campaign', 'plan', fixture('campaign-invalid-wiring.yaml')]);
    expect([run.code, run.stdout]).toEqual([1, '']);
    expect(run.stderr).toBe(
      `matador: ${fixture('testbeds-bad-lan-interface.yaml')}: testbeds[1].routers.B.lanInterface: expected a network interface name ` +
        '(1-15 of A-Z a-z 0-9 _ . -, starting with a letter, digit or "_", e.g. "wlan0"), got "wlan0; reboot" ' +
        `(referenced by ${fixture('campaign-invalid-wiring.yaml')} testbeds.file)\n`,
    );
  });

  it('a node whose SSH host is a name and that has no underlayAddress: one line saying the key is needed', async () => {
    const run = await matador(['campaign', 'plan', fixture('campaign-invalid-node-wiring.yaml')]);
    expect([run.code, run.stdout]).toEqual([1, '']);
    expect(run.stderr).toBe(
      `matador: ${fixture('nodes-underlay-needed.yaml')}: nodes[1].underlayAddress: expected an IPv4 address: the node's address as the WLAN routers ` +
        'reach it (tunnel underlay); this key is needed because ssh.host "node-tyo.example.net" is not an IPv4 address, got nothing (the key is missing) ' +
        `(referenced by ${fixture('campaign-invalid-node-wiring.yaml')} nodes.file)\n`,
    );
  });

  it('a valid real lab: the plan shows the routers and tunnels with their defaults filled in', async () => {
    const run = await matador(['campaign', 'plan', fixture('real-lab/campaign-two-testbeds.yaml'), '--json']);
    expect([run.code, run.stderr]).toEqual([0, '']);
    const plan = JSON.parse(run.stdout) as { testbeds: Array<{ id: string; kind: string; config: { routers: Record<'A' | 'B', Record<string, unknown>>; tunnel: unknown } }> };
    const [min, vx] = plan.testbeds;
    expect([min.id, min.kind, vx.id]).toEqual(['lab-min', 'real', 'lab-vx']);
    expect(min.config.routers.A).toMatchObject({ lanInterface: 'wlan0', phoneSubnet: '192.168.42.0/24', underlayAddress: '192.0.2.10', captureDir: '/var/tmp/matador-captures' });
    expect(min.config.routers.B).toMatchObject({ lanInterface: 'wlan1', phoneSubnet: '192.168.43.0/24', underlayAddress: '192.0.2.11' });
    expect(min.config.routers.B).not.toHaveProperty('wlanInterface');
    expect(min.config.tunnel).toEqual({ mode: 'gre' });
    expect(vx.config.tunnel).toEqual({ mode: 'vxlan', table: 200, rulePriority: 30000, vni: 7000, vxlanPort: 4790 });
  });
});
