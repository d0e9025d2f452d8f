/**
 * `matador schedule` against a real Temporal dev server, on mock-activity workers whose records
 * go to a real results store:
 * - create a weekly campaign schedule, list shows it (interval, overlap SKIP), trigger starts a
 *   campaign workflow named by its scheduled time that is a campaign of its own,
 *   `demo-<YYYY-MM-DD>`, delete removes it;
 * - a schedule triggered twice gives two campaigns with different names (the second of a date
 *   gets `-2`, ...), different measurement ids, both in the store; the service of the app "moves"
 *   from CH to US between the runs (the mock geolocation answers so) and
 *   `matador report --compare RUN_A RUN_B` says so; `rerun-failed RUN_B` re-runs RUN_B's failed
 *   measurement under its own id; an unscheduled `campaign start` keeps the plain names;
 * - drift alerts (the real drift activities, real store, a real HTTP receiver): each run is
 *   compared with the one before when it completes; run B raises exactly one alert per change
 *   (`drift list`, the workflow's details, the webhook, which fails once and then delivers); a
 *   webhook that always fails is tried 3 times and recorded, and the campaign completes.
 */
import * as fs from 'fs';
import * as path from 'path';
import { driftActivities } from '../../activities/drift';
import { webhookStates } from '../../store/drift';
import { downOrFlaky, startReceiver, type Receiver } from '../support/http-receiver';
import { ApplicationFailure } from '@temporalio/activity';
import { runNameInUse } from '../../activities/plan-loader';
import type { ScheduleRow } from '../../cli/commands/schedule';
import { datedCampaignId, SCHEDULED_START_TIME } from '../../temporal/schedules';
import type { CampaignSummary, LoadCampaignRequest, Paths, StepContext } from '../../lib/measurement/payloads';
import { ResultsStore, storeRecord } from '../../store/results-store';
import { useTestServer } from '../support/dev-server';
import { createMockActivities } from '../support/mock-activities';
import { makePlan } from '../support/plan-fixtures';
import { startWorkers, type RunningWorkers } from '../support/workers';
import { matador as matadorCli, matadorAgainst, type CliRun } from '../support/matador-cli';

const NAMESPACE = 'sched';
const DEMO = 'configs/campaigns/demo.yaml';
const RUN_NAME = /^demo-\d{4}-\d\d-\d\d(-\d+)?$/;

let workers: RunningWorkers;
let store: ResultsStore;
let resultsFile: string;
const previousResultsEnv = process.env.MATADOR_RESULTS_DB;

/** Where the mock geolocation says the app's service answers (changes between runs). */
let serviceCountry = 'CH';
/** Measurements (by node pair) whose phones "lack the app" in the current run. */
let brokenPairs: string[] = [];
/** Campaign names of the scheduled runs so far, in order. */
const runNames: string[] = [];
/** The campaign's alerts.webhook as the drift activities see it (null: none); the receiver
 *  answers 500 under /down always and under /flaky the first time. */
let webhookUrl: string | null = null;
let receiver: Receiver;
let receiverBase = '';
type Posted = { url: string; body: { campaign: string; runs: { previous: string; current: string }; alerts: { kind: string; text: string }[] } };
const posted = (): Posted[] => receiver.received as Posted[];

function matador(args: string[]): Promise<CliRun> {
  return matadorAgainst({ address: live().server.address, namespace: NAMESPACE }, args);
}

async function list(): Promise<ScheduleRow[]> {
  const r = await matador(['schedule', 'list', '--json']);
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout) as ScheduleRow[];
}

/** An application trace from phone A to the service, ending in `serviceCountry`. */
function pathsTo(ctx: StepContext, paths: Paths): Paths {
  return {
    networkPath: paths.networkPath,
    applicationPath: {
      traces: [
        {
          from: 'A',
          target: '203.0.113.7',
          protocol: 'tcp',
          port: 443,
          hops: [
            { ttl: 1, ip: '192.0.2.1', rttMs: [1.1], country: ctx.nodeA.country },
            { ttl: 2, ip: '203.0.113.7', rttMs: [9.7], country: serviceCountry },
          ],
        },
      ],
    },
  };
}

