/**
 * Router <-> vantage node tunnel: the router driver brings up both ends (node end over the
 * node's own SSH connection) so the phone's traffic leaves the world at the node.
 * Order: node end first (so the router never routes the phone into a tunnel with no far end),
 * then the router end; any failure tears down what was built. Connections are always closed.
 */
import { NodeTarget } from '../node';
import { nodeEndpointDown, nodeEndpointUp } from '../node/tunnel-endpoint';
import { bringEndUp, takeEndDown } from '../node/tunnel-link';
import { forEnd, routerDownSteps, routerUpSteps, TunnelSpec, validateTunnelSpec } from '../node/tunnel-spec';
import { DriverConfigError, DriverResult, fail } from '../ssh/failures';
import { connectSsh, SshSession, withSsh } from '../ssh/session';
import * as v from '../ssh/validate';
import { RouterConfig } from './config';
import { matchTunnel, parseTunnelObservation, tunnelObservationArgs, tunnelObservationScript, type TunnelMatch } from './tunnel-match';
import { ipLinkIsUp, ipRuleInstalled } from './ip-text';
import { wireguardTunnelUp } from './tunnel-wireguard';
import { matchWireguardTunnel, parseWireguardObservation, wireguardObservationScript } from './tunnel-match-wireguard';

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
  const nodeConn = await connectSsh(opts.node.ssh);
  if (!nodeConn.ok) return nodeConn;
  let routerSession: SshSession | null = null;
  try {
    if (spec.mode === 'wireguard') {
      const wg = await wireguardTunnelUp(nodeConn.session, opts.router, spec, egress);
      if (!wg.ok) return wg;
      return { ok: true, name: forEnd(spec, 'router').name, mode: spec.mode, nodeInner: spec.nodeInner, implementation: wg.implementation };
    }
    const nodeUp = await nodeEndpointUp(nodeConn.session, spec, egress);
    if (!nodeUp.ok) return nodeUp;
    const routerConn = await connectSsh(opts.router.ssh);
    if (!routerConn.ok) {
      await nodeEndpointDown(nodeConn.session, spec, egress);
      return routerConn;
    }
    routerSession = routerConn.session;
    const routerUp = await bringEndUp(routerSession, spec, routerUpSteps(spec), routerDownSteps(spec), 'router');
    if (!routerUp.ok) {
      await nodeEndpointDown(nodeConn.session, spec, egress);
      return routerUp;
    }
    return { ok: true, name: spec.name, mode: spec.mode, nodeInner: spec.nodeInner };
  } finally {
    routerSession?.close();
    nodeConn.session.close();
  }
}

/**
 * Tear down both ends. Each end is attempted even if the other is unreachable; the result says
 * what was removed. Fails only when an end could not be reached at all.
 */
export async function tunnelDown(opts: { router: RouterConfig; node: NodeTarget; tunnel: TunnelSpec }): Promise<DriverResult<{ routerRemoved: number; nodeRemoved: number }>> {
  const checked = validatedSpec(opts.tunnel, opts.node);
  if ('ok' in checked) return checked;
  const { spec, egress } = checked;
  const routerEnd = forEnd(spec, 'router');
  const router = await withSsh(opts.router.ssh, (s) => takeEndDown(s, routerEnd, routerDownSteps(routerEnd), 'router'));
  const node = await withSsh(opts.node.ssh, (s) => nodeEndpointDown(s, spec, egress));
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
  const count = String(v.integerInRange(opts.pingCount ?? 2, 'pingCount', 1, 20));
  if (spec.mode === 'wireguard') return withSsh(opts.router.ssh, (s) => tunnelStatusText(s, spec, count));
  return withSsh(opts.router.ssh, async (s) => {
    const link = await s.run(['ip', '-j', 'link', 'show', 'dev', spec.name], { timeoutMs: STEP_TIMEOUT_MS });
    if (!link.ok) return link;
    const exists = link.code === 0;
    let up = false;
    if (exists) {
      const parsed = JSON.parse(link.stdout) as Array<{ flags?: string[] }>;
      up = parsed[0]?.flags?.includes('UP') ?? false;
    }
    let peerReachable = false;
    if (exists && up) {
      const ping = await pingPeer(s, spec, count);
      if (!ping.ok) return ping;
      peerReachable = ping.reachable;
    }
    const rules = await s.run(['ip', '-j', 'rule', 'show', 'priority', String(spec.rulePriority)], { timeoutMs: STEP_TIMEOUT_MS });
    if (!rules.ok) return rules;
    const ruleList = rules.code === 0 && rules.stdout.trim() !== '' ? (JSON.parse(rules.stdout) as Array<{ table?: string }>) : [];
    const ruleInstalled = ruleList.some((r) => r.table === String(spec.table));
    return { ok: true, status: { exists, up, peerReachable, ruleInstalled } };
  });
}

