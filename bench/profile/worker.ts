/**
 * A profiling worker for bench/profile/run.ts: the worker `matador worker` runs (the same
 * activities, defaultActivities, and createMatadorWorker; one process per worker as the demo
 * starts them), with the driver instrumentation of ./instrument.ts. Every activity execution is
 * appended to --out as one JSON line: its workflow, step, start and end (epoch ms) and the
 * adb / SSH / traceroute round trips and fired timers ('polling') it made. Prints "ready" when it
 * polls; SIGTERM ends it after the tasks at hand.
 *   node <tsx> bench/profile/worker.ts --role central|testbed [--testbed ID] --address HOST:PORT
 *     --results FILE --data-dir DIR --out FILE.jsonl
 */
import { AsyncLocalStorage } from 'async_hooks';
import * as fs from 'fs';
import { performance } from 'perf_hooks';
import { Context } from '@temporalio/activity';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import type { MatadorActivities } from '../../lib/measurement/steps';
import { defaultActivities } from '../../workers/activities';
import { createMatadorWorker, type WorkerRole } from '../../workers/worker';
import { arg } from '../args';
import { instrumentDrivers, instrumentSleeps, type Op } from './instrument';

/** One activity execution as the worker saw it (times: epoch ms). */
export interface ActivityRun {
  workflowId: string;
  activity: string;
  worker: string;
  start: number;
  end: number;
  ok: boolean;
  ops: Op[];
}

const epochNow = (): number => performance.timeOrigin + performance.now();

function instrumented(all: MatadorActivities, worker: string, out: string): MatadorActivities {
  const als = new AsyncLocalStorage<ActivityRun>();
  const sink = (): ((op: Op) => void) | null => {
    const run = als.getStore();
    // performance.now() of the op, put on the epoch clock the histories use
    return run ? (op) => run.ops.push({ ...op, start: op.start + performance.timeOrigin, end: op.end + performance.timeOrigin }) : null;
  };
  instrumentDrivers(sink);
  instrumentSleeps(sink);
  const wrapped: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(all as unknown as Record<string, unknown>)) {
    if (typeof fn !== 'function') {
      wrapped[name] = fn;
      continue;
    }
    wrapped[name] = async (...args: unknown[]) => {
      const run: ActivityRun = { workflowId: Context.current().info.workflowExecution?.workflowId ?? '?', activity: name, worker, start: epochNow(), end: 0, ok: false, ops: [] };
      try {
        const r = await als.run(run, () => (fn as (...a: unknown[]) => Promise<unknown>)(...args));
        run.ok = true;
        return r;
      } finally {
        run.end = epochNow();
        fs.appendFileSync(out, `${JSON.stringify(run)}\n`);
      }
    };
  }
  return wrapped as unknown as MatadorActivities;
}

async function main(): Promise<void> {
  const role = arg('--role', '') as WorkerRole;
  const testbed = arg('--testbed', '') || undefined;
  const out = arg('--out', '');
  if ((role !== 'central' && role !== 'testbed') || !out) throw new Error('usage: --role central|testbed [--testbed ID] --address HOST:PORT --results FILE --data-dir DIR --out FILE');
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const connection = await NativeConnection.connect({ address: arg('--address', '127.0.0.1:7233') });
  const { activities, close } = defaultActivities({ resultsFile: arg('--results', ''), measurement: { dataDir: arg('--data-dir', '') } });
  try {
    const worker = await createMatadorWorker({ role, testbed, connection, activities: instrumented(activities, testbed ?? 'central', out) });
    process.once('SIGTERM', () => worker.shutdown());
    process.once('SIGINT', () => worker.shutdown());
    const running = worker.run();
    process.stdout.write('ready\n');
    await running;
  } finally {
    close();
    await connection.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench/profile/worker: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
