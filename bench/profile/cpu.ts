/**
 * CPU seconds per process kind over a time window, read from /proc: every process's utime +
 * stime (fields 14, 15 of /proc/<pid>/stat), sampled every `intervalMs` so short-lived ones
 * (scamper, tcpdump, ssh session processes) are seen; what processes that exited between two
 * samples used reaches their parent's cutime + cstime (fields 16, 17) when it reaps them, so
 * each parent's growth of those, less what its seen children had, is counted as "exited
 * children" of the parent's kind. The machine's total (/proc/stat) and load averages frame it.
 * The parsing and accounting are pure (cpu.test.ts); the sampler reads /proc.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';

export interface ProcSample {
  pid: number;
  ppid: number;
  comm: string;
  /** clock ticks */
  own: number;
  children: number;
  /** start time in ticks since boot: tells a reused pid apart */
  starttime: number;
}

/** One /proc/<pid>/stat line (comm may hold spaces and parentheses: it ends at the last ')'). */
export function parseStat(line: string): ProcSample | null {
  const open = line.indexOf('(');
  const close = line.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  const pid = Number(line.slice(0, open).trim());
  const f = line.slice(close + 2).split(' '); // f[0] is field 3 (state)
  const n = (field: number): number => Number(f[field - 3]);
  if (!Number.isFinite(pid) || f.length < 20) return null;
  return { pid, ppid: n(4), comm: line.slice(open + 1, close), own: n(14) + n(15), children: n(16) + n(17), starttime: n(22) };
}

/**
 * A process kind from its command line (argv joined by spaces) and comm; `ours`: the bench's
 * own process or a descendant of it, a process in another network namespace or started from
 * the world's code or folder (the world's), or the adb server.
 */
export type Classifier = (o: { pid: number; comm: string; cmdline: string; ours: boolean }) => string;

export const KINDS = {
  bench: 'bench (client + sampler)',
  workers: 'workers (node)',
  server: 'Temporal server',
  phones: 'virtual phones (adbd + apps)',
  services: 'service emulators',
  adb: 'adb server',
  sshd: 'sshd / dropbear',
  traceroute: 'scamper / traceroute',
  tcpdump: 'tcpdump',
  delay: 'delay daemon (nfq-delay)',
  wireguard: 'wireguard-go',
  dns: 'dnsmasq',
  tools: 'tools (sh, ip, sudo, ...)',
  kernel: 'kernel threads',
  other: 'other processes of the bench or world',
  notOurs: "others' processes (not the bench's)",
} as const;

/** The world's, the workers' and the server's processes by name; `self` is the bench's own process. */
export function matadorClassifier(self: number): Classifier {
  return ({ pid, comm, cmdline, ours }) => {
    if (pid === self) return KINDS.bench;
    if (cmdline === '' && !ours) return KINDS.kernel;
    if (!ours) return KINDS.notOurs;
    if (/matador worker\b|bench\/profile\/worker\.ts/.test(cmdline)) return KINDS.workers;
    if (comm === 'temporal' || /\bstart-dev\b/.test(cmdline)) return KINDS.server;
    if (/testbed\/(phone\/|world\/phone-daemon)/.test(cmdline)) return KINDS.phones;
    if (/testbed\/(services\/|world\/responder)/.test(cmdline)) return KINDS.services;
    if (comm === 'adb') return KINDS.adb;
    if (comm === 'sshd' || comm.startsWith('sshd-') || comm === 'dropbear') return KINDS.sshd;
    if (comm === 'scamper' || comm.startsWith('traceroute')) return KINDS.traceroute;
    if (comm === 'tcpdump') return KINDS.tcpdump;
    if (/nfq-delay/.test(comm) || /nfq-delay/.test(cmdline)) return KINDS.delay;
    if (comm === 'wireguard-go') return KINDS.wireguard;
    if (comm === 'dnsmasq') return KINDS.dns;
    if (cmdline === '') return KINDS.kernel;
    if (/^(sh|bash|dash|ip|sudo|timeout|sysctl|iptables.*|ping|cat|sha256sum|kill|busybox|wg|socat|tc|nft)$/.test(comm)) return KINDS.tools;
    return KINDS.other;
  };
}

interface Tracked {
  kind: string;
  ppid: number;
  first: ProcSample;
  last: ProcSample;
  /** alive at the window's start (its first sample is the baseline) */
  atStart: boolean;
  alive: boolean;
}

