/** Test workers: one workflow bundle per test process, central + testbed workers in-process. */
import * as fs from 'fs';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, type Worker, type WorkflowBundle } from '@temporalio/worker';
import type { MatadorActivities } from '../../lib/measurement/steps';
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

export interface RunningWorkers {
  workers: Worker[];
  stop(): Promise<void>;
}

/** Starts a central worker and one worker per testbed on `namespace`. */
export async function startWorkers(o: {
  connection: NativeConnection;
  namespace: string;
  activities: MatadorActivities;
  testbeds: string[];
}): Promise<RunningWorkers> {
  const workflowBundleCode = await workflowBundle();
  const workers: Worker[] = [];
  workers.push(await createMatadorWorker({ role: 'central', connection: o.connection, namespace: o.namespace, activities: o.activities, workflowBundle: workflowBundleCode }));
  for (const testbed of o.testbeds) {
    workers.push(await createMatadorWorker({ role: 'testbed', testbed, connection: o.connection, namespace: o.namespace, activities: o.activities }));
  }
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
