/**
 * tunnel-match.ts for WireGuard tunnels: is the router's `<name>-r` exactly the tunnel a
 * measurement needs? Read from text forms iproute2 and BusyBox `ip` share (OpenWrt routers have
 * no `ip -j`) and from `wg show NAME dump`, whose first field (the private key) the script
 * replaces with "(hidden)" ON the router, before anything leaves it. Pure but for the script.
 *
 * The far end's key is not compared (the router cannot know the node's current one without a
 * connection to the node): the driver's ping through the tunnel settles it, since a node whose
 * end was rebuilt with a new key does not answer the router's handshake.
 */
import type { TunnelSpec } from '../node/tunnel-spec';
import { wireguardEnd } from '../node/tunnel-spec';
import { endpointHost, parseWireguardDump } from '../node/wireguard-dump';
import { ipLinkIsUp, ipRuleInstalled } from './ip-text';
import type { TunnelMatch } from './tunnel-match';

export interface WireguardObservation {
  /** `ip addr show dev NAME` ('' when there is no such device). */
  addr: string;
  /** `wg show NAME dump` with the private key masked ('' when not a WireGuard interface). */
  dump: string;
  rules: string;
  /** `ip -4 route show table T`. */
  route: string;
  forward: string;
  kernel: string;
}

const SECTIONS = ['addr', 'dump', 'rules', 'route', 'forward', 'kernel'] as const;
const MARK = '@@matador-wg-section ';

/** POSIX sh + BusyBox awk; $1 = interface, $2 = table. Read-only. */
export function wireguardObservationScript(): string {
  const cmds: Record<(typeof SECTIONS)[number], string> = {
    addr: 'ip addr show dev "$1" 2>/dev/null',
    dump: `wg show "$1" dump 2>/dev/null | awk -F'\\t' 'BEGIN{OFS="\\t"} NR==1{$1="(hidden)"} {print}'`,
    rules: 'ip rule show 2>/dev/null',
    route: 'ip -4 route show table "$2" 2>/dev/null',
    forward: 'cat /proc/sys/net/ipv4/ip_forward 2>/dev/null',
    kernel: 'uname -sr',
  };
  return SECTIONS.map((s) => `printf '%s\\n' '${MARK}${s}'; ${cmds[s]}`).join('\n') + '\nexit 0';
}

export function parseWireguardObservation(stdout: string): WireguardObservation {
  const out: Record<string, string[]> = {};
  let current: string | null = null;
  for (const line of stdout.split('\n')) {
    if (line.startsWith(MARK)) {
      const name = line.slice(MARK.length).trim();
      current = (SECTIONS as readonly string[]).includes(name) ? name : null;
      if (current) out[current] = [];
    } else if (current) out[current].push(line);
  }
  const get = (s: (typeof SECTIONS)[number]) => (out[s] ?? []).join('\n').trim();
  return { addr: get('addr'), dump: get('dump'), rules: get('rules'), route: get('route'), forward: get('forward'), kernel: get('kernel') };
}

/** Compare with the spec as the router sees it (forEnd(spec, 'router')). */
export function matchWireguardTunnel(spec: TunnelSpec, obs: WireguardObservation): TunnelMatch {
  if (obs.addr === '') return { match: false, reason: `no interface ${spec.name}`, remote: null };
  const dump = parseWireguardDump(obs.dump);
  if (!dump) return { match: false, reason: `${spec.name}: not a WireGuard interface`, remote: null };
  const endpoint = dump.peers[0]?.endpoint ?? null;
  const remote = endpoint === null ? null : endpointHost(endpoint);
  const no = (reason: string): TunnelMatch => ({ match: false, reason: `${spec.name}: ${reason}`, remote });
  const want = `${spec.nodeUnderlay}:${wireguardEnd(spec, 'node').listenPort}`;
  if (dump.peers.length !== 1) return no(`${dump.peers.length} peers, want 1`);
  if (endpoint !== want) return no(`peer endpoint ${endpoint ?? 'none'}, want ${want}`);
  if (!dump.peers[0].allowedIps.includes('0.0.0.0/0')) return no(`peer allowed-ips ${dump.peers[0].allowedIps.join(',') || 'none'}, want 0.0.0.0/0`);
  if (dump.listenPort !== wireguardEnd(spec, 'router').listenPort) return no(`listen port ${dump.listenPort}, want ${wireguardEnd(spec, 'router').listenPort}`);
  if (!ipLinkIsUp(obs.addr, spec.name)) return no('interface is down');
  if (!new RegExp(`^\\s*inet ${spec.routerInner.replace(/\./g, '\\.')}/${spec.innerPrefixLength}\\s`, 'm').test(obs.addr)) return no(`no address ${spec.routerInner}/${spec.innerPrefixLength}`);
  if (!ipRuleInstalled(obs.rules, spec.rulePriority, spec.phoneSubnet, spec.table)) return no(`no rule priority ${spec.rulePriority} from ${spec.phoneSubnet} lookup ${spec.table}`);
  const routeOk = obs.route.split('\n').some((l) => new RegExp(`^default via ${spec.nodeInner.replace(/\./g, '\\.')} dev ${spec.name}(\\s|$)`).test(l.trim()));
  if (!routeOk) return no(`no default route via ${spec.nodeInner} dev ${spec.name} in table ${spec.table}`);
  if (obs.forward !== '1') return no(`IPv4 forwarding is ${JSON.stringify(obs.forward)}, want 1`);
  return { match: true };
}
