/**
 * `matador testbed up|down|status|exec|fault`: the emulated world's life cycle.
 *
 * up: removes leftovers of any world, plans, builds the network, exports the geolocation
 * corrections, starts resolvers, background responders, backends, sshd and phones, applies the
 * config's faults, and writes `.matador/world/<world>/state.json` (see state.ts). The state is
 * written first with status "starting", so a crash mid-way still tells `down` what to remove.
 * down: kills by pid file, by scanning the `mt-` namespaces and by scanning for the world
 * directory in command lines; deletes the namespaces, host links and files.
 */
import { removeWireguardLeftovers } from '../wireguard-leftovers';
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { stringify as toYaml } from 'yaml';
import { loadWorld } from './config';
import { ANYCAST_DNS, buildPlan, WorldPlan } from './address-plan';
import { createNetwork, removeNetwork, worldNamespaces, writeResolvConfs } from './network';
import { pidsFromFiles, pidsInNamespaces, pidsMentioning, terminatePids } from './processes';
import { knownWorlds, readWorldState, WORLD_STATE_SCHEMA, worldDir, worldsDir, WorldState, writeWorldState, elementNetns } from './state';
import { openwrtRouterId, startBackend, startBackends, startBackground, startPhones, startResolvers, startSshds } from './elements';
import { applyFault, FaultRequest } from './faults';
import { isProcessAlive } from '../../ops/pid';
import { applyDelays } from './delays';
import { peeringDbDump } from './ixps';

export const COMPONENTS = ['resolvers', 'background', 'backends', 'sshd', 'phones'] as const;
export type Component = (typeof COMPONENTS)[number];

export interface UpOptions {
  world: string;
  testbeds?: number;
  /** Components not to start (the network always comes up). */
  skip?: Component[];
  log?: (msg: string) => void;
}

/** A failure after `up` started building (the world is partial); config errors are plain Errors. */
export class WorldBuildError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WorldBuildError';
  }
}

export interface UpResult {
  state: WorldState;
  seconds: number;
}

function planFor(configFile: string, testbeds?: number): WorldPlan {
  const loaded = loadWorld(configFile);
  if (testbeds !== undefined) loaded.config.testbeds = testbeds;
  return buildPlan(loaded);
}

function initialState(plan: WorldPlan, configFile: string, dir: string): WorldState {
  return {
    schema: WORLD_STATE_SCHEMA,
    world: plan.world,
    configFile,
    status: 'starting',
    failure: null,
    upPid: process.pid,
    startedAt: new Date().toISOString(),
    upSeconds: null,
    delays: { mode: 'none', reason: 'not applied yet', namespaces: {} },
    correctionsFile: path.join(dir, 'corrections.yaml'),
    peeringdbFile: path.join(dir, 'peeringdb.json'),
    host: plan.host,
    anycastResolver: ANYCAST_DNS,
    routers: plan.namespaces
      .filter((n) => n.kind === 'router' || n.kind === 'lab')
      .map((n) => ({
        id: n.id,
        country: n.country,
        netns: n.name,
        prefix: plan.routerPrefix[n.id],
        gateway: n.address,
        interfaces: [
          ...plan.links.flatMap((l) => [l.endA, l.endB].filter((e) => e.netns === n.name).map((e) => ({ ifname: e.ifname, address: e.address, peer: e === l.endA ? l.b : l.a }))),
          ...plan.attachments.filter((a) => a.routerEnd.netns === n.name).map((a) => ({ ifname: a.routerEnd.ifname, address: a.routerEnd.address, peer: a.element })),
        ],
      })),
    nodes: plan.nodes.map((n) => ({ id: n.id, country: n.country, city: n.city, latitude: n.latitude, longitude: n.longitude, netns: n.netns, address: n.address, router: n.router, resolver: n.resolver, ssh: null })),
    services: [],
    resolvers: [],
    background: [],
    testbeds: plan.testbeds.map((t) => ({
      id: t.id,
      taskQueue: `testbed-${t.id}`,
      tunnelMode: t.tunnelMode,
      sides: {
        A: sideState(t.A),
        B: sideState(t.B),
      },
    })),
    links: [
      ...plan.links.map((l) => ({ id: l.id, a: l.a, b: l.b, delayMs: l.delayMs, private: l.private, ends: [l.endA, l.endB] as { netns: string; ifname: string; address: string }[] })),
      ...plan.attachments.map((a) => ({ id: `${a.router}~${a.element}`, a: a.router, b: a.element, delayMs: 0, private: null, ends: [a.routerEnd, a.elementEnd] as { netns: string; ifname: string; address: string }[] })),
    ],
    processes: [],
    faults: [],
  };
}

