/**
 * Campaign benchmark on the emulated world (real Temporal, real workers, real measurement steps):
 *   1. makespan of the same subset (default 3 nodes x 4 apps = 6 pairs x 4 = 24 measurements,
 *      the timers of paper-2015-emulated.yaml) on 1, 2 and 4 testbeds: speed-up and scaling
 *      efficiency (speed-up / testbeds);
 *   2. per-measurement overhead beyond the configured timers (record finishedAt - startedAt minus
 *      the messaging timers), and where it goes (mean time per step from the records);
 *   3. an estimate of the full 1624-measurement campaign on 4 testbeds from (1) and (2).
 * Needs: the Temporal dev server and the world "paper" (./scripts/demo sets both up, or
 * `matador server` + `matador testbed up paper`; `--testbeds 8` for counts above 4, e.g.
 * `--testbeds 1,4,8`). Workers for tb1..tbN are started (detached,
 * .matador/workers/) or reused. Run: npx tsx bench/campaign/run.ts [--nodes a,b,c]
 * [--testbeds 1,2,4] [--timer-scale 0.02] [--assignment pair|measurement] [--full].
 * Writes bench/out/campaign-<time>.json. `pair` (the default, as in paper-2015-emulated.yaml)
 * runs the four apps of a node pair back to back on one testbed, so the tunnels of a pair are
 * built once; the subset's pairs may not split evenly over 4 testbeds, so efficiency is also
 * shown against the busiest lane. Overhead is shown against the configured timers and against
 * the timers as the Temporal server runs them (no timer fires sooner than 1 s: temporal/timers.ts).
 * `--analyze CAMPAIGN.yaml [--since ISO]` only reads the store: overhead figures of a campaign
 * that already ran (e.g. the demo), nothing is started.
 */
import { formatFailure } from '../../lib/failures';
import * as fs from 'fs';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { Client } from '@temporalio/client';
import { connectClient, temporalTarget } from '../../cli/temporal-client';
import { loadCampaignPlan } from '../../activities/plan-loader';
import { ensureWorkers } from '../../ops/processes';
import { configsDir, projectRoot } from '../../lib/project-paths';
import { CAMPAIGN_WORKFLOW_TYPE, CENTRAL_TASK_QUEUE, campaignWorkflowId } from '../../temporal/conventions';
import type { AttemptRecord, CampaignInput, CampaignSummary } from '../../lib/measurement/payloads';
import type { MeasurementRecord } from '../../lib/types';
import { defaultStoreFile, ResultsStore } from '../../store';
import { measurementWaitsAsRun } from '../../temporal/timers';
import { worldHealth } from '../../testbed/world/health';
import { status as worldStatus } from '../../testbed/world/world';
import { arg } from '../args';
import { writeSubsetCampaign } from './subset';

const ADDRESS = process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233';
const NAMESPACE = process.env.TEMPORAL_NAMESPACE ?? 'default';
const ALL_TESTBEDS = ['tb1', 'tb2', 'tb3', 'tb4', 'tb5', 'tb6', 'tb7', 'tb8'];
const OUT_DIR = path.join(projectRoot, 'bench', 'out');

interface RunFigures {
  campaign: string;
  testbeds: number;
  measurements: number;
  ok: number;
  failed: number;
  makespanSeconds: number;
  /** per measurement: wall time, configured timers, overhead (records of this run) */
  durations: number[];
  timers: number[];
  overheads: number[];
  /** the same against the timers as the server runs them */
  timersAsRun: number[];
  overheadsAsRun: number[];
  /** measurements on the busiest testbed of the plan */
  busiestLane: number;
  /** mean seconds per step name (sendMessage#i counted as sendMessage) */
  stepMeans: Record<string, number>;
  failures: string[];
}

const mean = (xs: number[]): number => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
function quantile(xs: number[], q: number): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}
const seconds = (a: string, b: string | null): number => (b ? (Date.parse(b) - Date.parse(a)) / 1000 : 0);

type Waits = ReturnType<typeof measurementWaitsAsRun>;

/** Messaging timers per measurement id (seconds, already scaled by the campaign): as configured
 *  and as the server runs them. */
