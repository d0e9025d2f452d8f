/**
 * A small emulated world for the router/node driver tests (jest: useTopology in
 * test/support/world.ts) and bench/ssh/scope.ts --loopback, in mtsh-* namespaces, addresses
 * 198.19.220.0/24 only:
 *
 *   host(controller) .1 --.2 [world] .5 -- .6 [node: sshd]
 *                             |   .9 -- .10 [router: sshd] .129 -- .130 [phone]   (phone LAN .128/28)
 *                             |  .13 -- .14 [target]
 *   tunnel inner: router .17 / node .18 (/30)
 *
 * With `{ dropbear: true }` the router namespace also runs the OpenWrt-like login of
 * testbed/dropbear.ts (Dropbear + BusyBox ash/tools, no SFTP) on .10 port 2223: `owrt` is its
 * target, so one router can be driven both as a Debian-like and as an OpenWrt-like host.
 *
 * The world has no route to the phone LAN, so the phone reaches the target only through the
 * tunnel and the node's masquerade. The host gets one veth and one route (198.19.220.0/24).
 *
 * Both sshds let the controller key in as root and as the world's admin users (testbed/sshd.ts
 * LOGIN_USERS): `node`/`router` are root logins, `as(target, SUDO_USER)` the same host through
 * the non-root admin with passwordless sudo, `as(target, SUDO_PASSWORD_USER)` one whose sudo
 * wants a password. So the driver tests run the privileged paths both ways.
 */
import { execFile } from 'child_process';
import { promises as fs } from 'fs';
import * as path from 'path';
import { promisify } from 'util';
import { dataDir } from '../lib/project-paths';
import { removeWireguardLeftovers } from './wireguard-leftovers';
import { knownHostsLine } from '../drivers/ssh/known-hosts';
import { SshTarget } from '../drivers/ssh/session';
import { nsExec } from './phone/netns';
import { DropbearHandle, startDropbear, stopDropbearByPidFile } from './dropbear';
import { generateClientKey, SshdHandle, startSshd, stopSshdByPidFile } from './sshd';

export { SUDO_PASSWORD_USER, SUDO_USER } from './sshd';

const execFileAsync = promisify(execFile);

export const NS = {
  world: 'mtsh-world',
  node: 'mtsh-node',
  router: 'mtsh-router',
  phone: 'mtsh-phone',
  target: 'mtsh-target',
} as const;
export const HOST_LINK = 'mtsh-h0';

export const ADDR = {
  host: '198.19.220.1',
  worldHost: '198.19.220.2',
  worldNode: '198.19.220.5',
  node: '198.19.220.6',
  worldRouter: '198.19.220.9',
  router: '198.19.220.10',
  worldTarget: '198.19.220.13',
  target: '198.19.220.14',
  routerInner: '198.19.220.17',
  nodeInner: '198.19.220.18',
  routerLan: '198.19.220.129',
  phone: '198.19.220.130',
  phoneSubnet: '198.19.220.128/28',
} as const;

export async function run(argv: string[], timeoutMs = 30_000): Promise<{ stdout: string; stderr: string }> {
  return execFileAsync(argv[0], argv.slice(1), { timeout: timeoutMs, encoding: 'utf8' });
}

/** Run in a namespace; returns stdout+stderr and the exit code instead of throwing. */
export function inNs(ns: string, argv: string[], timeoutMs = 60_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return nsExec(ns, argv, timeoutMs);
}

async function quiet(argv: string[]): Promise<void> {
  try {
    await run(argv);
  } catch {
    /* already gone */
  }
}

/** Kill every process in our namespaces and delete them (also leftovers of a crashed run). */
export async function destroyTopology(stateRoot?: string): Promise<void> {
  if (stateRoot) {
    for (const ns of [NS.node, NS.router]) await stopSshdByPidFile(path.join(stateRoot, ns, 'sshd.pid'));
    await stopDropbearByPidFile(path.join(stateRoot, DROPBEAR_DIR, 'dropbear.pid'));
  }
  const { stdout } = await run(['ip', 'netns', 'list']);
  const ours = stdout.split('\n').map((l) => l.split(' ')[0]).filter((n) => n.startsWith('mtsh-'));
  for (const ns of ours) {
    const pids = await run(['ip', 'netns', 'pids', ns]).catch(() => ({ stdout: '' }));
    for (const pid of pids.stdout.split('\n').map(Number).filter((p) => p > 1)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* exited meanwhile */
      }
    }
    await quiet(['ip', 'netns', 'del', ns]);
  }
  await quiet(['ip', 'link', 'del', HOST_LINK]);
  await removeWireguardLeftovers('mtsh-');
}

async function veth(aNs: string | null, aName: string, aAddr: string, bNs: string, bName: string, bAddr: string, prefix: number): Promise<void> {
  const tmp = `mtshv${Math.random().toString(36).slice(2, 8)}`;
  await run(['ip', 'link', 'add', aName, 'type', 'veth', 'peer', 'name', tmp]);
  await run(['ip', 'link', 'set', tmp, 'netns', bNs]);
  await run(['ip', '-n', bNs, 'link', 'set', tmp, 'name', bName]);
  if (aNs) await run(['ip', 'link', 'set', aName, 'netns', aNs]);
  const a = aNs ? ['ip', '-n', aNs] : ['ip'];
  await run([...a, 'addr', 'add', `${aAddr}/${prefix}`, 'dev', aName]);
  await run([...a, 'link', 'set', aName, 'up']);
  await run(['ip', '-n', bNs, 'addr', 'add', `${bAddr}/${prefix}`, 'dev', bName]);
  await run(['ip', '-n', bNs, 'link', 'set', bName, 'up']);
}

