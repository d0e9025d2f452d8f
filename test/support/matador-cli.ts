import { execFile } from 'child_process';
import * as path from 'path';
import { promisify } from 'util';
import { projectRoot } from '../../lib/project-paths';

const execFileP = promisify(execFile);

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI (`bin/matador ARGS`, dist/) as a user would; a non-zero exit is a result.
 *  `env` replaces the environment (jest's `process.env` changes do not reach child processes). */
export async function matador(args: string[], o: { env?: NodeJS.ProcessEnv } = {}): Promise<CliRun> {
  try {
    const { stdout, stderr } = await execFileP(process.execPath, [path.join(projectRoot, 'bin', 'matador'), ...args], { cwd: projectRoot, maxBuffer: 64 * 1024 * 1024, ...(o.env ? { env: o.env } : {}) });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** Runs `bin/matador ARGS --address ADDRESS --namespace NAMESPACE` against a test server. */
export function matadorAgainst(server: { address: string; namespace: string }, args: string[]): Promise<CliRun> {
  return matador([...args, '--address', server.address, '--namespace', server.namespace]);
}
