/**
 * Router and node drivers end to end in a small mtsh-* world (see testbed/driver-topology.ts): the router driver
 * tunnels the phone's traffic out through the vantage node, tcpdump captures it on the WLAN side,
 * and the node runs traceroutes with both backends. Everything is real: sshd, ip, iptables,
 * tcpdump, tshark, traceroute, scamper, sudo.
 * Privileges both ways: the node logs in as the non-root admin `matador` (its tunnel end,
 * iptables, scamper and traceroute -T/-I go through `sudo -n`), the router as root; configure
 * and the capture run with both router logins; a login whose sudo wants a password fails
 * privilege_denied and leaves nothing on the host.
 */
import { spawn } from 'child_process';
import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseTracerouteText, ParsedTrace } from '../../lib/traceroute';
import { checkNode, NodeTarget, traceroute, TRACEROUTE_BACKENDS, TunnelMode, TunnelSpec, TUNNEL_MODES } from '../../drivers/node';
import { captureFetch, captureStart, captureStop, configureRouter, RouterConfig, tunnelDown, tunnelStatus, tunnelUp } from '../../drivers/router';
import { tunnelReusable } from '../../drivers/router/tunnel';
import { withSsh } from '../../drivers/ssh/session';
import { nodeEndpointDown } from '../../drivers/node/tunnel-endpoint';
import { WIREGUARD_STATE_DIR } from '../../drivers/node/tunnel-spec';
import { DOWN_SCRIPT, parsePrepareOutput, PREPARE_SCRIPT } from '../../drivers/node/wireguard-end';
import { parseWireguardObservation, wireguardObservationScript } from '../../drivers/router/tunnel-match-wireguard';
import { ADDR, as, buildTopology, inNs, NS, run, SUDO_PASSWORD_USER, SUDO_USER, teardownTopology, Topology, topologyTunnel } from '../support/world';

const SERVICE_PORT = 8080;
let topo: Topology | undefined;
let router: RouterConfig;
let node: NodeTarget;
let spec: TunnelSpec;
/** Modes the kernel refused (no ip_gre/ipip module): each must have failed cleanly. */
const refusedModes: { mode: TunnelMode; detail: string }[] = [];

function baseSpec(mode: TunnelMode): TunnelSpec {
  return topologyTunnel(mode, { name: 'mtsh-tun0', table: 120, rulePriority: 1200 });
}

/** WireGuard: per-end interfaces mtsh-wg0-r (router) / mtsh-wg0-n (node), wireguard-go here. */
const wgSpec: TunnelSpec = { ...baseSpec('wireguard'), name: 'mtsh-wg0', wireguard: { router: { listenPort: 51900 }, node: { listenPort: 51901 } } };

/** wireguard-go processes of ours (by their command line), e.g. ["wireguard-go -f mtsh-wg0-r"]. */
async function wireguardGoProcesses(): Promise<string[]> {
  const { stdout } = await run(['ps', '-eo', 'args']);
  return stdout.split('\n').filter((l) => /^wireguard-go -f mtsh-/.test(l.trim())).map((l) => l.trim());
}

async function wireguardLeftovers(base: string): Promise<string[]> {
  const left: string[] = [];
  for (const [dir, prefix] of [['/var/run/wireguard', base], [WIREGUARD_STATE_DIR, base]]) {
    left.push(...(await fs.readdir(dir).catch(() => [] as string[])).filter((f) => f.startsWith(prefix)).map((f) => `${dir}/${f}`));
  }
  return left;
}

function t(): Topology {
  if (!topo) throw new Error('topology not built');
  return topo;
}

/** Our iptables rules on the node (identified by their comment). */
async function nodeTunnelRules(): Promise<string[]> {
  const rules: string[] = [];
  for (const table of ['nat', 'filter']) {
    const r = await inNs(NS.node, ['iptables', '-w', '5', '-t', table, '-S']);
    rules.push(...r.stdout.split('\n').filter((l) => l.includes('matador-tunnel:')));
  }
  return rules;
}

async function linkExists(ns: string, name: string): Promise<boolean> {
  return (await inNs(ns, ['ip', 'link', 'show', 'dev', name])).code === 0;
}

async function phonePing(): Promise<boolean> {
  return (await inNs(NS.phone, ['ping', '-n', '-c', '2', '-W', '1', ADDR.target])).code === 0;
}

