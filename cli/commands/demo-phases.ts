/**
 * The building blocks of `matador demo`: phases that say what they do, time themselves and fail
 * with one line naming the phase and the file to look at; plus the pure bits (world health, Web
 * UI address, timing table) the tests check.
 */
import * as path from 'path';
import { dataDir } from '../../lib/project-paths';
import { readServerPidFile } from '../../ops/dev-server';

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
  return readServerPidFile()?.uiUrl ?? defaultBase;
}

export const demoLogDir = (): string => path.join(dataDir, 'demo');
