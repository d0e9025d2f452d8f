/**
 * The emulated world — public API for drivers, activities, tests and demos.
 *
 *   matador testbed up [WORLD] [--testbeds N] [--skip phones,...]   (or `up({ world })`)
 *   const w = readWorldState();            // the world that is up (.matador/world/<w>/state.json)
 *   const node = worldNode(w, 'pl-waw');   // { address, country, netns, resolver, ssh: { host, port,
 *                                          //   username, privateKeyPath, knownHostsFile } }
 *   const tb = worldTestbed(w, 'tb1');     // sides.A/B: router { uplinkAddress, lanAddress, lanPrefix,
 *                                          //   lanIfname, ssh } and phone { address, gateway, dns,
 *                                          //   adbSerial "127.0.0.1:5600", netns }
 *   w.correctionsFile                      // geolocation corrections (lib/geo format) for the plan
 *   w.services / w.resolvers               // backends (one address per DNS name) and resolvers
 *
 * Names: every namespace, interface and process of the world starts with `mt-`: routers
 * mt-r-<id>, vantage nodes mt-n-<id>, services mt-s-<id>, resolvers mt-d-<id>, background
 * mt-b-<id>, the lab mt-lab, WLAN routers mt-tb<N>-wa / -wb, phones mt-tb<N>-pa / -pb.
 * Addresses: 198.18.<router>.0/24 per core router (.1 gateway, .2-.99 links, .101+ attached
 * elements); 198.19.0.0/17 for the lab (host 198.19.0.1, WLAN uplinks 198.19.1.10+, LAN of
 * testbed t side A/B 198.19.<16+2(t-1)+0/1>.0/24 with router .1 and phone .2).
 */
export { up, down, status, execIn, fault, COMPONENTS } from './world';
export type { UpOptions, UpResult, DownResult, StatusReport, Component } from './world';
export { readWorldState, knownWorlds, elementNetns, stateFile, worldDir, worldsDir, WORLD_STATE_SCHEMA } from './state';
export type { WorldState, SshEndpoint, WorldProcess } from './state';
export { loadWorld, resolveWorldFile, FAULT_KINDS } from './config';
export type { FaultKind, WorldConfig } from './config';
export { phoneControl } from './phone-daemon';
export { worldHealth } from './health';
export type { WorldStatusView } from './health';
import type { WorldState } from './state';

export type WorldNodeState = WorldState['nodes'][number];
export type WorldTestbedState = WorldState['testbeds'][number];

export function worldNode(state: WorldState, id: string): WorldNodeState {
  const n = state.nodes.find((x) => x.id === id);
  if (!n) throw new Error(`world ${state.world} has no vantage node ${id} (have ${state.nodes.map((x) => x.id).join(', ')})`);
  return n;
}

export function worldTestbed(state: WorldState, id: string): WorldTestbedState {
  const t = state.testbeds.find((x) => x.id === id);
  if (!t) throw new Error(`world ${state.world} has no testbed ${id} (have ${state.testbeds.map((x) => x.id).join(', ') || 'none'})`);
  return t;
}
