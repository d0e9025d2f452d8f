/**
 * A `kind: real` testbed whose wiring is given in its config files, run for real: the testbeds
 * and nodes files point at the router and the vantage node of the drivers' small mtsh-* world
 * (testbed/driver-topology.ts: real sshd, ip, iptables), with every wiring key set to a value
 * other than its default (VXLAN, own table/priority/VNI/port, r-lan, n-wan, the world's phone
 * subnet, a capture dir). The testbeds-file lab (activities/labs/testbeds-file.ts) resolves
 * them, and the router/node drivers must bring both sides' tunnels up on one router and one
 * node at once (side B takes the next table, priority and VNI) and carry the phone's traffic.
 *
 * Uses the machine-wide network namespaces: run under the world lock, e.g.
 *   flock /tmp/matador-world.lock env MATADOR_SKIP_BUILD=1 npx jest --runInBand test/config-real-testbed.test.ts
 */
import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { checkNode } from '../drivers/node';
import { configureRouter, tunnelDown, tunnelStatus, tunnelUp } from '../drivers/router';
import { testbedsFileLab } from '../activities/labs/testbeds-file';
import { resolveTestbed, type TestbedEndpoints } from '../activities/steps/testbed-endpoints';
import { loadCampaign } from '../lib/config';
import { projectRoot } from '../lib/project-paths';
import type { StepContext } from '../lib/measurement/payloads';
import { ADDR, buildTopology, inNs, NS, teardownTopology, type Topology } from './support/world';

const CAPTURE_DIR = '/run/mtsh-config-captures';
const SIDE_B_SUBNET = '198.19.221.0/28'; // nobody lives there: side B's tunnel only has to come up
let topo: Topology | undefined;
let configDir: string | undefined;
let endpoints: TestbedEndpoints | undefined;

function tb(): TestbedEndpoints {
  if (!endpoints) throw new Error('endpoints not resolved');
  return endpoints;
}

async function writeConfigs(t: Topology, dir: string): Promise<string> {
  const key = `identityFile: ${JSON.stringify(t.clientKeyPath)}, knownHostsFile: ${JSON.stringify(t.knownHostsPath)}`;
  await fs.writeFile(
    path.join(dir, 'nodes.yaml'),
    'schema: matador.nodes/v1\nnodes:\n' +
      `  - id: de-ber\n    country: DE\n    latitude: 52.52\n    longitude: 13.405\n` +
      `    ssh: { host: ${ADDR.node}, user: root, ${key} }\n    egressInterface: n-wan\n    underlayAddress: ${ADDR.node}\n`,
  );
  const router = (subnet: string) =>
    `{ host: ${ADDR.router}, port: ${t.router.port}, user: root, ${key}, underlayAddress: ${ADDR.router}, lanInterface: r-lan, phoneSubnet: ${subnet}, captureDir: ${CAPTURE_DIR} }`;
  await fs.writeFile(
    path.join(dir, 'testbeds.yaml'),
    'schema: matador.testbeds/v1\ntestbeds:\n' +
      '  - id: mtsh-lab\n    kind: real\n    phones: { A: { serial: SERIAL-A }, B: { serial: SERIAL-B } }\n' +
      `    routers:\n      A: ${router(ADDR.phoneSubnet)}\n      B: ${router(SIDE_B_SUBNET)}\n` +
      '    tunnel: { mode: vxlan, table: 150, rulePriority: 1500, vni: 9100, vxlanPort: 4799 }\n',
  );
  const campaign = path.join(dir, 'campaign.yaml');
  await fs.writeFile(
    campaign,
    'schema: matador.campaign/v1\nid: mtsh-lab\nnodes: { file: nodes.yaml }\n' +
      `apps: [${JSON.stringify(path.join(projectRoot, 'test/fixtures/config/app-minimal.yaml'))}]\ntestbeds: { file: testbeds.yaml }\n`,
  );
  return campaign;
}

async function phonePing(): Promise<boolean> {
  return (await inNs(NS.phone, ['ping', '-n', '-c', '2', '-W', '1', ADDR.target])).code === 0;
}

beforeAll(async () => {
  topo = await buildTopology();
  configDir = await fs.mkdtemp(path.join(os.tmpdir(), 'matador-real-wiring-'));
  const campaignFile = await writeConfigs(topo, configDir);
  const loaded = loadCampaign(campaignFile);
  const node = loaded.nodes[0];
  const ctx: StepContext = {
    measurementId: 'mtsh-lab/minimal/de-ber/de-ber',
    campaign: 'mtsh-lab',
    app: 'minimal',
    testbed: 'mtsh-lab',
    attempt: 1,
    nodeA: node,
    nodeB: node, // a self-pair: both tunnels end on the same node
    config: { path: campaignFile, digest: 'not-checked-here' },
  };
  endpoints = resolveTestbed({ baseDir: configDir, dataDir: configDir, lab: testbedsFileLab() }, ctx);
}, 60_000);

