/**
 * The network of the several-hosts tests (test/multihost): a LAN between the central host (the
 * root namespace) and one network namespace per testbed host, and the testbed hosts' way into the
 * emulated world.
 *
 *   central host (root ns)  bridge mth-lan 198.19.200.1/24  <- Temporal frontend listens here
 *   testbed host tb1        netns mth-tb1, eth0 198.19.200.11/24 (veth mth-tb1 <-> bridge)
 *   testbed host tb2        netns mth-tb2, eth0 198.19.200.12/24 ...
 *
 * 198.19.200.0/24 lies outside everything the world uses (198.18.0.0/16 for the Internet, the lab
 * 198.19.0.0/17). The world is entered only through its management link (mt-host, host side
 * 198.19.0.1): a testbed host's packets to the world (198.18.0.0/16, 198.19.0.0/17) are forwarded
 * by the root namespace and leave over mt-host masqueraded to 198.19.0.1, so the world sees them
 * exactly as it sees the controller's own and is not changed in any way. Forwarding is switched on
 * only on mth-lan and mt-host (IPv4 forwarding is per input interface), and our filter chain
 * lets through only mth-lan -> mt-host and the answers back: nothing else is forwarded, nothing
 * leaves the machine.
 *
 * The CLI's dev server cannot serve on one specific non-loopback address: with `--ip 198.19.200.1`
 * its services bind there but dial each other on 127.0.0.1 (measured: "dial tcp 127.0.0.1:...:
 * connection refused", no workflow starts). So it listens on the central host's loopback and
 * publishFrontend() makes it reachable at CENTRAL_ADDRESS:PORT from the LAN only (DNAT to
 * 127.0.0.1, route_localnet on mth-lan), as Docker publishes a port. Everything carries the prefix `mth-` / `MTH-` and sweepHostsNetwork()
 * removes it, also after a crash.
 */
import { run, type RunResult } from '../world/sys';

export const HOSTS_PREFIX = 'mth-';
export const HOSTS_BRIDGE = 'mth-lan';
export const HOSTS_SUBNET_PREFIX = '198.19.200';
export const CENTRAL_ADDRESS = `${HOSTS_SUBNET_PREFIX}.1`;
/** What the world is reached at from the root namespace (testbed/world/address-plan.ts host.routes). */
const WORLD_ROUTES = ['198.18.0.0/16', '198.19.0.0/17'];
/** The world's management link in the root namespace (testbed/world/address-plan.ts HOST_IFNAME). */
export const WORLD_HOST_LINK = 'mt-host';
const FORWARD_CHAIN = 'MTH-FORWARD';
const NAT_CHAIN = 'MTH-POSTROUTING';
const PUBLISH_CHAIN = 'MTH-PREROUTING';

/** Runs argv (no shell, testbed/world/sys.ts); `allowFail` returns a non-zero exit instead of throwing. */
export const sh = (argv: string[], o: { allowFail?: boolean; input?: string; timeoutMs?: number } = {}): Promise<RunResult> => run(argv, { timeoutMs: 30_000, ...o });

export const hostNetns = (testbed: string): string => `${HOSTS_PREFIX}${testbed}`;
/** The testbed host's address on the LAN: .11, .12, ... in testbed order. */
export const hostAddress = (index: number): string => `${HOSTS_SUBNET_PREFIX}.${11 + index}`;

async function iptables(table: 'filter' | 'nat', args: string[], allowFail = false): Promise<RunResult> {
  return sh(['iptables', '-w', '-t', table, ...args], { allowFail });
}

/** Per-interface IPv4 forwarding (net.ipv4.conf.IF.forwarding): the input interface decides. */
async function setForwarding(ifname: string, on: boolean): Promise<void> {
  await sh(['sysctl', '-q', '-w', `net.ipv4.conf.${ifname}.forwarding=${on ? 1 : 0}`]);
}

export async function linkExists(ifname: string): Promise<boolean> {
  return (await sh(['ip', 'link', 'show', 'dev', ifname], { allowFail: true })).code === 0;
}

