/**
 * The CLI runner of the tests: the built CLI (`bin/matador ARGS`, dist/) as a user runs it, through
 * ops/processes.ts (the same runner `matador demo` has), and any other command (`ip`, `adb`). A
 * non-zero exit is a result, never a throw.
 */
import { execFile, spawnSync } from 'child_process';
import * as path from 'path';
import { projectRoot } from '../../lib/project-paths';
import { captureMatador } from '../../ops/processes';

export const MATADOR = path.join(projectRoot, 'bin', 'matador');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** `bin/matador ARGS` (cwd the project); `env` replaces the environment, `timeoutMs` bounds it. */
export function matador(args: string[], o: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<CliRun> {
  return captureMatador(args, { ...o, maxBuffer: 64 * 1024 * 1024 });
}

/** Runs `bin/matador ARGS --address ADDRESS --namespace NAMESPACE` against a test server. */
export function matadorAgainst(server: { address: string; namespace: string }, args: string[], o: { env?: NodeJS.ProcessEnv } = {}): Promise<CliRun> {
  return matador([...args, '--address', server.address, '--namespace', server.namespace], o);
}

/** `bin/matador ARGS`, synchronously (commands without a server: report, geo, config). */
export function matadorSync(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [MATADOR, ...args], { cwd: projectRoot, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Any command (argv[0] on PATH): exit code and output. */
export function runCmd(argv: string[], timeoutMs = 60_000): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(argv[0], argv.slice(1), { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}
