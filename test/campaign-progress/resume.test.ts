/**
 * `campaign start --resume`: the plan leaves out measurements whose latest record in the results
 * store is ok. Store lookup against a real SQLite store; the campaign runs on a real Temporal dev
 * server with the typed mock activities (test/support) and a real ResultsStore behind persist.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { completedInResultsStore } from '../../activities/plan-loader';
import { planActivities } from '../../activities/plan-pages';
import { configsDir } from '../../lib/project-paths';
import { CENTRAL_TASK_QUEUE } from '../../temporal/conventions';
import type { CampaignSummary } from '../../lib/measurement/payloads';
import { MEASUREMENT_SCHEMA, type MeasurementRecord } from '../../lib/types';
import { ResultsStore } from '../../store/results-store';
import { campaignWorkflow, progressQuery } from '../../workflows';
import { useTestServer } from '../support/dev-server';
import { createMockActivities, overlapsPerTestbed, type FailureRule, type MockEvent } from '../support/mock-activities';
import { makePlan } from '../support/plan-fixtures';
import { startWorkers } from '../support/workers';
import { matadorAgainst, type CliRun } from '../support/matador-cli';

const NODES = [
  { id: 'pl-waw', country: 'PL' },
  { id: 'es-mad', country: 'ES' },
  { id: 'ch-zrh', country: 'CH' },
];

function record(measurementId: string, status: 'ok' | 'failed', finishedAt: string): MeasurementRecord {
  const [campaign, app, a, b] = measurementId.split('/');
  return {
    schema: MEASUREMENT_SCHEMA,
    campaign,
    measurementId,
    app,
    status,
    failure: status === 'ok' ? null : 'timeout',
    failedOperation: status === 'ok' ? null : 'traceroutes',
    detail: status === 'ok' ? null : 'START_TO_CLOSE timeout',
    startedAt: new Date(Date.parse(finishedAt) - 60_000).toISOString(),
    finishedAt,
    nodeA: { id: a, country: NODES.find((n) => n.id === a)?.country ?? 'XX' },
    nodeB: { id: b, country: NODES.find((n) => n.id === b)?.country ?? 'XX' },
    networkPath: { traces: [] },
    applicationPath: { traces: [] },
  };
}

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'matador-resume-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('completedInResultsStore', () => {
  it('counts a measurement as done when its latest record finished by the cut-off is ok', () => {
    const file = path.join(tmp, 'lookup.sqlite');
    const store = new ResultsStore({ file });
    const id = (pair: string): string => `c/threema/${pair}`;
    try {
      store.putAttempt(1, record(id('pl-waw/pl-waw'), 'ok', '2026-01-01T10:00:00.000Z'));
      store.putAttempt(1, record(id('pl-waw/es-mad'), 'failed', '2026-01-01T10:00:00.000Z'));
      store.putAttempt(1, record(id('pl-waw/ch-zrh'), 'ok', '2026-01-01T10:00:00.000Z')); // ok, then failed: not done
      store.putAttempt(2, record(id('pl-waw/ch-zrh'), 'failed', '2026-01-01T11:00:00.000Z'));
      store.putAttempt(1, record(id('es-mad/es-mad'), 'failed', '2026-01-01T10:00:00.000Z')); // failed, then ok: done
      store.putAttempt(2, record(id('es-mad/es-mad'), 'ok', '2026-01-01T11:00:00.000Z'));
      store.putAttempt(1, record(id('es-mad/ch-zrh'), 'ok', '2026-01-01T13:00:00.000Z')); // after the cut-off
      store.putAttempt(1, record(id('ch-zrh/ch-zrh'), 'failed', '2026-01-01T10:00:00.000Z')); // later ok after the cut-off
      store.putAttempt(2, record(id('ch-zrh/ch-zrh'), 'ok', '2026-01-01T13:00:00.000Z'));
    } finally {
      store.close();
    }
    const all = ['pl-waw/pl-waw', 'pl-waw/es-mad', 'pl-waw/ch-zrh', 'es-mad/es-mad', 'es-mad/ch-zrh', 'ch-zrh/ch-zrh', 'never/run'].map(id);
    expect([...completedInResultsStore(all, '2026-01-01T12:00:00.000Z', file)].sort()).toEqual([id('es-mad/es-mad'), id('pl-waw/pl-waw')]);
    expect([...completedInResultsStore(all, '2026-01-01T14:00:00.000Z', file)].sort()).toEqual(
      [id('ch-zrh/ch-zrh'), id('es-mad/ch-zrh'), id('es-mad/es-mad'), id('pl-waw/pl-waw')].sort(),
    );
  });

  it('knows nothing done when there is no store yet', () => {
    expect(completedInResultsStore(['c/threema/a/b'], new Date().toISOString(), path.join(tmp, 'none', 'results.sqlite')).size).toBe(0);
  });
});

describe('planActivities with resume', () => {
  it('leaves done measurements out of the counts and of every page, with one fixed cut-off', async () => {
    const plan = makePlan({ campaign: 'c', apps: ['threema', 'wechat'], nodes: NODES, testbeds: ['tb1', 'tb2'] });
    const done = new Set(plan.measurements.filter((m) => m.testbed === 'tb1').map((m) => m.measurementId));
    const cutoffs: string[] = [];
    const acts = planActivities({
      load: () => plan,
      baseDir: '/',
      now: () => new Date('2026-02-02T02:02:02.000Z'),
      completed: (ids, before) => (cutoffs.push(before), new Set(ids.filter((i) => done.has(i)))),
    });
    const info = await acts.loadCampaign({ config: 'c.yaml', resume: true });
    expect(info).toMatchObject({ total: 6, skipped: 6, skipOkBefore: '2026-02-02T02:02:02.000Z', testbeds: [{ id: 'tb1', measurements: 0 }, { id: 'tb2', measurements: 6 }] });
    const page = await acts.planPage({ config: info.config, testbed: 'tb2', offset: 4, limit: 4, skipOkBefore: info.skipOkBefore });
    expect(page.map((m) => m.measurementId)).toEqual(plan.measurements.filter((m) => m.testbed === 'tb2').slice(4).map((m) => m.measurementId));
    expect(await acts.planPage({ config: info.config, testbed: 'tb1', offset: 0, limit: 4, skipOkBefore: info.skipOkBefore })).toEqual([]);
    expect(new Set(cutoffs)).toEqual(new Set(['2026-02-02T02:02:02.000Z']));
    // Without resume the store is never asked.
    cutoffs.length = 0;
    expect(await acts.loadCampaign({ config: 'c.yaml' })).toMatchObject({ total: 12 });
    expect(cutoffs).toEqual([]);
  });
});

describe('a resumed campaign on a real Temporal server', () => {
  const campaign = 'resume-run';
  const namespace = 'resume';
  const plan = makePlan({ campaign, apps: ['threema', 'whatsapp'], nodes: NODES, testbeds: ['tb1', 'tb2'] });
  const ids = plan.measurements.map((m) => m.measurementId);
  const live = useTestServer({ namespaces: [namespace] });
  let storeFile: string;

  beforeAll(() => {
    storeFile = path.join(tmp, 'campaign.sqlite');
  });

  /** One campaign run with resume; returns its summary, the last progress and what ran. */
  async function runResumed(failures: FailureRule[] = []): Promise<{ summary: CampaignSummary; ran: string[]; events: MockEvent[]; skippedInProgress: number | undefined }> {
    const events: MockEvent[] = [];
    const store = new ResultsStore({ file: storeFile });
    const mocks = createMockActivities({ plan, record: (e) => events.push(e), failures, stepDelayMs: 2 });
    const activities = {
      ...mocks,
      ...planActivities({ load: () => plan, baseDir: '/', completed: (list, before) => completedInResultsStore(list, before, storeFile) }),
      async persistRecord({ record: r }: { record: MeasurementRecord }) {
        const attempt = store.attempts(r.measurementId).length + 1;
        store.putAttempt(attempt, r);
        return { stored: `${r.measurementId}#${attempt}` };
      },
    };
    const workers = await startWorkers({ connection: live().native, namespace, activities, testbeds: ['tb1', 'tb2'] });
    try {
      const handle = await live().client.workflow.start(campaignWorkflow, {
        taskQueue: CENTRAL_TASK_QUEUE,
        workflowId: `campaign/${campaign}`,
        // small pages: queues are re-read while this run's own ok records arrive
        args: [{ config: `test:${campaign}`, resume: true, pageSize: 2, options: { timerScale: 0, timeoutScale: 0.1, maxAttempts: 1 } }],
      });
      const summary = await handle.result();
      const progress = await handle.query(progressQuery);
      expect(overlapsPerTestbed(events)).toEqual([]);
      const ran = [...new Set(events.filter((e) => e.step === 'provisionTunnels' && e.kind === 'start').map((e) => e.measurementId))].sort();
      return { summary, ran, events, skippedInProgress: progress.skipped };
    } finally {
      await workers.stop();
      store.close();
    }
  }

  it('runs only what is not ok yet, run after run', async () => {
    // Records of an earlier run: two ok, one failed.
    const seed = new ResultsStore({ file: storeFile });
    const earlier = new Date(Date.now() - 3600_000).toISOString();
    try {
      seed.putAttempt(1, record(ids[0], 'ok', earlier));
      seed.putAttempt(1, record(ids[5], 'ok', earlier));
      seed.putAttempt(1, record(ids[7], 'failed', earlier));
    } finally {
      seed.close();
    }

    const doomed = ids[3];
    const first = await runResumed([{ measurementId: doomed, step: 'provisionTunnels', nonRetryable: true, type: 'ssh_unreachable' }]);
    expect(first.summary).toMatchObject({ campaign, total: 10, ok: 9, failed: 1, skipped: 2 });
    expect(first.skippedInProgress).toBe(2);
    expect(first.ran).toEqual(ids.filter((i) => i !== ids[0] && i !== ids[5]).sort());

    const second = await runResumed();
    expect(second.summary).toMatchObject({ campaign, total: 1, ok: 1, failed: 0, skipped: 11 });
    expect(second.ran).toEqual([doomed]);

    const third = await runResumed();
    expect(third.summary).toMatchObject({ campaign, total: 0, ok: 0, failed: 0, skipped: 12 });
    expect(third.ran).toEqual([]);
    expect(third.events).toEqual([]);
  });

  it('matador campaign start --resume --wait and status --watch print progress lines and the summary', async () => {
    // The CLI validates a real YAML with the same campaign id; the workers' mock plan runs.
    const yaml = path.join(tmp, `${campaign}.yaml`);
    fs.writeFileSync(
      yaml,
      [
        'schema: matador.campaign/v1',
        `id: ${campaign}`,
        `nodes: { file: ${path.join(configsDir, 'nodes', 'planetlab-2015.yaml')}, select: [de-ber] }`,
        `apps: [${path.join(configsDir, 'apps', 'threema.yaml')}]`,
        `testbeds: { file: ${path.join(configsDir, 'testbeds', 'emulated-2.yaml')} }`,
        '',
      ].join('\n'),
    );
    const cli = (args: string[]): Promise<CliRun> => matadorAgainst({ address: live().server.address, namespace }, args);
    const store = new ResultsStore({ file: storeFile });
    const events: MockEvent[] = [];
    const activities = {
      ...createMockActivities({ plan, record: (e) => events.push(e), stepDelayMs: 200 }),
      ...planActivities({ load: () => plan, baseDir: '/', completed: (list, before) => completedInResultsStore(list, before, storeFile) }),
      async persistRecord({ record: r }: { record: MeasurementRecord }) {
        store.putAttempt(store.attempts(r.measurementId).length + 1, r);
        return { stored: r.measurementId };
      },
    };
    const workers = await startWorkers({ connection: live().native, namespace, activities, testbeds: ['tb1', 'tb2'] });
    try {
      // Everything is ok in the store by now: resume skips all 12.
      const resumed = await cli(['campaign', 'start', yaml, '--resume', '--wait']);
      expect(resumed.stderr).toBe('');
      expect(resumed.code).toBe(0);
      expect(resumed.stdout).toContain(`Started campaign ${campaign} (resume: measurements already ok are skipped)`);
      expect(resumed.stdout).toMatch(new RegExp(`\\[\\+\\d+s\\] ${campaign} done: 0/0 \\(100%\\) ok 0 failed 0 skipped 12; tb1 0/0 idle; tb2 0/0 idle; done in \\d+s`));
      expect(resumed.stdout).toContain(`Campaign ${campaign}: 0 of 0 measurements finished, 0 ok, 0 failed, 12 skipped (already ok)`);
      expect(events).toEqual([]);

      // Without resume all 12 run again; --watch follows them to the end.
      const handle = await live().client.workflow.start(campaignWorkflow, {
        taskQueue: CENTRAL_TASK_QUEUE,
        workflowId: `campaign/${campaign}`,
        args: [{ config: yaml, options: { timerScale: 0, timeoutScale: 0.1, maxAttempts: 1 } }],
      });
      const watched = await cli(['campaign', 'status', campaign, '--watch']);
      expect(watched.code).toBe(0);
      const lines = watched.stdout.trim().split('\n');
      expect(lines.length).toBeGreaterThanOrEqual(2);
      expect(lines[lines.length - 2]).toMatch(new RegExp(`^\\[\\+\\d+s\\] ${campaign} done: 12/12 \\(100%\\) ok 12 failed 0; tb1 6/6 idle; tb2 6/6 idle; done in `));
      expect(lines[lines.length - 1]).toBe(`Campaign ${campaign}: 12 of 12 measurements finished, 12 ok, 0 failed (1 workflow run)`);
      expect((await handle.result()).ok).toBe(12);
    } finally {
      await workers.stop();
      store.close();
    }
  });
});