/** The LAN, one namespace per testbed host and the way into the world (the world must be up). */
export async function createHostsNetwork(testbeds: string[]): Promise<void> {
  if (!(await linkExists(WORLD_HOST_LINK))) throw new Error(`no ${WORLD_HOST_LINK} link: the emulated world is not up`);
  await sh(['ip', 'link', 'add', HOSTS_BRIDGE, 'type', 'bridge']);
  await sh(['ip', 'address', 'add', `${CENTRAL_ADDRESS}/24`, 'dev', HOSTS_BRIDGE]);
  await sh(['ip', 'link', 'set', HOSTS_BRIDGE, 'up']);
  for (const [i, testbed] of testbeds.entries()) {
    const ns = hostNetns(testbed);
    await sh(['ip', 'netns', 'add', ns]);
    await sh(['ip', 'link', 'add', ns, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
    await sh(['ip', 'link', 'set', ns, 'master', HOSTS_BRIDGE, 'up']);
    await sh(['ip', '-n', ns, '-batch', '-'], {
      input: ['link set lo up', `address add ${hostAddress(i)}/24 dev eth0`, 'link set eth0 up', ...WORLD_ROUTES.map((r) => `route add ${r} via ${CENTRAL_ADDRESS} dev eth0`)].map((l) => `${l}\n`).join(''),
    });
  }
  // Filter first, then forwarding: no packet is forwarded before the chain decides.
  await iptables('filter', ['-N', FORWARD_CHAIN]);
  await iptables('filter', ['-A', FORWARD_CHAIN, '-i', HOSTS_BRIDGE, '-o', WORLD_HOST_LINK, '-j', 'ACCEPT']);
  await iptables('filter', ['-A', FORWARD_CHAIN, '-i', WORLD_HOST_LINK, '-o', HOSTS_BRIDGE, '-m', 'conntrack', '--ctstate', 'ESTABLISHED,RELATED', '-j', 'ACCEPT']);
  await iptables('filter', ['-A', FORWARD_CHAIN, '-i', HOSTS_BRIDGE, '-j', 'DROP']);
  await iptables('filter', ['-A', FORWARD_CHAIN, '-i', WORLD_HOST_LINK, '-j', 'DROP']);
  await iptables('filter', ['-I', 'FORWARD', '1', '-j', FORWARD_CHAIN]);
  await iptables('nat', ['-N', NAT_CHAIN]);
  await iptables('nat', ['-A', NAT_CHAIN, '-s', `${HOSTS_SUBNET_PREFIX}.0/24`, '-o', WORLD_HOST_LINK, '-j', 'MASQUERADE']);
  await iptables('nat', ['-I', 'POSTROUTING', '1', '-j', NAT_CHAIN]);
  await setForwarding(HOSTS_BRIDGE, true);
  await setForwarding(WORLD_HOST_LINK, true);
}

/** Makes a frontend on 127.0.0.1:`port` reachable from the testbed hosts at CENTRAL_ADDRESS:`port`. */
export async function publishFrontend(port: number): Promise<void> {
  await sh(['sysctl', '-q', '-w', `net.ipv4.conf.${HOSTS_BRIDGE}.route_localnet=1`]);
  if ((await iptables('nat', ['-S', PUBLISH_CHAIN], true)).code !== 0) {
    await iptables('nat', ['-N', PUBLISH_CHAIN]);
    await iptables('nat', ['-I', 'PREROUTING', '1', '-j', PUBLISH_CHAIN]);
  }
  await iptables('nat', ['-A', PUBLISH_CHAIN, '-i', HOSTS_BRIDGE, '-d', CENTRAL_ADDRESS, '-p', 'tcp', '--dport', String(port), '-j', 'DNAT', '--to-destination', `127.0.0.1:${port}`]);
}

/** Names of `ip -j ARGS` entries under `key` that carry our prefix. */
async function ours(args: string[], key: 'name' | 'ifname'): Promise<string[]> {
  const r = await sh(['ip', '-j', ...args], { allowFail: true });
  const entries = r.code === 0 && r.stdout.trim() ? (JSON.parse(r.stdout) as Array<Record<string, unknown>>) : [];
  return entries.map((e) => String(e[key])).filter((n) => n.startsWith(HOSTS_PREFIX));
}

/** Our namespaces (mth-*) that exist now. */
export const hostNamespaces = (): Promise<string[]> => ours(['netns', 'list'], 'name');

/** Our links (mth-*) in the root namespace. */
export const hostLinks = (): Promise<string[]> => ours(['link', 'show'], 'ifname');

/** Our iptables chains that exist now ("filter:MTH-FORWARD", ...). */
export async function hostChains(): Promise<string[]> {
  const out: string[] = [];
  for (const table of ['filter', 'nat'] as const) {
    const r = await iptables(table, ['-S'], true);
    for (const m of r.stdout.matchAll(/^-N (MTH-\S+)$/gm)) out.push(`${table}:${m[1]}`);
  }
  return out;
}

/** PIDs of every process in a namespace (`ip netns pids`). */
export async function pidsIn(ns: string): Promise<number[]> {
  const r = await sh(['ip', 'netns', 'pids', ns], { allowFail: true });
  return r.stdout
    .split('\n')
    .map((l) => Number(l.trim()))
    .filter((n) => Number.isInteger(n) && n > 0);
}

/**
 * Removes everything of ours: processes left in our namespaces (killed by PID), the namespaces,
 * the bridge and veths, our chains and the forwarding we switched on. Idempotent.
 */
export async function sweepHostsNetwork(): Promise<void> {
  for (const ns of await hostNamespaces()) {
    for (const pid of await pidsIn(ns)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
    await sh(['ip', 'netns', 'del', ns], { allowFail: true });
  }
  for (const link of await hostLinks()) await sh(['ip', 'link', 'del', link], { allowFail: true });
  if ((await iptables('filter', ['-C', 'FORWARD', '-j', FORWARD_CHAIN], true)).code === 0) await iptables('filter', ['-D', 'FORWARD', '-j', FORWARD_CHAIN], true);
  if ((await iptables('nat', ['-C', 'POSTROUTING', '-j', NAT_CHAIN], true)).code === 0) await iptables('nat', ['-D', 'POSTROUTING', '-j', NAT_CHAIN], true);
  if ((await iptables('nat', ['-C', 'PREROUTING', '-j', PUBLISH_CHAIN], true)).code === 0) await iptables('nat', ['-D', 'PREROUTING', '-j', PUBLISH_CHAIN], true);
  for (const chain of await hostChains()) {
    const [table, name] = chain.split(':') as ['filter' | 'nat', string];
    await iptables(table, ['-F', name], true);
    await iptables(table, ['-X', name], true);
  }
  // The world's link outlives us when the world stays up: give back its forwarding (off, as the world makes it).
  if (await linkExists(WORLD_HOST_LINK)) await setForwarding(WORLD_HOST_LINK, false);
}
