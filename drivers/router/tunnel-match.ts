/**
 * Is the tunnel a router already has exactly the one a measurement needs? Pure: it reads the
 * router's own JSON (`ip -d -j addr show dev NAME`, `ip -j rule show priority P`,
 * `ip -j -4 route show table T`, /proc/sys/net/ipv4/ip_forward) as gathered in one round trip by
 * `tunnelObservationScript`, and compares every piece with the spec. The far end is not judged
 * here: the driver pings the node's inner address through the tunnel only when this says yes.
 *
 * Anything unexpected (missing piece, other remote = other node, other VNI/port, link down,
 * unparsable output) is a mismatch with a reason: the caller then rebuilds, which is always safe.
 */
import type { TunnelSpec } from '../node/tunnel-spec';

/** Raw command outputs, one per section of the observation script. */
export interface TunnelObservation {
  /** `ip -d -j addr show dev NAME` ('' when the device does not exist). */
  link: string;
  /** `ip -j rule show priority P`. */
  rule: string;
  /** `ip -j -4 route show table T` ('' when the table is empty or unknown). */
  route: string;
  /** /proc/sys/net/ipv4/ip_forward. */
  forward: string;
  /** `uname -sr`, reported like configureRouter does. */
  kernel: string;
}

export type TunnelMatch =
  | { match: true }
  /** `remote`: the underlay address the existing link points at (another node's), if any. */
  | { match: false; reason: string; remote: string | null };

const SECTIONS = ['link', 'rule', 'route', 'forward', 'kernel'] as const;
const MARK = '@@matador-section ';

/**
 * POSIX sh gathering every section (read-only). Dynamic values are positional parameters:
 * $1 = interface name, $2 = rule priority, $3 = table.
 */
export function tunnelObservationScript(): string {
  const cmds: Record<(typeof SECTIONS)[number], string> = {
    link: 'ip -d -j addr show dev "$1" 2>/dev/null',
    rule: 'ip -j rule show priority "$2" 2>/dev/null',
    route: 'ip -j -4 route show table "$3" 2>/dev/null',
    forward: 'cat /proc/sys/net/ipv4/ip_forward 2>/dev/null',
    kernel: 'uname -sr',
  };
  // A failing command (no such device / table) may have printed half a JSON document ("[" of
  // `ip -j route show table` of a missing table): its section is then empty.
  return SECTIONS.map((s) => `printf '%s\\n' '${MARK}${s}'; out=$(${cmds[s]}) || out=''; printf '%s\\n' "$out"`).join('\n') + '\nexit 0';
}

export function tunnelObservationArgs(spec: TunnelSpec): string[] {
  return [spec.name, String(spec.rulePriority), String(spec.table)];
}

/** Split the script's stdout into its sections (missing ones are ''). */
export function parseTunnelObservation(stdout: string): TunnelObservation {
  const out: TunnelObservation = { link: '', rule: '', route: '', forward: '', kernel: '' };
  let current: (typeof SECTIONS)[number] | null = null;
  const lines: Record<string, string[]> = {};
  for (const line of stdout.split('\n')) {
    if (line.startsWith(MARK)) {
      const name = line.slice(MARK.length).trim();
      current = (SECTIONS as readonly string[]).includes(name) ? (name as (typeof SECTIONS)[number]) : null;
      if (current) lines[current] = [];
      continue;
    }
    if (current) lines[current].push(line);
  }
  for (const s of SECTIONS) out[s] = (lines[s] ?? []).join('\n').trim();
  return out;
}

function jsonArray(text: string, what: string): unknown[] | string {
  if (text.trim() === '') return [];
  try {
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) ? parsed : `${what}: not a JSON array`;
  } catch {
    return `${what}: unparsable JSON ${JSON.stringify(text.slice(0, 80))}`;
  }
}

interface IpLink {
  ifname?: string;
  flags?: string[];
  linkinfo?: { info_kind?: string; info_data?: { local?: string; remote?: string; id?: number; port?: number } };
  addr_info?: Array<{ family?: string; local?: string; prefixlen?: number }>;
}
interface IpRule {
  priority?: number;
  src?: string;
  srclen?: number;
  table?: string;
}
interface IpRoute {
  dst?: string;
  gateway?: string;
  dev?: string;
}

/** Compare what the router has with the spec (validated). */
export function matchTunnel(spec: TunnelSpec, obs: TunnelObservation): TunnelMatch {
  const links = jsonArray(obs.link, `ip addr show dev ${spec.name}`);
  if (typeof links === 'string') return { match: false, reason: links, remote: null };
  const link = links[0] as IpLink | undefined;
  if (!link || link.ifname !== spec.name) return { match: false, reason: `no interface ${spec.name}`, remote: null };
  const info = link.linkinfo?.info_data ?? {};
  const remote = info.remote ?? null;
  const no = (reason: string): TunnelMatch => ({ match: false, reason: `${spec.name}: ${reason}`, remote });
  const kind = link.linkinfo?.info_kind ?? null;
  if (kind !== spec.mode) return no(`kind ${kind ?? 'none'}, want ${spec.mode}`);
  if (info.local !== spec.routerUnderlay) return no(`local ${info.local ?? 'none'}, want ${spec.routerUnderlay}`);
  if (remote !== spec.nodeUnderlay) return no(`remote ${remote ?? 'none'}, want ${spec.nodeUnderlay}`);
  if (spec.mode === 'vxlan') {
    if (info.id !== (spec.vni ?? 42)) return no(`vni ${info.id ?? 'none'}, want ${spec.vni ?? 42}`);
    if (info.port !== (spec.vxlanPort ?? 4789)) return no(`port ${info.port ?? 'none'}, want ${spec.vxlanPort ?? 4789}`);
  }
  if (!(link.flags ?? []).includes('UP')) return no('interface is down');
  const inner = (link.addr_info ?? []).some((a) => a.family === 'inet' && a.local === spec.routerInner && a.prefixlen === spec.innerPrefixLength);
  if (!inner) return no(`no address ${spec.routerInner}/${spec.innerPrefixLength}`);

  const rules = jsonArray(obs.rule, `ip rule priority ${spec.rulePriority}`);
  if (typeof rules === 'string') return no(rules);
  const [subnet, len] = spec.phoneSubnet.split('/');
  const ruleOk = (rules as IpRule[]).some((r) => r.src === subnet && r.srclen === Number(len) && r.table === String(spec.table));
  if (!ruleOk) return no(`no rule priority ${spec.rulePriority} from ${spec.phoneSubnet} lookup ${spec.table}`);

  const routes = jsonArray(obs.route, `ip route table ${spec.table}`);
  if (typeof routes === 'string') return no(routes);
  const routeOk = (routes as IpRoute[]).some((r) => r.dst === 'default' && r.gateway === spec.nodeInner && r.dev === spec.name);
  if (!routeOk) return no(`no default route via ${spec.nodeInner} dev ${spec.name} in table ${spec.table}`);

  if (obs.forward.trim() !== '1') return no(`IPv4 forwarding is ${JSON.stringify(obs.forward.trim())}, want 1`);
  return { match: true };
}
