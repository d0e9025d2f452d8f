/**
 * Test workers: one workflow bundle per test process; central + testbed workers in this process
 * (startWorkers) or in a child process that can be SIGKILLed (spawnWorkerProcess, whose script
 * calls runWorkerProcess).
 */
import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, type Worker, type WorkflowBundle } from '@temporalio/worker';
import type { StepEnv } from '../../activities/steps';
import type { MatadorActivities } from '../../lib/measurement/steps';
import { projectRoot } from '../../lib/project-paths';
import { createMatadorWorker, workflowsPath } from '../../workers/worker';

let bundle: Promise<WorkflowBundle> | undefined;
let runtimeInstalled = false;

/** Keeps the SDK quiet in test output (errors only: expected activity failures would flood it). */
export function quietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
  } catch {
    // already installed by an earlier test file in this process
  }
}

quietRuntime();

export function workflowBundle(): Promise<WorkflowBundle> {
  quietRuntime();
  bundle ??= bundleWorkflowCode({ workflowsPath: workflowsPath(), logger: new DefaultLogger('WARN') });
  return bundle;
}

/** Writes the bundle to a file so a worker child process can skip bundling. */
export async function writeWorkflowBundle(file: string): Promise<string> {
  const b = await workflowBundle();
  if (!('code' in b)) throw new Error('expected an in-memory workflow bundle');
  fs.writeFileSync(file, b.code);
  return file;
}

/** The central worker (workflows + central activities) and/or one worker per testbed. */
export async function createTestWorkers(o: {
  connection: NativeConnection;
  namespace: string;
  activities: MatadorActivities;
  testbeds: string[];
  roles?: Array<'central' | 'testbed'>;
  /** Default: the bundle of this process (workflowBundle()). */
  workflowBundle?: WorkflowBundle | { codePath: string };
}): Promise<Worker[]> {
  const roles = o.roles ?? ['central', 'testbed'];
  const workers: Worker[] = [];
  if (roles.includes('central')) {
    const bundle = o.workflowBundle ?? (await workflowBundle());
    workers.push(await createMatadorWorker({ role: 'central', connection: o.connection, namespace: o.namespace, activities: o.activities, workflowBundle: bundle }));
  }
  if (roles.includes('testbed')) {
    for (const testbed of o.testbeds) {
      workers.push(await createMatadorWorker({ role: 'testbed', testbed, connection: o.connection, namespace: o.namespace, activities: o.activities }));
    }
  }
  return workers;
}

export interface RunningWorkers {
  workers: Worker[];
  stop(): Promise<void>;
}

/** Starts a central worker and one worker per testbed on `namespace`, in this process. */
export async function startWorkers(o: {
  connection: NativeConnection;
  namespace: string;
  activities: MatadorActivities;
  testbeds: string[];
}): Promise<RunningWorkers> {
  const workers = await createTestWorkers(o);
  const runs = workers.map((w) => w.run());
  return {
    workers,
    async stop() {
      for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
      await Promise.allSettled(runs);
      const failures = (await Promise.allSettled(runs)).filter((r) => r.status === 'rejected');
      if (failures.length) throw (failures[0] as PromiseRejectedResult).reason;
    },
  };
}

/**
 * Central + testbed workers in this process with the real activities (workers/activities.ts:
 * real steps, records into `resultsFile`); stop() also closes their results store.
 */
export async function startRealWorkers(o: {
  connection: NativeConnection;
  namespace: string;
  resultsFile: string;
  testbeds: string[];
  measurement?: Partial<StepEnv>;
}): Promise<RunningWorkers> {
  // Loaded here only: the worker child processes of the mock tests never need the real steps.
  const { defaultActivities } = await import('../../workers/activities');
  const real = defaultActivities({ resultsFile: o.resultsFile, measurement: o.measurement });
  let running: RunningWorkers;
  try {
    running = await startWorkers({ connection: o.connection, namespace: o.namespace, activities: real.activities, testbeds: o.testbeds });
  } catch (err) {
    real.close();
    throw err;
  }
  return {
    workers: running.workers,
    async stop() {
      try {
        await running.stop();
      } finally {
        real.close();
      }
    },
  };
}

/**
 * The body of a worker child process (test/support/mock-worker.ts, test/chaos/chaos-worker.ts):
 * connects, runs the workers of `roles` on the bundle file, prints `ready`, shuts down on SIGTERM.
 */
export async function runWorkerProcess(o: {
  address: string;
  namespace: string;
  bundleFile: string;
  activities: MatadorActivities;
  testbeds: string[];
  roles?: Array<'central' | 'testbed'>;
}): Promise<void> {
  quietRuntime();
  const connection = await NativeConnection.connect({ address: o.address });
  const workers = await createTestWorkers({ ...o, connection, workflowBundle: { codePath: o.bundleFile } });
  process.once('SIGTERM', () => workers.forEach((w) => w.shutdown()));
  const running = Promise.all(workers.map((w) => w.run()));
  process.stdout.write('ready\n');
  await running;
  await connection.close();
}

/**
 * Starts `node --import tsx SCRIPT CONFIG` (not the tsx CLI, which forks: a SIGKILL must hit the
 * worker itself) and resolves once it printed `ready`. The child goes into `children` at once: the
 * caller kills what is there, also a child that never got ready.
 */
export function spawnWorkerProcess(script: string, configFile: string, o: { label: string; env?: NodeJS.ProcessEnv; children: ChildProcess[] }): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, configFile], {
    cwd: projectRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: o.env ?? process.env,
  });
  o.children.push(child);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) resolve(child);
    });
    child.once('exit', (code, signal) => reject(new Error(`${o.label} exited (${code ?? signal}) before ready: ${stderr}`)));
  });
}
