/**
 * provisionTunnels: per side, prepare the WLAN router and bring up the router <-> vantage node
 * tunnel (both sides concurrently), then check that the node answers through it. When the
 * tunnel cannot come up because a crashed earlier attempt left its parts behind, they are
 * removed and it is brought up once more, so the step is safe to retry. (Not removed up front:
 * every SSH connection to a distant node costs round trips, and teardown normally leaves
 * nothing.)
 * Reuse: the previous measurement of the same node pair on this testbed may have left its
 * tunnels up (teardown with keepTunnels). A side whose router already has exactly this tunnel
 * (drivers/router/tunnel-match.ts) and whose node answers through it is used as it is: one
 * router SSH connection, none to the node, `reused: true` in the result. Anything else is
 * rebuilt; a link of this name that points at another node has that node's end removed first.
 * tearDownTunnels: both ends of both tunnels; a no-op on a clean testbed.
 */
import { configureRouter, tunnelDown, tunnelStatus, tunnelUp } from '../../drivers/router';
import { inSshScope } from '../../drivers/ssh/scope';
import { connectSsh, type SshTarget } from '../../drivers/ssh/session';
import { tunnelReusable } from '../../drivers/router/tunnel';
import type { Side } from '../../lib/types';
import type { StepContext, TunnelsInfo } from '../../lib/measurement/payloads';
import type { StepEnv } from './context';
import { failureString, must, stepFailure } from './failures';
import { labNodeAt, resolveTestbed, type SideEndpoints, type TestbedEndpoints } from './testbed-endpoints';

const SIDES: Side[] = ['A', 'B'];

type ProvisionedTunnel = TunnelsInfo['tunnels'][number] & { nodeInner: string; kernel: string; reused: boolean };

/**
 * The router's link of this name goes to another node (a kept tunnel whose next measurement
 * never came: cancelled campaign, crashed worker): take that tunnel down at both ends so the
 * other node keeps no orphaned end. Best effort; the rebuild removes the router end anyway.
 */
async function releaseStaleFarEnd(env: StepEnv, ctx: StepContext, side: Side, remote: string): Promise<void> {
  const node = labNodeAt(env, ctx, remote);
  if (!node) return;
  const other = resolveTestbed(env, side === 'A' ? { ...ctx, nodeA: node } : { ...ctx, nodeB: node }).sides[side];
  await tunnelDown({ router: other.router, node: other.node, tunnel: other.tunnel });
}

/** Use the router's existing tunnel when it is exactly this one and alive; null: build it. */
async function reuseOne(env: StepEnv, ctx: StepContext, e: SideEndpoints): Promise<ProvisionedTunnel | null> {
  const check = await tunnelReusable({ router: e.router, tunnel: e.tunnel });
  if (!check.ok) return null; // the build path reports the router's problem precisely
  if (check.reusable) {
    return { side: e.side, node: e.node.id, kind: e.tunnel.mode, interface: e.tunnel.name, nodeInner: e.tunnel.nodeInner, kernel: check.kernel, reused: true };
  }
  if (check.existingRemote !== null && check.existingRemote !== e.tunnel.nodeUnderlay) {
    await releaseStaleFarEnd(env, ctx, e.side, check.existingRemote).catch(() => undefined);
  }
  return null;
}

/**
 * In an SSH scope (every worker activity runs in one): start the handshake with `target` now and
 * run `fn` meanwhile; the driver calls after it connect to the scope's connection, so a distant
 * node's handshake overlaps the router's commands. Outside a scope nothing is started (a
 * connection of its own would only be one more).
 */
export async function withEarlyHandshake<T>(target: SshTarget, fn: () => Promise<T>): Promise<T> {
  // Not awaited: a node that does not answer fails the later connect (which joins this
  // handshake), not this wait. Closing a lease leaves the connection to the scope.
  if (inSshScope()) void connectSsh(target).then((c) => (c.ok ? c.session.close() : undefined), () => undefined);
  return fn();
}

async function upOne(env: StepEnv, ctx: StepContext, e: SideEndpoints): Promise<ProvisionedTunnel> {
  const reused = await reuseOne(env, ctx, e);
  if (reused) return reused;
  return withEarlyHandshake(e.node.ssh, () => buildOne(e));
}

async function buildOne(e: SideEndpoints): Promise<ProvisionedTunnel> {
  const configured = must(await configureRouter(e.router), `side ${e.side}: configure router ${e.router.ssh.host}`);
  const spec = { router: e.router, node: e.node, tunnel: e.tunnel };
  let first = await tunnelUp(spec);
  if (!first.ok && (first.failure === 'tunnel_failed' || first.failure === 'ssh_command_failed')) {
    // Leftovers of a crashed attempt ("File exists"); the driver's own rollback may already have
    // taken some of them, so try once more whatever tunnelDown found.
    const cleared = await tunnelDown(spec);
    if (cleared.ok) first = await tunnelUp(spec);
  }
  const up = must(first, `side ${e.side}: tunnel ${e.tunnel.name} to node ${e.node.id}`);
  const status = must(await tunnelStatus({ router: e.router, tunnel: e.tunnel, pingCount: 2 }), `side ${e.side}: tunnel status ${e.tunnel.name}`);
  if (!status.status.up || !status.status.peerReachable || !status.status.ruleInstalled) {
    throw stepFailure('tunnel_failed', `side ${e.side}: tunnel ${e.tunnel.name} to node ${e.node.id} is up=${status.status.up} peerReachable=${status.status.peerReachable} ruleInstalled=${status.status.ruleInstalled}`);
  }
  return { side: e.side, node: e.node.id, kind: up.mode, interface: up.name, nodeInner: up.nodeInner, kernel: configured.kernel, reused: false, ...(up.implementation ? { implementation: up.implementation } : {}) };
}

export async function provisionTunnels(env: StepEnv, ctx: StepContext): Promise<TunnelsInfo & { testbedKind: TestbedEndpoints['kind']; world: string | null }> {
  const tb = resolveTestbed(env, ctx);
  const results = await Promise.allSettled(SIDES.map((s) => upOne(env, ctx, tb.sides[s])));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return {
    tunnels: results.map((r) => (r as PromiseFulfilledResult<Awaited<ReturnType<typeof upOne>>>).value),
    testbedKind: tb.kind,
    world: tb.world,
  };
}

/** Both tunnels down; returns per-side failure strings instead of throwing (teardown goes on). */
export async function tearDownTunnels(tb: TestbedEndpoints): Promise<string[]> {
  const results = await Promise.all(SIDES.map(async (s) => ({ s, r: await tunnelDown({ router: tb.sides[s].router, node: tb.sides[s].node, tunnel: tb.sides[s].tunnel }) })));
  return results.filter(({ r }) => !r.ok).map(({ s, r }) => `side ${s}: ${failureString(r as { failure: string; detail: string })}`);
}