/**
 * tunnelStatus from `ip link show` / `ip rule show` text, the one form both iproute2 and BusyBox
 * `ip` print (no -j there): WireGuard tunnels run on OpenWrt routers too.
 */
async function tunnelStatusText(s: SshSession, spec: TunnelSpec, count: string): Promise<DriverResult<{ status: TunnelStatus }>> {
  const link = await s.run(['ip', 'link', 'show', 'dev', spec.name], { timeoutMs: STEP_TIMEOUT_MS });
  if (!link.ok) return link;
  const exists = link.code === 0;
  const up = exists && ipLinkIsUp(link.stdout, spec.name);
  let peerReachable = false;
  if (up) {
    const ping = await pingPeer(s, spec, count);
    if (!ping.ok) return ping;
    peerReachable = ping.reachable;
  }
  const rules = await s.run(['ip', 'rule', 'show'], { timeoutMs: STEP_TIMEOUT_MS });
  if (!rules.ok) return rules;
  const ruleInstalled = rules.code === 0 && ipRuleInstalled(rules.stdout, spec.rulePriority, spec.phoneSubnet, spec.table);
  return { ok: true, status: { exists, up, peerReachable, ruleInstalled } };
}

/** Ping the node's inner address through the tunnel; 0.2 s apart (routers run us as root), so
 *  a live far end answers in ~0.2 s; a dead one costs the last reply's 1 s wait. No -n: BusyBox
 *  ping does not take it, and iputils does no reverse lookup for a numeric target anyway. */
async function pingPeer(s: SshSession, spec: TunnelSpec, count: string): Promise<DriverResult<{ reachable: boolean }>> {
  const ping = await s.run(['ping', '-c', count, '-i', '0.2', '-W', '1', '-I', spec.name, spec.nodeInner], { timeoutMs: STEP_TIMEOUT_MS });
  if (!ping.ok) return ping;
  return { ok: true, reachable: ping.code === 0 };
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
  const ping = await pingPeer(s, spec, '2');
  if (!ping.ok) return ping;
  if (!ping.reachable) return { ok: true, reusable: false, reason: `${spec.name}: node ${spec.nodeInner} does not answer through it`, existingRemote: spec.nodeUnderlay, kernel };
  return { ok: true, reusable: true, reason: null, existingRemote: spec.nodeUnderlay, kernel };
}

/** tunnelReusable for WireGuard: text forms and the masked `wg show dump` (tunnel-match-wireguard.ts). */
async function wireguardReusable(s: SshSession, spec: TunnelSpec): Promise<DriverResult<TunnelReuseCheck>> {
  const seen = await s.runScript(wireguardObservationScript(), [spec.name, String(spec.table)], { timeoutMs: STEP_TIMEOUT_MS });
  if (!seen.ok) return seen;
  const observed = parseWireguardObservation(seen.stdout);
  return judgeReuse(s, spec, matchWireguardTunnel(spec, observed), observed.kernel);
}
