/**
 * Per-step latency of one measurement on the emulated world "small" (or "paper"): the real measurement steps
 * (activities/steps) called in the workflow's order, without Temporal, with the workflow's
 * timers (timerScale 0.05), and inside every step the adb / SSH round trips it made (counted
 * and timed by wrapping the driver classes' methods in this process only; nothing is changed
 * on disk). Shows where a step's wall time goes beyond its own configured UI waits.
 *
 * Needs the world "small" up, or --up to bring it up and take it down again (under the world
 * lock, see /tmp/team-rules.md):
 *   flock /tmp/matador-world.lock npx tsx bench/steps/profile.ts --up [--world small|paper] [--runs 3]
 *     [--app threema|wechat (small) | whatsapp|threema (paper)]
 *     [--link-delay ELEMENT:MS] [--json FILE] [--keep]
 * Artefacts go to a temporary data folder that is removed afterwards (unless --keep).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { loadCampaignPlan } from '../../activities/plan-loader';
import { loadCampaign } from '../../lib/config';
import { measurementSteps, type StepEnv } from '../../activities/steps';
import { withSshScope } from '../../drivers/ssh/scope';
import { projectRoot } from '../../lib/project-paths';
import { emulatedWorldLab } from '../../testbed/lab';
import type { MessageSent, RunningCapture, StepContext } from '../../lib/measurement/payloads';
import { arg } from '../args';
import { instrumentDrivers } from '../profile/instrument';

/** Per world: the campaign of the measurement (its testbed tb1 is in that world). */
const CAMPAIGNS: Record<string, string> = {
  small: path.join(projectRoot, 'bench', 'steps', 'profile-campaign.yaml'),
  paper: path.join(projectRoot, 'bench', 'steps', 'profile-campaign-paper.yaml'),
};

/* ---- instrumentation: every adb / SSH round trip, attributed to the step that runs ---- */

interface OpStat {
  count: number;
  ms: number;
}
let current: Map<string, OpStat> | null = null;

function note(op: string, ms: number): void {
  if (!current) return;
  const s = current.get(op) ?? { count: 0, ms: 0 };
  s.count++;
  s.ms += ms;
  current.set(op, s);
}

/** The driver round trips of the step that runs (bench/profile/instrument.ts, shared with bench/profile/run.ts). */
function instrument(): void {
  instrumentDrivers(() => (current ? (op) => note(op.label, op.end - op.start) : null));
}

/* ---- one measurement, steps in the workflow's order ---- */

interface StepTiming {
  step: string;
  ms: number;
  ops: Record<string, OpStat>;
}

