/**
 * Router <-> vantage node tunnel: the router driver brings up both ends (node end over the
 * node's own SSH connection) so the phone's traffic leaves the world at the node.
 * Order: both connections and the router's host profile first (a router whose `ip` cannot build
 * the mode is refused with tool_missing before anything exists), then the node end (so the
 * router never routes the phone into a tunnel with no far end), then the router end; any
 * failure tears down what was built. Connections are always closed.
 */
import { NodeTarget } from '../node';
import { nodeEndpointDown, nodeEndpointUp } from '../node/tunnel-endpoint';
import { bringEndUp, takeEndDown } from '../node/tunnel-link';
import { forEnd, routerDownSteps, routerUpSteps, TunnelSpec, validateTunnelSpec } from '../node/tunnel-spec';
import { DriverConfigError, DriverFailure, DriverResult, fail } from '../ssh/failures';
import { toolMissing } from '../ssh/host-profile';
import { connectSsh, SshSession, withSsh } from '../ssh/session';
import * as v from '../ssh/validate';
import { linkFlags, linkShowArgv, RouterConfig } from './config';
import { ipCannotBuild, parseRulesText } from './ip-text';
import { matchTunnel, parseTunnelObservation, tunnelObservationArgs, tunnelObservationScript, type TunnelMatch } from './tunnel-match';
import { matchWireguardTunnel, parseWireguardObservation, wireguardObservationScript } from './tunnel-match-wireguard';
import { wireguardTunnelUp } from './tunnel-wireguard';
import { runPrivilegedScript } from '../ssh/privilege';

const STEP_TIMEOUT_MS = 15_000;

type ConfigInvalid = { ok: false; failure: 'config_invalid'; detail: string };

/** The spec checked (and the node's egress interface, when a node is given), or config_invalid. */
function validatedSpec(spec: TunnelSpec, node?: NodeTarget): { spec: TunnelSpec; egress: string } | ConfigInvalid {
  try {
    return { spec: validateTunnelSpec(spec), egress: node ? v.interfaceName(node.egressInterface, 'node.egressInterface') : '' };
  } catch (err) {
    if (err instanceof DriverConfigError) return fail('config_invalid', err.message);
    throw err;
  }
}

export interface TunnelUpResult {
  /** The router's tunnel interface (WireGuard: `<name>-r`; the node's is `<name>-n`). */
  name: string;
  mode: TunnelSpec['mode'];
  /** WireGuard only: `kernel` or `wireguard-go <version>` per end. */
  implementation?: { router: string; node: string };
  /** Node's inner address: the first hop after the router in a phone's traceroute. */
  nodeInner: string;
}

export async function tunnelUp(opts: { router: RouterConfig; node: NodeTarget; tunnel: TunnelSpec }): Promise<DriverResult<TunnelUpResult>> {
  const checked = validatedSpec(opts.tunnel, opts.node);
  if ('ok' in checked) return checked;
  const { spec, egress } = checked;
  // Both handshakes at once (a distant node's costs several of its round trips).
  const [nodeConn, routerConn] = await Promise.all([connectSsh(opts.node.ssh), connectSsh(opts.router.ssh)]);
  if (!nodeConn.ok || !routerConn.ok) {
    if (nodeConn.ok) nodeConn.session.close();
    if (routerConn.ok) routerConn.session.close();
    return !nodeConn.ok ? nodeConn : (routerConn as Extract<typeof routerConn, { ok: false }>);
  }
  const routerSession = routerConn.session;
  try {
    // Before anything is built on either end: can this router's ip make the tunnel at all?
    const refused = await refuseUnbuildable(routerSession, spec);
    if (refused) return refused;
    if (spec.mode === 'wireguard') {
      const wg = await wireguardTunnelUp(nodeConn.session, routerSession, spec, egress);
      if (!wg.ok) return wg;
      return { ok: true, name: forEnd(spec, 'router').name, mode: spec.mode, nodeInner: spec.nodeInner, implementation: wg.implementation };
    }
    const nodeUp = await nodeEndpointUp(nodeConn.session, spec, egress);
    if (!nodeUp.ok) return nodeUp;
    const routerUp = await bringEndUp(routerSession, spec, routerUpSteps(spec), routerDownSteps(spec), 'router');
    if (!routerUp.ok) {
      await nodeEndpointDown(nodeConn.session, spec, egress);
      return routerUp;
    }
    return { ok: true, name: spec.name, mode: spec.mode, nodeInner: spec.nodeInner };
  } finally {
    routerSession.close();
    nodeConn.session.close();
  }
}

/**
 * Tear down both ends, concurrently. Each end is attempted even if the other is unreachable; the
 * result says what was removed. Fails only when an end could not be reached at all.
 */
