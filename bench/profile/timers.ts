/**
 * How late the Temporal dev server fires short workflow timers, with its default dynamic config
 * and with `history.timerProcessorMaxTimeShift` lowered (README "Timers on the dev server").
 * For each setting: a fresh in-memory dev server (.tools/bin/temporal, free ports, headless), one
 * worker in this process running timerProbeWorkflow, sleeps of --sleeps ms (default 100, 500,
 * 1000, 1500), each --repeat times (interleaved); from the history, TimerStarted -> TimerFired.
 * Every server is stopped again, also on failure.
 *   flock /tmp/matador-heavy.lock npx tsx bench/profile/timers.ts [--shifts default,100ms,20ms] [--repeat 5] [--json FILE]
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import type { DevServer } from '../../ops/dev-server';
import { startBenchServer, TIMER_SHIFT_KEY } from './server';
import { arg } from '../args';
import { timersOf } from './history-times';

const QUEUE = 'timer-probe';

interface Row {
  shift: string;
  requestedMs: number;
  firedAfterMs: number[];
}

async function probe(shift: string, sleeps: number[], repeat: number, bundle: Awaited<ReturnType<typeof bundleWorkflowCode>>): Promise<Row[]> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'matador-timer-probe-'));
  let server: DevServer | undefined;
  let native: NativeConnection | undefined;
  let connection: Connection | undefined;
  try {
    server = await startBenchServer(tmp, shift);
    native = await NativeConnection.connect({ address: server.address });
    connection = await Connection.connect({ address: server.address });
    const client = new Client({ connection });
    const worker = await Worker.create({ connection: native, taskQueue: QUEUE, workflowBundle: bundle });
    const plan = Array.from({ length: repeat }, () => sleeps).flat();
    const history = await worker.runUntil(async () => {
      // a warm-up workflow first: the first workflow task of a fresh server is slow
      await client.workflow.execute('timerProbeWorkflow', { taskQueue: QUEUE, workflowId: `warm-up`, args: [[50]] });
      const id = `probe-${shift}`;
      await client.workflow.execute('timerProbeWorkflow', { taskQueue: QUEUE, workflowId: id, args: [plan] });
      return client.workflow.getHandle(id).fetchHistory();
    });
    const timers = timersOf(history.events ?? []);
    return sleeps.map((ms) => ({ shift, requestedMs: ms, firedAfterMs: timers.filter((t) => Math.round(t.requestedMs) === ms).map((t) => t.firedAfterMs) }));
  } finally {
    await connection?.close().catch(() => undefined);
    await native?.close().catch(() => undefined);
    await server?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const shifts = arg('--shifts', 'default,100ms,20ms').split(',');
  const sleeps = arg('--sleeps', '100,500,1000,1500').split(',').map(Number);
  const repeat = Number(arg('--repeat', '5'));
  const json = arg('--json', '');
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const bundle = await bundleWorkflowCode({ workflowsPath: require.resolve('./timer-workflow'), logger: new DefaultLogger('ERROR') });
  const rows: Row[] = [];
  for (const shift of shifts) rows.push(...(await probe(shift, sleeps, repeat, bundle)));
  const f = (ms: number): string => (ms / 1000).toFixed(3);
  process.stdout.write(`\nworkflow sleep -> TimerStarted..TimerFired on the server, seconds: median (min-max) of ${repeat}; ${TIMER_SHIFT_KEY} per column\n`);
  process.stdout.write(`${['sleep', ...shifts].map((c) => c.padStart(22)).join('')}\n`);
  for (const ms of sleeps) {
    const cells = shifts.map((s) => {
      const xs = rows.find((r) => r.shift === s && r.requestedMs === ms)?.firedAfterMs ?? [];
      return xs.length ? `${f(median(xs))} (${f(Math.min(...xs))}-${f(Math.max(...xs))})` : '-';
    });
    process.stdout.write(`${[`${f(ms)} s`, ...cells].map((c) => c.padStart(22)).join('')}\n`);
  }
  if (json) fs.writeFileSync(json, `${JSON.stringify({ key: TIMER_SHIFT_KEY, repeat, rows }, null, 2)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench/profile/timers: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
