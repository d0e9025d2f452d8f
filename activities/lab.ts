/**
 * The lab: how a measurement step reaches a testbed. A testbed id of the campaign's testbeds
 * file -> per side the WLAN router (SSH), the phone (adb serial), the vantage node (SSH, address,
 * coordinates) and the tunnel between them. Two implementations, and the worker picks:
 *   real testbeds from the testbeds file:  activities/labs/testbeds-file.ts
 *   testbeds of an emulated world:         testbed/lab.ts (reads the world's state)
 * Steps get the lab through their StepEnv and never import the emulator.
 * Only key PATHS travel here; no key material is read (the SSH layer reads it at connect).
 */
import { WIREGUARD_DEFAULT_PORT, type NodeTarget, type TunnelMode, type TunnelSpec } from '../drivers/node';
import type { RouterConfig } from '../drivers/router';
import { REAL_TESTBED_DEFAULTS, type LoadedCampaign, type TestbedConfig } from '../lib/config';
import type { FailureCode } from '../lib/failures';
import type { LocationProviderConfig } from '../lib/config/location-provider';
import type { StepContext } from '../lib/measurement/payloads';
import type { Side, TestbedKind } from '../lib/types';

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
  /** adb serial; the mock-location provider when the testbeds config names one; firewallExtraUids:
   *  testbeds config `phones.<side>.firewallExtraUids` (real phones only). */
  phone: { serial: string; location?: LocationProviderConfig; firewallExtraUids?: number[] };
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
  /** PeeringDB dumps that come with the testbed (the emulated world's IXPs); absent: none. */
  peeringdbFiles?: string[];
}

/** A vantage node as the plan names it (id, country, coordinates). */
export type PlannedNode = StepContext['nodeA'];

/** Which testbed of which campaign: the testbeds file's entry, as the campaign selects it. */
export interface LabTestbed {
  campaign: LoadedCampaign;
  testbed: TestbedConfig;
}

export interface Lab {
  /** Everything the drivers need to reach the testbed with this node pair on its two sides.
   *  Throws a LabError when the lab does not have the testbed or a node, or lacks a part. */
  resolve(at: LabTestbed, pair: { nodeA: PlannedNode; nodeB: PlannedNode }): TestbedEndpoints;
  /** The vantage node reached at this underlay address (the far end of a router's stale
   *  tunnel), or null when the lab knows none there. */
  nodeAt(at: LabTestbed, address: string): PlannedNode | null;
}

/** Why a lab cannot give a testbed (catalogue codes); a step fails with that code. */
export type LabFailure = Extract<FailureCode, 'world_not_up' | 'testbed_unknown' | 'testbed_incomplete'>;

export class LabError extends Error {
  constructor(
    readonly failure: LabFailure,
    message: string,
  ) {
    super(message);
    this.name = 'LabError';
  }
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
  /** WireGuard only: side A's router and node listen on `listenPort` (default 51820 +
   *  2 * testbedIndex), side B on the next one: unique per node across testbeds and sides. */
  wireguard?: { listenPort?: number };
}

/** Tunnel parameters unique per (testbed index, side): a node may serve two testbeds, or both
 *  sides of a self-pair, at once, so names, inner addresses, VNIs and WireGuard ports must not
 *  collide (WireGuard adds "-r"/"-n" per end to the name: drivers/node/tunnel-spec.ts). */
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
    ...(o.mode === 'wireguard' ? { wireguard: wireguardPorts((o.wireguard?.listenPort ?? WIREGUARD_DEFAULT_PORT + o.testbedIndex * 2) + s) } : {}),
  };
}

function wireguardPorts(listenPort: number): NonNullable<TunnelSpec['wireguard']> {
  return { router: { listenPort }, node: { listenPort } };
}
