/**
 * The tunnel between a WLAN router and a vantage node, and the exact commands each end runs.
 * Pure: validation + argv building (tested without a network); the drivers execute them.
 *
 * Data path: phone -> router (ip rule: from phoneSubnet lookup `table`; table has default via
 * nodeInner over the tunnel) -> node (forwards, masquerades phoneSubnet out of egressInterface;
 * returns replies to phoneSubnet via routerInner) -> world.
 *
 * Modes: gre and ipip (`ip tunnel`-style L3 tunnels), vxlan (L2 over UDP, for kernels without
 * the ip_gre/ipip modules, such as the development VMs), wireguard (encrypted L3 over UDP; the
 * kernel module when the host has it, wireguard-go otherwise: drivers/node/wireguard-end.ts).
 * The outer TTL is fixed (64) for gre/ipip/vxlan, so the tunnel is one hop in a traceroute: the
 * node's inner address (WireGuard too: it never copies the inner TTL outwards).
 *
 * WireGuard uses one interface name PER END (`<name>-r` on the router, `<name>-n` on the node):
 * wireguard-go's control socket is /var/run/wireguard/<ifname>.sock, one directory for all the
 * network namespaces of a machine, so the two ends of an emulated tunnel (router and node
 * namespaces on one machine) must not share a name. The other modes keep one name.
 */
import { DriverConfigError } from '../ssh/failures';
import { Argv } from '../ssh/steps';
import * as v from '../ssh/validate';

export const TUNNEL_MODES = ['gre', 'ipip', 'vxlan', 'wireguard'] as const;
export type TunnelMode = (typeof TUNNEL_MODES)[number];
export type TunnelEnd = 'router' | 'node';

/** WireGuard's 80 bytes of overhead (IPv6 outer header 40 + UDP 8 + WireGuard 32) below a
 *  1500-byte underlay: the MTU wg-quick and OpenWrt also set. */
export const WIREGUARD_MTU = 1420;
export const WIREGUARD_DEFAULT_PORT = 51820;
/** Where the driver keeps generated keys, wireguard-go's pid and log files: root-only and in
 *  RAM (tmpfs) on Debian (/run) and OpenWrt (/var -> /tmp), so a generated key never reaches a disk. */
export const WIREGUARD_STATE_DIR = '/var/run/matador-wireguard';

/** One end's WireGuard settings (the private key never leaves its host; see wireguard-end.ts). */
export interface WireguardEndOptions {
  /** UDP port this end listens on (the router dials the node's). */
  listenPort: number;
  /** An existing private key file on this host; absent: generated per tunnel, removed at teardown. */
  privateKeyFile?: string;
}

export interface TunnelSpec {
  /** Interface name, the same on both ends. */
  name: string;
  mode: TunnelMode;
  /** Outer addresses: the router's and the node's addresses as seen by each other. */
  routerUnderlay: string;
  nodeUnderlay: string;
  /** Inner addresses on the tunnel interface (same prefix). */
  routerInner: string;
  nodeInner: string;
  innerPrefixLength: number;
  /** The phone's LAN prefix behind the router (CIDR). */
  phoneSubnet: string;
  /** Router policy routing: table id and rule priority. */
  table: number;
  rulePriority: number;
  /** VXLAN only: network identifier (default 42) and UDP port (default 4789). */
  vni?: number;
  vxlanPort?: number;
  /** WireGuard only (defaults: port 51820 on both ends, keys generated). */
  wireguard?: { router: WireguardEndOptions; node: WireguardEndOptions };
}

/** The interface name on one end: `<name>-r` / `<name>-n` for WireGuard, else `name`. */
export function endInterfaceName(spec: TunnelSpec, end: TunnelEnd): string {
  return spec.mode === 'wireguard' ? `${spec.name}-${end === 'router' ? 'r' : 'n'}` : spec.name;
}

/** The spec as one end sees it: `name` is that end's interface (what every command uses). */
export function forEnd(spec: TunnelSpec, end: TunnelEnd): TunnelSpec {
  return { ...spec, name: endInterfaceName(spec, end) };
}

/** One end's WireGuard options with the defaults applied. */
export function wireguardEnd(spec: TunnelSpec, end: TunnelEnd): WireguardEndOptions {
  return spec.wireguard?.[end] ?? { listenPort: WIREGUARD_DEFAULT_PORT };
}

function validateWireguard(spec: TunnelSpec): TunnelSpec['wireguard'] {
  if (spec.mode !== 'wireguard') return undefined;
  const end = (e: TunnelEnd): WireguardEndOptions => {
    const o = wireguardEnd(spec, e);
    const keyFile = o.privateKeyFile === undefined ? {} : { privateKeyFile: v.remotePath(o.privateKeyFile, `tunnel.wireguard.${e}.privateKeyFile`) };
    return { listenPort: v.port(o.listenPort, `tunnel.wireguard.${e}.listenPort`), ...keyFile };
  };
  // Both per-end names must fit IFNAMSIZ (15): the base name leaves room for the "-r"/"-n".
  v.interfaceName(`${spec.name}-r`, 'tunnel.name (+ "-r", WireGuard)');
  return { router: end('router'), node: end('node') };
}

