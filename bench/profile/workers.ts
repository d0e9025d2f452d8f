/** The profile benches' worker processes (./worker.ts, one per role as the demo runs them) and what they recorded. */
import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as readline from 'readline';
import { projectRoot } from '../../lib/project-paths';
import type { ActivityRun } from './worker';

/** Starts a worker (this process's tsx loader flags); resolves when it polls; one that is not ready within 2 minutes is killed. */
export function spawnWorker(o: { role: 'central' | 'testbed'; testbed?: string; address: string; results: string; dataDir: string; out: string; log: string }): Promise<ChildProcess> {
  const args = [...process.execArgv, path.join(__dirname, 'worker.ts'), '--role', o.role, ...(o.testbed ? ['--testbed', o.testbed] : []), '--address', o.address, '--results', o.results, '--data-dir', o.dataDir, '--out', o.out];
  const log = fs.openSync(o.log, 'a');
  const child = spawn(process.execPath, args, { cwd: projectRoot, stdio: ['ignore', 'pipe', log] });
  fs.closeSync(log);
  return new Promise((resolve, reject) => {
    const slow = setTimeout(() => child.kill('SIGKILL'), 120_000);
    const lines = readline.createInterface({ input: child.stdout! });
    lines.on('line', (l) => {
      if (l !== 'ready') return;
      clearTimeout(slow);
      resolve(child);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(slow);
      const tail = fs.readFileSync(o.log, 'utf8').trim().split('\n').slice(-5).join(' | ');
      reject(new Error(`worker ${o.testbed ?? o.role} exited (${signal ?? code}) before it was ready: ${tail}`));
    });
  });
}

export async function stopWorker(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const hard = setTimeout(() => child.kill('SIGKILL'), 30_000);
  await exited;
  clearTimeout(hard);
}

export function readRuns(files: string[]): ActivityRun[] {
  return files.flatMap((f) => (fs.existsSync(f) ? fs.readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as ActivityRun) : []));
}

