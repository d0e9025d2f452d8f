/**
 * How many testbeds keep the 2 cores busy without slowing each measurement: the demo campaign's
 * nodes, apps and timers (configs/campaigns/demo.yaml) on N = 2, 4, 6, 8 testbeds of the paper
 * world, each run for a fixed window (--window s) through a dev server of its own and one worker
 * process per role (./worker.ts), then cancelled (the measurements clean up) before the next N.
 * Per N: measurements finished, the time a measurement takes per lane (start to start, the
 * progress line's LaneEstimator) and its workflow wall time, throughput, CPU busy share and load
 * average; the demo's predicted time to Tables 2 and 3 on N testbeds (busiest lane x time per
 * measurement + planning); and the progress line's ETA at one minute against that prediction,
 * for the lanes' estimate and for the count per minute it replaces.
 *   flock /tmp/matador-heavy.lock npx tsx bench/profile/testbeds.ts [--up] [--testbeds 2,4,6,8]
 *     [--window 120] [--timer-shift 100ms] [--campaign configs/campaigns/demo.yaml] [--json FILE]
 */
import * as fs from 'fs';
import * as path from 'path';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { LaneEstimator } from '../../cli/campaign-eta';
import { RateEstimator } from '../../cli/campaign-progress';
import { loadCampaignPlan } from '../../activities/plan-loader';
import { loadCampaign } from '../../lib/config';
import type { CampaignInput, CampaignProgress } from '../../lib/measurement/payloads';
import { projectRoot } from '../../lib/project-paths';
import { CAMPAIGN_WORKFLOW_TYPE, CENTRAL_TASK_QUEUE, campaignWorkflowId, PROGRESS_QUERY } from '../../temporal/conventions';
import { arg } from '../args';
import { writeSubsetCampaign } from '../campaign/subset';
import { matadorClassifier, startCpuSampler, type CpuWindow } from './cpu';
import { TIMER_SHIFT_KEY } from './server';
import { openSession } from './session';

interface ScaleRun {
  testbeds: number;
  windowSeconds: number;
  finished: number;
  /** first measurement finished (s after the start) */
  firstFinishSeconds: number | null;
  /** start to start on a lane (LaneEstimator), s */
  perLaneSeconds: number | null;
  /** workflow start to close of the finished ones, mean s */
  measurementWallSeconds: number | null;
  perMinuteWindow: number;
  perMinuteLanes: number | null;
  busiestLane: number;
  predictedSeconds: number | null;
  /** when the whole campaign finished within the window: its makespan, s */
  completedSeconds: number | null;
  etaAtMinute: { lanes: number | null; rate: number | null };
  cpu: CpuWindow;
  /** every progress answer (s since the start, each testbed's next/total/running): the ETA can be replayed */
  samples: Array<{ at: number; testbeds: CampaignProgress['testbeds'] }>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function waitUntilIdle(client: Client, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    let running = 0;
    for await (const _ of client.workflow.list({ query: 'ExecutionStatus="Running"' })) running++;
    if (running === 0) return;
    await sleep(1000);
  }
  throw new Error(`workflows still running ${timeoutMs / 1000} s after the campaign was cancelled`);
}

async function measurementWalls(client: Client, campaign: string): Promise<number[]> {
  const walls: number[] = [];
  for await (const w of client.workflow.list({ query: `WorkflowType="measurementWorkflow" AND ExecutionStatus="Completed"` })) {
    if (w.workflowId.startsWith(`${campaign}/`) && w.closeTime) walls.push((w.closeTime.getTime() - w.startTime.getTime()) / 1000);
  }
  return walls;
}

