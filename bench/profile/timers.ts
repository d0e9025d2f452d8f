/**
 * How late the Temporal dev server fires short workflow timers, with its default dynamic config
 * and with `history.timerProcessorMaxTimeShift` lowered (README "Timers on the dev server").
 * For each setting: a fresh in-memory dev server (.tools/bin/temporal, free ports, headless), one
 * worker in this process running timerProbeWorkflow, sleeps of --sleeps ms (default 100, 500,
 * 1000, 1500), each --repeat times (interleaved), in --concurrent workflows at once (default 1;
 * a campaign on sixteen testbeds keeps the timer queue busy); from the histories, TimerStarted ->
 * TimerFired. --reader-stuck runs each shift once per history.queueReaderStuckCriticalAttempts
 * value ('matador' = what `matador server` sets with a lowered shift, 'default' = Temporal's 3);
 * the server's own count of reader-stuck alerts comes from its metrics. Every server is stopped
 * again, also on failure.
 *   flock /tmp/matador-heavy.lock npx tsx bench/profile/timers.ts [--shifts default,100ms,20ms] [--repeat 5]
 *     [--concurrent 1] [--reader-stuck matador] [--json FILE]
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import type { DevServer } from '../../ops/dev-server';
import { READER_STUCK_KEY, startBenchServer, TIMER_SHIFT_KEY } from './server';
import { arg } from '../args';
import { timersOf } from './history-times';

const QUEUE = 'timer-probe';

interface Row {
  /** the column: the shift, and the reader-stuck setting when not matador's */
  setting: string;
  requestedMs: number;
  firedAfterMs: number[];
}

interface Setting {
  label: string;
  shift: string;
  readerStuck: string;
  /** reader-stuck alerts the server counted (its metrics), null when they could not be read */
  stuckAlerts: number | null;
}

/** The server's count of reader-stuck alerts on its timer queue, from the metrics URL its log names. */
async function stuckAlerts(logFile: string): Promise<number | null> {
  const url = /Metrics:\s+(http:\S+)/.exec(fs.readFileSync(logFile, 'utf8'))?.[1];
  if (!url) return null;
  const text = await fetch(url).then((r) => r.text(), () => '');
  const line = text.split('\n').find((l) => l.startsWith('queue_actions{') && l.includes('TimerQueueProcessor') && l.includes('reader_stuck'));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

async function probe(setting: Setting, sleeps: number[], repeat: number, concurrent: number, bundle: Awaited<ReturnType<typeof bundleWorkflowCode>>): Promise<Row[]> {
  const { shift } = setting;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'matador-timer-probe-'));
  let server: DevServer | undefined;
  let native: NativeConnection | undefined;
  let connection: Connection | undefined;
  try {
    server = await startBenchServer(tmp, shift, setting.readerStuck === 'matador' ? undefined : setting.readerStuck);
    native = await NativeConnection.connect({ address: server.address });
    connection = await Connection.connect({ address: server.address });
    const client = new Client({ connection });
    const worker = await Worker.create({ connection: native, taskQueue: QUEUE, workflowBundle: bundle });
    const plan = Array.from({ length: repeat }, () => sleeps).flat();
    const histories = await worker.runUntil(async () => {
      // a warm-up workflow first: the first workflow task of a fresh server is slow
      await client.workflow.execute('timerProbeWorkflow', { taskQueue: QUEUE, workflowId: `warm-up`, args: [[50]] });
      const ids = Array.from({ length: concurrent }, (_, i) => `probe-${shift}-${i}`);
      await Promise.all(ids.map((id) => client.workflow.execute('timerProbeWorkflow', { taskQueue: QUEUE, workflowId: id, args: [plan] })));
      return Promise.all(ids.map((id) => client.workflow.getHandle(id).fetchHistory()));
    });
    setting.stuckAlerts = await stuckAlerts(path.join(tmp, 'temporal.log'));
    const timers = histories.flatMap((h) => timersOf(h.events ?? []));
    return sleeps.map((ms) => ({ setting: setting.label, requestedMs: ms, firedAfterMs: timers.filter((t) => Math.round(t.requestedMs) === ms).map((t) => t.firedAfterMs) }));
  } finally {
    await connection?.close().catch(() => undefined);
    await native?.close().catch(() => undefined);
    await server?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const quantile = (xs: number[], q: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))];

async function main(): Promise<void> {
  const shifts = arg('--shifts', 'default,100ms,20ms').split(',');
  const sleeps = arg('--sleeps', '100,500,1000,1500').split(',').map(Number);
  const repeat = Number(arg('--repeat', '5'));
  const concurrent = Number(arg('--concurrent', '1'));
  const readerStuck = arg('--reader-stuck', 'matador').split(',');
  const json = arg('--json', '');
  if (!(concurrent >= 1)) throw new Error(`--concurrent: expected a count >= 1, got ${concurrent}`);
  for (const r of readerStuck) if (r !== 'matador' && r !== 'default' && !/^[1-9]\d*$/.test(r)) throw new Error(`--reader-stuck: expected matador, default or a count >= 1, got ${JSON.stringify(r)}`);
  const settings: Setting[] = shifts.flatMap((shift) =>
    (shift === 'default' ? ['default'] : readerStuck).map((r) => ({ label: shift === 'default' || readerStuck.length === 1 ? shift : `${shift}/stuck ${r}`, shift, readerStuck: r, stuckAlerts: null })),
  );
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const bundle = await bundleWorkflowCode({ workflowsPath: require.resolve('./timer-workflow'), logger: new DefaultLogger('ERROR') });
  const rows: Row[] = [];
  for (const setting of settings) rows.push(...(await probe(setting, sleeps, repeat, concurrent, bundle)));
  const labels = settings.map((s) => s.label);
  const f = (ms: number): string => (ms / 1000).toFixed(3);
  const n = repeat * concurrent;
  process.stdout.write(`\nworkflow sleep -> TimerStarted..TimerFired on the server, seconds: median (min-max) of ${n} (${concurrent} workflow(s) at once); ${TIMER_SHIFT_KEY} per column\n`);
  process.stdout.write(`${['sleep', ...labels].map((c) => c.padStart(24)).join('')}\n`);
  for (const ms of sleeps) {
    const cells = labels.map((label) => {
      const xs = rows.find((r) => r.setting === label && r.requestedMs === ms)?.firedAfterMs ?? [];
      return xs.length ? `${f(median(xs))} (${f(Math.min(...xs))}-${f(Math.max(...xs))})` : '-';
    });
    process.stdout.write(`${[`${f(ms)} s`, ...cells].map((c) => c.padStart(24)).join('')}\n`);
  }
  process.stdout.write(`\nall timers, seconds after their requested time: p99, max, fired over 1 s late; the server's ${READER_STUCK_KEY} alerts\n`);
  for (const s of settings) {
    const late = rows.filter((r) => r.setting === s.label).flatMap((r) => r.firedAfterMs.map((x) => x - r.requestedMs));
    process.stdout.write(`  ${s.label.padEnd(22)} ${late.length} timers: p99 ${f(quantile(late, 0.99))}, max ${f(Math.max(...late))}, ${late.filter((x) => x > 1000).length} over 1 s late; reader-stuck alerts ${s.stuckAlerts ?? '?'}\n`);
  }
  if (json) fs.writeFileSync(json, `${JSON.stringify({ key: TIMER_SHIFT_KEY, repeat, concurrent, settings, rows }, null, 2)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench/profile/timers: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