export interface CpuWindow {
  seconds: number;
  /** CPU seconds per kind: own use, and exited children counted through their parent */
  byKind: Record<string, { processes: number; own: number; exitedChildren: number }>;
  /** busy CPU seconds of the whole machine (/proc/stat) and cores */
  machineBusy: number;
  cores: number;
  loadAverage: { start: number[]; end: number[]; meanOneMinute: number };
  /** the sampler's own CPU seconds (inside the bench process's row) */
  samplerSeconds: number;
  /** the busiest processes that are not the bench's (what else loaded the machine), own CPU s */
  topOthers: Array<{ command: string; seconds: number }>;
}

/**
 * Accounting over the tracked processes (pure). A process's CPU is its own utime + stime since
 * the window began. A child that exited went into its parent's cutime + cstime with all it had
 * (its own and its reaped children's, whether or not a sample saw them): what a parent's
 * children fields grew by beyond what its seen exited children had in all is "exited children"
 * of the parent's kind, the processes no sample saw.
 */
export function accountCpu(tracked: Iterable<Tracked>, ticksPerSecond: number): CpuWindow['byKind'] {
  const all = [...tracked];
  const byKind: CpuWindow['byKind'] = {};
  const at = (k: string) => (byKind[k] ??= { processes: 0, own: 0, exitedChildren: 0 });
  const children = new Map<Tracked, Tracked[]>();
  const byPid = new Map<number, Tracked[]>();
  for (const t of all) byPid.set(t.first.pid, [...(byPid.get(t.first.pid) ?? []), t]);
  for (const t of all) {
    if (t.alive) continue;
    // the parent: the process of that pid that started before the child (pids are reused)
    const parent = (byPid.get(t.ppid) ?? []).filter((p) => p.first.starttime <= t.first.starttime).sort((a, b) => b.first.starttime - a.first.starttime)[0];
    if (parent && parent !== t) children.set(parent, [...(children.get(parent) ?? []), t]);
  }
  // what a process that exited handed to its parent, since the window began
  const handed = new Map<Tracked, number>();
  const reapedOf = (p: Tracked, depth: number): number => (children.get(p) ?? []).reduce((sum, c) => sum + total(c, depth + 1), 0);
  const total = (t: Tracked, depth: number): number => {
    const known = handed.get(t);
    if (known !== undefined) return known;
    const reaped = depth > 64 ? 0 : reapedOf(t, depth);
    const value = t.last.own + Math.max(t.last.children, (t.atStart ? t.first.children : 0) + reaped) - (t.atStart ? t.first.own + t.first.children : 0);
    handed.set(t, value);
    return value;
  };
  for (const t of all) {
    const k = at(t.kind);
    k.processes++;
    k.own += (t.last.own - (t.atStart ? t.first.own : 0)) / ticksPerSecond;
    const grown = t.last.children - (t.atStart ? t.first.children : 0);
    k.exitedChildren += Math.max(0, grown - reapedOf(t, 0)) / ticksPerSecond;
  }
  return byKind;
}

function readProcSamples(): Array<{ sample: ProcSample }> {
  const out: Array<{ sample: ProcSample }> = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const s = parseStat(fs.readFileSync(`/proc/${name}/stat`, 'utf8'));
      if (s) out.push({ sample: s });
    } catch {
      /* exited while read */
    }
  }
  return out;
}

function cmdlineOf(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
  } catch {
    return '';
  }
}

/** A world process in the host's namespace (the phone daemon, its apps): started from the world's code or folder. */
const WORLD_COMMAND = /\/testbed\/(world|phone|services)\/|\/\.matador\/world\/|\/mt-world-/;

/** The network namespace of a process (null when it is gone or not readable). */
function netnsOf(pid: number): string | null {
  try {
    return fs.readlinkSync(`/proc/${pid}/ns/net`);
  } catch {
    return null;
  }
}

function machineBusyTicks(): number {
  const cpu = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal
  return cpu[0] + cpu[1] + cpu[2] + cpu[5] + cpu[6] + (cpu[7] ?? 0);
}