const live = useTestServer({
  namespaces: [NAMESPACE],
  setup: async ({ server, native }) => {
    resultsFile = path.join(server.tmpDir, 'results.sqlite');
    // The in-process worker's loadCampaign checks run names against this store (plan-loader.ts).
    process.env.MATADOR_RESULTS_DB = resultsFile;
    store = new ResultsStore({ file: resultsFile });
    // The demo campaign's id is "demo"; the mock plan activities serve a small plan for it.
    const plan = makePlan({ campaign: 'demo', apps: ['threema'], nodes: [{ id: 'de-ber', country: 'DE' }, { id: 'jp-tyo', country: 'JP' }], testbeds: ['tb1'] });
    const mock = createMockActivities({ plan, record: () => undefined });
    receiver = await startReceiver(downOrFlaky());
    receiverBase = receiver.base;
    workers = await startWorkers({
      connection: native,
      namespace: NAMESPACE,
      testbeds: ['tb1'],
      activities: {
        ...mock,
        configurePhones: async (input) => {
          if (brokenPairs.includes(`${input.ctx.nodeA.id}|${input.ctx.nodeB.id}`)) throw ApplicationFailure.nonRetryable('threema is not installed', 'app_not_installed');
          return mock.configurePhones(input);
        },
        geolocate: async ({ ctx, paths }) => pathsTo(ctx, paths),
        persistRecord: async ({ record }) => ({ stored: storeRecord(store, record) }),
        ...driftActivities({ store: () => store, webhookOf: () => webhookUrl }),
      },
    });
  },
  teardown: async () => {
    await workers?.stop();
    store?.close();
    await receiver?.close();
  },
});

afterAll(() => {
  if (previousResultsEnv === undefined) delete process.env.MATADOR_RESULTS_DB;
  else process.env.MATADOR_RESULTS_DB = previousResultsEnv;
});

/** Polls (visibility and schedule state are eventually consistent) until `done` holds. */
/** The run's details as the Web UI shows them (the SDK's workflow metadata query). */
async function detailsOf(workflowId: string): Promise<string> {
  const metadata = await live().client.workflow.getHandle(workflowId).query<{ currentDetails?: string }>('__temporal_workflow_metadata');
  return metadata.currentDetails ?? '';
}

async function until<T>(read: () => Promise<T>, done: (v: T) => boolean): Promise<T> {
  let v = await read();
  for (let i = 0; i < 150 && !done(v); i++) {
    await new Promise((r) => setTimeout(r, 200));
    v = await read();
  }
  return v;
}

/** Triggers the schedule once more and returns its new run (workflow id, nominal time). A trigger
 *  that the schedule skipped because it still saw the previous run running is repeated. */
async function triggerRun(scheduleId: string): Promise<{ workflowId: string; scheduledAt: Date }> {
  const handle = live().client.schedule.getHandle(scheduleId);
  const before = await handle.describe();
  for (let tries = 0; tries < 10; tries++) {
    const skippedBefore = (await handle.describe()).info.numActionsSkippedOverlap;
    const triggered = await matador(['schedule', 'trigger', scheduleId]);
    expect(triggered.stderr).toBe('');
    const d = await until(
      () => handle.describe(),
      (x) => x.info.recentActions.length > before.info.recentActions.length || x.info.numActionsSkippedOverlap > skippedBefore,
    );
    if (d.info.recentActions.length > before.info.recentActions.length) {
      const a = d.info.recentActions[d.info.recentActions.length - 1];
      return { workflowId: a.action.workflow.workflowId, scheduledAt: a.scheduledAt };
    }
  }
  throw new Error(`schedule ${scheduleId}: every trigger was skipped`);
}

/** The name a run must get: the first of <id>-<date>, -2, -3, ... no earlier run has. */
function expectedName(at: Date): string {
  for (let n = 1; ; n++) {
    const name = datedCampaignId('demo', at, n);
    if (!runNames.includes(name)) return name;
  }
}