beforeAll(async () => {
  topo = await buildTopology();
  router = { ssh: topo.router, lanInterface: 'r-lan', captureDir: '/run/mtsh-router-captures' };
  node = { ssh: as(topo.node, SUDO_USER), egressInterface: 'n-wan' };
  // The "service" on the target: a TCP listener that answers each connection.
  // It tells each client which source address it saw (socat sets SOCAT_PEERADDR).
  spawn('ip', ['netns', 'exec', NS.target, 'socat', `TCP-LISTEN:${SERVICE_PORT},fork,reuseaddr`, 'SYSTEM:echo service-reply peer=$SOCAT_PEERADDR'], { stdio: 'ignore', detached: true }).unref();
  for (let i = 0; i < 50 && !(await inNs(NS.target, ['ss', '-Hltn', `( sport = :${SERVICE_PORT} )`])).stdout.trim(); i++) await new Promise((r) => setTimeout(r, 100));
}, 60_000);

afterAll(async () => {
  try {
    if (topo) await tunnelDown({ router, node, tunnel: spec ?? baseSpec('vxlan') });
    if (topo) await tunnelDown({ router, node, tunnel: wgSpec });
  } finally {
    await fs.rm('/run/mtsh-router-captures', { recursive: true, force: true });
    await teardownTopology(topo);
  }
}, 60_000);

/** The router as `user` (root, or the admin with passwordless sudo). */
const routerAs = (user: string): RouterConfig => ({ ...router, ssh: as(t().router, user) });

async function uidOf(user: string): Promise<number> {
  return Number((await run(['id', '-u', user])).stdout.trim());
}

describe('router configure', () => {
  it.each(['root', SUDO_USER])('checks tools and LAN, enables forwarding, creates the capture dir (login %s), which is the login\'s', async (user) => {
    await inNs(NS.router, ['sysctl', '-q', '-w', 'net.ipv4.ip_forward=0']);
    await fs.rm(router.captureDir, { recursive: true, force: true });
    const r = await configureRouter(routerAs(user));
    expect(r).toMatchObject({ ok: true, lanInterfaceUp: true });
    expect((await inNs(NS.router, ['sysctl', '-n', 'net.ipv4.ip_forward'])).stdout.trim()).toBe('1');
    const dir = await fs.stat(router.captureDir);
    expect(dir.isDirectory()).toBe(true);
    expect(dir.uid).toBe(await uidOf(user));
  });

  it('rejects unsafe config values before touching the router', async () => {
    expect(await configureRouter({ ...router, lanInterface: 'r-lan;reboot' })).toMatchObject({ ok: false, failure: 'config_invalid' });
    expect(await configureRouter({ ...router, captureDir: '/run/../etc' })).toMatchObject({ ok: false, failure: 'config_invalid' });
    expect(await configureRouter({ ...router, lanInterface: 'nosuchif0' })).toMatchObject({ ok: false, failure: 'config_invalid' });
  });
});

describe('node check', () => {
  it('finds the tools (iptables and sysctl in sudo\'s PATH) and both traceroute backends on the node, as root or the sudo admin', async () => {
    expect(await checkNode(node)).toMatchObject({ ok: true, backends: ['scamper', 'traceroute'] });
    expect(await checkNode({ ...node, ssh: as(t().node, 'root', 'always') })).toMatchObject({ ok: true, backends: ['scamper', 'traceroute'] });
    expect(await checkNode({ ...node, egressInterface: 'nosuchif0' })).toMatchObject({ ok: false, failure: 'config_invalid' });
  });
});

describe('privileges', () => {
  it('a login whose sudo wants a password fails privilege_denied, naming host, command, sudo\'s line and the sudoers fix, and leaves nothing', async () => {
    const nopwRouter = routerAs(SUDO_PASSWORD_USER);
    const cap = await captureStart(nopwRouter, { id: 'mtsh-cap-nopw' });
    expect(cap).toMatchObject({ ok: false, failure: 'privilege_denied' });
    if (!cap.ok) expect(cap.detail).toMatch(new RegExp(`^${SUDO_PASSWORD_USER}@\\S*198\\.19\\.220\\.10\\S*: sudo -n sh -c '.*': sudo: a password is required: add \`${SUDO_PASSWORD_USER} ALL=\\(root\\) NOPASSWD: ALL\` in /etc/sudoers\\.d/matador`));
    expect((await inNs(NS.router, ['pgrep', '-f', 'mtsh-cap-nopw'])).stdout.trim()).toBe('');
    expect((await fs.readdir(router.captureDir)).filter((f) => f.startsWith('mtsh-cap-nopw'))).toEqual([]);
    expect(await configureRouter(nopwRouter)).toMatchObject({ ok: false, failure: 'privilege_denied' });
    const nopwNode = { ...node, ssh: as(t().node, SUDO_PASSWORD_USER) };
    const up = await tunnelUp({ router, node: nopwNode, tunnel: baseSpec('vxlan') });
    expect(up).toMatchObject({ ok: false, failure: 'privilege_denied' });
    expect(await linkExists(NS.node, 'mtsh-tun0')).toBe(false);
    expect(await linkExists(NS.router, 'mtsh-tun0')).toBe(false);
    expect(await nodeTunnelRules()).toEqual([]);
    const trace = await traceroute(nopwNode, { target: ADDR.target, protocol: 'icmp', backend: 'scamper', maxHops: 2 });
    expect(trace).toMatchObject({ ok: false, failure: 'privilege_denied' });
  });

  it('sudo: never on a non-root login refuses privileged steps without running sudo; unprivileged UDP traceroute still runs', async () => {
    const never = { ...node, ssh: as(t().node, SUDO_USER, 'never') };
    const r = await checkNode(never);
    expect(r).toMatchObject({ ok: false, failure: 'privilege_denied' });
    if (!r.ok) expect(r.detail).toMatch(/: needs root, the login is uid \d+ and sudo is 'never': log in as root or set sudo: auto for this host$/);
    const udp = await traceroute(never, { target: ADDR.target, protocol: 'udp', port: 33434, backend: 'traceroute', waitSeconds: 1, maxHops: 4 });
    expect(udp).toMatchObject({ ok: true, run: { trace: { destinationReached: true } } });
  });
});