/** Samples /proc until stop(); then the window's figures. */
export function startCpuSampler(o: { classify: Classifier; intervalMs?: number }): { stop(): CpuWindow } {
  const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  const tracked = new Map<string, Tracked>();
  const ours = new Set<number>([process.pid]);
  const others = new Map<string, string>();
  const rootNet = netnsOf(process.pid);
  const t0 = Date.now();
  const busy0 = machineBusyTicks();
  const load0 = os.loadavg();
  const loads: number[] = [];
  let sampler = 0;
  let first = true;
  const sample = (): void => {
    const c0 = process.cpuUsage();
    const seen = new Set<string>();
    for (const { sample: s } of readProcSamples()) {
      const key = `${s.pid}:${s.starttime}`;
      seen.add(key);
      const t = tracked.get(key);
      if (t) {
        t.last = s;
        continue;
      }
      const ns = netnsOf(s.pid);
      const cmdline = cmdlineOf(s.pid);
      const isOurs = ours.has(s.pid) || ours.has(s.ppid) || s.comm === 'adb' || (ns !== null && ns !== rootNet) || WORLD_COMMAND.test(cmdline);
      if (isOurs) ours.add(s.pid);
      const kind = o.classify({ pid: s.pid, comm: s.comm, cmdline, ours: isOurs });
      if (kind === KINDS.notOurs) others.set(key, cmdline.slice(0, 120));
      tracked.set(key, { kind, ppid: s.ppid, first: s, last: s, atStart: first, alive: true });
    }
    for (const [key, t] of tracked) if (!seen.has(key)) t.alive = false;
    first = false;
    loads.push(os.loadavg()[0]);
    const c = process.cpuUsage(c0);
    sampler += (c.user + c.system) / 1e6;
  };
  sample();
  const timer = setInterval(sample, o.intervalMs ?? 200);
  return {
    stop(): CpuWindow {
      clearInterval(timer);
      sample();
      return {
        seconds: (Date.now() - t0) / 1000,
        byKind: accountCpu(tracked.values(), ticks),
        machineBusy: (machineBusyTicks() - busy0) / ticks,
        cores: os.cpus().length,
        loadAverage: { start: load0, end: os.loadavg(), meanOneMinute: loads.reduce((a, b) => a + b, 0) / Math.max(1, loads.length) },
        samplerSeconds: sampler,
        topOthers: [...others]
          .map(([key, command]) => {
            const t = tracked.get(key)!;
            return { command, seconds: (t.last.own - (t.atStart ? t.first.own : 0)) / ticks };
          })
          .sort((a, b) => b.seconds - a.seconds)
          .slice(0, 5),
      };
    },
  };
}

/** The CPU table: kind | processes | own s | exited children s | % of the window's cores. */
export function formatCpuTable(w: CpuWindow): string {
  const rows = Object.entries(w.byKind)
    .map(([kind, v]) => ({ kind, ...v, total: v.own + v.exitedChildren }))
    .filter((r) => r.processes > 0)
    .sort((a, b) => b.total - a.total);
  const capacity = w.seconds * w.cores;
  const attributed = rows.reduce((s, r) => s + r.total, 0);
  const lines = [`${'process kind'.padEnd(30)} ${'procs'.padStart(6)} ${'own s'.padStart(8)} ${'exited ch. s'.padStart(13)} ${'total s'.padStart(8)} ${'% of cores'.padStart(10)}`];
  for (const r of rows) {
    lines.push(`${r.kind.padEnd(30)} ${String(r.processes).padStart(6)} ${r.own.toFixed(2).padStart(8)} ${r.exitedChildren.toFixed(2).padStart(13)} ${r.total.toFixed(2).padStart(8)} ${((100 * r.total) / capacity).toFixed(1).padStart(10)}`);
  }
  lines.push(`${'all processes above'.padEnd(30)} ${''.padStart(6)} ${''.padStart(8)} ${''.padStart(13)} ${attributed.toFixed(2).padStart(8)} ${((100 * attributed) / capacity).toFixed(1).padStart(10)}`);
  lines.push(`${'machine busy (/proc/stat)'.padEnd(30)} ${''.padStart(6)} ${''.padStart(8)} ${''.padStart(13)} ${w.machineBusy.toFixed(2).padStart(8)} ${((100 * w.machineBusy) / capacity).toFixed(1).padStart(10)}`);
  lines.push(
    `window ${w.seconds.toFixed(1)} s x ${w.cores} cores; load average (1 min) ${w.loadAverage.start[0].toFixed(2)} at start, ${w.loadAverage.end[0].toFixed(2)} at end, ` +
      `${w.loadAverage.meanOneMinute.toFixed(2)} mean of the samples; the sampler itself used ${w.samplerSeconds.toFixed(2)} s (inside "${KINDS.bench}")`,
  );
  const busy = w.topOthers.filter((p) => p.seconds >= 0.5);
  if (busy.length) lines.push(`not the bench's, busiest: ${busy.map((p) => `${p.command} (${p.seconds.toFixed(1)} s)`).join('; ')}`);
  return lines.join('\n');
}
