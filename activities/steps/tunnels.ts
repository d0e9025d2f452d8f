/**
 * provisionTunnels: per side, prepare the WLAN router and bring up the router <-> vantage node
 * tunnel (both sides concurrently), then check that the node answers through it. When the
 * tunnel cannot come up because a crashed earlier attempt left its parts behind, they are
 * removed and it is brought up once more, so the step is safe to retry. (Not removed up front:
 * every SSH connection to a distant node costs round trips, and teardown normally leaves
 * nothing.)
 * tearDownTunnels: both ends of both tunnels; a no-op on a clean testbed.
 */
import { configureRouter, tunnelDown, tunnelStatus, tunnelUp } from '../../drivers/router';
import type { Side } from '../../lib/types';
import type { StepContext, TunnelsInfo } from '../../lib/temporal/types';
import type { StepEnv } from './context';
import { failureString, must, stepFailure } from './failures';
import { resolveTestbed, type SideEndpoints, type TestbedEndpoints } from './testbed-endpoints';

const SIDES: Side[] = ['A', 'B'];

async function upOne(e: SideEndpoints): Promise<TunnelsInfo['tunnels'][number] & { nodeInner: string; kernel: string }> {
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
  return { side: e.side, node: e.node.id, kind: up.mode, interface: up.name, nodeInner: up.nodeInner, kernel: configured.kernel };
}

export async function provisionTunnels(env: StepEnv, ctx: StepContext): Promise<TunnelsInfo & { testbedKind: TestbedEndpoints['kind']; world: string | null }> {
  const tb = resolveTestbed(env, ctx);
  const results = await Promise.allSettled(SIDES.map((s) => upOne(tb.sides[s])));
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
