/**
 * The tunnel between a WLAN router and a vantage node, and the exact commands each end runs.
 * Pure: validation + argv building (tested without a network); the drivers execute them.
 *
 * Data path: phone -> router (ip rule: from phoneSubnet lookup `table`; table has default via
 * nodeInner over the tunnel) -> node (forwards, masquerades phoneSubnet out of egressInterface;
 * returns replies to phoneSubnet via routerInner) -> world.
 *
 * Modes: gre and ipip (`ip tunnel`-style L3 tunnels), vxlan (L2 over UDP, for kernels without
 * the ip_gre/ipip modules, such as the development VMs). The outer TTL is fixed (64), so the
 * tunnel is one hop in a traceroute: the node's inner address.
 */
import { DriverConfigError } from '../ssh/failures';
import { Argv } from '../ssh/steps';
import * as v from '../ssh/validate';

export const TUNNEL_MODES = ['gre', 'ipip', 'vxlan'] as const;
export type TunnelMode = (typeof TUNNEL_MODES)[number];

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
  };
}

function linkAdd(spec: TunnelSpec, local: string, remote: string): Argv {
  switch (spec.mode) {
    case 'gre':
    case 'ipip':
      return ['ip', 'link', 'add', spec.name, 'type', spec.mode, 'local', local, 'remote', remote, 'ttl', '64'];
    case 'vxlan':
      return ['ip', 'link', 'add', spec.name, 'type', 'vxlan', 'id', String(spec.vni ?? 42), 'local', local, 'remote', remote, 'dstport', String(spec.vxlanPort ?? 4789), 'ttl', '64'];
  }
}


/** Router end: tunnel link + policy routing for the phone subnet. */
export function routerUpSteps(spec: TunnelSpec): Argv[] {
  return [
    ['sysctl', '-q', '-w', 'net.ipv4.ip_forward=1'],
    linkAdd(spec, spec.routerUnderlay, spec.nodeUnderlay),
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


/** Node end: tunnel link, return route to the phone subnet, forwarding and masquerade. */
export function nodeUpSteps(spec: TunnelSpec, egressInterface: string): Argv[] {
  const ipt = 'iptables';
  return [
    ['sysctl', '-q', '-w', 'net.ipv4.ip_forward=1'],
    linkAdd(spec, spec.nodeUnderlay, spec.routerUnderlay),
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