/**
 * Validate every field; throws DriverConfigError naming the field and value. IPv4 only for now:
 * the IPv6 variants (ip6gre/ip6tnl, `ip -6 rule`, ip6tables masquerade) are not built or tested.
 */
export function validateTunnelSpec(spec: TunnelSpec): TunnelSpec {
  if (!TUNNEL_MODES.includes(spec.mode)) throw new DriverConfigError(`tunnel.mode: not one of ${TUNNEL_MODES.join(', ')}: ${JSON.stringify(spec.mode)}`);
  const phoneSubnet = v.cidr(spec.phoneSubnet, 'tunnel.phoneSubnet');
  if (phoneSubnet.includes(':')) throw new DriverConfigError(`tunnel.phoneSubnet: IPv6 phone subnets are not supported yet: ${JSON.stringify(spec.phoneSubnet)}`);
  return {
    name: v.interfaceName(spec.name, 'tunnel.name'),
    mode: spec.mode,
    routerUnderlay: v.ipAddress(spec.routerUnderlay, 'tunnel.routerUnderlay', 4),
    nodeUnderlay: v.ipAddress(spec.nodeUnderlay, 'tunnel.nodeUnderlay', 4),
    routerInner: v.ipAddress(spec.routerInner, 'tunnel.routerInner', 4),
    nodeInner: v.ipAddress(spec.nodeInner, 'tunnel.nodeInner', 4),
    innerPrefixLength: v.integerInRange(spec.innerPrefixLength, 'tunnel.innerPrefixLength', 1, 31),
    phoneSubnet,
    table: v.integerInRange(spec.table, 'tunnel.table', 1, 252),
    rulePriority: v.integerInRange(spec.rulePriority, 'tunnel.rulePriority', 1, 32765),
    vni: spec.vni === undefined ? undefined : v.integerInRange(spec.vni, 'tunnel.vni', 1, 16777215),
    vxlanPort: spec.vxlanPort === undefined ? undefined : v.port(spec.vxlanPort, 'tunnel.vxlanPort'),
    wireguard: validateWireguard(spec),
  };
}

/** The link (gre/ipip/vxlan); a WireGuard link exists already (wireguard-end.ts prepared it). */
function linkAdd(spec: TunnelSpec, local: string, remote: string): Argv[] {
  return spec.mode === 'wireguard' ? [] : [linkAddArgv(spec, local, remote)];
}

function linkAddArgv(spec: TunnelSpec, local: string, remote: string): Argv {
  switch (spec.mode) {
    case 'gre':
    case 'ipip':
      return ['ip', 'link', 'add', spec.name, 'type', spec.mode, 'local', local, 'remote', remote, 'ttl', '64'];
    case 'vxlan':
      return ['ip', 'link', 'add', spec.name, 'type', 'vxlan', 'id', String(spec.vni ?? 42), 'local', local, 'remote', remote, 'dstport', String(spec.vxlanPort ?? 4789), 'ttl', '64'];
    case 'wireguard':
      throw new Error('a WireGuard link is added by the wireguard-end prepare script');
  }
}

/**
 * WireGuard peer of one end (`spec` as that end sees it). The router dials the node (endpoint,
 * keepalive 25 s so a NAT in front of a real router keeps the mapping) and sends anything the
 * policy table routes into the tunnel (0.0.0.0/0); the node has no endpoint (it learns the
 * router's from the handshake, as for a router behind NAT) and accepts only the router's inner
 * address and the phone subnet. Only `ip`/`wg` forms BusyBox's `ip` and OpenWrt's `wg` also take.
 */
function wireguardPeer(spec: TunnelSpec, end: TunnelEnd, peerPublicKey: string | undefined): Argv[] {
  if (spec.mode !== 'wireguard') return [];
  if (peerPublicKey === undefined) throw new Error(`WireGuard ${end} end needs the peer's public key`);
  const pub = v.wireguardKey(peerPublicKey, 'peer public key');
  const peer = end === 'router'
    ? ['endpoint', `${spec.nodeUnderlay}:${wireguardEnd(spec, 'node').listenPort}`, 'allowed-ips', '0.0.0.0/0', 'persistent-keepalive', '25']
    : ['allowed-ips', `${spec.routerInner}/32,${spec.phoneSubnet}`];
  return [
    ['wg', 'set', spec.name, 'peer', pub, ...peer],
    ['ip', 'link', 'set', spec.name, 'mtu', String(WIREGUARD_MTU)],
  ];
}


