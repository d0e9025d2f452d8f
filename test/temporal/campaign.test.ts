/**
 * Campaign + measurement workflows against a real Temporal dev server, with typed mock
 * activities in in-process workers. Each scenario has its own namespace.
 */
import { execFile } from 'child_process';
import { promisify } from 'util';
import { Client, WorkflowFailedError } from '@temporalio/client';
import { temporalBinary } from '../../lib/project-paths';
import { CENTRAL_TASK_QUEUE, PAUSE_SIGNAL } from '../../temporal/conventions';
import type { CampaignSummary, MeasurementResult } from '../../lib/measurement/payloads';
import { campaignWorkflow, progressQuery, resumeSignal } from '../../workflows';
import { useTestServer } from '../support/dev-server';
import { createMockActivities, overlapsPerTestbed, type FailureRule, type MockEvent } from '../support/mock-activities';
import { makePlan } from '../support/plan-fixtures';
import { matadorAgainst } from '../support/matador-cli';
import { startWorkers } from '../support/workers';

const run = promisify(execFile);

const NS = { basic: 'basic', faults: 'faults', pause: 'pause' };
const NODES = [
  { id: 'pl-waw', country: 'PL' },
  { id: 'es-mad', country: 'ES' },
  { id: 'ch-zrh', country: 'CH' },
];
/** Timers at 1/100 (the dev server fires timers with ~1 s granularity, so few tests use them). */
const FAST = { timerScale: 0.01, timeoutScale: 0.1 };
const NO_WAITS = { timerScale: 0, timeoutScale: 0.1 };

const live = useTestServer({ namespaces: Object.values(NS) });

interface Persisted {
  measurementId: string;
  runId: string;
  status: string;
  failure: string | null;
}

async function runCampaign(o: {
  namespace: string;
  campaign: string;
  testbeds: string[];
  apps: string[];
  failures?: FailureRule[];
  maxAttempts?: number;
  pageSize?: number;
  continueAsNewAfter?: number;
  timerScale?: number;
  /** Apps whose measurements the plan gives `traceroutes: { applicationPaths: 'mda' }`. */
  mdaApps?: string[];
}): Promise<{ summary: CampaignSummary; events: MockEvent[]; persisted: Persisted[]; client: Client; workflowId: string; progress: unknown; traceOptions: Map<string, unknown> }> {
  const made = makePlan({ campaign: o.campaign, apps: o.apps, nodes: NODES, testbeds: o.testbeds });
  const plan = { ...made, measurements: made.measurements.map((m) => (o.mdaApps?.includes(m.app) ? { ...m, traceroutes: { applicationPaths: 'mda' as const } } : m)) };
  const events: MockEvent[] = [];
  const persisted: Persisted[] = [];
  const traceOptions = new Map<string, unknown>();
  const mocks = createMockActivities({
    plan,
    record: (e) => events.push(e),
    failures: o.failures,
    saveRecord: (measurementId, runId, status, failure) => {
      if (!persisted.some((p) => p.measurementId === measurementId && p.runId === runId)) persisted.push({ measurementId, runId, status, failure });
    },
    stepDelayMs: 5,
  });
  // What the traceroutes step is asked for: the plan's option must reach it through the workflow.
  const activities = { ...mocks, traceroutes: async (input: Parameters<typeof mocks.traceroutes>[0]) => (traceOptions.set(input.ctx.measurementId, input.traceroutes), mocks.traceroutes(input)) };
  const workers = await startWorkers({ connection: live().native, namespace: o.namespace, activities, testbeds: o.testbeds });
  const client = new Client({ connection: live().connection, namespace: o.namespace });
  const workflowId = `campaign/${o.campaign}`;
  try {
    const handle = await client.workflow.start(campaignWorkflow, {
      taskQueue: CENTRAL_TASK_QUEUE,
      workflowId,
      args: [{ config: `test:${o.campaign}`, options: { ...FAST, timerScale: o.timerScale ?? FAST.timerScale, maxAttempts: o.maxAttempts }, pageSize: o.pageSize, continueAsNewAfter: o.continueAsNewAfter }],
    });
    const summary = await handle.result();
    const progress = await client.workflow.getHandle(workflowId).query(progressQuery);
    return { summary, events, persisted, client, workflowId, progress, traceOptions };
  } finally {
    await workers.stop();
  }
}

