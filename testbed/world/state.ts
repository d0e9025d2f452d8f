/**
 * The world state file `.matador/world/<world>/state.json` (schema `matador.world-state/v1`):
 * how drivers, tests and the campaign find the world's endpoints (addresses, ssh, adb serials).
 * Read it with `readWorldState()`; only `matador testbed` writes it.
 */
import * as fs from 'fs';
import * as path from 'path';
import { dataDir } from '../../lib/project-paths';

export const WORLD_STATE_SCHEMA = 'matador.world-state/v1';

export function worldsDir(): string {
  return path.join(dataDir, 'world');
}

export function worldDir(world: string): string {
  return path.join(worldsDir(), world);
}

/** How to log in to an sshd of the world (vantage node or WLAN router). */
export interface SshEndpoint {
  host: string;
  port: number;
  username: string;
  /** Controller private key (a reference: never put its content into workflow inputs). */
  privateKeyPath: string;
  /** known_hosts file with every sshd of the world pinned. */
  knownHostsFile: string;
  hostKeyLine: string;
  /** What runs there: OpenSSH + Debian (GNU) tools, or the OpenWrt-like Dropbear + BusyBox
   *  (testbed/dropbear.ts; `pathDir` is its login's PATH, where faults put shims). Absent in
   *  states written before issue 10: OpenSSH. */
  kind?: { server: 'openssh' | 'dropbear'; userland: 'gnu' | 'busybox'; pathDir: string | null };
}

export interface WorldProcess {
  name: string; // e.g. "dnsmasq:dns-eu", "sshd:pl-waw", "backend:threema"
  netns: string;
  pid: number;
  pidFile: string;
  logFile: string | null;
}

/** How link delays are applied (delays.ts applies them). */
export type DelayMode = 'netem' | 'nfqueue' | 'none';

export interface DelayedInterface {
  ifname: string;
  /** NFQUEUE number (nfqueue mode), unique within the namespace. */
  queue: number;
  baseMs: number;
  extraMs: number;
}

export interface DelayState {
  mode: DelayMode;
  /** Why delays are off (mode "none"). */
  reason: string | null;
  namespaces: Record<string, DelayedInterface[]>;
}

export interface WorldState {
  schema: typeof WORLD_STATE_SCHEMA;
  world: string;
  configFile: string;
  status: 'starting' | 'up' | 'failed';
  failure: string | null;
  upPid: number;
  startedAt: string;
  upSeconds: number | null;
  /** How link delays are applied (netem, NFQUEUE daemons, or not at all and why). */
  delays: DelayState;
  /** Geolocation corrections for the address plan (lib/geo format `matador.geo-corrections/v1`). */
  correctionsFile: string;
  /** PeeringDB dump of the world's IXPs (testbed/world/ixps.ts); absent in states written before it. */
  peeringdbFile?: string;
  host: { ifname: string; address: string; gateway: string; routes: string[] };
  /** Answered by every resolver; each vantage node's prefix reaches its region's resolver. */
  anycastResolver: string;
  routers: { id: string; country: string; netns: string; prefix: string; gateway: string; interfaces: { ifname: string; address: string; peer: string }[] }[];
  nodes: {
    id: string;
    country: string;
    city?: string;
    latitude: number;
    longitude: number;
    netns: string;
    address: string;
    router: string;
    /** The node's DNS resolver (what a PlanetLab node's /etc/resolv.conf would name). */
    resolver: string | null;
    ssh: SshEndpoint | null;
  }[];
  /** `addresses`: one per DNS name the resolvers answer (the first is `address`). */
  services: { id: string; app: string; netns: string; address: string; addresses: { name: string; address: string }[]; router: string; country: string; names: string[]; running: boolean; pid: number | null; note: string | null }[];
  resolvers: { id: string; netns: string; address: string; country: string; records: { name: string; address: string }[] }[];
  background: { id: string; kind: string; netns: string; address: string; port: number; country: string; names: string[] }[];
  testbeds: {
    id: string;
    /** Task queue of this testbed's activities (DESIGN section 3). */
    taskQueue: string;
    /** Mode of its router <-> vantage node tunnels (address-plan.ts tunnelModeOf); absent in the
     *  state of a world started before it was recorded: vxlan. */
    tunnelMode?: 'vxlan' | 'wireguard';
    sides: Record<
      'A' | 'B',
      {
        router: { id: string; netns: string; uplinkAddress: string; lanAddress: string; lanPrefix: string; lanIfname: string; ssh: SshEndpoint | null };
        phone: {
          id: string;
          netns: string;
          address: string;
          gateway: string;
          dns: string | null;
          wlanIfname: string;
          /** adbd of the virtual phone listens on the host loopback ("USB cable"). */
          adbPort: number;
          /** `adb connect` target and the serial `adb devices` lists: "127.0.0.1:<adbPort>". */
          adbSerial: string;
          running: boolean;
          note: string | null;
        };
      }
    >;
  }[];
  links: { id: string; a: string; b: string; delayMs: number; private: string | null; ends: { netns: string; ifname: string; address: string }[] }[];
  processes: WorldProcess[];
  faults: { kind: string; target: string; value: number | null; since: string }[];
}

export function stateFile(world: string): string {
  return path.join(worldDir(world), 'state.json');
}

export function writeWorldState(state: WorldState): void {
  const file = stateFile(state.world);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(state, null, 2) + '\n');
  fs.renameSync(tmp, file);
}

/** Names of worlds with a state directory (up, failed, or left over by a crash). */
export function knownWorlds(): string[] {
  try {
    return fs.readdirSync(worldsDir()).filter((d) => fs.existsSync(path.join(worldsDir(), d, 'state.json')));
  } catch {
    return [];
  }
}

/** The state of `world`, or of the one world that is present when `world` is omitted. */
export function readWorldState(world?: string): WorldState {
  const name = world ?? knownWorlds()[0];
  if (!name) throw new Error(`no emulated world is up (no state under ${worldsDir()}); run "matador testbed up"`);
  const file = stateFile(name);
  if (!fs.existsSync(file)) throw new Error(`world ${name} is not up (no ${file})`);
  const state = JSON.parse(fs.readFileSync(file, 'utf8')) as WorldState;
  if (state.schema !== WORLD_STATE_SCHEMA) throw new Error(`${file}: schema ${String(state.schema)}, expected ${WORLD_STATE_SCHEMA}`);
  return state;
}

/** Finds the namespace of an element: an id (pl-waw, tb1-wa, threema, gb), or a namespace name. */
export function elementNetns(state: WorldState, name: string): string | null {
  const all: { id: string; netns: string }[] = [
    ...state.routers,
    ...state.nodes,
    ...state.services,
    ...state.resolvers,
    ...state.background,
    ...state.testbeds.flatMap((t) => [t.sides.A.router, t.sides.A.phone, t.sides.B.router, t.sides.B.phone]),
    { id: 'lab', netns: 'mt-lab' },
  ];
  return all.find((e) => e.id === name || e.netns === name)?.netns ?? null;
}
