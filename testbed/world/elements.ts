/**
 * Starts the world's processes once the network stands: resolvers (dnsmasq), background
 * responders, service backends (testbed/services), sshd in every vantage node and WLAN router
 * (testbed/sshd), and the phone daemon (testbed/phone). Each start records its process in the
 * state, so `down` finds it by pid file even after a crash.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { toolsBinDir } from '../../lib/project-paths';
import { startDropbear } from '../dropbear';
import { generateClientKey, startSshd } from '../sshd';
import { startServiceBackend, SERVICE_APPS, serviceShape } from '../services';
import type { ServiceApp } from '../services/catalogue';
import { nodeEntryArgv } from '../services/node-entry';
import { dnsmasqArgv, httpDnsAnswers, resolverRecords } from './dns';
import { ANYCAST_DNS, WorldPlan } from './address-plan';
import { spawnInNetns, writePidFile } from './processes';
import type { SshEndpoint, WorldProcess, WorldState } from './state';
import { isProcessAlive } from '../../ops/pid';
import { pool, sleep } from './sys';
import { loginUser } from './logins';
import type { PhoneDaemonConfig } from './phone-daemon';

const FEDERATION_PORT = 7100;

/** The phones' file systems live outside .matador: their app processes run as Android uids
 *  10061.. and need search permission on every parent, which .matador (0700) does not give. */
export function phonesDir(world: string): string {
  return path.join(os.tmpdir(), `mt-world-${world}`, 'phones');
}

function recordPid(dir: string, name: string, pid: number, netns: string, logFile: string | null): WorldProcess {
  const pidFile = path.join(dir, 'pids', `${name.replace(/[^A-Za-z0-9_.-]/g, '_')}.pid`);
  fs.mkdirSync(path.dirname(pidFile), { recursive: true });
  writePidFile(pidFile, pid);
  return { name, netns, pid, pidFile, logFile };
}

/** Waits until `file` contains `needle`, or the process dies, or time runs out. */
async function waitForLog(file: string, needle: RegExp, pid: number, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
    if (needle.test(text)) return;
    if (!isProcessAlive(pid)) throw new Error(`${what} exited during start; log ${file}: ${text.trim().split('\n').slice(-3).join(' | ')}`);
    if (Date.now() > deadline) throw new Error(`${what} not ready after ${timeoutMs} ms; log ${file}`);
    await sleep(50);
  }
}

export async function startResolvers(plan: WorldPlan, state: WorldState, dir: string): Promise<void> {
  for (const r of plan.resolvers) {
    const records = resolverRecords(plan, r.id);
    const logFile = path.join(dir, 'logs', `dnsmasq-${r.id}.log`);
    const pidFile = path.join(dir, 'pids', `dnsmasq-${r.id}.dnsmasq.pid`);
    fs.mkdirSync(path.dirname(logFile), { recursive: true });
    const proc = spawnInNetns({ name: `dnsmasq-${r.id}`, netns: r.netns, argv: dnsmasqArgv({ address: r.address, anycast: ANYCAST_DNS, records, pidFile, logFile }), dir });
    state.processes.push(proc);
    await waitForLog(logFile, /started, version/, proc.pid, 10_000, `dnsmasq ${r.id} in ${r.netns}`);
    state.resolvers.push({ id: r.id, netns: r.netns, address: r.address, country: r.country, records });
  }
}

export async function startBackground(plan: WorldPlan, state: WorldState, dir: string): Promise<void> {
  for (const b of plan.background) {
    const proc = spawnInNetns({ name: `responder-${b.id}`, netns: b.netns, argv: [...nodeEntryArgv(__dirname, 'responder'), b.kind, b.address, String(b.port)], dir });
    state.processes.push(proc);
    await waitForLog(proc.logFile as string, /listening on/, proc.pid, 15_000, `${b.kind} responder ${b.id}`);
    state.background.push({ id: b.id, kind: b.kind, netns: b.netns, address: b.address, port: b.port, country: b.country, names: b.names });
  }
}