describe('tunnel', () => {
  it('without the tunnel the phone cannot reach the target (the world has no route to the phone LAN)', async () => {
    expect(await phonePing()).toBe(false);
  });

  it('refuses invalid tunnel specs with config_invalid', async () => {
    for (const bad of [{ name: 'tun;reboot' }, { phoneSubnet: '198.19.220.128/99' }, { nodeInner: '$(id)' }, { table: 255 }]) {
      expect(await tunnelUp({ router, node, tunnel: { ...baseSpec('vxlan'), ...bad } })).toMatchObject({ ok: false, failure: 'config_invalid' });
    }
  });

  it('does not replace a foreign interface with the tunnel name, and rolls the node end back', async () => {
    await inNs(NS.router, ['ip', 'link', 'add', 'mtsh-tun0', 'type', 'bridge']);
    try {
      const r = await tunnelUp({ router, node, tunnel: baseSpec('vxlan') });
      expect(r).toMatchObject({ ok: false, failure: 'tunnel_failed' });
      if (!r.ok) expect(r.detail).toMatch(/not a vxlan tunnel/);
      expect(await linkExists(NS.router, 'mtsh-tun0')).toBe(true); // the bridge is untouched
      expect(await linkExists(NS.node, 'mtsh-tun0')).toBe(false);
      expect(await nodeTunnelRules()).toEqual([]);
    } finally {
      await inNs(NS.router, ['ip', 'link', 'del', 'mtsh-tun0']);
    }
  });

  it('brings up the first mode the kernel supports; refused modes leave nothing behind', async () => {
    let up: Awaited<ReturnType<typeof tunnelUp>> | undefined;
    for (const mode of TUNNEL_MODES) {
      up = await tunnelUp({ router, node, tunnel: baseSpec(mode) });
      if (up.ok) {
        spec = baseSpec(mode);
        break;
      }
      expect(up.failure).toBe('tunnel_failed');
      refusedModes.push({ mode, detail: up.detail });
      expect(await linkExists(NS.node, 'mtsh-tun0')).toBe(false);
      expect(await linkExists(NS.router, 'mtsh-tun0')).toBe(false);
      expect(await nodeTunnelRules()).toEqual([]);
    }
    expect(up).toMatchObject({ ok: true, name: 'mtsh-tun0', nodeInner: ADDR.nodeInner });
    console.log(`tunnel mode used: ${spec.mode}; refused by this kernel: ${JSON.stringify(refusedModes)}`);
    const rules = await nodeTunnelRules();
    expect(rules.some((r) => r.includes('MASQUERADE') && r.includes(ADDR.phoneSubnet))).toBe(true);
  });

  it('bringing it up again is idempotent', async () => {
    expect(await tunnelUp({ router, node, tunnel: spec })).toMatchObject({ ok: true });
    expect((await nodeTunnelRules()).length).toBe(3);
  });

  it('reports the tunnel as up with the far end reachable', async () => {
    expect(await tunnelStatus({ router, tunnel: spec })).toEqual({ ok: true, status: { exists: true, up: true, peerReachable: true, ruleInstalled: true } });
  });

  it('the phone reaches the target through the node: traceroute shows router, tunnel endpoint, node path, target', async () => {
    expect(await phonePing()).toBe(true);
    const r = await inNs(NS.phone, ['traceroute', '-n', '-T', '-p', String(SERVICE_PORT), '-q', '1', '-w', '2', '-m', '8', ADDR.target]);
    expect(r.code).toBe(0);
    const trace = parseTracerouteText(r.stdout, { from: 'A', protocol: 'tcp', port: SERVICE_PORT });
    expect(trace.hops.map((h) => h.ip)).toEqual([ADDR.routerLan, ADDR.nodeInner, ADDR.worldNode, ADDR.target]);
    expect(trace.destinationReached).toBe(true);
  });

  it('the target sees the node as the source (masquerade), not the phone', async () => {
    const r = await inNs(NS.phone, ['socat', '-T', '5', '-', `TCP:${ADDR.target}:${SERVICE_PORT}`]);
    expect(r.stdout.trim()).toBe(`service-reply peer=${ADDR.node}`);
  });
});

