/**
 * `matador campaign rerun-failed` against a real Temporal dev server: a campaign with mock
 * activities in which two measurements fail for good (the app "is not installed"); the CLI
 * lists them (--dry-run), re-runs them while the fault is still there (still failed, exit 1),
 * and after the fix re-runs them ok under the same workflow ids, one at a time per testbed.
 * Records go to a real results store, so "latest attempt" is checked where reports read it.
 */
import { formatFailure } from '../../lib/failures';
import * as fs from 'fs';
import * as path from 'path';
import { findFailedMeasurements } from '../../cli/commands/campaign-rerun';
import { CENTRAL_TASK_QUEUE } from '../../temporal/conventions';
import { ResultsStore, storeRecord } from '../../store/results-store';
import { campaignWorkflow, pauseSignal } from '../../workflows';
import { useTestServer } from '../support/dev-server';
import { createMockActivities, overlapsPerTestbed, type FailureRule, type MockEvent } from '../support/mock-activities';
import { makePlan } from '../support/plan-fixtures';
import { startWorkers, type RunningWorkers } from '../support/workers';
import { matador as matadorCli, matadorAgainst, type CliRun } from '../support/matador-cli';

const NAMESPACE = 'rerun';
const CAMPAIGN = 'rerun-demo';

let workers: RunningWorkers;
let store: ResultsStore;
let resultsFile: string;
const events: MockEvent[] = [];
const failures: FailureRule[] = [];

const plan = makePlan({
  campaign: CAMPAIGN,
  apps: ['threema', 'wechat'],
  nodes: [
    { id: 'pl-waw', country: 'PL' },
    { id: 'es-mad', country: 'ES' },
    { id: 'ch-zrh', country: 'CH' },
  ],
  testbeds: ['tb1', 'tb2'],
});
const broken = [`${CAMPAIGN}/wechat/pl-waw/es-mad`, `${CAMPAIGN}/wechat/es-mad/ch-zrh`];

const live = useTestServer({
  namespaces: [NAMESPACE],
  setup: async ({ server, native }) => {
    resultsFile = path.join(server.tmpDir, 'results.sqlite');
    store = new ResultsStore({ file: resultsFile });
    // The phone "has no WeChat" for two pairs: a permanent failure, no retry can help.
    for (const measurementId of broken) {
      failures.push({ measurementId, step: 'configurePhones', type: 'app_not_installed', nonRetryable: true });
    }
    const mock = createMockActivities({ plan, record: (e) => events.push(e), failures, stepDelayMs: 5 });
    const activities = { ...mock, persistRecord: async ({ record }: Parameters<typeof mock.persistRecord>[0]) => ({ stored: storeRecord(store, record) }) };
    workers = await startWorkers({ connection: native, namespace: NAMESPACE, activities, testbeds: ['tb1', 'tb2'] });
  },
  teardown: async () => {
    await workers?.stop();
    store?.close();
  },
});

function matador(args: string[]): Promise<CliRun> {
  return matadorAgainst({ address: live().server.address, namespace: NAMESPACE }, args);
}

async function failedIds(): Promise<string[]> {
  // Visibility is eventually consistent: wait until the closed measurements are listed.
  for (let i = 0; i < 100; i++) {
    const lookup = await findFailedMeasurements(live().client, CAMPAIGN);
    const ids = lookup.failed.map((f) => f.measurementId);
    if (ids.length >= broken.length) return ids;
    await new Promise((r) => setTimeout(r, 200));
  }
  return (await findFailedMeasurements(live().client, CAMPAIGN)).failed.map((f) => f.measurementId);
}

async function waitForLatestRunCompleted(ids: string[]): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const lookup = await findFailedMeasurements(live().client, CAMPAIGN);
    if (!lookup.failed.some((f) => ids.includes(f.measurementId))) return;
    await new Promise((r) => setTimeout(r, 200));
  }
}