function sideState(s: WorldPlan['testbeds'][number]['A']): WorldState['testbeds'][number]['sides']['A'] {
  return {
    router: { id: s.wlan.id, netns: s.wlan.netns, uplinkAddress: s.wlan.uplinkAddress, lanAddress: s.wlan.lanAddress, lanPrefix: s.wlan.lanPrefix, lanIfname: `mt-${s.phone.id}`, ssh: null },
    phone: {
      id: s.phone.id,
      netns: s.phone.netns,
      address: s.phone.address,
      gateway: s.phone.gateway,
      dns: s.phone.dns,
      wlanIfname: s.phone.wlanIfname,
      adbPort: s.phone.adbPort,
      adbSerial: `127.0.0.1:${s.phone.adbPort}`,
      running: false,
      note: 'not started',
    },
  };
}

export function writeCorrections(plan: WorldPlan, file: string): void {
  const header = `# Geolocation corrections for the emulated world "${plan.world}" (written by matador testbed up):\n# every prefix of the address plan maps to the country of the router that owns it (router prefixes also to its AS).\n`;
  fs.writeFileSync(file, header + toYaml({ schema: 'matador.geo-corrections/v1', corrections: plan.corrections }));
}

/** The world's IXPs as a PeeringDB dump (ix/ixlan/ixpfx), for the geolocate step's IXP marks. */
export function writePeeringDb(plan: WorldPlan, file: string): void {
  fs.writeFileSync(file, `${JSON.stringify(peeringDbDump(plan.world, plan.ixps), null, 1)}\n`);
}

export async function up(opts: UpOptions): Promise<UpResult> {
  const log = opts.log ?? (() => undefined);
  const t0 = Date.now();
  const configFile = loadWorld(opts.world).file;
  const plan = planFor(configFile, opts.testbeds);
  const cleared = await down({ log: () => undefined });
  if (cleared.namespaces + cleared.processes > 0) log(`cleared leftovers: ${cleared.namespaces} namespaces, ${cleared.processes} processes`);
  const dir = worldDir(plan.world);
  fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
  const state = initialState(plan, configFile, dir);
  writeWorldState(state);
  const skip = new Set(opts.skip ?? []);
  try {
    await createNetwork(plan, log);
    state.delays = await applyDelays(plan, dir, state.processes, log);
    // Everyone's resolv.conf names the anycast resolver, which routing delivers to the region's.
    const anycast = plan.resolvers.length > 0 ? ANYCAST_DNS : null;
    writeResolvConfs([
      ...plan.nodes.map((n) => ({ netns: n.netns, resolver: anycast })),
      ...plan.testbeds.flatMap((t) => [t.A, t.B].flatMap((x) => [x.wlan.netns, x.phone.netns]).map((netns) => ({ netns, resolver: anycast }))),
    ]);
    writeCorrections(plan, state.correctionsFile);
    if (state.peeringdbFile) writePeeringDb(plan, state.peeringdbFile);
    const phases: [Component, (p: WorldPlan, s: WorldState, d: string) => Promise<void>][] = [
      ['resolvers', startResolvers],
      ['background', startBackground],
      ['backends', startBackends],
      ['sshd', (p, st, d) => startSshds(p, st, d, openwrtRouterId(p, loadWorld(configFile).config.openwrtRouter))],
      ['phones', startPhones],
    ];
    for (const [name, start] of phases) {
      if (skip.has(name)) {
        log(`${name}: skipped`);
        continue;
      }
      const t = Date.now();
      await start(plan, state, dir);
      writeWorldState(state);
      log(`${name}: started (${((Date.now() - t) / 1000).toFixed(1)} s)`);
    }
    const loaded = loadWorld(configFile);
    for (const f of loaded.config.faults) log(`fault ${await applyFault(state, { kind: f.kind, target: f.target, value: f.value }, { restartBackend: (id) => startBackend(plan, state, dir, id) })}`);
    state.status = 'up';
    state.upSeconds = (Date.now() - t0) / 1000;
    writeWorldState(state);
    return { state, seconds: state.upSeconds };
  } catch (err) {
    state.status = 'failed';
    state.failure = err instanceof Error ? err.message : String(err);
    writeWorldState(state);
    throw new WorldBuildError(`world ${plan.world}: ${state.failure}`);
  }
}