describe('capture on the WLAN side', () => {
  it.each(['root', SUDO_USER])('start/stop/fetch yields a valid pcap with the phone\'s traffic (login %s)', async (user) => {
    const router = routerAs(user);
    const started = await captureStart(router, { id: `mtsh-cap-${user}` });
    expect(started.ok).toBe(true);
    if (!started.ok) return;
    const handle = started.handle;
    expect(handle.interface).toBe('r-lan');
    const talk = await inNs(NS.phone, ['sh', '-c', `echo hello-from-phone | socat -T 5 - TCP:${ADDR.target}:${SERVICE_PORT}`]);
    expect(talk.stdout + talk.stderr).toContain('service-reply');
    expect(await phonePing()).toBe(true);
    const stopped = await captureStop(router, handle);
    expect(stopped.ok).toBe(true);
    if (!stopped.ok) return;
    expect(stopped.packetsCaptured).toBeGreaterThan(0);
    const local = path.join(t().stateRoot, 'artefacts', `capture-${user}.pcap`);
    const fetched = await captureFetch(router, handle, local, { removeRemote: true });
    expect(fetched).toMatchObject({ ok: true, format: 'pcap', localPath: local });
    if (!fetched.ok) return;
    expect(fetched.packets).toBe(stopped.packetsCaptured);
    // Independent check with the real tools.
    const tshark = await run(['tshark', '-r', local, '-Y', `ip.src==${ADDR.phone} && ip.dst==${ADDR.target} && tcp.payload`, '-T', 'fields', '-e', 'tcp.payload']);
    const payloads = tshark.stdout.trim().split('\n').map((hex) => Buffer.from(hex.replace(/:/g, ''), 'hex').toString('utf8'));
    expect(payloads.join('')).toContain('hello-from-phone');
    const tcpdump = await run(['tcpdump', '-n', '-r', local, 'icmp']);
    expect(tcpdump.stdout).toContain(`${ADDR.phone} > ${ADDR.target}: ICMP echo request`);
    await expect(fs.access(handle.remoteFile)).rejects.toThrow(); // removeRemote
    expect((await fs.readdir(router.captureDir)).filter((f) => f.startsWith(handle.id))).toEqual([]); // also root's pid file
  });

  // tcpdump's statistics say "1 packet captured" for one packet and "0 packets captured" for
  // none; an idle no-app baseline has often only one or none.
  it.each([
    ['exactly one packet', 'icmp[icmptype] == icmp-echo', 1],
    ['no packet at all', 'udp port 9', 0],
  ])('a capture of %s stops ok with its count', async (_what, filter, expected) => {
    const started = await captureStart(router, { id: `mtsh-cap-count-${expected}`, filter });
    expect(started.ok).toBe(true);
    if (!started.ok) return;
    expect((await inNs(NS.phone, ['ping', '-n', '-c', '1', '-W', '1', ADDR.target])).code).toBe(0);
    const stopped = await captureStop(router, started.handle);
    expect(stopped).toMatchObject({ ok: true, packetsCaptured: expected });
    const local = path.join(t().stateRoot, 'artefacts', `count-${expected}.pcap`);
    expect(await captureFetch(router, started.handle, local, { removeRemote: true })).toMatchObject({ ok: true, packets: expected });
  });

  it('a tcpdump killed mid-capture is reported as capture_failed', async () => {
    const started = await captureStart(router, { id: 'mtsh-cap-killed', filter: 'icmp' });
    expect(started.ok).toBe(true);
    if (!started.ok) return;
    expect(await phonePing()).toBe(true);
    await inNs(NS.router, ['kill', '-KILL', String(started.handle.pid)]);
    const stopped = await captureStop(router, started.handle);
    expect(stopped).toMatchObject({ ok: false, failure: 'capture_failed' });
    // the stop script's own line comes first, then the end of tcpdump's log
    if (!stopped.ok) expect(stopped.detail).toMatch(/: capture mtsh-cap-killed: tcpdump \(pid \d+\) for \S+ is not running: \| tcpdump: listening on r-lan/);
  });

  it('a capture on a missing interface fails to start with capture_failed', async () => {
    const r = await captureStart({ ...router, lanInterface: 'nosuchif0' }, { id: 'mtsh-cap-noif' });
    expect(r).toMatchObject({ ok: false, failure: 'capture_failed' });
  });

  it('fetching a file that is not a capture is capture_failed', async () => {
    const fake = { id: 'mtsh-cap-fake', interface: 'r-lan', remoteFile: `${router.captureDir}/mtsh-cap-fake.pcap`, pidFile: '', logFile: '', pid: 2, startedAt: '' };
    await fs.writeFile(fake.remoteFile, 'this is not a pcap file at all');
    const r = await captureFetch(router, fake, path.join(t().stateRoot, 'artefacts', 'fake.pcap'), { removeRemote: true });
    expect(r).toMatchObject({ ok: false, failure: 'capture_failed' });
  });
});

