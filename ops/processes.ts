/**
 * `matador` child processes: one-off runs (`runMatador`, `captureMatador`) and the detached
 * background workers of the demo and the benches: started with a pid file and a log under
 * .matador/workers/, reused while alive and running the current build, stopped by pid. Only
 * processes named in our own pid files are ever signalled.
 */
import { execFile, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { dataDir, projectRoot } from '../lib/project-paths';
import { isProcessAlive } from './pid';

export interface WorkerSpec {
  role: 'central' | 'testbed';
  testbed?: string;
}

export interface WorkerPidFile {
  name: string;
  pid: number;
  role: 'central' | 'testbed';
  testbed: string | null;
  address: string;
  namespace: string;
  logFile: string;
  startedAt: string;
  /** Build the worker runs (dist/.tsbuildinfo mtime): a rebuilt CLI restarts workers. */
  build: string;
}

export const workersDir = (): string => path.join(dataDir, 'workers');
export const workerName = (w: WorkerSpec): string => (w.role === 'central' ? 'central' : `testbed-${w.testbed}`);
const pidFileOf = (name: string): string => path.join(workersDir(), `${name}.json`);
export const workerLogFile = (name: string): string => path.join(workersDir(), `${name}.log`);
const matadorBin = (): string => path.join(projectRoot, 'bin', 'matador');

/** The build the CLI runs now: changes whenever `tsc` writes dist/. */
export function currentBuild(): string {
  try {
    return fs.statSync(path.join(projectRoot, 'dist', '.tsbuildinfo')).mtime.toISOString();
  } catch {
    return 'unknown';
  }
}

export function readWorkerPidFiles(): WorkerPidFile[] {
  if (!fs.existsSync(workersDir())) return [];
  const out: WorkerPidFile[] = [];
  for (const f of fs.readdirSync(workersDir()).filter((x) => x.endsWith('.json')).sort()) {
    try {
      out.push(JSON.parse(fs.readFileSync(path.join(workersDir(), f), 'utf8')) as WorkerPidFile);
    } catch {
      fs.rmSync(path.join(workersDir(), f), { force: true }); // unreadable: nothing to trust in it
    }
  }
  return out;
}

/** Alive and still a `matador worker` (pids get reused). */
export function isOurWorker(info: WorkerPidFile): boolean {
  if (!isProcessAlive(info.pid)) return false;
  try {
    const argv = fs.readFileSync(`/proc/${info.pid}/cmdline`, 'utf8').split('\0');
    return argv.includes('worker') && argv.includes(info.role);
  } catch {
    return false;
  }
}

async function waitForExit(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (isProcessAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  return !isProcessAlive(pid);
}

/** SIGTERM (the worker finishes its tasks at hand), SIGKILL after `graceMs`. Removes the pid file. */
export async function stopWorker(info: WorkerPidFile, graceMs = 10_000): Promise<'stopped' | 'killed' | 'not running'> {
  let result: 'stopped' | 'killed' | 'not running' = 'not running';
  if (isOurWorker(info)) {
    process.kill(info.pid, 'SIGTERM');
    result = 'stopped';
    if (!(await waitForExit(info.pid, graceMs))) {
      process.kill(info.pid, 'SIGKILL');
      await waitForExit(info.pid, 5000);
      result = 'killed';
    }
  }
  fs.rmSync(pidFileOf(info.name), { force: true });
  return result;
}

export class WorkerStartError extends Error {
  constructor(
    message: string,
    readonly logFile: string,
  ) {
    super(message);
    this.name = 'WorkerStartError';
  }
}

const READY_LINE = 'matador worker (';

export interface EnsureWorkersOptions {
  address: string;
  namespace: string;
  workers: WorkerSpec[];
  /** How long a new worker may take to connect and bundle the workflows. */
  readyTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface EnsuredWorker {
  name: string;
  pid: number;
  logFile: string;
  reused: boolean;
}

/**
 * Makes sure each worker runs: reuses one that is alive, talks to the same server and runs the
 * current build; otherwise (re)starts it detached and waits for its ready line. Workers started
 * here are left running on purpose (`demo --stop` ends them).
 */
export async function ensureWorkers(o: EnsureWorkersOptions): Promise<EnsuredWorker[]> {
  fs.mkdirSync(workersDir(), { recursive: true });
  const existing = new Map(readWorkerPidFiles().map((w) => [w.name, w]));
  const build = currentBuild();
  const result: EnsuredWorker[] = [];
  const starting: Array<Promise<EnsuredWorker>> = [];
  for (const spec of o.workers) {
    const name = workerName(spec);
    const old = existing.get(name);
    if (old && isOurWorker(old) && old.address === o.address && old.namespace === o.namespace && old.build === build) {
      result.push({ name, pid: old.pid, logFile: old.logFile, reused: true });
      continue;
    }
    if (old) {
      o.log?.(`${name}: restarting (${!isOurWorker(old) ? 'not running' : old.build !== build ? 'the code was rebuilt' : 'other server'})`);
      await stopWorker(old);
    }
    starting.push(startWorker(spec, o, build));
  }
  result.push(...(await Promise.all(starting)));
  return result;
}

async function startWorker(spec: WorkerSpec, o: EnsureWorkersOptions, build: string): Promise<EnsuredWorker> {
  const name = workerName(spec);
  const logFile = workerLogFile(name);
  fs.writeFileSync(logFile, `--- ${new Date().toISOString()} matador worker ${name}\n`, { flag: 'a' });
  const startOffset = fs.statSync(logFile).size;
  const fd = fs.openSync(logFile, 'a');
  const args = [matadorBin(), 'worker', '--role', spec.role, ...(spec.testbed ? ['--testbed', spec.testbed] : []), '--address', o.address, '--namespace', o.namespace];
  const child = spawn(process.execPath, args, { detached: true, stdio: ['ignore', fd, fd], cwd: projectRoot });
  fs.closeSync(fd);
  child.unref();
  const pid = child.pid;
  if (pid === undefined) throw new WorkerStartError(`worker ${name} did not start`, logFile);
  const info: WorkerPidFile = {
    name,
    pid,
    role: spec.role,
    testbed: spec.testbed ?? null,
    address: o.address,
    namespace: o.namespace,
    logFile,
    startedAt: new Date().toISOString(),
    build,
  };
  fs.writeFileSync(pidFileOf(name), `${JSON.stringify(info)}\n`);
  const deadline = Date.now() + (o.readyTimeoutMs ?? 120_000);
  for (;;) {
    const text = readFrom(logFile, startOffset);
    if (text.includes(READY_LINE)) return { name, pid, logFile, reused: false };
    if (!isProcessAlive(pid)) {
      fs.rmSync(pidFileOf(name), { force: true });
      const last = text.trim().split('\n').filter(Boolean).pop() ?? 'no output';
      throw new WorkerStartError(`worker ${name} exited at start: ${last}`, logFile);
    }
    if (Date.now() > deadline) {
      await stopWorker(info, 2000);
      throw new WorkerStartError(`worker ${name} not ready after ${Math.round((o.readyTimeoutMs ?? 120_000) / 1000)} s`, logFile);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

function readFrom(file: string, offset: number): string {
  try {
    const buf = fs.readFileSync(file);
    return buf.subarray(offset).toString('utf8');
  } catch {
    return '';
  }
}

/** Stops every worker with a pid file here; idempotent. */
export async function stopAllWorkers(log: (line: string) => void): Promise<number> {
  let stopped = 0;
  for (const info of readWorkerPidFiles()) {
    const r = await stopWorker(info);
    if (r !== 'not running') stopped++;
    log(`worker ${info.name} (pid ${info.pid}): ${r}`);
  }
  return stopped;
}

/**
 * Runs `matador ARGS` as a child. Output to `logFile` (then a failure names it), or to this
 * terminal (`inherit`). Resolves with the exit code and, for log files, the last line.
 */
export function runMatador(args: string[], o: { logFile?: string; env?: NodeJS.ProcessEnv } = {}): Promise<{ code: number; lastLine: string }> {
  const bin = matadorBin();
  return new Promise((resolve, reject) => {
    let fd: number | null = null;
    if (o.logFile) {
      fs.mkdirSync(path.dirname(o.logFile), { recursive: true });
      fd = fs.openSync(o.logFile, 'w');
    }
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', fd ?? 'inherit', fd ?? 'inherit'], cwd: projectRoot, env: o.env ?? process.env });
    if (fd !== null) fs.closeSync(fd);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      let lastLine = '';
      if (o.logFile) {
        try {
          lastLine = fs.readFileSync(o.logFile, 'utf8').trim().split('\n').filter(Boolean).pop() ?? '';
        } catch {
          /* no log */
        }
      }
      resolve({ code: code ?? (signal ? 128 : 1), lastLine });
    });
  });
}

/** Captures `matador ARGS` output (exit code, stdout, stderr); a non-zero exit is a result. */
export function captureMatador(args: string[], o: { env?: NodeJS.ProcessEnv; timeoutMs?: number; maxBuffer?: number } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [matadorBin(), ...args], { cwd: projectRoot, env: o.env, timeout: o.timeoutMs, maxBuffer: o.maxBuffer ?? 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}
