/**
 * SSH scope benchmark: the time (and controller CPU) of N driver operations against a real sshd,
 * each operation opening its own connection (no scope: the behaviour before drivers/ssh/scope.ts)
 * versus all N in one scope (what every testbed activity of a worker now does), and the ratio.
 *
 * Operation: `checkNode(node)` of drivers/node (one withSsh, two remote commands), the call the
 * node driver makes; `--op run` uses a bare `withSsh(target, s => s.run(['true']))` instead.
 *
 * Targets:
 *   default     the emulated world "small" (network + sshd only, no phones/services) is brought
 *               up, the vantage nodes named by --nodes (default sg-sin: far from the lab in
 *               Frankfurt, so every handshake pays the emulated WAN round trips, and pl-waw,
 *               a near one) are measured, and the world is taken down again;
 *   --loopback  the driver-test topology of testbed/driver-topology.ts (sshd in a namespace, no delay).
 * Both use the machine-wide world, so run under the world lock:
 *   flock /tmp/matador-world.lock npx tsx bench/ssh/scope.ts [--ops 10] [--rounds 3]
 *         [--nodes sg-sin,pl-waw] [--op check|run] [--loopback]
 * Rounds alternate the two modes; medians are printed.
 */
import { performance } from 'perf_hooks';
import { checkNode, type NodeTarget } from '../../drivers/node';
import { sshScopeStats, withSshScope } from '../../drivers/ssh/scope';
import { withSsh } from '../../drivers/ssh/session';
import { down, up } from '../../testbed/world/world';
import { buildTopology, teardownTopology, type Topology } from '../../testbed/driver-topology';
import { arg } from '../args';

function positiveInt(name: string, fallback: number): number {
  const v = Number(arg(name, String(fallback)));
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name}: expected a positive integer, got ${JSON.stringify(arg(name, ''))}`);
  return v;
}

const OPS = positiveInt('--ops', 10);
const ROUNDS = positiveInt('--rounds', 3);
const OP = arg('--op', 'check');
if (OP !== 'check' && OP !== 'run') throw new Error(`--op: expected check or run, got ${JSON.stringify(OP)}`);

async function operation(node: NodeTarget): Promise<void> {
  const r = OP === 'check' ? await checkNode(node) : await withSsh(node.ssh, (s) => s.run(['true']));
  if (!r.ok) throw new Error(`${OP} on ${node.ssh.host}: ${r.failure}: ${r.detail}`);
}

interface Sample {
  ms: number;
  cpuMs: number;
  connections: number;
}

async function sample(node: NodeTarget, scoped: boolean): Promise<Sample> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let connections = OPS;
  const body = async (): Promise<void> => {
    for (let i = 0; i < OPS; i++) await operation(node);
    if (scoped) connections = sshScopeStats()?.connectionsOpened ?? -1;
  };
  if (scoped) await withSshScope(body);
  else await body();
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000, connections };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const f = (x: number): string => x.toFixed(0).padStart(7);

async function measure(label: string, node: NodeTarget): Promise<void> {
  await operation(node); // warm-up: module loading, first key reads
  const plain: Sample[] = [];
  const scoped: Sample[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    plain.push(await sample(node, false));
    scoped.push(await sample(node, true));
  }
  const pm = median(plain.map((s) => s.ms));
  const sm = median(scoped.map((s) => s.ms));
  const pc = median(plain.map((s) => s.cpuMs));
  const sc = median(scoped.map((s) => s.cpuMs));
  console.log(`${label}: ${OPS} x ${OP === 'check' ? 'checkNode' : 'withSsh+run true'}, median of ${ROUNDS} rounds`);
  console.log(`  no scope : ${f(pm)} ms wall ${f(pc)} ms controller CPU  connections ${plain[0].connections}`);
  console.log(`  scope    : ${f(sm)} ms wall ${f(sc)} ms controller CPU  connections ${scoped[0].connections}`);
  console.log(`  ratio    : wall ${(pm / sm).toFixed(2)}x faster, CPU ${(pc / sc).toFixed(2)}x less; per op ${(pm / OPS).toFixed(1)} -> ${(sm / OPS).toFixed(1)} ms`);
}

async function loopback(): Promise<void> {
  let topo: Topology | undefined;
  try {
    topo = await buildTopology();
    await measure(`loopback sshd ${topo.node.host} (namespace, no delay)`, { ssh: topo.node, egressInterface: 'n-wan' });
  } finally {
    await teardownTopology(topo);
  }
}

async function world(): Promise<void> {
  const wanted = arg('--nodes', 'sg-sin,pl-waw').split(',').filter(Boolean);
  try {
    console.log('bringing up the world "small" (network + sshd only)...');
    const { state, seconds } = await up({ world: 'small', skip: ['resolvers', 'background', 'backends', 'phones'] });
    console.log(`  up in ${seconds.toFixed(1)} s (delays: ${JSON.stringify(state.delays).slice(0, 120)})`);
    for (const id of wanted) {
      const n = state.nodes.find((x) => x.id === id);
      if (!n?.ssh) throw new Error(`world small: no vantage node ${id} with sshd (have ${state.nodes.map((x) => x.id).join(', ')})`);
      const node: NodeTarget = {
        ssh: { host: n.ssh.host, port: n.ssh.port, username: n.ssh.username, privateKeyPath: n.ssh.privateKeyPath, knownHostsPath: n.ssh.knownHostsFile },
        egressInterface: `mt-${n.router}`,
      };
      await measure(`vantage node ${id} (${n.country}, ${n.ssh.host}) from the lab in ${state.host.gateway}`, node);
    }
  } finally {
    const d = await down();
    console.log(`world taken down (${JSON.stringify(d).slice(0, 100)})`);
  }
}

(process.argv.includes('--loopback') ? loopback() : world()).catch((err: unknown) => {
  console.error(`bench/ssh/scope: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