async function runWindow(client: Client, o: { file: string; id: string; n: number; windowMs: number; planning: number }): Promise<ScaleRun> {
  const plan = loadCampaignPlan(o.file);
  const lanesOf = new Map<string, number>();
  for (const m of plan.measurements) lanesOf.set(m.testbed, (lanesOf.get(m.testbed) ?? 0) + 1);
  const busiestLane = Math.max(...lanesOf.values());
  const lanes = new LaneEstimator({ startedAtMs: Date.now() }); // as `demo` and `campaign start --wait` start theirs
  const rate = new RateEstimator();
  const etaAtMinute: ScaleRun['etaAtMinute'] = { lanes: null, rate: null };
  let firstFinish: number | null = null;
  const samples: ScaleRun['samples'] = [];
  let last: CampaignProgress | null = null;
  const sampler = startCpuSampler({ classify: matadorClassifier(process.pid) });
  const t0 = Date.now();
  const input: CampaignInput = { config: o.file };
  const handle: WorkflowHandle = await client.workflow.start(CAMPAIGN_WORKFLOW_TYPE, { taskQueue: CENTRAL_TASK_QUEUE, workflowId: campaignWorkflowId(o.id), args: [input] });
  let cpu: CpuWindow;
  let completedSeconds: number | null = null;
  try {
    let done = false;
    void handle.result().then(
      () => {
        done = true;
        completedSeconds = (Date.now() - t0) / 1000;
      },
      () => (done = true),
    );
    while (!done && Date.now() - t0 < o.windowMs) {
      await sleep(2000);
      const now = Date.now();
      try {
        last = await handle.query<CampaignProgress>(PROGRESS_QUERY);
      } catch {
        continue; // no answer yet (the first workflow task)
      }
      lanes.add(now, last);
      samples.push({ at: (now - t0) / 1000, testbeds: last.testbeds });
      rate.add(now, last.finished);
      if (firstFinish === null && last.finished > 0) firstFinish = (now - t0) / 1000;
      if (etaAtMinute.lanes === null && now - t0 >= 60_000) {
        etaAtMinute.lanes = lanes.etaSeconds(now, last);
        const perMinute = rate.perMinute();
        etaAtMinute.rate = perMinute ? ((last.total - last.finished) / perMinute) * 60 : null;
        // both as a prediction of the whole campaign's time, to compare with the lane model's
        if (etaAtMinute.lanes !== null) etaAtMinute.lanes += (now - t0) / 1000;
        if (etaAtMinute.rate !== null) etaAtMinute.rate += (now - t0) / 1000;
      }
    }
  } finally {
    cpu = sampler.stop();
  }
  const windowSeconds = (Date.now() - t0) / 1000;
  await handle.cancel().catch(() => undefined);
  await handle.result().catch(() => undefined);
  await waitUntilIdle(client, 180_000);
  const walls = await measurementWalls(client, plan.campaign);
  const perLane = lanes.secondsPerMeasurement();
  const finished = last?.finished ?? 0;
  return {
    testbeds: o.n,
    windowSeconds,
    finished,
    firstFinishSeconds: firstFinish,
    perLaneSeconds: perLane,
    measurementWallSeconds: walls.length ? walls.reduce((a, b) => a + b, 0) / walls.length : null,
    perMinuteWindow: (60 * finished) / windowSeconds,
    perMinuteLanes: perLane ? (60 * o.n) / perLane : null,
    busiestLane,
    predictedSeconds: perLane ? o.planning + busiestLane * perLane : null,
    completedSeconds,
    etaAtMinute,
    cpu,
    samples,
  };
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => c.padStart(widths[i])).join('  ')).join('\n');
}

/** elapsed + ETA at one minute, and its error against the campaign's time (as ran, else predicted) */
const etaCell = (eta: number | null, truth: number | null): string => (eta !== null && truth ? `${mmss(eta)} (${(100 * (eta / truth - 1)).toFixed(0)}%)` : '-');
const fmt = (x: number | null, digits = 1): string => (x === null ? '-' : x.toFixed(digits));
const mmss = (s: number | null): string => (s === null ? '-' : `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`);