describe('traceroute on the vantage node', () => {
  it.each(TRACEROUTE_BACKENDS)('%s (tcp to the service port) returns raw output and hops to the target', async (backend) => {
    const r = await traceroute(node, { target: ADDR.target, protocol: 'tcp', port: SERVICE_PORT, backend, side: 'B', waitSeconds: 1, maxHops: 8 });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.run.tool).toBe(backend);
    expect(r.run.raw).toContain(ADDR.target);
    expect(r.run.parseError).toBeNull();
    expect(r.run.trace).toMatchObject({ from: 'B', target: ADDR.target, protocol: 'tcp', port: SERVICE_PORT, destinationReached: true });
    expect(r.run.trace?.hops.map((h) => h.ip)).toEqual([ADDR.worldNode, ADDR.target]);
  });

  it.each(TRACEROUTE_BACKENDS)('%s with udp and icmp also reaches the target', async (backend) => {
    for (const protocol of ['udp', 'icmp'] as const) {
      const r = await traceroute(node, { target: ADDR.target, protocol, port: protocol === 'udp' ? 33434 : null, backend, waitSeconds: 1, maxHops: 8 });
      expect(r.ok).toBe(true);
      if (r.ok) expect(r.run.trace?.hops.at(-1)?.ip).toBe(ADDR.target);
    }
  });

  it('rejects a target that could be read as an option', async () => {
    const r = await traceroute(node, { target: '-oProxyCommand=reboot', protocol: 'tcp', port: 80, backend: 'traceroute' });
    expect(r).toMatchObject({ ok: false, failure: 'config_invalid' });
  });

  it.each(TRACEROUTE_BACKENDS)('%s to a name that does not resolve is traceroute_failed', async (backend) => {
    const r = await traceroute(node, { target: 'no-such-host.invalid', protocol: 'tcp', port: 80, backend });
    expect(r).toMatchObject({ ok: false, failure: 'traceroute_failed' });
  });
});

/**
 * A per-flow load balancer behind the world: the world reaches ECMP.target over two routers
 * (`ip route ... nexthop via lba nexthop via lbb`, fib_multipath_hash_policy=1: the 5-tuple picks
 * the branch, as per-flow load balancers do), both one hop before the target. Namespaces
 * mtsh-lb*, removed with the topology (destroyTopology removes every mtsh-* namespace).
 */
const ECMP = { lba: '198.19.220.66', lbb: '198.19.220.70', target: '198.19.220.81' } as const;

async function buildEcmp(): Promise<void> {
  const ns = { a: 'mtsh-lba', b: 'mtsh-lbb', t: 'mtsh-lbt' };
  for (const n of Object.values(ns)) {
    await run(['ip', 'netns', 'add', n]);
    // The target answers every branch via lba: reverse-path filtering would drop lbb's probes.
    await inNs(n, ['sysctl', '-q', '-w', 'net.ipv4.ip_forward=1', 'net.ipv4.conf.all.rp_filter=0', 'net.ipv4.conf.default.rp_filter=0']);
  }
  const link = async (aNs: string, aIf: string, aAddr: string, bNs: string, bIf: string, bAddr: string): Promise<void> => {
    await run(['ip', '-n', aNs, 'link', 'add', aIf, 'type', 'veth', 'peer', 'name', bIf, 'netns', bNs]);
    for (const [n, i, a] of [[aNs, aIf, aAddr], [bNs, bIf, bAddr]]) {
      await run(['ip', '-n', n, 'addr', 'add', `${a}/30`, 'dev', i]);
      await run(['ip', '-n', n, 'link', 'set', i, 'up']);
    }
  };
  await link(NS.world, 'w-lba', '198.19.220.65', ns.a, 'a-w', ECMP.lba);
  await link(NS.world, 'w-lbb', '198.19.220.69', ns.b, 'b-w', ECMP.lbb);
  await link(ns.a, 'a-t', '198.19.220.73', ns.t, 't-a', '198.19.220.74');
  await link(ns.b, 'b-t', '198.19.220.77', ns.t, 't-b', '198.19.220.78');
  await run(['ip', '-n', ns.t, 'link', 'set', 'lo', 'up']);
  await run(['ip', '-n', ns.t, 'addr', 'add', `${ECMP.target}/32`, 'dev', 'lo']);
  await inNs(NS.world, ['sysctl', '-q', '-w', 'net.ipv4.fib_multipath_hash_policy=1']);
  await run(['ip', '-n', NS.world, 'route', 'add', `${ECMP.target}/32`, 'nexthop', 'via', ECMP.lba, 'nexthop', 'via', ECMP.lbb]);
  await run(['ip', '-n', ns.a, 'route', 'add', `${ECMP.target}/32`, 'via', '198.19.220.74']);
  await run(['ip', '-n', ns.b, 'route', 'add', `${ECMP.target}/32`, 'via', '198.19.220.78']);
  await run(['ip', '-n', ns.a, 'route', 'add', 'default', 'via', '198.19.220.65']);
  await run(['ip', '-n', ns.b, 'route', 'add', 'default', 'via', '198.19.220.69']);
  await run(['ip', '-n', ns.t, 'route', 'add', 'default', 'via', '198.19.220.73']);
}