async function timed<T>(out: StepTiming[], step: string, fn: () => Promise<T>): Promise<T> {
  current = new Map();
  const t0 = performance.now();
  try {
    // Each step in its own SSH scope, as the worker runs every testbed activity (workers/activities.ts).
    return await withSshScope(fn);
  } finally {
    out.push({ step, ms: performance.now() - t0, ops: Object.fromEntries(current) });
    current = null;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function oneMeasurement(env: StepEnv, attempt: number, app: string, CAMPAIGN: string): Promise<{ timings: StepTiming[]; messages: MessageSent[]; noticeLagMs: number[]; deliveryMs: number[] }> {
  const plan = loadCampaignPlan(CAMPAIGN, { cwd: projectRoot });
  const m = plan.measurements.find((x) => x.nodeA.id !== x.nodeB.id && x.app === app);
  if (!m) throw new Error(`${CAMPAIGN}: no ${app} measurement between two nodes`);
  const scale = loadCampaign(CAMPAIGN, { cwd: projectRoot }).campaign.timerScale;
  const ctx: StepContext = { measurementId: m.measurementId, campaign: plan.campaign, app: m.app, testbed: m.testbed, attempt, nodeA: m.nodeA, nodeB: m.nodeB, config: { path: CAMPAIGN, digest: 'bench' } };
  const act = measurementSteps(env);
  const t: StepTiming[] = [];
  const messages: MessageSent[] = [];
  // How long after the receiver logged a message sendMessage returned (the receive polling).
  const noticeLagMs: number[] = [];
  // receivedAt - sentAt (both from the phones' own logs): the delivery itself.
  const deliveryMs: number[] = [];
  try {
    const tunnels = await timed(t, 'provisionTunnels', () => act.provisionTunnels({ ctx }));
    await timed(t, 'configurePhones', () => act.configurePhones({ ctx, tunnels }));
    const capture = (await timed(t, 'startCapture', () => act.startCapture({ ctx }))) as RunningCapture;
    for (const msg of m.messages) {
      await sleep(Math.round(msg.waitSeconds * scale * 1000));
      const sent = await timed(t, 'sendMessage', () => act.sendMessage({ ctx, message: msg }));
      if (sent.receivedAt) {
        noticeLagMs.push(Date.now() - Date.parse(sent.receivedAt));
        deliveryMs.push(Date.parse(sent.receivedAt) - Date.parse(sent.sentAt));
      }
      messages.push(sent);
    }
    await sleep(Math.round(((m.settleSeconds ?? 0) + (m.captureTailSeconds ?? 0)) * scale * 1000));
    await timed(t, 'stopCapture', () => act.stopCapture({ ctx, capture }));
    const files = await timed(t, 'fetchCapture', () => act.fetchCapture({ ctx, capture }));
    const classification = await timed(t, 'classifyFlows', () => act.classifyFlows({ ctx, capture: files, messages }));
    const traced = await timed(t, 'traceroutes', () => act.traceroutes({ ctx, endpoints: classification.endpoints }));
    await timed(t, 'geolocate', () => act.geolocate({ ctx, paths: traced }));
  } finally {
    await timed(t, 'teardown', () => act.teardown({ ctx })).catch((err: unknown) => console.error(`teardown: ${(err as Error).message}`));
  }
  return { timings: t, messages, noticeLagMs, deliveryMs };
}

/** Steps of one run merged by name (sendMessage: 10 calls), ms. */
function merge(timings: StepTiming[]): Map<string, StepTiming & { calls: number }> {
  const by = new Map<string, StepTiming & { calls: number }>();
  for (const x of timings) {
    const m = by.get(x.step) ?? { step: x.step, ms: 0, ops: {}, calls: 0 };
    m.ms += x.ms;
    m.calls++;
    for (const [op, s] of Object.entries(x.ops)) {
      const o = (m.ops[op] ??= { count: 0, ms: 0 });
      o.count += s.count;
      o.ms += s.ms;
    }
    by.set(x.step, m);
  }
  return by;
}

function print(runs: StepTiming[][]): void {
  const merged = runs.map(merge);
  const steps = [...merged[0].keys()];
  const f = (ms: number) => (ms / 1000).toFixed(3).padStart(7);
  console.log(`\nper step, seconds (runs: ${runs.length}); per-call mean for sendMessage; ops = adb/SSH round trips inside the step (summed over concurrent calls)`);
  for (const step of steps) {
    const xs = merged.map((m) => m.get(step)!).filter(Boolean);
    const calls = xs[0].calls;
    const per = xs.map((x) => x.ms / calls);
    console.log(`${step.padEnd(17)} ${per.map(f).join(' ')}   mean ${f(per.reduce((a, b) => a + b, 0) / per.length)}${calls > 1 ? `  (x${calls} = ${f((calls * per.reduce((a, b) => a + b, 0)) / per.length)} per measurement)` : ''}`);
    const ops = Object.entries(xs[0].ops).sort((a, b) => b[1].ms - a[1].ms);
    for (const [op, s] of ops) console.log(`    ${op.padEnd(44)} n=${String(s.count / calls).padStart(5)}  ${f(s.ms / calls)} s per call`);
  }
}

async function main(): Promise<void> {
  const runs = Number(arg('--runs', '1'));
  const up = process.argv.includes('--up');
  const json = arg('--json', '');
  const app = arg('--app', 'threema');
  const keep = process.argv.includes('--keep');
  const linkDelay = arg('--link-delay', '');
  const world = arg('--world', 'small');
  const campaign = CAMPAIGNS[world];
  if (!campaign) throw new Error(`--world: one of ${Object.keys(CAMPAIGNS).join(', ')} (got ${JSON.stringify(world)})`);
  if (linkDelay && !/^[a-z0-9-]+:\d+$/.test(linkDelay)) throw new Error(`--link-delay: ELEMENT:MS, e.g. es-mad:100 (got ${JSON.stringify(linkDelay)})`);
  instrument();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'matador-bench-steps-'));
  const env: StepEnv = { baseDir: projectRoot, dataDir, lab: emulatedWorldLab(), receiveTimeoutMs: 15_000 };
  const matador = path.join(projectRoot, 'bin', 'matador');
  const all: StepTiming[][] = [];
  try {
    if (up) execFileSync(process.execPath, [matador, 'testbed', 'up', world], { stdio: 'inherit' });
    // --link-delay ELEMENT:MS: extra delay on an access link (messages take longer to arrive,
    // as on the paper world's long paths), with `matador testbed fault link-delay`.
    if (linkDelay) {
      const [element, ms] = linkDelay.split(':');
      execFileSync(process.execPath, [matador, 'testbed', 'fault', 'link-delay', element, '--value', ms], { stdio: 'inherit' });
    }
    for (let i = 1; i <= runs; i++) {
      const r = await oneMeasurement(env, i, app, campaign);
      const lost = r.messages.filter((m) => m.failure);
      const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
      console.log(
        `run ${i}: ${r.messages.length} messages, ${lost.length} not received${lost.length ? `: ${lost.map((m) => `${m.failure}: ${m.detail ?? ''}`).join('; ')}` : ''}; ` +
          `delivery ${mean(r.deliveryMs).toFixed(0)} ms (mean, sender's sentAt to receiver's receivedAt); sendMessage returned ${mean(r.noticeLagMs).toFixed(0)} ms (mean) after the receiver logged the message`,
      );
      all.push(r.timings);
    }
  } finally {
    // The world is left as found: a delay this run added is cleared (also when it failed).
    if (linkDelay && !up) execFileSync(process.execPath, [matador, 'testbed', 'fault', 'link-delay', linkDelay.split(':')[0], '--clear'], { stdio: 'inherit' });
    if (up) execFileSync(process.execPath, [matador, 'testbed', 'down'], { stdio: 'inherit' });
    if (keep) console.log(`artefacts kept in ${dataDir}`);
    else fs.rmSync(dataDir, { recursive: true, force: true });
  }
  print(all);
  if (json) fs.writeFileSync(json, JSON.stringify(all.map(merge).map((m) => Object.fromEntries(m)), null, 2));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