export async function tunnelDown(opts: { router: RouterConfig; node: NodeTarget; tunnel: TunnelSpec }): Promise<DriverResult<{ routerRemoved: number; nodeRemoved: number }>> {
  const checked = validatedSpec(opts.tunnel, opts.node);
  if ('ok' in checked) return checked;
  const { spec, egress } = checked;
  const routerEnd = forEnd(spec, 'router');
  // Both ends at once: they are different hosts, and neither end's removal depends on the other.
  const [router, node] = await Promise.all([
    withSsh(opts.router.ssh, (s) => takeEndDown(s, routerEnd, routerDownSteps(routerEnd), 'router')),
    withSsh(opts.node.ssh, (s) => nodeEndpointDown(s, spec, egress)),
  ]);
  if (!router.ok) return router;
  if (!node.ok) return node;
  return { ok: true, routerRemoved: router.removed, nodeRemoved: node.removed };
}

export interface TunnelStatus {
  /** The tunnel interface exists on the router. */
  exists: boolean;
  /** It is administratively up. */
  up: boolean;
  /** The node's inner address answers ping through the tunnel (a dead far end shows here). */
  peerReachable: boolean;
  /** Policy rule for the phone subnet present. */
  ruleInstalled: boolean;
}

/** Observe the tunnel from the router (no changes). */
export async function tunnelStatus(opts: { router: RouterConfig; tunnel: TunnelSpec; pingCount?: number }): Promise<DriverResult<{ status: TunnelStatus }>> {
  const checked = validatedSpec(opts.tunnel);
  if ('ok' in checked) return checked;
  const spec = forEnd(checked.spec, 'router');
  const count = v.integerInRange(opts.pingCount ?? 2, 'pingCount', 1, 20);
  return withSsh(opts.router.ssh, async (s) => {
    const p = await s.hostProfile();
    if (!p.ok) return p;
    const link = await s.run(linkShowArgv(p.profile, spec.name), { timeoutMs: STEP_TIMEOUT_MS });
    if (!link.ok) return link;
    const exists = link.code === 0;
    const up = exists && linkFlags(p.profile, link.stdout).includes('UP');
    let peerReachable = false;
    if (exists && up) {
      const ping = await pingPeer(s, spec, count);
      if (!ping.ok) return ping;
      peerReachable = ping.reachable;
    }
    const ruleInstalled = await ruleFor(s, p.profile.ip, spec);
    if (typeof ruleInstalled !== 'boolean') return ruleInstalled;
    return { ok: true, status: { exists, up, peerReachable, ruleInstalled } };
  });
}

/** Is the spec's policy rule (its priority, looking up its table) on the router? */
async function ruleFor(s: SshSession, ip: 'json' | 'text', spec: TunnelSpec): Promise<boolean | { ok: false; failure: DriverFailure; detail: string }> {
  if (ip === 'text') {
    // BusyBox `ip rule` has no priority selector on show: list all, filter here.
    const all = await s.run(['ip', 'rule', 'show'], { timeoutMs: STEP_TIMEOUT_MS });
    if (!all.ok) return all;
    return all.code === 0 && parseRulesText(all.stdout).some((r) => r.priority === spec.rulePriority && r.table === String(spec.table));
  }
  const rules = await s.run(['ip', '-j', 'rule', 'show', 'priority', String(spec.rulePriority)], { timeoutMs: STEP_TIMEOUT_MS });
  if (!rules.ok) return rules;
  const ruleList = rules.code === 0 && rules.stdout.trim() !== '' ? (JSON.parse(rules.stdout) as Array<{ table?: string }>) : [];
  return ruleList.some((r) => r.table === String(spec.table));
}

/** tool_missing when the router's `ip` cannot build this tunnel mode (checked before anything
 *  is created on it: BusyBox ip would make a vxlan with the wrong id and port and say nothing). */
async function refuseUnbuildable(s: SshSession, spec: TunnelSpec): Promise<{ ok: false; failure: DriverFailure; detail: string } | null> {
  const p = await s.hostProfile();
  if (!p.ok) return p;
  const cannot = ipCannotBuild(p.profile, spec.mode);
  return cannot ? toolMissing(s.label, cannot.tool, cannot.why) : null;
}

/** Ping the node's inner address through the tunnel: reachable when any of `count` probes is
 *  answered. One probe first (`-c 1 -W 1`), which a live far end answers in one round trip; only
 *  when it is lost do the other count - 1 go, 0.2 s apart. One `ping -c 2` took 0.2 s more on
 *  every measurement that reuses its tunnels: iputils waits for every reply it counts, BusyBox
 *  for `-c` replies too, and neither has a portable "stop at the first reply".
 *  Read-only, so as the login (no sudo): ping is usable by every user (file capability or
 *  ping_group_range), -i 0.2 is the smallest interval iputils allows non-root, and -I
 *  (SO_BINDTODEVICE) needs no privilege since Linux 5.7. No -n: BusyBox ping does not take it,
 *  and iputils does no reverse lookup for a numeric target. */
