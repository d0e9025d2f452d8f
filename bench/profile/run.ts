/**
 * Profile of measurements run as the demo runs them: a fixed subset of the paper world (default
 * de-ber + es-mad x 4 apps = 3 node pairs, 12 measurements, timers of paper-2015-emulated.yaml)
 * through a Temporal dev server of its own (in memory, free ports) and one worker process per
 * role (./worker.ts: the `matador worker` activities with the driver instrumentation). Prints,
 * per measurement and as the mean per measurement, the wall time split by step and by what
 * the step waits on (timers as the server fired them, the no-app baseline's capture window, adb,
 * SSH, traceroute probing, polling, other), the scheduling between steps, and CPU seconds per
 * process kind from /proc. --dump DIR writes each measurement's history events and driver
 * operations as JSON, for a closer look.
 *
 *   flock /tmp/matador-heavy.lock npx tsx bench/profile/run.ts [--up] [--testbeds 2]
 *     [--nodes de-ber,es-mad] [--apps textsecure,threema,wechat,whatsapp] [--timer-scale 0.02]
 *     [--timer-shift 100ms] [--json FILE] [--dump DIR]
 *
 * Needs the world "paper" with enough testbeds up (`matador testbed up paper --testbeds N`), or
 * --up to bring it up and take it down again. --timer-shift sets the server's
 * history.timerProcessorMaxTimeShift (README "Timers on the dev server"); without it the server
 * runs Temporal's default. The server, the workers and the temporary folders are removed at the
 * end, also on failure.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { Client } from '@temporalio/client';
import { loadCampaignPlan } from '../../activities/plan-loader';
import { TIMER_SHIFT_KEY } from './server';
import type { CampaignInput, CampaignSummary } from '../../lib/measurement/payloads';
import { CAMPAIGN_WORKFLOW_TYPE, CENTRAL_TASK_QUEUE, campaignWorkflowId } from '../../temporal/conventions';
import { arg } from '../args';
import { writeSubsetCampaign } from '../campaign/subset';
import { formatCpuTable, matadorClassifier, startCpuSampler, type CpuWindow } from './cpu';
import { eventMs, timersOf } from './history-times';
import { captureWindows, splitWall, type SplitKind } from './split';
import type { ActivityRun } from './worker';
import { openSession } from './session';

const COLUMNS = ['timers', 'window', 'adb', 'ssh', 'traceroute', 'polling', 'other'] as const;
type Column = (typeof COLUMNS)[number];

/** One row of the table: a step (all its calls in one measurement) or a pseudo-step. */
interface Row {
  step: string;
  calls: number;
  wall: number;
  parts: Record<Column, number>;
}

interface MeasurementProfile {
  measurementId: string;
  testbed: string;
  wall: number;
  rows: Row[];
}

const zero = (): Record<Column, number> => ({ timers: 0, window: 0, adb: 0, ssh: 0, traceroute: 0, polling: 0, other: 0 });

const SHIPPING_ACTIVITIES = new Set(['artefactManifest', 'prepareArtefacts', 'readArtefactChunk', 'writeArtefactChunk', 'commitArtefact', 'discardArtefactParts']);

/** The measurement of an activity's workflow (shipping's activities, in the measurement or its
 *  artefact child, count as shipArtefacts). */
function ownerOf(run: ActivityRun): { measurementId: string; step: string } {
  const child = run.workflowId.endsWith('/artefacts');
  return { measurementId: child ? run.workflowId.slice(0, -'/artefacts'.length) : run.workflowId, step: child || SHIPPING_ACTIVITIES.has(run.activity) ? 'shipArtefacts' : run.activity };
}