/** Router end (`spec` as the router sees it: forEnd): tunnel link + policy routing for the
 *  phone subnet. WireGuard: `peerPublicKey` is the node's. */
export function routerUpSteps(spec: TunnelSpec, peerPublicKey?: string): Argv[] {
  return [
    ['sysctl', '-q', '-w', 'net.ipv4.ip_forward=1'],
    ...linkAdd(spec, spec.routerUnderlay, spec.nodeUnderlay),
    ...wireguardPeer(spec, 'router', peerPublicKey),
    ['ip', 'addr', 'add', `${spec.routerInner}/${spec.innerPrefixLength}`, 'dev', spec.name],
    ['ip', 'link', 'set', spec.name, 'up'],
    ['ip', '-4', 'route', 'replace', 'default', 'via', spec.nodeInner, 'dev', spec.name, 'table', String(spec.table)],
    ['ip', 'rule', 'add', 'from', spec.phoneSubnet, 'lookup', String(spec.table), 'priority', String(spec.rulePriority)],
  ];
}

/**
 * Router end teardown: each step may fail harmlessly when already gone. The link itself is
 * deleted separately and only when it is a tunnel of our kind (see linkKindArgv), so a
 * misconfigured name can never delete e.g. the router's LAN interface.
 */
export function routerDownSteps(spec: TunnelSpec): Argv[] {
  return [
    ['ip', 'rule', 'del', 'from', spec.phoneSubnet, 'lookup', String(spec.table), 'priority', String(spec.rulePriority)],
    // Not `route flush`: that exits 0 on an empty table, and `removed` counts real removals.
    ['ip', '-4', 'route', 'del', 'default', 'table', String(spec.table)],
  ];
}

/** `ip -d -j link show` of the tunnel name: its linkinfo.info_kind must equal the mode. */
export function linkKindArgv(spec: TunnelSpec): Argv {
  return ['ip', '-d', '-j', 'link', 'show', 'dev', spec.name];
}

export function linkDeleteArgv(spec: TunnelSpec): Argv {
  return ['ip', 'link', 'del', 'dev', spec.name];
}

/** iptables rules the node needs, in `-A`/`-I` form minus the verb (so -C/-D reuse them). */
export function nodeFirewallRules(spec: TunnelSpec, egressInterface: string): { table: string; chain: string; rule: string[]; insert: boolean }[] {
  const comment = ['-m', 'comment', '--comment', `matador-tunnel:${spec.name}`];
  return [
    { table: 'nat', chain: 'POSTROUTING', rule: ['-s', spec.phoneSubnet, '-o', egressInterface, ...comment, '-j', 'MASQUERADE'], insert: false },
    // Inserted first so that a restrictive FORWARD policy of the node does not drop the phone.
    { table: 'filter', chain: 'FORWARD', rule: ['-i', spec.name, '-s', spec.phoneSubnet, ...comment, '-j', 'ACCEPT'], insert: true },
    { table: 'filter', chain: 'FORWARD', rule: ['-o', spec.name, '-d', spec.phoneSubnet, ...comment, '-j', 'ACCEPT'], insert: true },
  ];
}


/** Node end (`spec` as the node sees it: forEnd): tunnel link, return route to the phone
 *  subnet, forwarding and masquerade. WireGuard: `peerPublicKey` is the router's. */
export function nodeUpSteps(spec: TunnelSpec, egressInterface: string, peerPublicKey?: string): Argv[] {
  const ipt = 'iptables';
  return [
    ['sysctl', '-q', '-w', 'net.ipv4.ip_forward=1'],
    ...linkAdd(spec, spec.nodeUnderlay, spec.routerUnderlay),
    ...wireguardPeer(spec, 'node', peerPublicKey),
    ['ip', 'addr', 'add', `${spec.nodeInner}/${spec.innerPrefixLength}`, 'dev', spec.name],
    ['ip', 'link', 'set', spec.name, 'up'],
    ['ip', 'route', 'replace', spec.phoneSubnet, 'via', spec.routerInner, 'dev', spec.name],
    ...nodeFirewallRules(spec, egressInterface).map((r) => [ipt, '-w', '5', '-t', r.table, r.insert ? '-I' : '-A', r.chain, ...r.rule]),
  ];
}

/** Node end teardown: delete our rules (identified exactly) and the return route; the link
 *  goes separately (linkKindArgv/linkDeleteArgv) like on the router. */
export function nodeDownSteps(spec: TunnelSpec, egressInterface: string): Argv[] {
  const ipt = 'iptables';
  return [
    ...nodeFirewallRules(spec, egressInterface).map((r) => [ipt, '-w', '5', '-t', r.table, '-D', r.chain, ...r.rule]),
    ['ip', 'route', 'del', spec.phoneSubnet, 'via', spec.routerInner, 'dev', spec.name],
  ];
}