describe('a campaign with mock activities', () => {
  const campaign = 'basic-run';
  const apps = ['threema', 'whatsapp'];
  let result: Awaited<ReturnType<typeof runCampaign>>;

  beforeAll(async () => {
    // 3 nodes -> 6 pairs x 2 apps = 12 measurements on 2 testbeds; small pages and a forced
    // continue-as-new every 5 measurements exercise paging and carrying progress over.
    result = await runCampaign({ namespace: NS.basic, campaign, testbeds: ['tb1', 'tb2'], apps, pageSize: 2, continueAsNewAfter: 5, mdaApps: ['whatsapp'] });
  });

  it('hands the plan\'s traceroutes option (MDA application paths) to the traceroutes step, through pages and continue-as-new', () => {
    expect(result.traceOptions.size).toBe(12);
    for (const [id, options] of result.traceOptions) {
      expect([id, options]).toEqual([id, id.includes('/whatsapp/') ? { applicationPaths: 'mda' } : undefined]);
    }
  });

  it('completes every measurement exactly once, across continue-as-new runs', () => {
    expect(result.summary).toMatchObject({ campaign, total: 12, ok: 12, failed: 0, failures: [] });
    expect(result.summary.runs).toBeGreaterThanOrEqual(3);
    const ids = result.persisted.map((p) => p.measurementId).sort();
    expect(ids).toHaveLength(12);
    expect(new Set(ids).size).toBe(12);
    expect(result.persisted.every((p) => p.status === 'ok')).toBe(true);
    expect(ids).toContain(`${campaign}/threema/pl-waw/pl-waw`);
    expect(ids).toContain(`${campaign}/whatsapp/es-mad/ch-zrh`);
  });

  it('never runs two measurements on one testbed at once, but uses both testbeds', () => {
    expect(overlapsPerTestbed(result.events)).toEqual([]);
    expect(new Set(result.events.map((e) => e.testbed))).toEqual(new Set(['tb1', 'tb2']));
  });

  it('sends each message of the sequence as its own activity, between capture start and stop', () => {
    const id = `${campaign}/threema/pl-waw/es-mad`;
    const steps = result.events.filter((e) => e.measurementId === id && e.kind === 'end').sort((a, b) => a.seq - b.seq).map((e) => e.step);
    expect(steps).toEqual([
      'provisionTunnels',
      'configurePhones',
      'startCapture',
      'sendMessage',
      'sendMessage',
      'stopCapture',
      'fetchCapture',
      'classifyFlows',
      'traceroutes',
      'geolocate',
      'teardown',
      'persistRecord',
    ]);
  });

  it('answers the progress query', () => {
    expect(result.progress).toMatchObject({ campaign, state: 'done', total: 12, finished: 12, ok: 12, failed: 0, running: [] });
  });

  it('tags measurements with search attributes the temporal CLI can filter on', async () => {
    // Visibility is eventually consistent: poll until the list is complete.
    let rows: Array<{ execution: { workflowId: string } }> = [];
    for (let i = 0; i < 50; i++) {
      const { stdout } = await run(temporalBinary, [
        'workflow', 'list', '--address', live().server.address, '--namespace', NS.basic,
        '--query', `MatadorApp="threema" AND MatadorCampaign="${campaign}"`, '--output', 'json',
      ]);
      rows = stdout.trim() ? JSON.parse(stdout) : [];
      if (rows.length >= 6) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const ids = rows.map((r) => r.execution.workflowId).sort();
    expect(ids).toEqual(
      ['pl-waw/pl-waw', 'pl-waw/es-mad', 'pl-waw/ch-zrh', 'es-mad/es-mad', 'es-mad/ch-zrh', 'ch-zrh/ch-zrh'].map((p) => `${campaign}/threema/${p}`).sort(),
    );
    const desc = await result.client.workflow.getHandle(`${campaign}/threema/es-mad/ch-zrh`).describe();
    const matador = desc.typedSearchAttributes
      .getAll()
      .filter((p) => p.key.name.startsWith('Matador'))
      .map((p) => [p.key.name, p.value]);
    expect(matador.sort()).toEqual(
      [
        ['MatadorApp', 'threema'],
        ['MatadorCampaign', campaign],
        ['MatadorCountryA', 'ES'],
        ['MatadorCountryB', 'CH'],
        ['MatadorNodeA', 'es-mad'],
        ['MatadorNodeB', 'ch-zrh'],
        ['MatadorStage', 'done'],
        ['MatadorTestbed', result.events.find((e) => e.measurementId === `${campaign}/threema/es-mad/ch-zrh`)?.testbed],
      ].sort(),
    );
  });
});

describe('a campaign with failing steps', () => {
  const campaign = 'faults-run';
  const id = (pair: string): string => `${campaign}/threema/${pair}`;
  const flaky = id('pl-waw/pl-waw');
  const sagaOnce = id('pl-waw/es-mad');
  const doomed = id('es-mad/ch-zrh');
  let result: Awaited<ReturnType<typeof runCampaign>>;

  beforeAll(async () => {
    result = await runCampaign({
      namespace: NS.faults,
      campaign,
      testbeds: ['tb1', 'tb2'],
      apps: ['threema'],
      maxAttempts: 2,
      timerScale: 0,
      failures: [
        // fails twice, then succeeds: Temporal's activity retry handles it within one attempt
        { measurementId: flaky, step: 'configurePhones', activityTries: 2 },
        // fails for good after capture start in the first attempt only: saga + second attempt
        { measurementId: sagaOnce, step: 'sendMessage', attempts: [1], nonRetryable: true, type: 'adb_unreachable' },
        // fails for good in every attempt: the measurement ends failed
        { measurementId: doomed, step: 'traceroutes', nonRetryable: true, type: 'ssh_unreachable' },
      ],
    });
  });

  it('retries a step that fails twice and then succeeds, within the same attempt', async () => {
    const tries = result.events.filter((e) => e.measurementId === flaky && e.step === 'configurePhones' && e.kind === 'start');
    expect(tries.map((e) => [e.attempt, e.activityAttempt])).toEqual([
      [1, 1],
      [1, 2],
      [1, 3],
    ]);
    const r: MeasurementResult = await result.client.workflow.getHandle(flaky).result();
    expect(r.status).toBe('ok');
    expect(r.attempts).toHaveLength(1);
  });

  it('cleans up a failed attempt after capture start and runs a new attempt', async () => {
    const r: MeasurementResult = await result.client.workflow.getHandle(sagaOnce).result();
    expect(r.status).toBe('ok');
    expect(r.attempts.map((a) => [a.failure, a.failedOperation])).toEqual([['adb_unreachable', 'sendMessage#0'], [null, null]]);
    expect(r.attempts[0].cleanedUp).toBe(true);
    expect(r.attempts[0].steps.map((s) => s.step)).toEqual(['provisionTunnels', 'configurePhones', 'startCapture', 'sendMessage#0', 'cleanup', 'teardown']);
    const firstAttempt = result.events.filter((e) => e.measurementId === sagaOnce && e.attempt === 1 && e.kind === 'end').map((e) => e.step);
    expect(firstAttempt).toEqual(expect.arrayContaining(['abortCapture', 'teardown']));
    expect(firstAttempt).not.toContain('stopCapture');
  });

  it('ends a permanently failing measurement failed with its reason; the campaign continues and reports it', async () => {
    expect(result.summary).toMatchObject({ total: 6, ok: 5, failed: 1 });
    expect(result.summary.failures).toEqual([{ measurementId: doomed, status: 'failed', failure: 'ssh_unreachable', failedOperation: 'traceroutes', detail: expect.stringMatching(/^mock traceroutes failure/) }]);
    const handle = result.client.workflow.getHandle(doomed);
    expect((await handle.describe()).status.name).toBe('FAILED');
    const err = await handle.result().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const cause = (err as WorkflowFailedError).cause as { type?: string; details?: unknown[] };
    expect(cause.type).toBe('measurement_failed');
    const details = cause.details?.[0] as MeasurementResult;
    expect(details.attempts).toHaveLength(2);
    expect(details.attempts.every((a) => a.cleanedUp)).toBe(true);
    expect(result.persisted.filter((p) => p.measurementId === doomed)).toEqual([
      { measurementId: doomed, runId: expect.any(String), status: 'failed', failure: 'ssh_unreachable' },
    ]);
    expect(result.persisted).toHaveLength(6);
  });
});

describe('pause and resume', () => {
  it('holds a paused campaign before its first measurement and finishes it after resume', async () => {
    const campaign = 'pause-run';
    const plan = makePlan({ campaign, apps: ['wechat'], nodes: NODES.slice(0, 2), testbeds: ['tb1'] });
    const events: MockEvent[] = [];
    const activities = createMockActivities({ plan, record: (e) => events.push(e) });
    const workers = await startWorkers({ connection: live().native, namespace: NS.pause, activities, testbeds: ['tb1'] });
    const client = new Client({ connection: live().connection, namespace: NS.pause });
    try {
      // The pause signal arrives with the start: the lanes see it before the first measurement.
      const handle = await client.workflow.signalWithStart(campaignWorkflow, {
        taskQueue: CENTRAL_TASK_QUEUE,
        workflowId: `campaign/${campaign}`,
        args: [{ config: 'test:pause', options: NO_WAITS }],
        signal: PAUSE_SIGNAL,
        signalArgs: [],
      });
      let progress = await handle.query(progressQuery);
      for (let i = 0; i < 100 && progress.state !== 'paused'; i++) {
        await new Promise((r) => setTimeout(r, 100));
        progress = await handle.query(progressQuery);
      }
      expect(progress).toMatchObject({ campaign, state: 'paused', total: 3, finished: 0, running: [] });
      expect(events.filter((e) => e.step !== 'persistRecord')).toEqual([]);
      const cli = await matadorAgainst({ address: live().server.address, namespace: NS.pause }, ['campaign', 'status', campaign]);
      expect(cli.stdout).toMatch(new RegExp(`^Campaign ${campaign} \\(test:pause\\): paused, 0 of 3 finished`));
      // the Web UI's current details (lib/workflow-text) say so too
      const details = async (id: string) => (await client.workflow.getHandle(id).query<{ currentDetails: string }>('__temporal_workflow_metadata')).currentDetails;
      expect(await details(`campaign/${campaign}`)).toBe(`campaign ${campaign} (paused): 0 of 3 finished, 0 ok, 0 failed, 3 remaining\n\n- testbed tb1: 0 of 3 (0 failed)`);
      await handle.signal(resumeSignal);
      const summary = await handle.result();
      expect(summary).toMatchObject({ total: 3, ok: 3, failed: 0 });
      // the drift section comes right after the headline (the mock drift step: no earlier run)
      expect(await details(`campaign/${campaign}`)).toBe(`campaign ${campaign} done: 3 measurements, 3 ok, 0 failed (1 workflow run)\n\n- **Drift**: no earlier run to compare with\n- testbed tb1: 3 of 3 (0 failed)`);
      // a measurement: the summary the campaign gave it; the mock steps trace nothing and name no groups
      const measurement = client.workflow.getHandle(`${campaign}/wechat/pl-waw/es-mad`);
      expect(await (await measurement.describe()).staticSummary()).toBe('measurement wechat pl-waw→es-mad (tb1)');
      expect((await details(measurement.workflowId)).split('\n')[0]).toBe('wechat pl-waw→es-mad: app no trace (node countries only) / network no trace (node countries only); interest groups: unknown');
    } finally {
      await workers.stop();
    }
  });
});