function timersOfPlan(file: string): { campaign: string; timers: Map<string, Waits> } {
  const plan = loadCampaignPlan(file);
  return {
    campaign: plan.campaign,
    timers: new Map(
      plan.measurements.map((m) => [
        m.measurementId,
        measurementWaitsAsRun({ messageWaits: m.messages.map((x) => x.waitSeconds), settleSeconds: m.settleSeconds, captureTailSeconds: m.captureTailSeconds }),
      ]),
    ),
  };
}

/** The latest record of each measurement of a campaign that started at or after `since`. */
function recordsOf(campaign: string, since: string): MeasurementRecord[] {
  const store = new ResultsStore({ file: defaultStoreFile(), readonly: true });
  const records: MeasurementRecord[] = [];
  try {
    for (const { record } of store.latestOfCampaign(campaign)) if (Date.parse(record.startedAt) >= Date.parse(since)) records.push(record);
  } finally {
    store.close();
  }
  return records;
}

/** Wall time, timers and overhead per ok record; mean seconds per step kind per measurement. */
type RecordFigures = Pick<RunFigures, 'durations' | 'timers' | 'overheads' | 'timersAsRun' | 'overheadsAsRun' | 'stepMeans'>;

function figuresFromRecords(all: MeasurementRecord[], timersOf: Map<string, Waits>): RecordFigures {
  const records = all.filter((r) => r.status === 'ok');
  const durations: number[] = [];
  const timers: number[] = [];
  const overheads: number[] = [];
  const timersAsRun: number[] = [];
  const overheadsAsRun: number[] = [];
  const stepTotals = new Map<string, number[]>();
  for (const r of records) {
    const d = seconds(r.startedAt, r.finishedAt);
    const t = timersOf.get(r.measurementId) ?? { configured: 0, asRun: 0 };
    durations.push(d);
    timers.push(t.configured);
    overheads.push(d - t.configured);
    timersAsRun.push(t.asRun);
    overheadsAsRun.push(d - t.asRun);
    for (const a of (r.attempts as AttemptRecord[] | undefined) ?? []) {
      for (const s of a.steps) {
        const name = s.step.replace(/#\d+$/, '');
        const list = stepTotals.get(name) ?? [];
        list.push(seconds(s.startedAt, s.finishedAt));
        stepTotals.set(name, list);
      }
    }
  }
  // per measurement: total time in each step kind (10 sendMessage calls add up)
  const stepMeans = Object.fromEntries([...stepTotals].map(([k, v]) => [k, v.reduce((a, b) => a + b, 0) / Math.max(1, records.length)]));
  return { durations, timers, overheads, timersAsRun, overheadsAsRun, stepMeans };
}

/** Runs one campaign to its end (no resume: every measurement runs) and reads its records. */
async function runCampaign(client: Client, file: string, testbeds: number): Promise<RunFigures> {
  const plan = loadCampaignPlan(file);
  const timersOf = timersOfPlan(file).timers;
  const input: CampaignInput = { config: path.relative(projectRoot, file) };
  const t0 = performance.now();
  const handle = await client.workflow.start(CAMPAIGN_WORKFLOW_TYPE, {
    taskQueue: CENTRAL_TASK_QUEUE,
    workflowId: campaignWorkflowId(plan.campaign),
    args: [input],
    workflowIdReusePolicy: 'ALLOW_DUPLICATE',
  });
  const startedAt = new Date().toISOString();
  process.stdout.write(`  ${plan.campaign}: ${plan.measurements.length} measurements on ${testbeds} testbed(s) ...`);
  const summary = (await handle.result()) as CampaignSummary;
  const makespanSeconds = (performance.now() - t0) / 1000;
  process.stdout.write(` ${makespanSeconds.toFixed(1)} s (${summary.ok} ok, ${summary.failed} failed)\n`);

  return {
    campaign: plan.campaign,
    testbeds,
    measurements: summary.total,
    ok: summary.ok,
    failed: summary.failed,
    makespanSeconds,
    busiestLane: Math.max(...[...countBy(plan.measurements.map((m) => m.testbed)).values()]),
    ...figuresFromRecords(recordsOf(plan.campaign, startedAt), timersOf),
    failures: [...new Set(summary.failures.map((f) => formatFailure(f) || '?'))].slice(0, 5),
  };
}

function countBy(keys: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const k of keys) counts.set(k, (counts.get(k) ?? 0) + 1);
  return counts;
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ')).join('\n');
}

