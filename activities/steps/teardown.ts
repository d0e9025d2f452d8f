/**
 * teardown (always, after success, failure or cancellation; idempotent): stop a capture that may
 * still run, stop the app and clear the firewall on both phones, release the adb connections,
 * take both tunnels down. Every part is attempted; the step fails (and the workflow retries it)
 * only when something could not be released. With no world up there is nothing to release.
 * `ctx.keepTunnels` (set by the measurement workflow only after a successful attempt whose next
 * measurement on this testbed is the same node pair): everything but the tunnels is released;
 * the next provisionTunnels checks them and reuses them only when they are intact and alive.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { captureSweep } from '../../drivers/router';
import type { StepContext } from '../../lib/measurement/payloads';
import { abortCaptures } from './capture';
import { appOf, attemptTag, type StepEnv } from './context';
import { failureString } from './failures';
import { phoneDriver } from './phones';
import { resolveTestbed, type TestbedEndpoints } from './testbed-endpoints';
import { tearDownTunnels, withEarlyHandshake } from './tunnels';

/** The testbed, or null when an emulated world is not up (then nothing of it exists). */
export function testbedOrNothing(env: StepEnv, ctx: StepContext): TestbedEndpoints | null {
  try {
    return resolveTestbed(env, ctx);
  } catch (err) {
    if (err instanceof ApplicationFailure && err.type === 'world_not_up') return null;
    throw err;
  }
}

export async function abortCapture(env: StepEnv, ctx: StepContext): Promise<void> {
  const tb = testbedOrNothing(env, ctx);
  if (!tb) return;
  const problems = await abortCaptures(env, tb);
  if (problems.length > 0) throw ApplicationFailure.retryable(problems.join('; '), 'capture_failed');
}

/**
 * Captures of this measurement (any attempt) and baselines of its nodes that no handle names: a
 * worker that died mid-capture (e.g. in the baseline's 3 s) left the tcpdump and its pid file in
 * the router's capture folder. Each router once (a self-pair shares one).
 */
async function sweepCaptures(tb: TestbedEndpoints, ctx: StepContext): Promise<string[]> {
  const measurement = attemptTag({ measurementId: ctx.measurementId, attempt: 0 }).replace(/a0$/, '');
  const routers = new Map<string, { router: TestbedEndpoints['sides']['A']['router']; prefixes: Set<string> }>();
  for (const s of ['A', 'B'] as const) {
    const { router, node } = tb.sides[s];
    const key = `${router.ssh.host}:${router.ssh.port ?? 22}:${router.captureDir ?? ''}`;
    const entry = routers.get(key) ?? { router, prefixes: new Set<string>([measurement]) };
    entry.prefixes.add(`baseline-${node.id}-`);
    routers.set(key, entry);
  }
  const problems: string[] = [];
  await Promise.all(
    [...routers.values()].map(async ({ router, prefixes }) => {
      const r = await captureSweep(router, { prefixes: [...prefixes] });
      if (!r.ok) problems.push(`router ${router.ssh.host}: stray captures: ${failureString(r)}`);
    }),
  );
  return problems;
}

/** Stop the app, clear the firewall and release adb on one phone; a problem is returned. */
async function releasePhone(env: StepEnv, tb: TestbedEndpoints, s: 'A' | 'B', pkg: string): Promise<string | null> {
  const phone = phoneDriver(env, tb.sides[s]);
  // A phone that is gone (adb down), or no longer trusts us (unauthorized: the measurement
  // ends and someone must act on the phone), holds nothing of ours that a later connect
  // would not reset; retrying the teardown cannot reach it either.
  const unreachable = (r: { ok: boolean; failure?: string }) => !r.ok && (r.failure === 'adb_unreachable' || r.failure === 'adb_unauthorized');
  const stop = await phone.stopApp(pkg);
  const fw = unreachable(stop) ? stop : await phone.clearFirewall();
  await phone.disconnect();
  return !fw.ok && !unreachable(fw) ? `side ${s}: phone ${tb.sides[s].phone.serial}: ${failureString(fw)}` : null;
}

/**
 * The phones are released while the routers and nodes are: they are separate devices, so the
 * step takes as long as the slower of the two instead of their sum. On the routers the order
 * stays, one command at a time (a router may be Dropbear, which refuses an exec channel opened
 * while another runs): the recorded captures, the sweep for what no handle names, then the
 * tunnels (each side's router and node end at once: different hosts).
 */
export async function teardown(env: StepEnv, ctx: StepContext): Promise<{ released: string[]; problems: string[]; tunnelsKept: boolean }> {
  const tb = testbedOrNothing(env, ctx);
  if (!tb) return { released: [], problems: [], tunnelsKept: false };
  const tunnelsKept = ctx.keepTunnels === true;
  const { app } = appOf(env, ctx);
  const [hosts, phones] = await Promise.all([
    (async () => {
      const sweep = async () => [...(await abortCaptures(env, tb)), ...(await sweepCaptures(tb, ctx))];
      // The nodes' handshakes run while the routers are swept (tearDownTunnels then uses them).
      const captures = tunnelsKept ? await sweep() : await withEarlyHandshake(tb.sides.A.node.ssh, () => withEarlyHandshake(tb.sides.B.node.ssh, sweep));
      return { captures, tunnels: tunnelsKept ? [] : await tearDownTunnels(tb) };
    })(),
    Promise.all((['A', 'B'] as const).map((s) => releasePhone(env, tb, s, app.android.package))),
  ]);
  const problems = [...hosts.captures, ...phones.filter((p): p is string => p !== null), ...hosts.tunnels];
  const released = ['phone A', 'phone B', ...(tunnelsKept ? [] : ['tunnels'])];
  if (problems.length > 0) throw ApplicationFailure.retryable(`teardown left: ${problems.join('; ')}`, 'teardown_incomplete');
  return { released, problems, tunnelsKept };
}
