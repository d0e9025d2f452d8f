/**
 * The lab of emulated testbeds (kind 'emulated'): routers, phones and vantage nodes come from the
 * state of the emulated world the testbed names (the world must be up); tunnels in the mode the
 * world recorded for the testbed (state.testbeds[i].tunnelMode: WireGuard through wireguard-go
 * for the first, VXLAN for the others; the development kernels have no GRE/IPIP/WireGuard). The world's address plan comes with it as
 * geolocation corrections, its IXPs as a PeeringDB dump. The worker hands this lab to the steps (activities/lab.ts).
 */
import * as fs from 'fs';
import { LabError, ROUTER_CAPTURE_DIR, tunnelSpec, type Lab, type LabTestbed, type PlannedNode, type SideEndpoints, type TestbedEndpoints } from '../activities/lab';
import type { Side } from '../lib/types';
import { readWorldState, stateFile, type WorldState } from './world';

function worldOf({ campaign, testbed }: LabTestbed): string {
  if (testbed.kind !== 'emulated') throw new LabError('testbed_unknown', `${campaign.testbedsFile}: testbed ${testbed.id} is ${testbed.kind}; this lab reaches only emulated testbeds`);
  return testbed.world;
}

/** Per world: the state as last read and the file's stamp then (the steps resolve their testbed
 *  on every activity; the file changes only when `matador testbed` rewrites it). */
const readStates = new Map<string, { stamp: string; state: WorldState }>();

function stampOf(world: string): string | null {
  try {
    const st = fs.statSync(stateFile(world));
    return `${st.ino}:${st.size}:${st.mtimeMs}`;
  } catch {
    return null;
  }
}

/** The state of a world that is up (read again whenever its file changed). */
export function worldStateOf(world: string): WorldState {
  let state: WorldState;
  const stamp = stampOf(world);
  const seen = readStates.get(world);
  try {
    state = stamp !== null && seen?.stamp === stamp ? seen.state : readWorldState(world);
  } catch (err) {
    readStates.delete(world);
    throw new LabError('world_not_up', `emulated world ${world}: ${(err as Error).message}`);
  }
  if (stamp !== null) readStates.set(world, { stamp, state });
  if (state.status !== 'up') throw new LabError('world_not_up', `emulated world ${world} is ${state.status}${state.failure ? `: ${state.failure}` : ''}`);
  return state;
}

function resolve(at: LabTestbed, pair: { nodeA: PlannedNode; nodeB: PlannedNode }): TestbedEndpoints {
  const world = worldOf(at);
  const id = at.testbed.id;
  const state = worldStateOf(world);
  const testbedIndex = state.testbeds.findIndex((t) => t.id === id);
  if (testbedIndex < 0) throw new LabError('testbed_unknown', `world ${world} has no testbed ${id} (have ${state.testbeds.map((t) => t.id).join(', ') || 'none'})`);
  const tb = state.testbeds[testbedIndex];
  const side = (s: Side): SideEndpoints => {
    const planned = s === 'A' ? pair.nodeA : pair.nodeB;
    const n = state.nodes.find((x) => x.id === planned.id);
    if (!n) throw new LabError('testbed_unknown', `world ${world} has no vantage node ${planned.id} (have ${state.nodes.map((x) => x.id).join(', ')})`);
    const { router, phone } = tb.sides[s];
    if (!n.ssh) throw new LabError('testbed_incomplete', `world ${world}: node ${n.id} has no sshd (started with --skip sshd?)`);
    if (!router.ssh) throw new LabError('testbed_incomplete', `world ${world}: WLAN router ${router.id} has no sshd`);
    if (!phone.running) throw new LabError('testbed_incomplete', `world ${world}: phone ${phone.id} is not running${phone.note ? ` (${phone.note})` : ''}`);
    const ssh = (e: NonNullable<typeof n.ssh>) => ({ host: e.host, port: e.port, username: e.username, privateKeyPath: e.privateKeyPath, knownHostsPath: e.knownHostsFile });
    return {
      side: s,
      router: { ssh: ssh(router.ssh), lanInterface: router.lanIfname, captureDir: ROUTER_CAPTURE_DIR },
      phone: { serial: phone.adbSerial },
      node: { id: n.id, country: n.country, address: n.address, latitude: n.latitude, longitude: n.longitude, ssh: ssh(n.ssh), egressInterface: `mt-${n.router}` },
      tunnel: tunnelSpec({ testbedIndex, side: s, mode: tb.tunnelMode ?? 'vxlan', routerUnderlay: router.uplinkAddress, nodeUnderlay: n.address, phoneSubnet: router.lanPrefix }),
    };
  };
  return { testbed: id, kind: 'emulated', world, sides: { A: side('A'), B: side('B') }, correctionsFiles: [state.correctionsFile], peeringdbFiles: state.peeringdbFile ? [state.peeringdbFile] : [] };
}

function nodeAt(at: LabTestbed, address: string): PlannedNode | null {
  const n = worldStateOf(worldOf(at)).nodes.find((x) => x.address === address);
  return n ? { id: n.id, country: n.country, latitude: n.latitude, longitude: n.longitude } : null;
}

/** Emulated testbeds, from the state of the world each names. */
export function emulatedWorldLab(): Lab {
  return { resolve, nodeAt };
}