/** The same host and pins, another login user (and sudo mode). */
export function as(target: SshTarget, username: string, sudo: SshTarget['sudo'] = 'auto'): SshTarget {
  return { ...target, username, sudo };
}

export interface Topology {
  stateRoot: string;
  clientKeyPath: string;
  knownHostsPath: string;
  node: SshTarget;
  router: SshTarget;
  sshd: { node: SshdHandle; router: SshdHandle };
  /** The OpenWrt-like login on the router (buildTopology({ dropbear: true })). */
  dropbear?: DropbearHandle;
  owrt?: SshTarget;
}

const DROPBEAR_DIR = 'mtsh-router-dropbear';
export const DROPBEAR_PORT = 2223;

/** Build the namespaces, start sshd in node and router, pin their keys. */
export async function buildTopology(options: { dropbear?: boolean } = {}): Promise<Topology> {
  const stateRoot = path.join(dataDir, 'test-tmp', 'mtsh-drivers');
  await destroyTopology(stateRoot);
  await fs.rm(stateRoot, { recursive: true, force: true });
  await fs.mkdir(stateRoot, { recursive: true, mode: 0o700 });
  for (const ns of Object.values(NS)) {
    await run(['ip', 'netns', 'add', ns]);
    await run(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
  }
  await veth(null, HOST_LINK, ADDR.host, NS.world, 'w-host', ADDR.worldHost, 30);
  await veth(NS.world, 'w-node', ADDR.worldNode, NS.node, 'n-wan', ADDR.node, 30);
  await veth(NS.world, 'w-rtr', ADDR.worldRouter, NS.router, 'r-wan', ADDR.router, 30);
  await veth(NS.world, 'w-tgt', ADDR.worldTarget, NS.target, 't-wan', ADDR.target, 30);
  await veth(NS.router, 'r-lan', ADDR.routerLan, NS.phone, 'p-wlan', ADDR.phone, 28);
  await run(['ip', 'route', 'replace', '198.19.220.0/24', 'via', ADDR.worldHost, 'dev', HOST_LINK]);
  await inNs(NS.world, ['sysctl', '-q', '-w', 'net.ipv4.ip_forward=1']);
  await run(['ip', '-n', NS.node, 'route', 'add', 'default', 'via', ADDR.worldNode]);
  await run(['ip', '-n', NS.router, 'route', 'add', 'default', 'via', ADDR.worldRouter]);
  await run(['ip', '-n', NS.target, 'route', 'add', 'default', 'via', ADDR.worldTarget]);
  await run(['ip', '-n', NS.phone, 'route', 'add', 'default', 'via', ADDR.routerLan]);

  const key = await generateClientKey(path.join(stateRoot, 'controller'));
  const node = await startSshd({ netns: NS.node, listenAddress: ADDR.node, port: 22, stateDir: path.join(stateRoot, NS.node), authorizedKeys: [key.publicKeyLine] });
  const router = await startSshd({ netns: NS.router, listenAddress: ADDR.router, port: 2222, stateDir: path.join(stateRoot, NS.router), authorizedKeys: [key.publicKeyLine] });
  const dropbear = options.dropbear
    ? await startDropbear({ netns: NS.router, listenAddress: ADDR.router, port: DROPBEAR_PORT, stateDir: path.join(stateRoot, DROPBEAR_DIR), authorizedKeys: [key.publicKeyLine] })
    : undefined;
  const knownHostsPath = path.join(stateRoot, 'known_hosts');
  await fs.writeFile(knownHostsPath, [node.hostKeyLine, router.hostKeyLine, ...(dropbear ? [dropbear.hostKeyLine] : [])].join('\n') + '\n', { mode: 0o600 });
  const target = (host: string, port: number): SshTarget => ({ host, port, username: 'root', privateKeyPath: key.privateKeyPath, knownHostsPath, connectTimeoutMs: 10_000 });
  // knownHostsLine and hostKeyLine must agree, or the drivers would refuse the world's own pins.
  if (knownHostsLine(ADDR.router, 2222, router.hostPublicKey) !== router.hostKeyLine) throw new Error('hostKeyLine format drifted from drivers/ssh/known-hosts');
  return {
    stateRoot,
    clientKeyPath: key.privateKeyPath,
    knownHostsPath,
    node: target(ADDR.node, 22),
    router: target(ADDR.router, 2222),
    sshd: { node, router },
    ...(dropbear ? { dropbear, owrt: target(ADDR.router, DROPBEAR_PORT) } : {}),
  };
}

export async function teardownTopology(t: Topology | undefined): Promise<void> {
  if (t) {
    await t.sshd.node.stop();
    await t.sshd.router.stop();
    await t.dropbear?.stop();
  }
  await destroyTopology(t?.stateRoot ?? path.join(dataDir, 'test-tmp', 'mtsh-drivers'));
  if (t) await fs.rm(t.stateRoot, { recursive: true, force: true });
}
