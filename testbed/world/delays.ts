/**
 * Link delays: the config's one-way delay per core link, on both ends, so traceroute RTTs look
 * like the real paths (geolocation's RTT plausibility check needs them: a hop 1,000 km away
 * cannot answer in 0.1 ms). With sch_netem: `tc qdisc ... netem delay`. Kernels without netem
 * (many containers) get the same effect from NFQUEUE: iptables hands each delayed interface's
 * egress packets to a queue, and one small C program per namespace (nfq-delay.c, compiled on
 * `up` with gcc) releases them after the delay.
 */
import * as fs from 'fs';
import * as path from 'path';
import { projectRoot } from '../../lib/project-paths';
import { PREFIX, WorldPlan } from './address-plan';
import { spawnInNetns, terminatePids } from './processes';
import type { DelayedInterface, DelayState, WorldProcess } from './state';
import { isProcessAlive } from '../../ops/pid';
import { pool, run, sleep } from './sys';

const SOURCE = path.join(projectRoot, 'testbed', 'world', 'nfq-delay.c');

/** Whether the kernel has sch_netem (containers often lack it): tried on a throwaway veth. */
export async function netemSupported(netns: string): Promise<boolean> {
  const dev = `${PREFIX}probe`;
  await run(['ip', '-n', netns, 'link', 'add', dev, 'type', 'veth', 'peer', 'name', `${PREFIX}probe1`], { allowFail: true });
  const r = await run(['tc', '-n', netns, 'qdisc', 'add', 'dev', dev, 'root', 'netem', 'delay', '1ms'], { allowFail: true });
  await run(['ip', '-n', netns, 'link', 'del', dev], { allowFail: true });
  return r.code === 0;
}

export function delayTool(dir: string): string {
  return path.join(dir, 'bin', `${PREFIX}nfq-delay`);
}

async function compileTool(dir: string): Promise<string> {
  const out = delayTool(dir);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  await run(['gcc', '-O2', '-Wall', '-o', out, SOURCE]);
  return out;
}

function netemArgs(netns: string, d: DelayedInterface): string[] {
  const total = d.baseMs + d.extraMs;
  return total > 0
    ? ['tc', '-n', netns, 'qdisc', 'replace', 'dev', d.ifname, 'root', 'netem', 'delay', `${total}ms`]
    : ['tc', '-n', netns, 'qdisc', 'del', 'dev', d.ifname, 'root'];
}

async function nfqRule(netns: string, d: DelayedInterface): Promise<void> {
  await run(['ip', 'netns', 'exec', netns, 'iptables-restore', '--noflush', '-w'], {
    input: `*mangle\n-A POSTROUTING -o ${d.ifname} -j NFQUEUE --queue-num ${d.queue} --queue-bypass\nCOMMIT\n`,
  });
}

async function waitReady(proc: WorldProcess): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (fs.existsSync(proc.logFile as string) && fs.readFileSync(proc.logFile as string, 'utf8').includes('ready')) return;
    if (!isProcessAlive(proc.pid)) throw new Error(`delay daemon in ${proc.netns} exited: ${fs.readFileSync(proc.logFile as string, 'utf8').trim()}`);
    await sleep(20);
  }
  throw new Error(`delay daemon in ${proc.netns} not ready; log ${proc.logFile}`);
}

/** (Re)starts the namespace's delay daemon with the current delays; returns its process. */
async function startDaemon(dir: string, netns: string, ifaces: DelayedInterface[], old: WorldProcess | undefined): Promise<WorldProcess> {
  if (old) await terminatePids([old.pid]);
  const args = ifaces.map((d) => `${d.queue}:${d.baseMs + d.extraMs}`);
  const proc = spawnInNetns({ name: `delay-${netns}`, netns, argv: [delayTool(dir), ...args], dir });
  await waitReady(proc);
  return proc;
}

/** Applies the plan's link delays; daemons (nfqueue mode) are appended to `processes`. */
export async function applyDelays(plan: WorldPlan, dir: string, processes: WorldProcess[], log: (m: string) => void): Promise<DelayState> {
  const namespaces: Record<string, DelayedInterface[]> = {};
  for (const ns of plan.namespaces) {
    if (ns.delays.length > 0) namespaces[ns.name] = ns.delays.map((d, i) => ({ ifname: d.ifname, queue: i + 1, baseMs: d.ms, extraMs: 0 }));
  }
  const entries = Object.entries(namespaces);
  if (entries.length === 0) return { mode: 'none', reason: 'the config has no link delays', namespaces };
  if (await netemSupported(entries[0][0])) {
    await pool(entries, 6, async ([netns, ifaces]) => {
      for (const d of ifaces) await run(netemArgs(netns, d));
    });
    log(`link delays: netem on ${entries.length} namespaces`);
    return { mode: 'netem', reason: null, namespaces };
  }
  try {
    await compileTool(dir);
  } catch (err) {
    const reason = `no sch_netem and the NFQUEUE delay tool did not compile: ${err instanceof Error ? err.message : String(err)}`;
    log(`warning: link delays not applied (${reason})`);
    return { mode: 'none', reason, namespaces: {} };
  }
  await pool(entries, 6, async ([netns, ifaces]) => {
    for (const d of ifaces) await nfqRule(netns, d);
    processes.push(await startDaemon(dir, netns, ifaces, undefined));
  });
  log(`link delays: NFQUEUE daemons in ${entries.length} namespaces (the kernel has no sch_netem)`);
  return { mode: 'nfqueue', reason: null, namespaces };
}

/** Sets the extra delay of one interface (fault link-delay); null clears it. */
export async function setExtraDelay(o: {
  dir: string;
  delays: DelayState;
  processes: WorldProcess[];
  netns: string;
  ifname: string;
  extraMs: number | null;
}): Promise<void> {
  if (o.delays.mode === 'none') throw new Error(`link delays are unavailable in this world: ${o.delays.reason ?? 'unknown reason'}`);
  const ifaces = (o.delays.namespaces[o.netns] ??= []);
  let d = ifaces.find((x) => x.ifname === o.ifname);
  if (!d) {
    d = { ifname: o.ifname, queue: Math.max(0, ...ifaces.map((x) => x.queue)) + 1, baseMs: 0, extraMs: 0 };
    ifaces.push(d);
    if (o.delays.mode === 'nfqueue') await nfqRule(o.netns, d);
  }
  d.extraMs = o.extraMs ?? 0;
  if (o.delays.mode === 'netem') {
    await run(netemArgs(o.netns, d), { allowFail: d.baseMs + d.extraMs === 0 });
    return;
  }
  const name = `delay-${o.netns}`;
  const old = o.processes.find((p) => p.name === name);
  const proc = await startDaemon(o.dir, o.netns, ifaces, old);
  const at = o.processes.findIndex((p) => p.name === name);
  if (at >= 0) o.processes[at] = proc;
  else o.processes.push(proc);
}
