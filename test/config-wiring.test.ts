/**
 * How a real testbed's wiring (routers.<side>.lanInterface/phoneSubnet/underlayAddress/
 * captureDir, tunnel.*, nodes' egressInterface/underlayAddress) goes from the config files to
 * what the drivers get, and that the config schema applies the drivers' own validation rules
 * (a value the config accepts is never refused later over SSH).
 *
 * Golden: test/fixtures/config/real-lab/endpoints.golden.json holds the resolved endpoints of
 * every testbed of the fixture campaigns; UPDATE_GOLDEN=1 rewrites it (then review the diff).
 * Paths under the home folder and the project are written as ~ and <project>.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { TUNNEL_MODES as DRIVER_TUNNEL_MODES, validateTunnelSpec } from '../drivers/node';
import { validateRouterConfig } from '../drivers/router';
import { DriverConfigError } from '../drivers/ssh/failures';
import * as driver from '../drivers/ssh/validate';
import { tunnelSpec } from '../activities/lab';
import { testbedsFileLab } from '../activities/labs/testbeds-file';
import { phoneDriver } from '../activities/steps/phones';
import { resolveTestbed, type TestbedEndpoints } from '../activities/steps/testbed-endpoints';
import { loadCampaign, parseConfigText, TUNNEL_MODES, type ConfigError, type TestbedsFile } from '../lib/config';
import { interfaceName, ipv4Address, phoneSubnet, remoteDirectory } from '../lib/config/fields';
import { testbedsFileSchema } from '../lib/config/testbeds';
import { expandPlan } from '../lib/campaign-plan';
import { projectRoot } from '../lib/project-paths';
import type { StepContext } from '../lib/measurement/payloads';

const fixtures = 'test/fixtures/config/real-lab';
const goldenFile = path.join(projectRoot, fixtures, 'endpoints.golden.json');

function driverAccepts(check: () => unknown): boolean {
  try {
    check();
    return true;
  } catch (err) {
    if (err instanceof DriverConfigError) return false;
    throw err;
  }
}

/** Every testbed of a campaign, with the campaign's first non-self pair (as the plan has it). */
function endpointsOf(campaignFile: string): TestbedEndpoints[] {
  const loaded = loadCampaign(campaignFile, { cwd: projectRoot });
  const plan = expandPlan(loaded);
  const m = plan.measurements.find((x) => x.nodeA.id !== x.nodeB.id);
  if (!m) throw new Error(`${campaignFile}: no pair of two nodes`);
  return loaded.testbeds.map((tb) => {
    const ctx: StepContext = {
      measurementId: m.measurementId,
      campaign: m.campaign,
      app: m.app,
      testbed: tb.id,
      attempt: 1,
      nodeA: m.nodeA,
      nodeB: m.nodeB,
      config: { path: campaignFile, digest: 'not-checked-here' },
    };
    return resolveTestbed({ baseDir: projectRoot, dataDir: os.tmpdir(), lab: testbedsFileLab() }, ctx);
  });
}

/** Machine-independent form of resolved endpoints (key paths under ~ and the project). */
function portable(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value).split(projectRoot).join('<project>').split(os.homedir()).join('~'));
}