describe('MDA (scamper tracelb) on the vantage node, through a per-flow load balancer', () => {
  beforeAll(buildEcmp, 30_000);

  /**
   * MDA is a statistical test: at 95 % confidence, with one branch seen, scamper sends 6 more flows
   * at that hop, and all 6 hash onto the same branch of a 2-way balancer with probability
   * 2 * 2^-6 = 3.1 % (the kernel's hash seed and scamper's base source port differ per run). So a
   * run that sees one branch is still a correct result; it must be one of the two branches, and
   * among up to 4 runs one sees both (a miss then has probability about 1e-6).
   */
  it.each(['udp', 'tcp'] as const)('%s: both branches at TTL 2, each with its own times, then the target', async (protocol) => {
    const hopSets = (trace: ParsedTrace | null | undefined): [number, (string | null)[]][] | undefined => trace?.hops.map((h) => [h.ttl, [h.ip, ...(h.otherIps ?? [])].sort()]);
    const bothBranches: [number, (string | null)[]][] = [
      [1, [ADDR.worldNode]],
      [2, [ECMP.lba, ECMP.lbb]],
      [3, [ECMP.target]],
    ];
    for (let attempt = 1; ; attempt++) {
      const started = Date.now();
      const r = await traceroute(node, { target: ECMP.target, protocol, port: protocol === 'udp' ? 3478 : 443, backend: 'scamper', mda: true, side: 'B' });
      const seconds = (Date.now() - started) / 1000;
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      expect(r.run.command[4]).toMatch(new RegExp(`^tracelb -P ${protocol}-sport -d ${protocol === 'udp' ? 3478 : 443} `));
      expect(r.run.parseError).toBeNull();
      const trace = r.run.trace;
      expect(trace).toMatchObject({ from: 'B', tool: 'scamper', method: 'tracelb', protocol, destinationReached: true });
      const hops = hopSets(trace);
      if (attempt < 4 && hops?.[1]?.[1].length === 1) {
        expect(hops).toEqual([[1, [ADDR.worldNode]], [2, [expect.stringMatching(/^198\.19\.220\.(66|70)$/)]], [3, [ECMP.target]]]);
        console.log(`MDA ${protocol} run ${attempt} saw one branch (${hops[1][1][0]}), within its 95 % confidence; again`);
        continue;
      }
      expect(hops).toEqual(bothBranches);
      expect(trace?.hops[1].rttMs.length).toBeGreaterThan(0);
      expect(trace?.hops[1].otherInterfaces?.[0].rttMs.length).toBeGreaterThan(0);
      // What MDA costs here (README): the probes scamper sent and the wall time.
      const probes = (JSON.parse(r.run.raw.split('\n').find((l) => l.includes('"tracelb"')) ?? '{}') as { probec?: number }).probec;
      console.log(`MDA ${protocol} through 2 branches: ${probes} probes, ${seconds.toFixed(1)} s (run ${attempt})`);
      expect(probes).toBeGreaterThan(10);
      return;
    }
  }, 240_000);

  it('a single-path scamper trace through the same balancer sees one branch only', async () => {
    const r = await traceroute(node, { target: ECMP.target, protocol: 'udp', port: 3478, backend: 'scamper', waitSeconds: 1, maxHops: 8 });
    expect(r.ok && r.run.trace?.method).toBe('trace');
    if (!r.ok) return;
    expect(r.run.trace?.hops.map((h) => h.otherIps ?? [])).toEqual([[], [], []]);
    expect([ECMP.lba, ECMP.lbb]).toContain(r.run.trace?.hops[1].ip);
  });
});