export async function startBackend(plan: WorldPlan, state: WorldState, dir: string, id: string): Promise<void> {
  const s = plan.services.find((x) => x.id === id);
  if (!s) throw new Error(`no service ${id} in world ${plan.world}`);
  const entry = state.services.find((x) => x.id === id);
  const record = entry ?? { id: s.id, app: s.app, netns: s.netns, address: s.address, addresses: s.addresses, router: s.router, country: s.country, names: s.names, running: false, pid: null, note: null };
  if (!entry) state.services.push(record);
  if (!(SERVICE_APPS as readonly string[]).includes(s.app)) {
    record.note = `testbed/services has no emulator for app ${s.app}; namespace and address only`;
    return;
  }
  const siblings = plan.services.filter((x) => x.app === s.app && x.id !== s.id);
  // One address per DNS name: each endpoint of the app listens on its name's address.
  const shape = serviceShape(s.app as ServiceApp);
  const listen = shape.endpoints.map((e) => ({ host: s.addresses.find((a) => a.name === e.name)?.address ?? s.address, port: e.port, tls: e.tls, kind: e.kind }));
  const backend = await startServiceBackend({
    app: s.app as ServiceApp,
    netns: s.netns,
    listen,
    stateDir: path.join(dir, 'services', s.id),
    name: s.id,
    httpDns: s.app === 'wechat' ? httpDnsAnswers(plan, s.app) : undefined,
    federation: siblings.length > 0 ? { listen: { host: s.address, port: FEDERATION_PORT }, peers: siblings.map((x) => ({ host: x.address, port: FEDERATION_PORT })) } : undefined,
  });
  state.processes = state.processes.filter((p) => p.name !== `backend-${s.id}`);
  state.processes.push(recordPid(dir, `backend-${s.id}`, backend.pid, s.netns, backend.logFile));
  record.running = true;
  record.pid = backend.pid;
  record.note = null;
}

export async function startBackends(plan: WorldPlan, state: WorldState, dir: string): Promise<void> {
  await pool(plan.services, 4, (s) => startBackend(plan, state, dir, s.id));
}

/**
 * Whether router A of the first testbed is the OpenWrt-like router (Dropbear + BusyBox) when the
 * world config does not say (`openwrtRouter`). It goes with the first testbed's WireGuard tunnel
 * (address-plan tunnelModeOf): BusyBox ip cannot build vxlan (the drivers refuse: tool_missing),
 * as on a real OpenWrt router without ip-full.
 */
export const OPENWRT_FIRST_ROUTER_DEFAULT = true;

/** The router that runs Dropbear + BusyBox: router A of the first testbed, when enabled. */
export function openwrtRouterId(plan: WorldPlan, enabled: boolean | undefined): string | null {
  return (enabled ?? OPENWRT_FIRST_ROUTER_DEFAULT) && plan.testbeds.length > 0 ? plan.testbeds[0].A.wlan.id : null;
}

/** One controller key, one pinned known_hosts file, an sshd (or, on the OpenWrt-like router,
 *  Dropbear) per vantage node and WLAN router; the login user of each is testbed/world/logins.ts's. */