async function profileOf(client: Client, measurementId: string, testbed: string, runs: ActivityRun[], dump: string): Promise<MeasurementProfile> {
  const history = await client.workflow.getHandle(measurementId).fetchHistory();
  const events = history.events ?? [];
  if (dump) {
    // For a closer look: every event's time and type, and every driver operation of every step.
    const file = path.join(dump, `${measurementId.replace(/[^A-Za-z0-9._-]/g, '_')}.json`);
    fs.writeFileSync(file, `${JSON.stringify({ measurementId, events: events.map((e) => ({ id: Number(e.eventId), at: eventMs(e), type: e.eventType, activity: e.activityTaskScheduledEventAttributes?.activityType?.name ?? undefined })), runs })}\n`);
  }
  const wall = (eventMs(events[events.length - 1]) - eventMs(events[0])) / 1000;
  const rows = new Map<string, Row>();
  // rows in the order the steps first ran
  for (const run of [...runs].sort((a, b) => a.start - b.start)) {
    const { step } = ownerOf(run);
    const row = rows.get(step) ?? { step, calls: 0, wall: 0, parts: zero() };
    row.calls++;
    row.wall += (run.end - run.start) / 1000;
    // The no-app baseline's capture (configurePhones, once per campaign, testbed and node) is a
    // declared wait, `baselineSeconds`: its own column, like the timers.
    const ops = run.activity === 'configurePhones' ? [...run.ops, ...captureWindows(run.ops)] : run.ops;
    const split = splitWall(run.start, run.end, ops);
    for (const k of Object.keys(split) as Array<SplitKind | 'other'>) row.parts[k] += split[k] / 1000;
    rows.set(step, row);
  }
  const timers = timersOf(events);
  const timerSeconds = timers.reduce((s, t) => s + t.firedAfterMs, 0) / 1000;
  const timerRow: Row = { step: '(timers)', calls: timers.length, wall: timerSeconds, parts: { ...zero(), timers: timerSeconds } };
  const busy = [...rows.values()].reduce((s, r) => s + r.wall, 0) + timerSeconds;
  // Activity queue waits, workflow tasks, child workflow start/close: what is neither a step nor a timer.
  const scheduling: Row = { step: '(scheduling)', calls: 0, wall: wall - busy, parts: { ...zero(), other: wall - busy } };
  return { measurementId, testbed, wall, rows: [...rows.values(), timerRow, scheduling] };
}

function meanRows(profiles: MeasurementProfile[]): Row[] {
  const order: string[] = [];
  const sum = new Map<string, Row>();
  for (const p of profiles) {
    for (const r of p.rows) {
      if (!sum.has(r.step)) order.push(r.step);
      const s = sum.get(r.step) ?? { step: r.step, calls: 0, wall: 0, parts: zero() };
      s.calls += r.calls;
      s.wall += r.wall;
      for (const c of COLUMNS) s.parts[c] += r.parts[c];
      sum.set(r.step, s);
    }
  }
  const n = Math.max(1, profiles.length);
  return order.map((step) => {
    const s = sum.get(step)!;
    return { step, calls: s.calls / n, wall: s.wall / n, parts: Object.fromEntries(COLUMNS.map((c) => [c, s.parts[c] / n])) as Record<Column, number> };
  });
}

function total(rows: Row[]): Row {
  const t: Row = { step: 'total', calls: 0, wall: 0, parts: zero() };
  for (const r of rows) {
    t.wall += r.wall;
    for (const c of COLUMNS) t.parts[c] += r.parts[c];
  }
  return t;
}

function formatRows(rows: Row[]): string {
  const head = ['step', 'calls', 'wall', ...COLUMNS];
  const body = [...rows, total(rows)].map((r) => [r.step, r.calls ? (Number.isInteger(r.calls) ? String(r.calls) : r.calls.toFixed(1)) : '', r.wall.toFixed(2), ...COLUMNS.map((c) => (Math.abs(r.parts[c]) < 0.005 ? '.' : r.parts[c].toFixed(2)))]);
  const all = [head, ...body];
  const widths = head.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  return all.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ')).join('\n');
}