export interface DownResult {
  worlds: string[];
  namespaces: number;
  processes: number;
  links: number;
}

/** Removes every world (all `mt-` namespaces, world processes, host links, world files). */
export async function down(opts: { log?: (msg: string) => void } = {}): Promise<DownResult> {
  const log = opts.log ?? (() => undefined);
  const worlds = fs.existsSync(worldsDir()) ? fs.readdirSync(worldsDir()) : [];
  const pids: number[] = [];
  for (const w of worlds) {
    const dir = worldDir(w);
    pids.push(...pidsFromFiles(dir));
    try {
      const st = readWorldState(w);
      // An `up` still running (e.g. hung) is stopped too; only if it is really ours.
      if (st.upPid !== process.pid && isProcessAlive(st.upPid) && fs.readFileSync(`/proc/${st.upPid}/cmdline`, 'utf8').includes('testbed')) pids.push(st.upPid);
    } catch {
      /* no or broken state: scanning below still finds everything */
    }
  }
  const namespaces = await worldNamespaces();
  pids.push(...(await pidsInNamespaces(namespaces)));
  pids.push(...pidsMentioning(`${worldsDir()}/`));
  const unique = [...new Set(pids)].filter((p) => p !== process.pid && isProcessAlive(p));
  await terminatePids(unique);
  if (unique.length) log(`stopped ${unique.length} processes`);
  // Tunnels' wireguard-go ran in the world's namespaces; a killed one leaves socket and files.
  await removeWireguardLeftovers('mt-tn');
  const net = await removeNetwork();
  log(`removed ${net.namespaces} namespaces, ${net.links} host links`);
  for (const w of worlds) fs.rmSync(worldDir(w), { recursive: true, force: true });
  for (const d of fs.readdirSync(os.tmpdir()).filter((x) => x.startsWith('mt-world-'))) fs.rmSync(path.join(os.tmpdir(), d), { recursive: true, force: true });
  if (fs.existsSync(worldsDir()) && fs.readdirSync(worldsDir()).length === 0) fs.rmdirSync(worldsDir());
  return { worlds, namespaces: net.namespaces, processes: unique.length, links: net.links };
}

export interface StatusReport {
  state: WorldState | null;
  namespacesPresent: number;
  namespacesExpected: number;
  processesAlive: number;
  processesDead: string[];
}

export async function status(world?: string): Promise<StatusReport> {
  const present = await worldNamespaces();
  if (knownWorlds().length === 0) return { state: null, namespacesPresent: present.length, namespacesExpected: 0, processesAlive: 0, processesDead: [] };
  const state = readWorldState(world);
  const expected = state.routers.length + state.nodes.length + state.services.length + state.resolvers.length + state.background.length + state.testbeds.length * 4;
  const dead = state.processes.filter((p) => !isProcessAlive(p.pid)).map((p) => p.name);
  return { state, namespacesPresent: present.length, namespacesExpected: expected, processesAlive: state.processes.length - dead.length, processesDead: dead };
}

/** Runs argv inside an element's namespace, output to ours; resolves to its exit code. */
export function execIn(name: string, argv: string[]): Promise<number> {
  const state = readWorldState();
  const ns = elementNetns(state, name);
  if (!ns) throw new Error(`no element ${name} in world ${state.world} (ids: nodes like pl-waw, routers like gb, tb1-wa, tb1-pa, service ids, lab)`);
  return new Promise((resolve, reject) => {
    const child = spawn('ip', ['netns', 'exec', ns, ...argv], { stdio: 'inherit' });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

export async function fault(req: FaultRequest): Promise<string> {
  const state = readWorldState();
  const dir = worldDir(state.world);
  const msg = await applyFault(state, req, {
    restartBackend: async (id) => startBackend(planFor(state.configFile, state.testbeds.length), state, dir, id),
  });
  writeWorldState(state);
  return msg;
}