it('re-runs exactly the failed measurements under their workflow ids, until they succeed', async () => {
  const handle = await live().client.workflow.start(campaignWorkflow, {
    taskQueue: CENTRAL_TASK_QUEUE,
    workflowId: `campaign/${CAMPAIGN}`,
    args: [{ config: `test:${CAMPAIGN}`, options: { timerScale: 0, timeoutScale: 0.1, maxAttempts: 1 } }],
  });
  const summary = await handle.result();
  expect(summary).toMatchObject({ campaign: CAMPAIGN, total: 12, ok: 10, failed: 2 });
  expect(summary.failures.map(formatFailure)).toEqual([
    'app_not_installed: configurePhones: mock configurePhones failure (try 1)',
    'app_not_installed: configurePhones: mock configurePhones failure (try 1)',
  ]);
  expect((await failedIds()).sort()).toEqual([...broken].sort());

  // --dry-run lists them with the reason, touches nothing.
  const dry = await matador(['campaign', 'rerun-failed', CAMPAIGN, '--dry-run', '--results', resultsFile]);
  expect(dry.stderr).toBe('');
  expect(dry.code).toBe(0);
  const dryLines = dry.stdout.trim().split('\n');
  expect(dryLines[0]).toBe(`2 failed measurements of campaign ${CAMPAIGN} would be re-run:`);
  expect(dryLines.slice(1).sort()).toEqual(
    broken.map((id) => `  ${id}  [testbed ${plan.measurements.find((m) => m.measurementId === id)!.testbed}, failed] app_not_installed: configurePhones: mock configurePhones failure (try 1)`).sort(),
  );
  const beforeRerun = events.length;

  // Fault not fixed yet: re-run, still failed, exit code 1.
  const again = await matador(['campaign', 'rerun-failed', CAMPAIGN]);
  expect(again.code).toBe(1);
  expect(again.stdout).toContain(`Re-running 2 failed measurements of campaign ${CAMPAIGN}, one at a time per testbed`);
  expect(again.stdout.trim().split('\n').pop()).toBe('Re-ran 2: 0 ok, 2 still failed');
  for (const id of broken) expect(store.attempts(id).map((a) => a.record.status)).toEqual(['failed', 'failed']);
  // Only the failed ones ran again.
  expect(new Set(events.slice(beforeRerun).map((e) => e.measurementId))).toEqual(new Set(broken));

  // Fix ("install the app"), re-run: both ok, same workflow ids, new runs.
  failures.length = 0;
  expect((await failedIds()).sort()).toEqual([...broken].sort());
  const fixedFrom = events.length;
  const fixed = await matador(['campaign', 'rerun-failed', `campaign/${CAMPAIGN}`, '--json']);
  expect(fixed.stderr).toBe('');
  expect(fixed.code).toBe(0);
  const out = JSON.parse(fixed.stdout) as { rerun: number; ok: number; failed: number; outcomes: Array<{ measurementId: string; status: string; runId: string }> };
  expect(out).toMatchObject({ rerun: 2, ok: 2, failed: 0 });
  expect(out.outcomes.map((o) => [o.measurementId, o.status])).toEqual([...broken].sort().map((id) => [id, 'ok']));

  for (const id of broken) {
    const attempts = store.attempts(id);
    expect(attempts.map((a) => a.record.status)).toEqual(['failed', 'failed', 'ok']);
    expect(store.latest(id)?.record.status).toBe('ok');
    const desc = await live().client.workflow.getHandle(id).describe();
    expect(desc.status.name).toBe('COMPLETED');
    expect(desc.runId).toBe(out.outcomes.find((o) => o.measurementId === id)!.runId);
    expect(await desc.staticSummary()).toMatch(/^measurement wechat [a-z-]+→[a-z-]+ \(tb[12]\), re-run$/);
    expect((attempts[2].record.workflow as { workflowId: string }).workflowId).toBe(id);
  }
  // Every measurement of the campaign now ends ok in the store, each with one latest row.
  const latest = [...store.latestOfCampaign(CAMPAIGN)];
  expect(latest.map((l) => l.measurementId).sort()).toEqual(plan.measurements.map((m) => m.measurementId).sort());
  expect(latest.every((l) => l.record.status === 'ok')).toBe(true);
  // One measurement at a time per testbed also during re-runs.
  expect(overlapsPerTestbed(events.slice(fixedFrom))).toEqual([]);

  await waitForLatestRunCompleted(broken);
  // The campaign's own result stays as it ended; status adds what the re-runs made of it.
  const status = await matador(['campaign', 'status', CAMPAIGN]);
  expect(status.code).toBe(0);
  const statusLines = status.stdout.trim().split('\n');
  expect(statusLines[0]).toBe(`Campaign ${CAMPAIGN}: 12 of 12 measurements finished, 10 ok, 2 failed (1 workflow run)`);
  expect(statusLines[1]).toBe('  since then re-run ok: 2 of the 2 failed; 12 of 12 ok now');
  for (const id of broken) {
    const runId = out.outcomes.find((o) => o.measurementId === id)!.runId;
    expect(statusLines).toContainEqual(expect.stringMatching(new RegExp(`^  failed ${id}: app_not_installed: .* \\(re-run ok: run ${runId} at \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\\)$`)));
  }
  const none = await matador(['campaign', 'rerun-failed', CAMPAIGN]);
  expect(none.code).toBe(0);
  expect(none.stdout).toBe(`No failed measurements in campaign ${CAMPAIGN}.\n`);
});

it('refuses while the campaign itself is running', async () => {
  // Started paused (the pause signal arrives with the start): it loads its plan, then waits.
  const handle = await live().client.workflow.signalWithStart(campaignWorkflow, {
    taskQueue: CENTRAL_TASK_QUEUE,
    workflowId: `campaign/${CAMPAIGN}`,
    args: [{ config: `test:${CAMPAIGN}`, options: { timerScale: 0, timeoutScale: 0.1, maxAttempts: 1 } }],
    signal: pauseSignal,
    signalArgs: [],
  });
  try {
    let listed = false;
    for (let i = 0; i < 100 && !listed; i++) {
      for await (const wf of live().client.workflow.list({ query: `MatadorCampaign = "${CAMPAIGN}" AND WorkflowType = "campaignWorkflow" AND ExecutionStatus = "Running"` })) listed ||= wf.workflowId === handle.workflowId;
      if (!listed) await new Promise((r) => setTimeout(r, 200));
    }
    expect(listed).toBe(true);
    const r = await matador(['campaign', 'rerun-failed', CAMPAIGN]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `matador: campaign ${CAMPAIGN} is still running (workflow campaign/${CAMPAIGN}); re-run its failed measurements once it has finished\n`,
    );
  } finally {
    await handle.terminate('test done');
  }
});

it('explains a server that is not there in one line', async () => {
  const r = await matadorCli(['campaign', 'rerun-failed', CAMPAIGN, '--address', '127.0.0.1:1']);
  expect(r.code).toBe(1);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(/^matador: cannot reach Temporal at 127\.0\.0\.1:1 /);
  expect(fs.existsSync(resultsFile)).toBe(true);
});