async function main(): Promise<void> {
  const nodes = arg('--nodes', 'de-ber,es-mad').split(',');
  const apps = arg('--apps', 'textsecure,threema,wechat,whatsapp').split(',');
  const testbedCount = Number(arg('--testbeds', '2'));
  const timerScale = Number(arg('--timer-scale', '0.02'));
  const timerShift = arg('--timer-shift', '');
  const json = arg('--json', '');
  const dump = arg('--dump', '');
  if (dump) fs.mkdirSync(dump, { recursive: true });
  const up = process.argv.includes('--up');
  const testbeds = Array.from({ length: testbedCount }, (_, i) => `tb${i + 1}`);
  const session = await openSession({ prefix: 'matador-profile', testbeds, up, timerShift });
  try {
    const { client, tmp } = session;
    const id = `profile-${testbedCount}tb`;
    const file = writeSubsetCampaign({ id, nodes, apps, testbeds, timerScale, assignment: 'pair', dir: tmp });
    const plan = loadCampaignPlan(file);
    process.stdout.write(`profile: ${plan.measurements.length} measurements (${nodes.join(', ')} x ${apps.join(', ')}) on ${testbedCount} testbed(s), timer scale ${timerScale}, ${TIMER_SHIFT_KEY} ${timerShift || 'default (1s)'}\n`);
    const sampler = startCpuSampler({ classify: matadorClassifier(process.pid) });
    const t0 = Date.now();
    let cpu: CpuWindow;
    let summary: CampaignSummary;
    try {
      const input: CampaignInput = { config: file };
      summary = (await client.workflow.execute(CAMPAIGN_WORKFLOW_TYPE, { taskQueue: CENTRAL_TASK_QUEUE, workflowId: campaignWorkflowId(id), args: [input] })) as CampaignSummary;
    } finally {
      cpu = sampler.stop();
    }
    const makespan = (Date.now() - t0) / 1000;
    const runs = session.runs();
    const profiles: MeasurementProfile[] = [];
    for (const m of plan.measurements) {
      profiles.push(await profileOf(client, m.measurementId, m.testbed, runs.filter((r) => ownerOf(r).measurementId === m.measurementId), dump));
    }

    process.stdout.write(`\ncampaign: ${summary.ok} ok, ${summary.failed} failed of ${summary.total}; makespan ${makespan.toFixed(1)} s, ${((60 * summary.total) / makespan).toFixed(2)} measurements/min\n`);
    process.stdout.write('\nper measurement, seconds (wall = workflow start to close; timers as the server fired them; window = the no-app baseline\'s capture; the rest split by what runs: traceroute > adb > ssh > polling, other = none of them):\n');
    const lineRows = [['measurement', 'testbed', 'wall', ...COLUMNS, 'scheduling']];
    for (const p of profiles) {
      const t = total(p.rows.filter((r) => r.step !== '(scheduling)'));
      const sched = p.rows.find((r) => r.step === '(scheduling)')!.wall;
      lineRows.push([p.measurementId.split('/').slice(1).join('/'), p.testbed, p.wall.toFixed(2), ...COLUMNS.map((c) => t.parts[c].toFixed(2)), sched.toFixed(2)]);
    }
    const widths = lineRows[0].map((_, i) => Math.max(...lineRows.map((r) => r[i].length)));
    process.stdout.write(`${lineRows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ')).join('\n')}\n`);
    const mean = meanRows(profiles);
    process.stdout.write(`\nmean per measurement (${profiles.length}), seconds; calls per measurement:\n${formatRows(mean)}\n`);
    const all = total(mean);
    process.stdout.write(`beyond the timers: ${(all.wall - all.parts.timers).toFixed(2)} s; beyond the timers and the baseline window: ${(all.wall - all.parts.timers - all.parts.window).toFixed(2)} s\n`);
    process.stdout.write(`\nCPU seconds by process kind over the campaign (${makespan.toFixed(1)} s; workers = the bench's worker processes, bench = its client and sampler):\n${formatCpuTable(cpu)}\n`);
    process.stdout.write(`machine busy per measurement: ${(cpu.machineBusy / Math.max(1, summary.total)).toFixed(2)} CPU s\n`);
    if (json) {
      fs.writeFileSync(json, `${JSON.stringify({ nodes, apps, testbeds: testbedCount, timerScale, timerShift: timerShift || null, summary: { ok: summary.ok, failed: summary.failed, total: summary.total }, makespan, mean, profiles, cpu }, null, 2)}\n`);
      process.stdout.write(`figures: ${json}\n`);
    }
  } finally {
    await session.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench/profile: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