describe('real testbeds resolve their wiring from the config files', () => {
  const resolved = {
    'campaign-lab-example.yaml': endpointsOf(`${fixtures}/campaign-lab-example.yaml`),
    'campaign-two-testbeds.yaml': endpointsOf(`${fixtures}/campaign-two-testbeds.yaml`),
  };

  it('match the golden endpoints (TunnelSpec, RouterConfig, NodeTarget per side)', () => {
    const actual = portable(resolved);
    if (process.env.UPDATE_GOLDEN === '1') fs.writeFileSync(goldenFile, `${JSON.stringify(actual, null, 2)}\n`);
    expect(actual).toEqual(JSON.parse(fs.readFileSync(goldenFile, 'utf8')));
  });

  it('the shipped lab example: every key it sets arrives at the drivers', () => {
    const [lab] = resolved['campaign-lab-example.yaml'];
    const { A, B } = lab.sides;
    expect([A.router.lanInterface, B.router.lanInterface]).toEqual(['wlan0', 'br-lan']);
    expect([A.tunnel.phoneSubnet, B.tunnel.phoneSubnet]).toEqual(['192.168.42.0/24', '10.42.7.0/24']);
    expect([A.tunnel.routerUnderlay, B.tunnel.routerUnderlay]).toEqual(['203.0.113.10', '203.0.113.11']);
    expect([A.router.ssh.host, B.router.ssh.host]).toEqual(['router-a.lab.example', 'router-b.lab.example']);
    expect([A.router.ssh.sudo, B.router.ssh.sudo, A.node.ssh.sudo]).toEqual(['auto', 'always', 'auto']);
    expect([A.tunnel.mode, A.tunnel.table, B.tunnel.table, A.tunnel.rulePriority, B.tunnel.rulePriority]).toEqual(['gre', 120, 121, 1200, 1201]);
    // jp-tyo is reached by name over SSH, by its underlayAddress in the tunnel and traceroutes
    const tyo = [A.node, B.node].find((n) => n.id === 'jp-tyo');
    expect(tyo && [tyo.ssh.host, tyo.address, tyo.egressInterface]).toEqual(['node-tyo.example.net', '198.51.100.20', 'ens3']);
    // the DNS uid of netd (root on Android 5) reaches the phone driver's firewall; B names its location provider
    expect([A.phone, B.phone]).toEqual([{ serial: 'ZX1D22ABCD', firewallExtraUids: [0] }, { serial: 'ZX1D22EFGH', firewallExtraUids: [0], location: { provider: 'appium-settings' } }]);
    const env = { baseDir: projectRoot, dataDir: os.tmpdir(), lab: testbedsFileLab() };
    expect(phoneDriver(env, A).firewallExtraUids).toEqual([0]);
  });

  it('a phone without firewallExtraUids lets out the app\'s uid only', () => {
    const [min] = resolved['campaign-two-testbeds.yaml'];
    expect(min.sides.A.phone).toEqual({ serial: expect.any(String) });
    expect(phoneDriver({ baseDir: projectRoot, dataDir: os.tmpdir(), lab: testbedsFileLab() }, min.sides.A).firewallExtraUids).toEqual([]);
  });

  it('a testbed without wiring keys gets the defaults of before (GRE, wlan0, .42/.43 subnets, eth0, SSH hosts as underlay)', () => {
    const [min, vx] = resolved['campaign-two-testbeds.yaml'];
    const { A, B } = min.sides;
    expect([A.tunnel.mode, B.tunnel.mode]).toEqual(['gre', 'gre']);
    expect([A.router.lanInterface, B.router.lanInterface]).toEqual(['wlan0', 'wlan1']); // B: the older key wlanInterface
    expect([A.tunnel.phoneSubnet, B.tunnel.phoneSubnet]).toEqual(['192.168.42.0/24', '192.168.43.0/24']);
    expect([A.tunnel.routerUnderlay, B.tunnel.routerUnderlay]).toEqual(['192.0.2.10', '192.0.2.11']);
    expect([A.router.captureDir, A.tunnel.table, B.tunnel.rulePriority, A.tunnel.vni]).toEqual(['/var/tmp/matador-captures', 120, 1201, undefined]);
    const ber = [A.node, B.node].find((n) => n.id === 'de-ber');
    expect(ber && [ber.address, ber.egressInterface]).toEqual(['198.51.100.10', 'eth0']);
    // lab-vx: VXLAN with its own numbers, side B one above side A
    expect([vx.sides.A.tunnel.vni, vx.sides.B.tunnel.vni, vx.sides.B.tunnel.vxlanPort, vx.sides.B.tunnel.table, vx.sides.B.tunnel.rulePriority]).toEqual([7000, 7001, 4790, 201, 30001]);
    expect(vx.sides.A.tunnel.name).toBe('mt-tn1-a');
  });

  it('every resolved tunnel and router passes the drivers\' own validation unchanged', () => {
    for (const tb of Object.values(resolved).flat()) {
      for (const side of [tb.sides.A, tb.sides.B]) {
        expect(validateTunnelSpec(side.tunnel)).toEqual({ vni: undefined, vxlanPort: undefined, wireguard: undefined, ...side.tunnel });
        expect(validateRouterConfig(side.router)).toEqual({ lanInterface: side.router.lanInterface, captureDir: side.router.captureDir });
        expect(driver.interfaceName(side.node.egressInterface, 'node.egressInterface')).toBe(side.node.egressInterface);
      }
    }
  });
});

