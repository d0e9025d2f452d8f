/**
 * Worker construction for both roles:
 *  - central: campaign + measurement workflows, and the central activities (config/plan,
 *    classification, geolocation, persistence) on task queue `matador-central`;
 *  - testbed: the activities that touch a testbed's phones and routers, on `testbed-<id>`;
 *    run one per testbed, on the host that reaches its hardware.
 */
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { centralSubset, testbedSubset, type MatadorActivities } from '../activities';
import { CENTRAL_TASK_QUEUE, testbedTaskQueue } from '../temporal/conventions';

export type WorkerRole = 'central' | 'testbed';

export interface MatadorWorkerOptions {
  role: WorkerRole;
  /** Testbed id (role testbed). */
  testbed?: string;
  connection: NativeConnection;
  namespace?: string;
  activities: MatadorActivities;
  /** Pre-built workflow bundle (tests bundle once); default: bundle workflows/ at start. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Override the task queue (tests isolate runs with their own queues). */
  taskQueue?: string;
  /** Worker identity shown in the Web UI. */
  identity?: string;
  /** At most this many activities at once (a testbed runs one measurement at a time anyway). */
  maxConcurrentActivityTaskExecutions?: number;
}

export function workflowsPath(): string {
  return require.resolve('../workflows');
}

export function taskQueueFor(role: WorkerRole, testbed?: string): string {
  if (role === 'central') return CENTRAL_TASK_QUEUE;
  if (!testbed) throw new Error('a testbed worker needs a testbed id (--testbed ID)');
  return testbedTaskQueue(testbed);
}

export async function createMatadorWorker(o: MatadorWorkerOptions): Promise<Worker> {
  const taskQueue = o.taskQueue ?? taskQueueFor(o.role, o.testbed);
  const common = {
    connection: o.connection,
    namespace: o.namespace ?? 'default',
    taskQueue,
    // Heartbeats reach the server at least this often, so a cancelled step hears of it within
    // ~2 s (the SDK's default throttle is 80% of the heartbeat timeout: 24 s for most steps).
    maxHeartbeatThrottleInterval: '2s' as const,
    ...(o.identity ? { identity: o.identity } : {}),
    ...(o.maxConcurrentActivityTaskExecutions ? { maxConcurrentActivityTaskExecutions: o.maxConcurrentActivityTaskExecutions } : {}),
  };
  if (o.role === 'testbed') {
    return Worker.create({ ...common, activities: testbedSubset(o.activities) });
  }
  return Worker.create({
    ...common,
    activities: centralSubset(o.activities),
    ...(o.workflowBundle ? { workflowBundle: o.workflowBundle } : { workflowsPath: workflowsPath() }),
  });
}