afterAll(async () => {
  try {
    if (topo && endpoints) for (const e of [endpoints.sides.A, endpoints.sides.B]) await tunnelDown({ router: e.router, node: e.node, tunnel: e.tunnel });
  } finally {
    await teardownTopology(topo);
    await fs.rm(CAPTURE_DIR, { recursive: true, force: true });
    if (configDir) await fs.rm(configDir, { recursive: true, force: true });
  }
}, 60_000);

describe('a real testbed wired by its config files', () => {
  it('resolves to the configured values, side B one number above side A', () => {
    const { A, B } = tb().sides;
    expect(tb().kind).toBe('real');
    expect(A.router).toMatchObject({ lanInterface: 'r-lan', captureDir: CAPTURE_DIR, ssh: { host: ADDR.router, port: 2222 } });
    expect(A.node).toMatchObject({ egressInterface: 'n-wan', address: ADDR.node });
    expect(A.tunnel).toMatchObject({ mode: 'vxlan', routerUnderlay: ADDR.router, nodeUnderlay: ADDR.node, phoneSubnet: ADDR.phoneSubnet, table: 150, rulePriority: 1500, vni: 9100, vxlanPort: 4799 });
    expect(B.tunnel).toMatchObject({ mode: 'vxlan', phoneSubnet: SIDE_B_SUBNET, table: 151, rulePriority: 1501, vni: 9101, vxlanPort: 4799 });
  });

  it('the router accepts its LAN interface and capture dir, the node its egress interface', async () => {
    expect(await configureRouter(tb().sides.A.router)).toMatchObject({ ok: true, lanInterfaceUp: true });
    expect((await fs.stat(CAPTURE_DIR)).isDirectory()).toBe(true);
    expect(await checkNode(tb().sides.A.node)).toMatchObject({ ok: true });
  });

  it('both tunnels come up on the shared router and node, with the configured numbers', async () => {
    expect(await phonePing()).toBe(false); // the world has no route to the phone LAN
    for (const e of [tb().sides.A, tb().sides.B]) {
      expect([e.side, await tunnelUp({ router: e.router, node: e.node, tunnel: e.tunnel })]).toEqual([e.side, expect.objectContaining({ ok: true })]);
      expect(await tunnelStatus({ router: e.router, tunnel: e.tunnel })).toEqual({ ok: true, status: { exists: true, up: true, peerReachable: true, ruleInstalled: true } });
    }
    const rules = (await inNs(NS.router, ['ip', 'rule', 'show'])).stdout;
    expect(rules).toMatch(new RegExp(`^1500:\\s+from ${ADDR.phoneSubnet.replace(/\./g, '\\.')} lookup 150\\b`, 'm'));
    expect(rules).toMatch(new RegExp(`^1501:\\s+from ${SIDE_B_SUBNET.replace(/\./g, '\\.')} lookup 151\\b`, 'm'));
    for (const [name, vni] of [['mt-tn0-a', 9100], ['mt-tn0-b', 9101]] as const) {
      const link = JSON.parse((await inNs(NS.node, ['ip', '-d', '-j', 'link', 'show', 'dev', name])).stdout) as Array<{ linkinfo: { info_kind: string; info_data: { id: number; port: number } } }>;
      expect([name, link[0].linkinfo.info_kind, link[0].linkinfo.info_data.id, link[0].linkinfo.info_data.port]).toEqual([name, 'vxlan', vni, 4799]);
    }
    const nat = (await inNs(NS.node, ['iptables', '-w', '5', '-t', 'nat', '-S', 'POSTROUTING'])).stdout;
    expect(nat).toContain(`-s ${ADDR.phoneSubnet} -o n-wan`);
  });

  it('the phone reaches the target through side A\'s tunnel; teardown leaves neither tunnel behind', async () => {
    expect(await phonePing()).toBe(true);
    for (const e of [tb().sides.A, tb().sides.B]) expect(await tunnelDown({ router: e.router, node: e.node, tunnel: e.tunnel })).toMatchObject({ ok: true });
    for (const ns of [NS.router, NS.node]) {
      for (const name of ['mt-tn0-a', 'mt-tn0-b']) expect([ns, name, (await inNs(ns, ['ip', 'link', 'show', 'dev', name])).code]).toEqual([ns, name, 1]);
    }
    expect((await inNs(NS.router, ['ip', 'rule', 'show'])).stdout).not.toMatch(/lookup 15[01]\b/);
    expect(await phonePing()).toBe(false);
  });
});
