/**
 * World processes: started detached inside a namespace with a pid file, stopped by pid (never by
 * name). Teardown also scans: every process inside an `mt-` namespace, and every process whose
 * command line names the world directory, so a crashed `up` leaves nothing running.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { isProcessAlive } from '../../ops/pid';
import { run, sleep } from './sys';
import type { WorldProcess } from './state';

/** Starts argv inside `netns` (`ip netns exec` execs in place: the pid is the program's). */
export function spawnInNetns(o: { name: string; netns: string; argv: string[]; dir: string }): WorldProcess {
  const safe = o.name.replace(/[^A-Za-z0-9_.-]/g, '_');
  const logFile = path.join(o.dir, 'logs', `${safe}.log`);
  const pidFile = path.join(o.dir, 'pids', `${safe}.pid`);
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  fs.mkdirSync(path.dirname(pidFile), { recursive: true });
  const fd = fs.openSync(logFile, 'a');
  try {
    const child = spawn('ip', ['netns', 'exec', o.netns, ...o.argv], { stdio: ['ignore', fd, fd], detached: true });
    child.on('error', () => undefined);
    child.unref();
    if (child.pid === undefined) throw new Error(`could not start ${o.argv[0]} in ${o.netns}`);
    writePidFile(pidFile, child.pid, o.argv);
    return { name: o.name, netns: o.netns, pid: child.pid, pidFile, logFile };
  } finally {
    fs.closeSync(fd);
  }
}

/** SIGTERM, wait up to `graceMs`, then SIGKILL; resolves when every pid is gone. */
export async function terminatePids(pids: number[], graceMs = 2000): Promise<void> {
  const live = [...new Set(pids)].filter((p) => p > 1 && p !== process.pid && isProcessAlive(p));
  for (const p of live) {
    try {
      process.kill(p, 'SIGTERM');
    } catch {
      /* already gone */
    }
  }
  const deadline = Date.now() + graceMs;
  while (live.some(isProcessAlive) && Date.now() < deadline) await sleep(50);
  for (const p of live.filter(isProcessAlive)) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  const hard = Date.now() + 2000;
  while (live.some(isProcessAlive) && Date.now() < hard) await sleep(50);
}

/**
 * A pid file: the pid, then the command line the world started (JSON argv; by default the
 * process's own at the time of writing), so a later `down` kills that pid only while it still
 * runs that command, never a process that reused the pid.
 */
export function writePidFile(pidFile: string, pid: number, argv?: string[]): void {
  fs.writeFileSync(pidFile, `${pid}\n${JSON.stringify(argv ?? cmdlineOf(pid) ?? [])}\n`);
}

/** The argv of a running process (from /proc/<pid>/cmdline), or null when it is gone. */
export function cmdlineOf(pid: number): string[] | null {
  try {
    const raw = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return raw.split('\0').filter((a, i, all) => !(i === all.length - 1 && a === ''));
  } catch {
    return null;
  }
}

/** One argv ends with the other (`ip netns exec NS prog...` execs in place into `prog...`). */
function sameCommand(running: string[], started: string[]): boolean {
  if (running.length === 0 || started.length === 0) return false;
  const [long, short] = running.length >= started.length ? [running, started] : [started, running];
  const off = long.length - short.length;
  return short.every((a, i) => long[off + i] === a);
}

/**
 * Pids recorded in `<dir>/pids/*.pid` whose process still runs the command the file records. A
 * stale file naming a pid that now belongs to another program is skipped (so is a file without
 * a recorded command: the namespace and world-directory scans of `down` still find ours).
 */
export function pidsFromFiles(dir: string): number[] {
  const pidDir = path.join(dir, 'pids');
  if (!fs.existsSync(pidDir)) return [];
  const out: number[] = [];
  for (const f of fs.readdirSync(pidDir)) {
    const [pidLine, argvLine] = fs.readFileSync(path.join(pidDir, f), 'utf8').split('\n');
    const pid = Number(pidLine.trim());
    if (!Number.isInteger(pid) || pid <= 1) continue;
    let started: unknown;
    try {
      started = JSON.parse(argvLine ?? '');
    } catch {
      continue;
    }
    if (!Array.isArray(started) || !started.every((a) => typeof a === 'string')) continue;
    const running = cmdlineOf(pid);
    if (running && sameCommand(running, started as string[])) out.push(pid);
  }
  return out;
}

/** Pids of processes inside the given namespaces (`ip netns pids`). */
export async function pidsInNamespaces(namespaces: string[]): Promise<number[]> {
  const out: number[] = [];
  for (const ns of namespaces) {
    const r = await run(['ip', 'netns', 'pids', ns], { allowFail: true });
    for (const line of r.stdout.split('\n')) if (/^\d+$/.test(line.trim())) out.push(Number(line.trim()));
  }
  return out;
}

/** Pids whose command line mentions `needle` (e.g. the world directory), except this process. */
export function pidsMentioning(needle: string): number[] {
  const out: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmd = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmd.includes(needle)) out.push(Number(entry));
    } catch {
      /* exited meanwhile */
    }
  }
  return out;
}

/** Kills the processes of one namespace whose program name is `comm` (e.g. tcpdump), by pid. */
export async function killInNamespace(netns: string, comm: string, signal: NodeJS.Signals = 'SIGKILL'): Promise<number[]> {
  const killed: number[] = [];
  for (const pid of await pidsInNamespaces([netns])) {
    try {
      if (fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== comm) continue;
      process.kill(pid, signal);
      killed.push(pid);
    } catch {
      /* gone */
    }
  }
  return killed;
}