/** The paper's messaging timers per measurement (60 + 9 x 20 + 60 + 30 s): what the overhead
 *  costs in a real campaign, where the timers are not compressed. */
const PAPER_TIMERS_SECONDS = 330;

function printOverhead(runs: Array<RecordFigures & Pick<RunFigures, 'testbeds'> & { label?: string }>): void {
  const overheadRows = [['run', 'ok records', 'mean s', 'p50 s', 'p90 s', 'timers s', 'as run s', 'overhead s', 'beyond as-run s', 'p90 s', '% of 330 s']];
  for (const r of runs) {
    overheadRows.push([
      r.label ?? `${r.testbeds} tb`,
      String(r.durations.length),
      mean(r.durations).toFixed(1),
      quantile(r.durations, 0.5).toFixed(1),
      quantile(r.durations, 0.9).toFixed(1),
      mean(r.timers).toFixed(1),
      mean(r.timersAsRun).toFixed(1),
      mean(r.overheads).toFixed(1),
      mean(r.overheadsAsRun).toFixed(1),
      quantile(r.overheadsAsRun, 0.9).toFixed(1),
      ((100 * mean(r.overheadsAsRun)) / PAPER_TIMERS_SECONDS).toFixed(1),
    ]);
  }
  process.stdout.write(
    '\nPer measurement (ok records: finishedAt - startedAt; overhead = that minus the configured timers;\n' +
      'beyond as-run = minus the timers as the server runs them; % of 330 s = that overhead in a real campaign):\n' +
      `${table(overheadRows)}\n`,
  );
  const stepNames = [...new Set(runs.flatMap((r) => Object.keys(r.stepMeans)))];
  const stepRows = [['step (s per measurement)', ...runs.map((r) => r.label ?? `${r.testbeds} tb`)]];
  for (const s of stepNames) stepRows.push([s, ...runs.map((r) => (r.stepMeans[s] ?? 0).toFixed(2))]);
  process.stdout.write(`\nWhere the time goes (mean seconds per ok measurement in each step, all attempts):\n${table(stepRows)}\n`);
}

/** `--analyze FILE [--since ISO]`: the figures of a campaign already in the store, no run. */
function analyzeOnly(file: string): void {
  const { campaign, timers } = timersOfPlan(file);
  const records = recordsOf(campaign, arg('--since', '1970-01-01T00:00:00Z'));
  const figures = figuresFromRecords(records, timers);
  const failed = records.filter((r) => r.status === 'failed').length;
  process.stdout.write(`campaign ${campaign}: ${records.length} latest records (${records.length - failed} ok, ${failed} failed) of ${timers.size} planned\n`);
  if (records.length) {
    const first = Math.min(...records.map((r) => Date.parse(r.startedAt)));
    const last = Math.max(...records.map((r) => Date.parse(r.finishedAt)));
    process.stdout.write(`span of the records: ${((last - first) / 1000).toFixed(1)} s (first start to last finish)\n`);
  }
  printOverhead([{ testbeds: 0, label: campaign, ...figures }]);
}