/** loadCampaign's input in the run's history (what the workflow derived from workflowInfo()). */
async function loadCampaignInput(workflowId: string): Promise<LoadCampaignRequest> {
  const history = await live().client.workflow.getHandle(workflowId).fetchHistory();
  const scheduled = (history.events ?? []).find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'loadCampaign');
  const payload = scheduled?.activityTaskScheduledEventAttributes?.input?.payloads?.[0];
  if (!payload?.data) throw new Error(`${workflowId}: no loadCampaign in its history`);
  return JSON.parse(Buffer.from(payload.data).toString('utf8')) as LoadCampaignRequest;
}

it('creates, lists, triggers and deletes a weekly campaign schedule; its run is a dated campaign', async () => {
  const created = await matador(['schedule', 'create', DEMO, '--every', '7d', '--id', 'demo-weekly', '--timer-scale', '0']);
  expect(created.stderr).toBe('');
  expect(created.code).toBe(0);
  expect(created.stdout).toMatch(
    /^Created schedule demo-weekly: campaign demo every 7d, overlap SKIP\n {2}runs are campaigns demo-<YYYY-MM-DD> \(workflows campaign\/demo-<scheduled time>\); next: \d{4}-\d\d-\d\dT/,
  );

  const rows = await list();
  expect(rows).toHaveLength(1);
  expect(rows[0]).toMatchObject({ scheduleId: 'demo-weekly', campaign: 'demo', config: DEMO, every: ['7d'], overlap: 'SKIP', paused: false, workflowId: 'campaign/demo', recentRuns: [] });
  const text = await matador(['schedule', 'list']);
  expect(text.stdout.split('\n')[0]).toBe(`demo-weekly: campaign demo (${DEMO}) every 7d, overlap SKIP, active`);

  const triggered = await matador(['schedule', 'trigger', 'demo-weekly']);
  expect(triggered.code).toBe(0);
  expect(triggered.stdout).toBe('Triggered schedule demo-weekly; its run appears in "matador schedule list" and "matador campaign list"\n');
  // The trigger is taken asynchronously by the schedule: wait until it shows as a recent run.
  const described = await until(
    () => live().client.schedule.getHandle('demo-weekly').describe(),
    (d) => d.info.recentActions.length > 0,
  );
  const recent = described.info.recentActions.map((a) => ({ workflowId: a.action.workflow.workflowId, scheduledAt: a.scheduledAt }));
  expect(recent).toHaveLength(1);
  const runId = recent[0].workflowId;
  expect(runId).toMatch(/^campaign\/demo-\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  const summary = (await live().client.workflow.getHandle(runId).result()) as CampaignSummary;
  const name = expectedName(recent[0].scheduledAt);
  expect(name).toBe(datedCampaignId('demo', recent[0].scheduledAt)); // the first run of its date
  expect(summary).toMatchObject({ campaign: name, total: 3, ok: 3, failed: 0 });
  runNames.push(name);
  // The date comes from the schedule's nominal time (search attribute TemporalScheduledStartTime,
  // whole seconds, the time in the workflow id), recorded in the history as loadCampaign's input.
  const desc = await live().client.workflow.getHandle(runId).describe();
  const nominal = desc.typedSearchAttributes.get(SCHEDULED_START_TIME);
  expect(nominal?.toISOString()).toBe(`${runId.slice('campaign/demo-'.length, -1)}.000Z`);
  expect(await loadCampaignInput(runId)).toEqual({ config: DEMO, scheduledRun: { scheduledAt: nominal?.toISOString(), workflowId: runId } });
  expect(desc.type).toBe('campaignWorkflow');
  // the summary the schedule starts each run with (the config as `schedule create` read it)
  expect(await desc.staticSummary()).toBe('scheduled campaign demo: 84 measurements on 21 testbeds');
  expect(await desc.staticDetails()).toContain('- runs every 7d; each run is a campaign of its own');
  expect(desc.searchAttributes.TemporalScheduledById).toEqual(['demo-weekly']);
  expect(desc.searchAttributes.MatadorCampaign).toEqual([name]);
  expect([...store.latestOfCampaign(name)].map((s) => s.measurementId).sort()).toEqual(
    [`${name}/threema/de-ber/de-ber`, `${name}/threema/de-ber/jp-tyo`, `${name}/threema/jp-tyo/jp-tyo`],
  );
  expect((await list())[0].recentRuns).toEqual([{ workflowId: runId, scheduledAt: recent[0].scheduledAt.toISOString(), campaign: name }]);
  expect((await matador(['schedule', 'list'])).stdout).toContain(`  ran campaign ${name}, workflow ${runId} (scheduled ${recent[0].scheduledAt.toISOString()})\n`);

  const paused = await matador(['schedule', 'create', DEMO, '--every', '1d', '--id', 'demo-daily', '--paused']);
  expect(paused.stdout).toContain('Created schedule demo-daily: campaign demo every 1d, overlap SKIP, paused');
  expect((await list()).map((r) => [r.scheduleId, r.every, r.paused])).toEqual([
    ['demo-daily', ['1d'], true],
    ['demo-weekly', ['7d'], false],
  ]);

  const dup = await matador(['schedule', 'create', DEMO, '--every', '1d', '--id', 'demo-daily']);
  expect(dup.code).toBe(1);
  expect(dup.stderr).toBe('matador: schedule demo-daily exists already; "matador schedule delete demo-daily" first or pick another --id\n');

  for (const id of ['demo-weekly', 'demo-daily']) {
    const deleted = await matador(['schedule', 'delete', id]);
    expect(deleted.stdout).toBe(`Deleted schedule ${id}\n`);
  }
  // Schedule listing is eventually consistent: wait until both are gone.
  const left = await until(list, (rows) => rows.length === 0);
  expect(left).toEqual([]);
  const gone = await matador(['schedule', 'trigger', 'demo-weekly']);
  expect(gone.code).toBe(1);
  expect(gone.stderr).toBe('matador: no schedule "demo-weekly" on this server; "matador schedule list" shows them\n');
});

it('two runs of one schedule are two campaigns: own names, own measurement ids, both in the store, comparable', async () => {
  const created = await matador(['schedule', 'create', DEMO, '--every', '7d', '--id', 'demo-twice', '--timer-scale', '0']);
  expect(created.code).toBe(0);
  try {
    serviceCountry = 'CH';
    const first = await triggerRun('demo-twice');
    const a = (await live().client.workflow.getHandle(first.workflowId).result()) as CampaignSummary;
    expect(a.campaign).toBe(expectedName(first.scheduledAt));
    runNames.push(a.campaign);

    // Run A is compared with the run of the first test: nothing changed.
    // the run's details (its headline, then the drift section as list items, then the testbeds)
    expect(await detailsOf(first.workflowId)).toContain(`\n- **Drift** since ${runNames[runNames.length - 2]}: 0 alerts\n- no change since ${runNames[runNames.length - 2]}\n`);

    // Between the runs the service moved to the US; in run B one pair's phone lacks the app.
    serviceCountry = 'US';
    webhookUrl = `${receiverBase}/flaky?token=s3cret`;
    brokenPairs = ['de-ber|jp-tyo'];
    const second = await triggerRun('demo-twice');
    expect(second.workflowId).not.toBe(first.workflowId);
    const b = (await live().client.workflow.getHandle(second.workflowId).result()) as CampaignSummary;
    expect(b.campaign).toBe(expectedName(second.scheduledAt));
    runNames.push(b.campaign);
    // The same schedule fired twice on one date (unless midnight UTC passed in between): the
    // second run is the next number of that date.
    if (first.scheduledAt.toISOString().slice(0, 10) === second.scheduledAt.toISOString().slice(0, 10)) {
      const base = datedCampaignId('demo', second.scheduledAt);
      const ordinalA = a.campaign === base ? 1 : Number(a.campaign.slice(base.length + 1));
      expect(b.campaign).toBe(`${base}-${ordinalA + 1}`);
    }
    for (const n of [a.campaign, b.campaign]) expect(n).toMatch(RUN_NAME);
    expect(new Set(runNames).size).toBe(runNames.length);
    expect(a).toMatchObject({ total: 3, ok: 3, failed: 0 });
    expect(b).toMatchObject({ total: 3, ok: 2, failed: 1 });
    expect(b.failures.map((f) => f.measurementId)).toEqual([`${b.campaign}/threema/de-ber/jp-tyo`]);

    // Drift from A to B, exactly one alert per change (the pair that failed in B is coverage,
    // not drift): the service moved; DE-DE's path now leaves Europe and Western Europe; the US
    // gives Five Eyes access in the areas of DE-DE and JP-JP.
    const expectedAlerts = [
      'threema: service endpoints moved: CH -> US',
      'threema in Asia (region): Five Eyes gained access (1 node pair: jp-tyo/jp-tyo)',
      'threema in Europe (region): path now leaves the area (1 node pair: de-ber/de-ber)',
      'threema in Europe (region): Five Eyes gained access (1 node pair: de-ber/de-ber)',
      'threema in Eastern Asia (subregion): Five Eyes gained access (1 node pair: jp-tyo/jp-tyo)',
      'threema in Western Europe (subregion): path now leaves the area (1 node pair: de-ber/de-ber)',
      'threema in Western Europe (subregion): Five Eyes gained access (1 node pair: de-ber/de-ber)',
    ];
    const driftText = await matadorCli(['drift', 'list', 'demo', '--store', resultsFile]);
    expect(driftText.stderr).toBe('');
    const block = driftText.stdout.split('\n');
    expect(block[0]).toMatch(new RegExp(`^demo: ${a.campaign} -> ${b.campaign} \\(checked .*\\): 7 alerts$`));
    expect(block.slice(1, 8).map((l) => l.replace(/^ {2}\S+ +/, ''))).toEqual(expectedAlerts);
    expect(block[8]).toMatch(new RegExp(`^  webhook ${receiverBase}/\\.\\.\\.: delivered \\(2 tries, `));
    expect(driftText.stdout).not.toContain('s3cret');
    expect(await detailsOf(second.workflowId)).toContain([`**Drift** since ${a.campaign}: 7 alerts`, ...expectedAlerts, 'webhook: delivered'].map((t) => `- ${t}`).join('\n'));
    // The receiver got the failed try and the delivery, both with every alert.
    expect(posted().map((p) => [p.url, p.body.campaign, p.body.runs.previous, p.body.runs.current, p.body.alerts.length])).toEqual([
      ['/flaky?token=s3cret', 'demo', a.campaign, b.campaign, 7],
      ['/flaky?token=s3cret', 'demo', a.campaign, b.campaign, 7],
    ]);
    expect(posted()[1].body.alerts.map((x) => x.text)).toEqual(expectedAlerts);
    webhookUrl = null;

    // Measurement workflows and records: one set per run, ids differ, nothing mixed.
    const idsOf = async (campaign: string): Promise<string[]> => {
      const ids: string[] = [];
      for await (const wf of live().client.workflow.list({ query: `WorkflowType = "measurementWorkflow" AND MatadorCampaign = "${campaign}"` })) ids.push(wf.workflowId);
      return ids.sort();
    };
    const pairs = ['de-ber/de-ber', 'de-ber/jp-tyo', 'jp-tyo/jp-tyo'];
    for (const run of [a.campaign, b.campaign]) {
      expect(await until(() => idsOf(run), (ids) => ids.length === 3)).toEqual(pairs.map((p) => `${run}/threema/${p}`));
      const stored = [...store.latestOfCampaign(run)];
      expect(stored.map((s) => s.measurementId).sort()).toEqual(pairs.map((p) => `${run}/threema/${p}`));
      expect(stored.every((s) => s.record.campaign === run && s.attempt === 1)).toBe(true);
    }
    expect(store.campaigns().map((c) => [c.campaign, c.measurements, c.ok, c.failed])).toEqual(
      [...runNames].sort().map((n) => [n, 3, n === b.campaign ? 2 : 3, n === b.campaign ? 1 : 0]),
    );

    // The name lookup of loadCampaign against the real server: a run's name is in use (its
    // measurement workflows have it) even with an empty store; an unused date's name is not.
    const emptyStore = path.join(live().server.tmpDir, 'no-results.sqlite');
    expect(await runNameInUse(a.campaign, first.workflowId, { file: emptyStore, client: live().client })).toBe(true);
    expect(await runNameInUse(datedCampaignId('demo', new Date('1999-01-01T00:00:00Z')), first.workflowId, { file: emptyStore, client: live().client })).toBe(false);

    // What changed from run A to run B, per app and area.
    const md = await matadorCli(['report', '--compare', a.campaign, b.campaign, '--store', resultsFile]);
    expect(md.stderr).toBe('');
    expect(md.code).toBe(0);
    expect(md.stdout).toContain('threema: service moved CH -> US');
    const json = await matadorCli(['report', '--compare', a.campaign, b.campaign, '--store', resultsFile, '--format', 'json']);
    const c = JSON.parse(json.stdout) as {
      runs: { a: { name: string; records: number }; b: { name: string; records: number } };
      paths: Array<{ path: string; endpointCountries: { a: Record<string, number>; b: Record<string, number> } | null; summary: string | null }>;
      pairs: { listed: Array<{ change: string; path: string; pair: string; a: { measurementId: string } | null }> };
    };
    expect(c.runs.a).toMatchObject({ name: `campaign ${a.campaign}`, records: 3 });
    expect(c.runs.b).toMatchObject({ name: `campaign ${b.campaign}`, records: 3 });
    const threema = c.paths.find((p) => p.path === 'threema');
    expect(threema?.endpointCountries).toMatchObject({ a: { CH: 3 }, b: { US: 2 } });
    expect(threema?.summary).toBe('threema: service moved CH -> US');
    // B's failed pair has no ok record: it is listed as removed, with A's measurement id.
    expect(c.pairs.listed.filter((p) => p.change === 'removed' && p.path === 'threema').map((p) => [p.pair, p.a?.measurementId])).toEqual([
      ['de-ber|jp-tyo', `${a.campaign}/threema/de-ber/jp-tyo`],
    ]);

    // rerun-failed of run B: its failed measurement, under its own id; run A untouched. Run B
    // is found by its name and by its workflow id.
    const dry = await matador(['campaign', 'rerun-failed', second.workflowId, '--dry-run']);
    expect(dry.stderr).toBe('');
    expect(dry.stdout.split('\n').slice(0, 2)).toEqual([
      `1 failed measurement of campaign ${b.campaign} would be re-run:`,
      `  ${b.campaign}/threema/de-ber/jp-tyo  [testbed tb1, failed] app_not_installed: configurePhones: threema is not installed`,
    ]);
    brokenPairs = [];
    const rerun = await matador(['campaign', 'rerun-failed', b.campaign, '--json']);
    expect(rerun.stderr).toBe('');
    expect(rerun.code).toBe(0);
    const out = JSON.parse(rerun.stdout) as { campaign: string; rerun: number; ok: number; outcomes: Array<{ measurementId: string; status: string }> };
    expect(out).toMatchObject({ campaign: b.campaign, rerun: 1, ok: 1 });
    expect(out.outcomes.map((o) => [o.measurementId, o.status])).toEqual([[`${b.campaign}/threema/de-ber/jp-tyo`, 'ok']]);
    expect(store.attempts(`${b.campaign}/threema/de-ber/jp-tyo`).map((s) => s.record.status)).toEqual(['failed', 'ok']);
    expect(store.attempts(`${a.campaign}/threema/de-ber/jp-tyo`).map((s) => s.record.status)).toEqual(['ok']);
    expect(store.campaigns().find((x) => x.campaign === b.campaign)).toMatchObject({ measurements: 3, ok: 3, failed: 0 });

    // `campaign status` finds a scheduled run by its name, though its workflow id ends in a time.
    const byName = await matador(['campaign', 'status', b.campaign, '--json']);
    expect(byName.stderr).toBe('');
    expect(JSON.parse(byName.stdout)).toMatchObject({ workflowId: second.workflowId, status: 'COMPLETED' });

    // The dataset export of a run is that run's records only, under its name.
    const exported = path.join(live().server.tmpDir, `${b.campaign}.jsonl`);
    const ex = await matadorCli(['dataset', 'export', '--campaign', b.campaign, '--out', exported, '--store', resultsFile]);
    expect(ex.stderr).toBe('');
    expect(ex.stdout).toBe(`3 records -> ${exported}\n`);
    const lines = fs.readFileSync(exported, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { campaign: string; measurementId: string; status: string });
    expect(lines.map((r) => [r.campaign, r.measurementId, r.status]).sort()).toEqual(pairs.map((p) => [b.campaign, `${b.campaign}/threema/${p}`, 'ok']));
  } finally {
    brokenPairs = [];
    await matador(['schedule', 'delete', 'demo-twice']);
  }
});

it('an unscheduled campaign start keeps the plain campaign name and ids', async () => {
  const started = await matador(['campaign', 'start', DEMO, '--timer-scale', '0', '--wait', '--no-check']); // its mock workers serve tb1 only
  expect(started.stderr).toBe('');
  expect(started.code).toBe(0);
  const summary = (await live().client.workflow.getHandle('campaign/demo').result()) as CampaignSummary;
  expect(summary).toMatchObject({ campaign: 'demo', total: 3, ok: 3 });
  expect(await loadCampaignInput('campaign/demo')).toEqual({ config: DEMO });
  expect([...store.latestOfCampaign('demo')].map((s) => s.measurementId).sort()).toEqual([
    'demo/threema/de-ber/de-ber',
    'demo/threema/de-ber/jp-tyo',
    'demo/threema/jp-tyo/jp-tyo',
  ]);
  // The scheduled runs' records are still their own.
  for (const run of runNames) expect([...store.latestOfCampaign(run)]).toHaveLength(3);
});

it('refuses bad arguments in one line', async () => {
  const badEvery = await matador(['schedule', 'create', DEMO, '--every', 'weekly']);
  expect(badEvery.code).toBe(1);
  expect(badEvery.stderr).toBe('matador: --every: expected a number and a unit s, m, h, d or w (e.g. 7d, 12h), got "weekly"\n');
  const badId = await matador(['schedule', 'create', DEMO, '--every', '7d', '--id', 'a b']);
  expect(badId.stderr.trim().split('\n')).toHaveLength(1);
  expect(badId.stderr).toMatch(/^matador: schedule id "a b": use letters/);
  const badFile = await matador(['schedule', 'create', 'configs/campaigns/none.yaml', '--every', '7d']);
  expect(badFile.code).toBe(1);
  expect(badFile.stderr.trim().split('\n')).toHaveLength(1);
  expect(badFile.stderr).toContain('none.yaml');
});

it('a webhook that always fails is tried 3 times and recorded; the campaign completes', async () => {
  const created = await matador(['schedule', 'create', DEMO, '--every', '7d', '--id', 'demo-drift', '--timer-scale', '0']);
  expect(created.code).toBe(0);
  try {
    serviceCountry = 'CH'; // back from the US: a change against the last scheduled run
    webhookUrl = `${receiverBase}/down?token=s3cret`;
    const before = posted().length;
    const run = await triggerRun('demo-drift');
    const summary = (await live().client.workflow.getHandle(run.workflowId).result()) as CampaignSummary;
    expect(summary).toMatchObject({ campaign: expectedName(run.scheduledAt), total: 3, ok: 3, failed: 0 });
    runNames.push(summary.campaign);
    expect(posted().length - before).toBe(3);
    const [state] = webhookStates(store, { runB: summary.campaign });
    expect(state).toMatchObject({ configCampaign: 'demo', status: 'failed', tries: 3, url: `${receiverBase}/...`, lastError: `webhook ${receiverBase}/...: POST answered HTTP 500` });
    const details = await detailsOf(run.workflowId);
    expect(details).toMatch(/^- \*\*Drift\*\* since demo-\S+: \d+ alerts$/m);
    expect(details).toContain('threema: service endpoints moved: US -> CH');
    expect(details).toContain(`\n- webhook: failed, recorded in the results store (webhook ${receiverBase}/...: POST answered HTTP 500)\n`);
    expect(details).not.toContain('s3cret');
  } finally {
    webhookUrl = null;
    await matador(['schedule', 'delete', 'demo-drift']);
  }
});
