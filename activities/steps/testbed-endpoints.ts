/**
 * Testbed id -> everything the drivers need to reach it: per side the WLAN router (SSH), the
 * phone (adb serial), the vantage node (SSH, address, coordinates) and the tunnel between them.
 *   kind 'emulated': from the state of the emulated world the testbed names (testbed/world
 *                    readWorldState; the world must be up), tunnels in VXLAN mode (the
 *                    development kernels have no GRE/IPIP);
 *   kind 'real':     from the campaign's testbeds config (routers, phones, `tunnel`) and nodes
 *                    config (`ssh`, `egressInterface`, `underlayAddress` of each node); the
 *                    config loader has validated these values and filled in their defaults
 *                    (GRE, wlan0, 192.168.42.0/24 + .43.0/24, eth0, underlay = IPv4 SSH host).
 * Only key PATHS are resolved here; no key material is read (the SSH layer reads it at connect).
 */
import type { NodeTarget, TunnelMode, TunnelSpec } from '../../drivers/node';
import type { RouterConfig } from '../../drivers/router';
import { nodeUnderlayAddress, REAL_NODE_DEFAULTS, REAL_TESTBED_DEFAULTS, type LoadedCampaign, type TestbedConfig } from '../../lib/config';
import type { StepContext } from '../../lib/measurement/payloads';
import type { Side, TestbedKind } from '../../lib/types';
import { readWorldState, type WorldState } from '../../testbed/world';
import { campaignOf, type StepEnv } from './context';
import { stepFailure } from './failures';

export interface VantageNode extends NodeTarget {
  id: string;
  country: string;
  /** Address the node is reached at in the world / Internet (network-path traceroute target). */
  address: string;
  latitude: number;
  longitude: number;
}

export interface SideEndpoints {
  side: Side;
  router: RouterConfig;
  phone: { serial: string };
  node: VantageNode;
  tunnel: TunnelSpec;
}

export interface TestbedEndpoints {
  testbed: string;
  kind: TestbedKind;
  /** Emulated world name (null for real testbeds). */
  world: string | null;
  sides: Record<Side, SideEndpoints>;
  /** Geolocation corrections that come with the testbed (the world's address plan). */
  correctionsFiles: string[];
}

/** Capture files on the routers (a router namespace of the emulated world shares the host's
 *  /tmp); real routers use their `captureDir`, by default the same directory. */
export const ROUTER_CAPTURE_DIR = REAL_TESTBED_DEFAULTS.captureDir;

export interface TunnelSpecOptions {
  testbedIndex: number;
  side: Side;
  mode: TunnelMode;
  routerUnderlay: string;
  nodeUnderlay: string;
  phoneSubnet: string;
  /** Side A's number, side B uses the next one (defaults: table 120, priority 1200, VNI 4200 + 2 * testbedIndex). */
  table?: number;
  rulePriority?: number;
  vni?: number;
  /** default 4789 (vxlan only) */
  vxlanPort?: number;
}

/** Tunnel parameters unique per (testbed index, side): a node may serve two testbeds, or both
 *  sides of a self-pair, at once, so names, inner addresses and VNIs must not collide. */
export function tunnelSpec(o: TunnelSpecOptions): TunnelSpec {
  const s = o.side === 'A' ? 0 : 1;
  const net = `198.19.${128 + o.testbedIndex}`;
  return {
    name: `mt-tn${o.testbedIndex}-${o.side.toLowerCase()}`,
    mode: o.mode,
    routerUnderlay: o.routerUnderlay,
    nodeUnderlay: o.nodeUnderlay,
    routerInner: `${net}.${s * 4 + 1}`,
    nodeInner: `${net}.${s * 4 + 2}`,
    innerPrefixLength: 30,
    phoneSubnet: o.phoneSubnet,
    table: (o.table ?? 120) + s,
    rulePriority: (o.rulePriority ?? 1200) + s,
    ...(o.mode === 'vxlan' ? { vni: (o.vni ?? 4200 + o.testbedIndex * 2) + s, vxlanPort: o.vxlanPort ?? 4789 } : {}),
  };
}

function testbedConfig(campaign: LoadedCampaign, id: string): TestbedConfig {
  const tb = campaign.testbeds.find((t) => t.id === id);
  if (!tb) throw stepFailure('testbed_unknown', `${campaign.testbedsFile}: no testbed ${id} selected by ${campaign.file} (have ${campaign.testbeds.map((t) => t.id).join(', ')})`);
  return tb;
}

export function worldStateOf(world: string): WorldState {
  let state: WorldState;
  try {
    state = readWorldState(world);
  } catch (err) {
    throw stepFailure('world_not_up', `emulated world ${world}: ${(err as Error).message}`);
  }
  if (state.status !== 'up') throw stepFailure('world_not_up', `emulated world ${world} is ${state.status}${state.failure ? `: ${state.failure}` : ''}`);
  return state;
}