export async function startSshds(plan: WorldPlan, state: WorldState, dir: string, openwrt: string | null = null): Promise<void> {
  const sshDir = path.join(dir, 'ssh');
  const key = await generateClientKey(sshDir, 'controller_ed25519');
  const knownHostsFile = path.join(sshDir, 'known_hosts');
  const targets = [
    ...plan.nodes.map((n) => ({ id: n.id, netns: n.netns, address: n.address })),
    ...plan.testbeds.flatMap((t) => [t.A.wlan, t.B.wlan].map((w) => ({ id: w.id, netns: w.netns, address: w.uplinkAddress }))),
  ];
  const hosts = { nodes: plan.nodes, testbeds: plan.testbeds.map((t) => ({ A: t.A.wlan.id, B: t.B.wlan.id })) };
  const endpoints = new Map<string, SshEndpoint>();
  const lines: string[] = [];
  await pool(targets, 8, async (t) => {
    const base = { netns: t.netns, listenAddress: t.address, stateDir: path.join(sshDir, t.id), authorizedKeys: [key.publicKeyLine] };
    const h = t.id === openwrt ? await startDropbear({ ...base, toolDirs: [toolsBinDir] }) : await startSshd(base);
    const server = 'binDir' in h ? 'dropbear' : 'sshd';
    state.processes.push(recordPid(dir, `${server}-${t.id}`, h.pid, t.netns, h.logFile));
    lines.push(h.hostKeyLine);
    const kind = 'binDir' in h ? { server: 'dropbear' as const, userland: 'busybox' as const, pathDir: h.binDir } : { server: 'openssh' as const, userland: 'gnu' as const, pathDir: null };
    endpoints.set(t.id, { host: t.address, port: h.port, username: loginUser(hosts, t.id) ?? 'root', privateKeyPath: key.privateKeyPath, knownHostsFile, hostKeyLine: h.hostKeyLine, kind });
  });
  fs.writeFileSync(knownHostsFile, lines.sort().join('\n') + '\n', { mode: 0o600 });
  for (const n of state.nodes) n.ssh = endpoints.get(n.id) ?? null;
  for (const t of state.testbeds) for (const side of ['A', 'B'] as const) t.sides[side].router.ssh = endpoints.get(t.sides[side].router.id) ?? null;
}

/** The phones run in one detached daemon (host namespace) that outlives `testbed up`. */
export async function startPhones(plan: WorldPlan, state: WorldState, dir: string): Promise<void> {
  if (plan.testbeds.length === 0) return;
  const apps = [...SERVICE_APPS];
  const config: PhoneDaemonConfig = {
    socket: path.join(dir, 'phones.sock'),
    phones: plan.testbeds.flatMap((t) =>
      (['A', 'B'] as const).map((side) => {
        const me = t[side].phone;
        const peer = t[side === 'A' ? 'B' : 'A'].phone;
        return {
          name: me.id,
          netns: me.netns,
          adbPort: me.adbPort,
          stateDir: path.join(phonesDir(plan.world), me.id),
          apps,
          peer: peer.id,
          peerName: `MATAdOR ${side === 'A' ? 'B' : 'A'}`,
          dnsServers: me.dns ? [me.dns] : undefined,
          wlanInterface: me.wlanIfname,
        };
      }),
    ),
  };
  fs.mkdirSync(phonesDir(plan.world), { recursive: true, mode: 0o755 });
  fs.chmodSync(path.dirname(phonesDir(plan.world)), 0o755);
  fs.chmodSync(phonesDir(plan.world), 0o755);
  const configFile = path.join(dir, 'phones.json');
  fs.writeFileSync(configFile, JSON.stringify(config, null, 2));
  const argv = [...nodeEntryArgv(__dirname, 'phone-daemon'), configFile];
  // Host namespace: spawnInNetns would need a namespace; run the daemon directly, detached.
  const { spawn } = await import('child_process');
  const logFile = path.join(dir, 'logs', 'phone-daemon.log');
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  const fd = fs.openSync(logFile, 'a');
  const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', fd, fd], detached: true });
  fs.closeSync(fd);
  child.on('error', () => undefined);
  child.unref();
  if (child.pid === undefined) throw new Error('could not start the phone daemon');
  state.processes.push(recordPid(dir, 'phone-daemon', child.pid, '', logFile));
  await waitForLog(logFile, /^ready/m, child.pid, 60_000, 'phone daemon');
  for (const t of state.testbeds) {
    for (const side of ['A', 'B'] as const) {
      t.sides[side].phone.running = true;
      t.sides[side].phone.note = null;
    }
  }
}