async function main(): Promise<void> {
  if (process.argv.includes('--analyze')) return analyzeOnly(arg('--analyze', ''));
  const nodes = arg('--nodes', 'de-ber,es-mad,jp-tyo').split(',');
  const counts = arg('--testbeds', '1,2,4').split(',').map(Number);
  const timerScale = Number(arg('--timer-scale', '0.02'));
  const assignment = arg('--assignment', 'pair');
  if (assignment !== 'pair' && assignment !== 'measurement') throw new Error(`--assignment must be pair or measurement, got ${JSON.stringify(assignment)}`);
  const health = worldHealth(await worldStatus(), 'paper', ALL_TESTBEDS.slice(0, Math.max(...counts)));
  const needed = Math.max(...counts);
  if (!health.healthy) {
    throw new Error(`the world "paper" with ${needed} testbeds is needed (${health.reason}): run "matador testbed up paper${needed > 4 ? ` --testbeds ${needed}` : ''}" first`);
  }
  // Through the CLI's connection (TEMPORAL_TLS_* apply, e.g. against `matador cluster up --tls`).
  const connection = await connectClient(temporalTarget({ address: ADDRESS, namespace: NAMESPACE }));
  const client = new Client({ connection, namespace: NAMESPACE });
  const workDir = path.join(OUT_DIR, 'campaign-configs');
  fs.mkdirSync(workDir, { recursive: true });
  try {
    const workers = await ensureWorkers({
      address: ADDRESS,
      namespace: NAMESPACE,
      workers: [{ role: 'central' }, ...ALL_TESTBEDS.slice(0, Math.max(...counts)).map((t) => ({ role: 'testbed' as const, testbed: t }))],
      log: (l) => process.stdout.write(`  workers: ${l}\n`),
    });
    process.stdout.write(`workers: ${workers.map((w) => `${w.name}${w.reused ? ' (reused)' : ''}`).join(', ')}\n`);
    process.stdout.write(`subset: nodes ${nodes.join(', ')} x 4 apps, timer scale ${timerScale}, assigned by ${assignment}\n`);
    const runs: RunFigures[] = [];
    for (const n of counts) {
      const file = writeSubsetCampaign({ id: `bench-scale-${n}tb`, nodes, testbeds: ALL_TESTBEDS.slice(0, n), timerScale, assignment, dir: workDir });
      runs.push(await runCampaign(client, file, n));
    }
    const base = runs.find((r) => r.testbeds === 1) ?? runs[0];
    const rows = [['testbeds', 'measurements', 'busiest lane', 'ok', 'failed', 'makespan s', 's/measurement', 'per min', 'speed-up', 'efficiency', 'vs busiest lane']];
    for (const r of runs) {
      const speedup = base.makespanSeconds / r.makespanSeconds;
      rows.push([
        String(r.testbeds),
        String(r.measurements),
        String(r.busiestLane),
        String(r.ok),
        String(r.failed),
        r.makespanSeconds.toFixed(1),
        (r.makespanSeconds / r.measurements).toFixed(2),
        ((60 * r.measurements) / r.makespanSeconds).toFixed(2),
        speedup.toFixed(2),
        ((speedup * base.testbeds) / r.testbeds).toFixed(2),
        // the best this split allows is base.busiestLane / r.busiestLane
        (speedup / (base.busiestLane / r.busiestLane)).toFixed(2),
      ]);
    }
    process.stdout.write(
      '\nMakespan and scaling (same subset; efficiency = speed-up / testbeds; vs busiest lane = speed-up /\n' +
        `the speed-up this split of the plan allows at best):\n${table(rows)}\n`,
    );

    printOverhead(runs);
    for (const r of runs) if (r.failures.length) process.stdout.write(`failures with ${r.testbeds} testbed(s): ${r.failures.join(' | ')}\n`);

    // The full campaign (406 pairs x 4 apps, pairs round-robin over the testbeds) at the per-lane
    // pace of the run with the most testbeds (the same contention on this machine).
    const widest = runs.reduce((a, b) => (b.testbeds > a.testbeds ? b : a));
    const fullBusiestLane = Math.ceil(406 / widest.testbeds) * 4;
    const perLane = widest.makespanSeconds / widest.busiestLane;
    const estimateSeconds = perLane * fullBusiestLane;
    process.stdout.write(
      `\nEstimate for the paper campaign (1624 measurements) on ${widest.testbeds} testbed(s), ${fullBusiestLane} on the busiest: ` +
        `${perLane.toFixed(1)} s per measurement per lane -> ${(estimateSeconds / 3600).toFixed(2)} h\n`,
    );
    const out = path.join(OUT_DIR, `campaign-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    fs.writeFileSync(out, `${JSON.stringify({ address: ADDRESS, nodes, timerScale, runs, estimateSeconds }, null, 2)}\n`);
    process.stdout.write(`figures: ${path.relative(projectRoot, out)}\n`);

    if (process.argv.includes('--full')) {
      process.stdout.write(`\nFull campaign configs/campaigns/paper-2015-emulated.yaml:\n`);
      const full = await runCampaign(client, path.join(configsDir, 'campaigns', 'paper-2015-emulated.yaml'), 4);
      process.stdout.write(`makespan ${(full.makespanSeconds / 3600).toFixed(2)} h, ${full.ok} ok, ${full.failed} failed, overhead mean ${mean(full.overheads).toFixed(1)} s\n`);
    }
  } finally {
    await connection.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench/campaign: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