async function pingPeer(s: SshSession, spec: TunnelSpec, count: number): Promise<DriverResult<{ reachable: boolean }>> {
  const first = await s.run(['ping', '-c', '1', '-W', '1', '-I', spec.name, spec.nodeInner], { timeoutMs: STEP_TIMEOUT_MS });
  if (!first.ok) return first;
  if (first.code === 0 || count <= 1) return { ok: true, reachable: first.code === 0 };
  const rest = await s.run(['ping', '-c', String(count - 1), '-i', '0.2', '-W', '1', '-I', spec.name, spec.nodeInner], { timeoutMs: STEP_TIMEOUT_MS });
  if (!rest.ok) return rest;
  return { ok: true, reachable: rest.code === 0 };
}

export interface TunnelReuseCheck {
  /** The router already has exactly this tunnel and the node answers through it. */
  reusable: boolean;
  /** Why not (null when reusable). */
  reason: string | null;
  /** Underlay address the router's existing link of this name points at (null: none). A
   *  different one than the spec's is another node's tunnel: its far end is stale. */
  existingRemote: string | null;
  /** `uname -sr` of the router (what configureRouter reports). */
  kernel: string;
}

/**
 * Can the router's existing tunnel be used as it is? One SSH connection to the router, none to
 * the node: link kind/local/remote (+ VNI/port), inner address, UP, policy rule, default route
 * of the table, forwarding (one round trip), then a ping of the node's inner address through it.
 * Read-only. Transport failures come back as failures; everything else is `reusable: false`.
 */
export async function tunnelReusable(opts: { router: RouterConfig; tunnel: TunnelSpec }): Promise<DriverResult<TunnelReuseCheck>> {
  const checked = validatedSpec(opts.tunnel);
  if ('ok' in checked) return checked;
  const spec = forEnd(checked.spec, 'router');
  if (spec.mode === 'wireguard') return withSsh(opts.router.ssh, (s) => wireguardReusable(s, spec));
  return withSsh(opts.router.ssh, async (s) => {
    const refused = await refuseUnbuildable(s, spec);
    if (refused) return refused;
    const p = await s.hostProfile();
    if (!p.ok) return p;
    // Without JSON ip the link's kind/VNI/remote cannot be read reliably: rebuild, never reuse.
    if (p.profile.ip === 'text') return { ok: true, reusable: false, reason: `${spec.name}: ${s.label} has no JSON ip output, the tunnel is rebuilt`, existingRemote: null, kernel: '' };
    const seen = await s.runScript(tunnelObservationScript(), tunnelObservationArgs(spec), { timeoutMs: STEP_TIMEOUT_MS });
    if (!seen.ok) return seen;
    if (seen.code !== 0) return fail('ssh_command_failed', `${s.label}: tunnel observation exited ${seen.code}: ${seen.stderr.trim()}`);
    const observed = parseTunnelObservation(seen.stdout);
    return judgeReuse(s, spec, matchTunnel(spec, observed), observed.kernel);
  });
}

/** A link that looks right but whose far end is gone (node down, its end removed, WireGuard:
 *  rebuilt with another key) is never reused: the node must answer through it. */
async function judgeReuse(s: SshSession, spec: TunnelSpec, verdict: TunnelMatch, kernel: string): Promise<DriverResult<TunnelReuseCheck>> {
  if (!verdict.match) return { ok: true, reusable: false, reason: verdict.reason, existingRemote: verdict.remote, kernel };
  const ping = await pingPeer(s, spec, 2);
  if (!ping.ok) return ping;
  if (!ping.reachable) return { ok: true, reusable: false, reason: `${spec.name}: node ${spec.nodeInner} does not answer through it`, existingRemote: spec.nodeUnderlay, kernel };
  return { ok: true, reusable: true, reason: null, existingRemote: spec.nodeUnderlay, kernel };
}

/** tunnelReusable for WireGuard: text forms and the masked `wg show dump` (tunnel-match-wireguard.ts). */
async function wireguardReusable(s: SshSession, spec: TunnelSpec): Promise<DriverResult<TunnelReuseCheck>> {
  const seen = await runPrivilegedScript(s, wireguardObservationScript(), [spec.name, String(spec.table)], { timeoutMs: STEP_TIMEOUT_MS });
  if (!seen.ok) return seen;
  const observed = parseWireguardObservation(seen.stdout);
  return judgeReuse(s, spec, matchWireguardTunnel(spec, observed), observed.kernel);
}