describe('tunnel down', () => {
  it('a dead far end is seen from the router', async () => {
    const removed = await withSsh(node.ssh, (s) => nodeEndpointDown(s, spec, node.egressInterface));
    expect(removed).toMatchObject({ ok: true });
    expect(await tunnelStatus({ router, tunnel: spec })).toEqual({ ok: true, status: { exists: true, up: true, peerReachable: false, ruleInstalled: true } });
    expect(await phonePing()).toBe(false);
  });

  it('tunnelDown removes both ends and the phone loses the path', async () => {
    expect(await tunnelUp({ router, node, tunnel: spec })).toMatchObject({ ok: true });
    expect(await phonePing()).toBe(true);
    const down = await tunnelDown({ router, node, tunnel: spec });
    expect(down).toMatchObject({ ok: true });
    if (down.ok) expect(down.nodeRemoved).toBeGreaterThan(0);
    expect(await tunnelStatus({ router, tunnel: spec })).toEqual({ ok: true, status: { exists: false, up: false, peerReachable: false, ruleInstalled: false } });
    expect(await linkExists(NS.node, spec.name)).toBe(false);
    expect(await nodeTunnelRules()).toEqual([]);
    expect(await phonePing()).toBe(false);
    expect(await tunnelDown({ router, node, tunnel: spec })).toMatchObject({ ok: true, routerRemoved: 0, nodeRemoved: 0 });
  });
});