describe('the config applies the drivers\' validation rules', () => {
  const accepts = (schema: { safeParse(v: unknown): { success: boolean } }, value: unknown) => schema.safeParse(value).success;

  it('interface names: the same verdict as drivers/ssh/validate interfaceName', () => {
    const values = ['wlan0', 'br-lan', 'ens3', 'enp1s0', 'eth0.100', 'wg_0', 'a', 'x'.repeat(15), 'x'.repeat(16), '', '-eth0', '.', '..', '.hidden', 'eth 0', 'eth0;x', 'a/b', 'eth0:1', 'wlän0', 7];
    for (const v of values) expect([v, accepts(interfaceName(), v)]).toEqual([v, driverAccepts(() => driver.interfaceName(v, 'x'))]);
  });

  it('underlay addresses: the same verdict as drivers/ssh/validate ipAddress(…, 4)', () => {
    const values = ['192.0.2.1', '0.0.0.0', '255.255.255.255', '256.1.1.1', '192.0.2', '2001:db8::1', '::ffff:192.0.2.1', 'router.example', ' 192.0.2.1', 42];
    for (const v of values) expect([v, accepts(ipv4Address(), v)]).toEqual([v, driverAccepts(() => driver.ipAddress(v, 'x', 4))]);
  });

  it('capture directories: the same verdict as drivers/ssh/validate remotePath', () => {
    const values = ['/var/tmp/matador-captures', '/tmp', '/tmp/', '/a/b_c.d-e', 'tmp', '/', '//tmp', '/var/../etc', '/var/./tmp', '/tmp/a b', '/tmp/$(id)', ''];
    for (const v of values) expect([v, accepts(remoteDirectory(), v)]).toEqual([v, driverAccepts(() => driver.remotePath(v, 'x'))]);
  });

  it('phone subnets: whatever the config accepts, the tunnel driver accepts too (the config is stricter)', () => {
    const spec = (phoneSubnet: string) =>
      tunnelSpec({ testbedIndex: 0, side: 'A', mode: 'gre', routerUnderlay: '192.0.2.1', nodeUnderlay: '198.51.100.1', phoneSubnet });
    const accepted = ['192.168.42.0/24', '10.0.0.0/8', '10.1.2.4/30', '172.16.0.0/12'];
    const refused = ['192.168.42.1/24', '0.0.0.0/0', '10.0.0.0/7', '10.0.0.0/31', '10.0.0.1/32', 'fd00::/64', '10.0.0.0', '10.0.0.0/33', 'lan'];
    for (const v of accepted) {
      expect([v, accepts(phoneSubnet(), v)]).toEqual([v, true]);
      expect(validateTunnelSpec(spec(v)).phoneSubnet).toBe(v);
    }
    for (const v of refused) expect([v, accepts(phoneSubnet(), v)]).toEqual([v, false]);
  });

  it('tunnel modes and number ranges: both sides (base and base + 1) stay inside the driver\'s ranges', () => {
    expect([...TUNNEL_MODES]).toEqual([...DRIVER_TUNNEL_MODES]);
    const file = (tunnel: string) =>
      'schema: matador.testbeds/v1\ntestbeds:\n  - id: lab\n    kind: real\n    phones: { A: { serial: a }, B: { serial: b } }\n' +
      '    routers:\n      A: { host: 192.0.2.1, user: u, identityFile: k, knownHostsFile: h }\n' +
      '      B: { host: 192.0.2.2, user: u, identityFile: k, knownHostsFile: h }\n' +
      `    tunnel: ${tunnel}\n`;
    const cases: Array<[string, boolean]> = [
      ['{ mode: vxlan, table: 1, rulePriority: 1, vni: 1, vxlanPort: 1 }', true],
      ['{ mode: vxlan, table: 251, rulePriority: 32764, vni: 16777214, vxlanPort: 65535 }', true],
      ['{ mode: ipip, table: 252 }', false],
      ['{ mode: gre, rulePriority: 32765 }', false],
      ['{ mode: vxlan, vni: 16777215 }', false],
      ['{ mode: vxlan, vni: 0 }', false],
      ['{ mode: gre, table: 1.5 }', false],
      ['{ mode: wireguard }', true],
      ['{ mode: wireguard, wireguard: { listenPort: 65534 } }', true],
      ['{ mode: wireguard, wireguard: { listenPort: 65535 } }', false],
      ['{ mode: gre, wireguard: { listenPort: 51820 } }', false],
      ['{ mode: vxlan, wireguard: {} }', false],
    ];
    for (const [tunnel, ok] of cases) {
      let loaded: TestbedsFile | null = null;
      try {
        loaded = parseConfigText(testbedsFileSchema, file(tunnel), 't.yaml');
      } catch (err) {
        expect((err as ConfigError).name).toBe('ConfigError');
      }
      expect([tunnel, loaded !== null]).toEqual([tunnel, ok]);
      const tb = loaded?.testbeds[0];
      if (!tb || tb.kind !== 'real') continue;
      for (const side of ['A', 'B'] as const) {
        const r = tb.routers[side];
        const spec = tunnelSpec({ testbedIndex: 0, side, ...tb.tunnel, routerUnderlay: r.underlayAddress, nodeUnderlay: '198.51.100.1', phoneSubnet: r.phoneSubnet });
        expect(validateTunnelSpec(spec)).toEqual({ vni: undefined, vxlanPort: undefined, wireguard: undefined, ...spec });
      }
    }
  });
});
