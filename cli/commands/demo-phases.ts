/**
 * The building blocks of `matador demo`: phases that say what they do, time themselves and fail
 * with one line naming the phase and the file to look at; plus the pure bits (world health, Web
 * UI address, timing table) the tests check.
 */
import { execFile, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { dataDir, projectRoot } from '../../lib/project-paths';

export interface PhaseTiming {
  phase: string;
  seconds: number;
  note: string;
}

/** A phase failed: the message names what, `look` the file (log) that tells why. */
export class PhaseFailure extends Error {
  constructor(
    readonly phase: string,
    message: string,
    readonly look?: string,
  ) {
    super(message);
    this.name = 'PhaseFailure';
  }

  line(): string {
    return `demo: phase "${this.phase}" failed: ${this.message}${this.look ? `; look at ${this.look}` : ''}`;
  }
}

export class PhaseRunner {
  readonly timings: PhaseTiming[] = [];
  constructor(private readonly out: (line: string) => void) {}

  say(phase: string, text: string): void {
    this.out(`[demo] ${phase}: ${text}`);
  }

  /** Runs one phase; `fn` returns a short note (e.g. "reused"). Errors become PhaseFailure. */
  async run(phase: string, doing: string, fn: () => Promise<string>, look?: string): Promise<void> {
    this.say(phase, `${doing} ...`);
    const started = Date.now();
    let note: string;
    try {
      note = await fn();
    } catch (err) {
      if (err instanceof PhaseFailure) throw err;
      const e = err as Error & { logFile?: string };
      throw new PhaseFailure(phase, (e.message ?? String(err)).split('\n')[0], e.logFile ?? look);
    }
    const seconds = (Date.now() - started) / 1000;
    this.timings.push({ phase, seconds, note });
    this.say(phase, `${note} (${seconds.toFixed(1)} s)`);
  }
}

/** `setup 2.1 s | server 0.4 s (reused) | ... | total 95.3 s` as an aligned table. */
export function formatTimings(timings: PhaseTiming[], totalSeconds: number): string {
  const width = Math.max(5, ...timings.map((t) => t.phase.length));
  const rows = timings.map((t) => `  ${t.phase.padEnd(width)} ${t.seconds.toFixed(1).padStart(8)} s  ${t.note}`);
  return [`[demo] time per phase:`, ...rows, `  ${'total'.padEnd(width)} ${totalSeconds.toFixed(1).padStart(8)} s`].join('\n');
}

/** The Web UI's workflow list filtered to one campaign (search attribute MatadorCampaign). */
export function webUiUrl(uiBase: string, namespace: string, campaign: string): string {
  const query = `MatadorCampaign="${campaign}"`;
  return `${uiBase.replace(/\/+$/, '')}/namespaces/${encodeURIComponent(namespace)}/workflows?query=${encodeURIComponent(query)}`;
}

/** The Web UI base of the server `matador server` started (its pid file), else the default. */
export function serverUiBase(defaultBase = 'http://127.0.0.1:8233'): string {
  try {
    const info = JSON.parse(fs.readFileSync(path.join(dataDir, 'temporal.pid'), 'utf8')) as { uiUrl?: string | null };
    return info.uiUrl ?? defaultBase;
  } catch {
    return defaultBase;
  }
}

/** What `matador testbed status` knows, reduced to what the demo decides on. */
export interface WorldStatusView {
  state: { world: string; status: string; failure?: string | null; testbeds: Array<{ id: string }> } | null;
  namespacesPresent: number;
  namespacesExpected: number;
  processesDead: string[];
}

/** Is the world up, complete and the one we need, with every testbed the campaign uses? */
export function worldHealth(s: WorldStatusView, world: string, testbeds: string[]): { healthy: boolean; reason: string } {
  if (!s.state) return { healthy: false, reason: s.namespacesPresent ? `no world state but ${s.namespacesPresent} leftover namespaces` : 'no world is up' };
  if (s.state.world !== world) return { healthy: false, reason: `world ${s.state.world} is up, not ${world}` };
  if (s.state.status !== 'up') return { healthy: false, reason: `world ${world} is ${s.state.status}${s.state.failure ? ` (${s.state.failure})` : ''}` };
  if (s.namespacesPresent < s.namespacesExpected) return { healthy: false, reason: `only ${s.namespacesPresent} of ${s.namespacesExpected} namespaces present` };
  if (s.processesDead.length) return { healthy: false, reason: `dead processes: ${s.processesDead.slice(0, 4).join(', ')}${s.processesDead.length > 4 ? ', ...' : ''}` };
  const have = new Set(s.state.testbeds.map((t) => t.id));
  const missing = testbeds.filter((t) => !have.has(t));
  if (missing.length) return { healthy: false, reason: `world ${world} has no testbed ${missing.join(', ')}` };
  return { healthy: true, reason: `world ${world} is up with testbeds ${[...have].join(', ')}` };
}

export const demoLogDir = (): string => path.join(dataDir, 'demo');

/**
 * Runs `matador ARGS` as a child. Output to `logFile` (then a failure names it), or to this
 * terminal (`inherit`). Resolves with the exit code and, for log files, the last line.
 */
export function runMatador(args: string[], o: { logFile?: string; env?: NodeJS.ProcessEnv } = {}): Promise<{ code: number; lastLine: string }> {
  const bin = path.join(projectRoot, 'bin', 'matador');
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

/** Captures `matador ARGS` output (small outputs: status lines). */
export function captureMatador(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const bin = path.join(projectRoot, 'bin', 'matador');
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd: projectRoot, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}