describe('WireGuard tunnel (wireguard-go: this kernel has no wireguard module)', () => {
  it('comes up with one interface per end; the phone reaches the target through it', async () => {
    const up = await tunnelUp({ router, node, tunnel: wgSpec });
    expect(up).toMatchObject({ ok: true, name: 'mtsh-wg0-r', mode: 'wireguard', nodeInner: ADDR.nodeInner });
    if (!up.ok) return;
    console.log(`WireGuard implementation: ${JSON.stringify(up.implementation)}`);
    expect(up.implementation?.router).toMatch(/^(kernel|wireguard-go v?\d+\.\d+\.\d+)$/);
    expect(await linkExists(NS.router, 'mtsh-wg0-r')).toBe(true);
    expect(await linkExists(NS.node, 'mtsh-wg0-n')).toBe(true);
    expect((await inNs(NS.router, ['ip', 'link', 'show', 'dev', 'mtsh-wg0-r'])).stdout).toMatch(/mtu 1420/);
    expect(await tunnelStatus({ router, tunnel: wgSpec })).toEqual({ ok: true, status: { exists: true, up: true, peerReachable: true, ruleInstalled: true } });
    expect(await phonePing()).toBe(true);
    const r = await inNs(NS.phone, ['socat', '-T', '5', '-', `TCP:${ADDR.target}:${SERVICE_PORT}`]);
    expect(r.stdout.trim()).toBe(`service-reply peer=${ADDR.node}`);
    // The traffic really went through WireGuard: the node's peer counted it after a handshake.
    const show = await inNs(NS.node, ['wg', 'show', 'mtsh-wg0-n', 'dump']);
    const peer = show.stdout.trim().split('\n')[1].split('\t');
    expect(Number(peer[4])).toBeGreaterThan(0);
    expect(Number(peer[5])).toBeGreaterThan(1000);
    expect(peer[2]).toBe(`${ADDR.router}:51900`);
    // Keys: generated 0600 on each host, the private one in no process's argv.
    const keyFile = path.join(WIREGUARD_STATE_DIR, 'mtsh-wg0-r.key');
    expect((await fs.stat(keyFile)).mode & 0o777).toBe(0o600);
    const privateKey = (await fs.readFile(keyFile, 'utf8')).trim();
    expect((await run(['ps', '-eo', 'args'])).stdout).not.toContain(privateKey);
    expect(JSON.stringify(up)).not.toContain(privateKey);
    expect(await tunnelUp({ router, node, tunnel: wgSpec })).toMatchObject({ ok: true });
    expect(await phonePing()).toBe(true);
  });

  it('is reusable as it is; once the node end is gone (new key when rebuilt) it is not', async () => {
    expect(await tunnelReusable({ router, tunnel: wgSpec })).toMatchObject({ ok: true, reusable: true, existingRemote: ADDR.node });
    expect(await withSsh(node.ssh, (s) => nodeEndpointDown(s, wgSpec, node.egressInterface))).toMatchObject({ ok: true });
    expect(await tunnelReusable({ router, tunnel: wgSpec })).toMatchObject({ ok: true, reusable: false, existingRemote: ADDR.node });
  });

  it('a wireguard-go that cannot start (its control socket is in use) fails cleanly and leaves nothing', async () => {
    // Another wireguard-go on this machine already owns /var/run/wireguard/mtsh-wg1-r.sock.
    const clash = spawn('ip', ['netns', 'exec', NS.target, 'wireguard-go', '-f', 'mtsh-wg1-r'], { stdio: 'ignore', env: { ...process.env, WG_PROCESS_FOREGROUND: '1' } });
    try {
      for (let i = 0; i < 50 && !(await wireguardLeftovers('mtsh-wg1-r.sock')).length; i++) await new Promise((res) => setTimeout(res, 100));
      const up = await tunnelUp({ router, node, tunnel: { ...wgSpec, name: 'mtsh-wg1', table: 130, rulePriority: 1300, wireguard: { router: { listenPort: 51902 }, node: { listenPort: 51903 } } } });
      expect(up).toMatchObject({ ok: false, failure: 'tunnel_failed' });
      if (!up.ok) expect(up.detail).toMatch(/mtsh-wg1-r\.sock is in use/);
      expect(await linkExists(NS.node, 'mtsh-wg1-n')).toBe(false);
      expect(await linkExists(NS.router, 'mtsh-wg1-r')).toBe(false);
      expect(await wireguardGoProcesses()).not.toContain('wireguard-go -f mtsh-wg1-n');
      expect(await wireguardLeftovers('mtsh-wg1-n')).toEqual([]);
      expect(await wireguardLeftovers('mtsh-wg1-r')).toEqual(['/var/run/wireguard/mtsh-wg1-r.sock']); // the other one's, untouched
    } finally {
      clash.kill();
    }
  });

  it('the end scripts need nothing but BusyBox (ash, ip, awk, sed, ...), wg and wireguard-go, as on OpenWrt', async () => {
    // PATH holds only BusyBox applets and the two WireGuard tools; WG_PROCESS_FOREGROUND=0 would
    // make wireguard-go re-execute itself for ever if it reached it.
    const bin = await fs.mkdtemp(path.join(os.tmpdir(), 'mtsh-busybox-'));
    try {
      for (const a of ['sh', 'ip', 'sed', 'awk', 'grep', 'tr', 'tail', 'head', 'sleep', 'cat', 'mkdir', 'rm', 'kill', 'uname']) await fs.symlink('/bin/busybox', path.join(bin, a));
      for (const t of ['/usr/bin/wg', '/usr/local/bin/wireguard-go']) await fs.symlink(t, path.join(bin, path.basename(t)));
      const bb = (script: string, args: string[]) => inNs(NS.router, ['env', '-i', `PATH=${bin}`, 'WG_PROCESS_FOREGROUND=0', path.join(bin, 'sh'), '-c', script, 'sh', ...args]);
      const prep = await bb(PREPARE_SCRIPT, ['mtsh-bb0-r', WIREGUARD_STATE_DIR, '', '51910']);
      expect(prep.code).toBe(0);
      expect(parsePrepareOutput(prep.stdout)?.implementation.kind).toBe('wireguard-go');
      expect((await wireguardGoProcesses()).filter((l) => l.includes('mtsh-bb0'))).toEqual(['wireguard-go -f mtsh-bb0-r']);
      const obs = parseWireguardObservation((await bb(wireguardObservationScript(), ['mtsh-bb0-r', '120'])).stdout);
      expect(obs.dump.split('\t').slice(0, 3)).toEqual(['(hidden)', parsePrepareOutput(prep.stdout)?.publicKey, '51910']);
      expect(obs.addr).toMatch(/^\d+: mtsh-bb0-r: </);
      expect((await bb(DOWN_SCRIPT, ['mtsh-bb0-r', WIREGUARD_STATE_DIR, '1'])).stdout.trim()).toMatch(/^[12]$/);
      const bbProcesses = async () => (await wireguardGoProcesses()).filter((l) => l.includes('mtsh-bb0'));
      for (let i = 0; i < 20 && (await bbProcesses()).length; i++) await new Promise((res) => setTimeout(res, 100));
      expect(await bbProcesses()).toEqual([]);
      expect(await wireguardLeftovers('mtsh-bb0')).toEqual([]);
    } finally {
      await inNs(NS.router, ['sh', '-c', DOWN_SCRIPT, 'sh', 'mtsh-bb0-r', WIREGUARD_STATE_DIR, '1']);
      await fs.rm(bin, { recursive: true, force: true });
    }
  });

  it('tunnelDown removes interfaces, wireguard-go, sockets and generated keys', async () => {
    const down = await tunnelDown({ router, node, tunnel: wgSpec });
    expect(down).toMatchObject({ ok: true });
    expect(await linkExists(NS.router, 'mtsh-wg0-r')).toBe(false);
    expect(await linkExists(NS.node, 'mtsh-wg0-n')).toBe(false);
    expect(await phonePing()).toBe(false);
    for (let i = 0; i < 20 && (await wireguardGoProcesses()).length; i++) await new Promise((res) => setTimeout(res, 100));
    expect(await wireguardGoProcesses()).toEqual([]);
    expect(await wireguardLeftovers('mtsh-wg')).toEqual([]);
    expect(await nodeTunnelRules()).toEqual([]);
    expect(await tunnelDown({ router, node, tunnel: wgSpec })).toMatchObject({ ok: true, routerRemoved: 0, nodeRemoved: 0 });
  });
});