async function main(): Promise<void> {
  const counts = arg('--testbeds', '2,4,6,8').split(',').map(Number);
  const windowMs = Number(arg('--window', '120')) * 1000;
  const timerShift = arg('--timer-shift', '');
  const source = path.resolve(projectRoot, arg('--campaign', 'configs/campaigns/demo.yaml'));
  const json = arg('--json', '');
  const up = process.argv.includes('--up');
  const demo = loadCampaign(source);
  const nodes = demo.nodes.map((n) => n.id);
  const apps = demo.apps.map((a) => a.id);
  const max = Math.max(...counts);
  const all = Array.from({ length: max }, (_, i) => `tb${i + 1}`);
  const runs: ScaleRun[] = [];
  const session = await openSession({ prefix: 'matador-scale', testbeds: all, up, timerShift });
  try {
    const { client, tmp } = session;
    process.stdout.write(`${demo.campaign.id}'s ${nodes.length} nodes x ${apps.length} apps, timer scale ${demo.campaign.timerScale}, ${TIMER_SHIFT_KEY} ${timerShift || 'default (1s)'}, window ${windowMs / 1000} s per count\n`);
    for (const n of counts) {
      const id = `scale-${n}tb`;
      const file = writeSubsetCampaign({ id, nodes, apps, testbeds: all.slice(0, n), timerScale: demo.campaign.timerScale, assignment: demo.campaign.assignment ?? 'pair', dir: tmp });
      process.stdout.write(`  ${n} testbeds ...`);
      let r: ScaleRun;
      try {
        r = await runWindow(client, { file, id, n, windowMs, planning: 3 });
      } catch (err) {
        // the counts that ran are still shown
        process.stdout.write(` failed: ${err instanceof Error ? err.message : String(err)}\n`);
        break;
      }
      runs.push(r);
      process.stdout.write(` ${r.finished} finished in ${r.windowSeconds.toFixed(0)} s, ${fmt(r.perLaneSeconds)} s per measurement per lane, machine busy ${((100 * r.cpu.machineBusy) / (r.cpu.seconds * r.cpu.cores)).toFixed(0)} %\n`);
    }
  } finally {
    await session.close();
  }
  if (runs.length === 0) throw new Error('no testbed count ran');
  const base = runs[0];
  const rows = [['testbeds', 'finished', 'window s', 's/meas. (lane)', 'wall s (wf)', 'slowdown', '/min (window)', '/min (lanes)', 'busy %', 'load avg', 'busiest lane', 'demo', 'ETA@1min lanes', 'ETA@1min rate']];
  for (const r of runs) {
    rows.push([
      String(r.testbeds),
      String(r.finished),
      r.windowSeconds.toFixed(0),
      fmt(r.perLaneSeconds),
      fmt(r.measurementWallSeconds),
      r.perLaneSeconds && base.perLaneSeconds ? `${(r.perLaneSeconds / base.perLaneSeconds).toFixed(2)}x` : '-',
      r.perMinuteWindow.toFixed(1),
      fmt(r.perMinuteLanes),
      ((100 * r.cpu.machineBusy) / (r.cpu.seconds * r.cpu.cores)).toFixed(0),
      r.cpu.loadAverage.meanOneMinute.toFixed(2),
      String(r.busiestLane),
      r.completedSeconds !== null ? `${mmss(r.completedSeconds)} (ran)` : mmss(r.predictedSeconds),
      etaCell(r.etaAtMinute.lanes, r.completedSeconds ?? r.predictedSeconds),
      etaCell(r.etaAtMinute.rate, r.completedSeconds ?? r.predictedSeconds),
    ]);
  }
  process.stdout.write(
    `\nslowdown = time per measurement per lane against ${base.testbeds} testbeds; busy % = machine CPU (/proc/stat) of ${base.cpu.cores} cores; ` +
      `demo = its time as ran when it finished within the window, else predicted: 3 s planning + busiest lane x s/meas.; ETA@1min = elapsed + ETA at one minute (its error against the demo column)\n${table(rows)}\n`,
  );
  if (json) fs.writeFileSync(json, `${JSON.stringify({ source: path.relative(projectRoot, source), timerShift: timerShift || null, runs }, null, 2)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench/profile/testbeds: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