function emulated(world: string, ctx: StepContext): TestbedEndpoints {
  const state = worldStateOf(world);
  const testbedIndex = state.testbeds.findIndex((t) => t.id === ctx.testbed);
  if (testbedIndex < 0) throw stepFailure('testbed_unknown', `world ${world} has no testbed ${ctx.testbed} (have ${state.testbeds.map((t) => t.id).join(', ') || 'none'})`);
  const tb = state.testbeds[testbedIndex];
  const side = (s: Side): SideEndpoints => {
    const planned = s === 'A' ? ctx.nodeA : ctx.nodeB;
    const n = state.nodes.find((x) => x.id === planned.id);
    if (!n) throw stepFailure('testbed_unknown', `world ${world} has no vantage node ${planned.id} (have ${state.nodes.map((x) => x.id).join(', ')})`);
    const { router, phone } = tb.sides[s];
    if (!n.ssh) throw stepFailure('testbed_incomplete', `world ${world}: node ${n.id} has no sshd (started with --skip sshd?)`);
    if (!router.ssh) throw stepFailure('testbed_incomplete', `world ${world}: WLAN router ${router.id} has no sshd`);
    if (!phone.running) throw stepFailure('testbed_incomplete', `world ${world}: phone ${phone.id} is not running${phone.note ? ` (${phone.note})` : ''}`);
    const ssh = (e: NonNullable<typeof n.ssh>) => ({ host: e.host, port: e.port, username: e.username, privateKeyPath: e.privateKeyPath, knownHostsPath: e.knownHostsFile });
    return {
      side: s,
      router: { ssh: ssh(router.ssh), lanInterface: router.lanIfname, captureDir: ROUTER_CAPTURE_DIR },
      phone: { serial: phone.adbSerial },
      node: { id: n.id, country: n.country, address: n.address, latitude: n.latitude, longitude: n.longitude, ssh: ssh(n.ssh), egressInterface: `mt-${n.router}` },
      tunnel: tunnelSpec({ testbedIndex, side: s, mode: 'vxlan', routerUnderlay: router.uplinkAddress, nodeUnderlay: n.address, phoneSubnet: router.lanPrefix }),
    };
  };
  return { testbed: ctx.testbed, kind: 'emulated', world, sides: { A: side('A'), B: side('B') }, correctionsFiles: [state.correctionsFile] };
}

function real(campaign: LoadedCampaign, tb: Extract<TestbedConfig, { kind: 'real' }>, ctx: StepContext): TestbedEndpoints {
  const testbedIndex = campaign.testbeds.findIndex((t) => t.id === tb.id);
  const side = (s: Side): SideEndpoints => {
    const planned = s === 'A' ? ctx.nodeA : ctx.nodeB;
    const n = campaign.nodes.find((x) => x.id === planned.id);
    if (!n) throw stepFailure('testbed_unknown', `${campaign.nodesFile}: no node ${planned.id}`);
    if (!n.ssh?.identityFile || !n.ssh.knownHostsFile) throw stepFailure('testbed_incomplete', `${campaign.nodesFile}: node ${n.id} needs ssh.host, ssh.user, ssh.identityFile and ssh.knownHostsFile for a real testbed`);
    // The nodes schema refuses a node with ssh but neither underlayAddress nor an IPv4 ssh.host.
    const nodeUnderlay = nodeUnderlayAddress(n);
    if (nodeUnderlay === null) throw stepFailure('testbed_incomplete', `${campaign.nodesFile}: node ${n.id} needs underlayAddress (ssh.host ${JSON.stringify(n.ssh.host)} is not an IPv4 address)`);
    const r = tb.routers[s];
    return {
      side: s,
      router: { ssh: { host: r.host, port: r.port, username: r.user, privateKeyPath: r.identityFile, knownHostsPath: r.knownHostsFile }, lanInterface: r.lanInterface, captureDir: r.captureDir },
      phone: { serial: tb.phones[s].serial },
      node: {
        id: n.id, country: n.country, address: nodeUnderlay, latitude: n.latitude, longitude: n.longitude,
        ssh: { host: n.ssh.host, port: n.ssh.port ?? 22, username: n.ssh.user, privateKeyPath: n.ssh.identityFile, knownHostsPath: n.ssh.knownHostsFile },
        egressInterface: n.egressInterface ?? REAL_NODE_DEFAULTS.egressInterface,
      },
      tunnel: tunnelSpec({ testbedIndex, side: s, ...tb.tunnel, routerUnderlay: r.underlayAddress, nodeUnderlay, phoneSubnet: r.phoneSubnet }),
    };
  };
  return { testbed: tb.id, kind: 'real', world: null, sides: { A: side('A'), B: side('B') }, correctionsFiles: [] };
}

export function resolveTestbed(env: StepEnv, ctx: StepContext): TestbedEndpoints {
  const campaign = campaignOf(env, ctx);
  const tb = testbedConfig(campaign, ctx.testbed);
  return tb.kind === 'emulated' ? emulated(tb.world, ctx) : real(campaign, tb, ctx);
}
