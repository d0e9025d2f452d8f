/**
 * What a profile bench runs against, opened and released as one: the world "paper" with enough
 * testbeds (brought up with --up, and then taken down again), a dev server of its own (./server.ts),
 * a central worker and one per testbed (./worker.ts processes), a client, and a temporary
 * folder for the server's log, the workers' records, results and artefacts. Released in
 * reverse, also when opening failed half-way.
 */
import { execFileSync, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Client, Connection } from '@temporalio/client';
import type { DevServer } from '../../ops/dev-server';
import { projectRoot } from '../../lib/project-paths';
import { worldHealth } from '../../testbed/world/health';
import { status as worldStatus } from '../../testbed/world/world';
import { startBenchServer } from './server';
import { readRuns, spawnWorker, stopWorker } from './workers';
import type { ActivityRun } from './worker';

export interface BenchSession {
  tmp: string;
  client: Client;
  /** The activity executions the workers recorded so far. */
  runs(): ActivityRun[];
  close(): Promise<void>;
}

const matador = path.join(projectRoot, 'bin', 'matador');

export async function openSession(o: { prefix: string; testbeds: string[]; up: boolean; timerShift: string }): Promise<BenchSession> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `${o.prefix}-`));
  const workers: ChildProcess[] = [];
  const runFiles: string[] = [];
  let server: DevServer | undefined;
  let connection: Connection | undefined;
  let broughtUp = false;
  const close = async (): Promise<void> => {
    for (const w of workers) await stopWorker(w);
    await connection?.close().catch(() => undefined);
    await server?.stop();
    if (broughtUp) execFileSync(process.execPath, [matador, 'testbed', 'down'], { stdio: 'inherit' });
    fs.rmSync(tmp, { recursive: true, force: true });
  };
  try {
    if (!worldHealth(await worldStatus(), 'paper', o.testbeds).healthy) {
      const n = String(Math.max(2, o.testbeds.length));
      if (!o.up) throw new Error(`the world "paper" with ${n} testbeds is needed: run "matador testbed up paper --testbeds ${n}" first, or pass --up`);
      broughtUp = true; // also a half-built world is taken down
      execFileSync(process.execPath, [matador, 'testbed', 'up', 'paper', '--testbeds', n], { stdio: 'inherit' });
    }
    server = await startBenchServer(tmp, o.timerShift);
    for (const testbed of [undefined, ...o.testbeds]) {
      const name = testbed ?? 'central';
      const out = path.join(tmp, `runs-${name}.jsonl`);
      runFiles.push(out);
      const spec = { role: testbed ? ('testbed' as const) : ('central' as const), testbed, address: server.address, results: path.join(tmp, 'results.sqlite'), dataDir: path.join(tmp, 'data'), out };
      workers.push(await spawnWorker({ ...spec, log: path.join(tmp, `worker-${name}.log`) }));
    }
    connection = await Connection.connect({ address: server.address });
    return { tmp, client: new Client({ connection }), runs: () => readRuns(runFiles), close };
  } catch (err) {
    await close();
    throw err;
  }
}
