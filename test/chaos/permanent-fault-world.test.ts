/**
 * Chaos on the real emulated world (issue 5, section 7): a permanent fault — WeChat uninstalled
 * from testbed tb1's phone A with the world's own `matador testbed fault app-missing` — before a
 * small campaign starts (pl-waw + es-mad incl. both self-pairs x Threema + WeChat = 6
 * measurements, one testbed). Real Temporal dev server, real workers with the default (real)
 * activities, the world "small". Exactly the WeChat measurements end failed, each with the
 * precise failure string of configurePhones; the campaign completes with the Threema ones ok.
 * After the fix (`fault --clear`: the app is installed again) `matador campaign rerun-failed`
 * re-runs them ok under the same workflow ids, and the store, the report and the dataset export
 * show every measurement once, with its latest attempt ok.
 * (test/chaos/permanent-fault.test.ts is the workflow-level version on mock activities, with two
 * testbeds: it shows the other testbed is not held up; this one shows the real failure path.)
 */
import { formatFailure, type FailureCode } from '../../lib/failures';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { stringify } from 'yaml';
import { findFailedMeasurements } from '../../cli/commands/campaign-rerun';
import { dataDir, projectRoot } from '../../lib/project-paths';
import { CENTRAL_TASK_QUEUE, campaignWorkflowId } from '../../temporal/conventions';
import type { CampaignSummary, MeasurementResult } from '../../lib/measurement/payloads';
import type { MeasurementRecord } from '../../lib/types';
import { ResultsStore } from '../../store/results-store';
import { knownWorlds, readWorldState } from '../../testbed/world';
import { matadorAgainst, type CliRun } from '../support/matador-cli';
import { releaseAll } from '../support/release';
import { useTb1Workers } from '../support/world-workers';
import { runCli } from '../world/helpers';

jest.setTimeout(300_000);

const CAMPAIGN = 'chaos-app-missing';
const NAMESPACE = 'chaos-world';
const BROKEN = { app: 'wechat', package: 'com.tencent.mm' };
const PAIRS = ['pl-waw/pl-waw', 'pl-waw/es-mad', 'es-mad/es-mad'];
const ALL = PAIRS.flatMap((p) => ['threema', 'wechat'].map((app) => `${CAMPAIGN}/${app}/${p}`)).sort();
const DOOMED = ALL.filter((id) => id.startsWith(`${CAMPAIGN}/${BROKEN.app}/`));
const FIXTURES = path.join(projectRoot, 'test', 'fixtures', 'e2e');

let tmpDir = '';
let resultsFile = '';
let campaignFile = '';
/** Only a world this test brought up (or tried to) is taken down again (`down` removes every world). */
let worldUp = false;
/** Phone A of testbed tb1 (world id and adb serial): the one without WeChat. */
let phoneA = { id: '', serial: '' };
let phoneIds: string[] = [];
/** Wall times of the phases, printed for the report (figures, not assertions). */
const phaseSeconds: Record<string, number> = {};
async function timed<T>(phase: string, fn: () => Promise<T>): Promise<T> {
  const t0 = Date.now();
  try {
    return await fn();
  } finally {
    phaseSeconds[phase] = (Date.now() - t0) / 1000;
  }
}

function removeCampaignData(): void {
  for (const dir of ['artefacts', 'baselines']) fs.rmSync(path.join(dataDir, dir, CAMPAIGN), { recursive: true, force: true });
  fs.rmSync(path.join(dataDir, 'runs', 'tb1'), { recursive: true, force: true });
}

/** The campaign config: the e2e fixtures' apps and testbeds, two European nodes, short timers. */
function writeCampaign(dir: string): string {
  const file = path.join(dir, `${CAMPAIGN}.yaml`);
  const campaign = {
    schema: 'matador.campaign/v1',
    id: CAMPAIGN,
    description: 'chaos: WeChat not installed on one phone of the small world',
    nodes: { file: path.join(projectRoot, 'configs', 'nodes', 'planetlab-2015.yaml'), select: ['pl-waw', 'es-mad'] },
    apps: [path.join(FIXTURES, 'apps', 'threema.yaml'), path.join(FIXTURES, 'apps', `${BROKEN.app}.yaml`)],
    testbeds: { file: path.join(FIXTURES, 'testbeds.yaml') },
    timerScale: 0.01,
    retry: { maxAttempts: 2, initialIntervalSec: 1, backoffCoefficient: 1, maxIntervalSec: 1 },
  };
  fs.writeFileSync(file, stringify(campaign));
  return file;
}

/** What configurePhones reports for a phone without the app (catalogue code, step, detail). */
function expectedFailure(): { failure: FailureCode; failedOperation: string; detail: string } {
  const { serial } = phoneA;
  return {
    failure: 'app_not_installed',
    failedOperation: 'configurePhones',
    detail: `side A: phone ${serial}: version of ${BROKEN.package} (dumpsys package ${BROKEN.package}): ${BROKEN.package} is not installed on ${serial}`,
  };
}

function withStore<T>(fn: (store: ResultsStore) => T): T {
  const store = new ResultsStore({ file: resultsFile, readonly: true });
  try {
    return fn(store);
  } finally {
    store.close();
  }
}

function matador(args: string[]): Promise<CliRun> {
  return matadorAgainst({ address: live().server.address, namespace: NAMESPACE }, args);
}

/** The report's records per app column (latest ok record per app and node pair). */
async function reportInput(): Promise<{ records: number; appRecords: Record<string, number> }> {
  const r = await runCli(['report', '--campaign', CAMPAIGN, '--store', resultsFile, '--format', 'json']);
  if (r.code !== 0) throw new Error(`matador report failed (${r.code}): ${r.stderr}`);
  const report = JSON.parse(r.stdout) as { input: { records: number; appRecords: Record<string, number> } };
  return report.input;
}

/** Rules of our firewall chain (`matador_fw`, drivers/phone) in a phone's namespace. */
async function firewallRules(phoneId: string): Promise<string[]> {
  const r = await runCli(['testbed', 'exec', phoneId, '--', 'iptables', '-S']);
  if (r.code !== 0) throw new Error(`iptables -S on ${phoneId} failed: ${r.stderr}`);
  return r.stdout.split('\n').filter((l) => l.includes('matador_fw'));
}

beforeAll(async () => {
  const others = knownWorlds().filter((w) => w !== 'small');
  if (others.length > 0) throw new Error(`another emulated world is up (${others.join(', ')}): this test needs the world "small"; run "matador testbed down" first`);
  removeCampaignData();
  worldUp = true; // set before `up`: a world left half up by a failing `up` is taken down too
  const up = await timed('world up', () => runCli(['testbed', 'up', 'small']));
  if (up.code !== 0) throw new Error(`matador testbed up small failed: ${up.stderr}`);
  const tb1 = readWorldState('small').testbeds.find((t) => t.id === 'tb1')!;
  phoneA = { id: tb1.sides.A.phone.id, serial: tb1.sides.A.phone.adbSerial };
  phoneIds = [tb1.sides.A.phone.id, tb1.sides.B.phone.id];
  tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'matador-chaos-world-'));
  resultsFile = path.join(tmpDir, 'results.sqlite');
  campaignFile = writeCampaign(tmpDir);
});

// After the world is up; stopped before it goes down (jest runs the hooks in order).
const live = useTb1Workers(NAMESPACE, () => resultsFile);

afterAll(async () => {
  try {
    await releaseAll([
      async () => {
        if (!worldUp) return;
        const down = await timed('world down', () => runCli(['testbed', 'down']));
        if (down.code !== 0) throw new Error(`matador testbed down failed: ${down.stderr}`);
      },
      () => worldUp && removeCampaignData(),
      () => tmpDir && fs.rmSync(tmpDir, { recursive: true, force: true }),
    ]);
  } finally {
    process.stdout.write(`permanent-fault-world phases (s): ${Object.entries(phaseSeconds).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', ')}\n`);
  }
});

describe('an app missing on a phone of the emulated world', () => {
  let summary: CampaignSummary;

  beforeAll(async () => {
    const fault = await runCli(['testbed', 'fault', 'app-missing', `${phoneA.id}:${BROKEN.app}`]);
    expect(fault).toMatchObject({ code: 0, stderr: '' });
    expect(fault.stdout).toContain(`phone ${phoneA.id}: ${BROKEN.app} not installed`);
    const handle = await live().client.workflow.start('campaignWorkflow', {
      taskQueue: CENTRAL_TASK_QUEUE,
      workflowId: campaignWorkflowId(CAMPAIGN),
      args: [{ config: campaignFile }],
    });
    summary = (await timed('campaign', () => handle.result())) as CampaignSummary;
  });

  it('fails exactly that app\'s measurements, each with the precise failure string; the campaign completes with the others ok', () => {
    expect(summary).toMatchObject({ campaign: CAMPAIGN, total: ALL.length, ok: ALL.length - DOOMED.length, failed: DOOMED.length });
    expect(summary.failures.map((f) => f.measurementId).sort()).toEqual(DOOMED);
    for (const f of summary.failures) expect(f).toMatchObject(expectedFailure());
  });

  it('stores every measurement exactly once: failed ones with the failure in every attempt, cleaned up', () => {
    withStore((store) => {
      for (const id of ALL) {
        const rows = store.attempts(id);
        expect(rows).toHaveLength(1);
        const record = rows[0].record;
        const attempts = record.attempts as Array<{ failure: string | null; cleanedUp: boolean; steps: Array<{ step: string }> }>;
        if (DOOMED.includes(id)) {
          expect(record).toMatchObject({ status: 'failed', ...expectedFailure(), testbed: 'tb1', app: BROKEN.app });
          // No attempt could help: the catalogue says app_not_installed ends the measurement, so the
          // one attempt (of retry.maxAttempts 2) failed at configurePhones and tore down.
          expect(attempts).toHaveLength(1);
          for (const a of attempts) {
            expect(a).toMatchObject({ ...expectedFailure(), cleanedUp: true });
            expect(a.steps.map((s) => s.step)).toEqual(['provisionTunnels', 'configurePhones', 'teardown']);
          }
        } else {
          expect(record).toMatchObject({ status: 'ok', failure: null, testbed: 'tb1', testbedKind: 'emulated', app: 'threema' });
        }
      }
      expect([...store.latestOfCampaign(CAMPAIGN)].map((l) => l.measurementId)).toEqual(ALL);
    });
  });

  it('leaves no firewall of ours on either phone after the failed measurements', async () => {
    // The last measurement of the campaign is a failed WeChat one: its teardown ran last. Phone
    // B (which has the app) must not be configured on after the step failed on phone A.
    const left = await Promise.all(phoneIds.map(async (id) => ({ phone: id, rules: await firewallRules(id) })));
    expect(left).toEqual(phoneIds.map((id) => ({ phone: id, rules: [] })));
  });

  it('reports only the measurements that ended ok', async () => {
    expect(await reportInput()).toMatchObject({ records: ALL.length, appRecords: { threema: PAIRS.length, [BROKEN.app]: 0 } });
  });

  it('after the fix, rerun-failed re-runs exactly them ok under the same workflow ids; store, report and export show it', async () => {
    const fixed = await runCli(['testbed', 'fault', 'app-missing', `${phoneA.id}:${BROKEN.app}`, '--clear']);
    expect(fixed).toMatchObject({ code: 0, stderr: '' });
    expect(fixed.stdout).toContain(`phone ${phoneA.id}: ${BROKEN.app} installed`);

    // Visibility is eventually consistent: wait until the failed runs are listed.
    for (let i = 0; i < 100 && (await findFailedMeasurements(live().client, CAMPAIGN)).failed.length < DOOMED.length; i++) await new Promise((r) => setTimeout(r, 200));
    const dry = await matador(['campaign', 'rerun-failed', CAMPAIGN, '--dry-run', '--results', resultsFile]);
    expect(dry).toMatchObject({ code: 0, stderr: '' });
    const dryLines = dry.stdout.trim().split('\n');
    expect(dryLines[0]).toBe(`${DOOMED.length} failed measurements of campaign ${CAMPAIGN} would be re-run:`);
    expect(dryLines.slice(1).sort()).toEqual(DOOMED.map((id) => `  ${id}  [testbed tb1, failed] ${formatFailure(expectedFailure())}`));

    const firstRuns = new Map(DOOMED.map((id) => [id, withStore((s) => (s.latest(id)!.record.workflow as { runId: string }).runId)]));
    const rerun = await timed('rerun-failed', () => matador(['campaign', 'rerun-failed', CAMPAIGN, '--json']));
    expect(rerun.stderr).toBe('');
    expect(rerun.code).toBe(0);
    const out = JSON.parse(rerun.stdout) as { rerun: number; ok: number; failed: number; outcomes: Array<{ measurementId: string; status: string; failure: string | null; runId: string }> };
    expect(out).toMatchObject({ rerun: DOOMED.length, ok: DOOMED.length, failed: 0 });
    expect(out.outcomes.map((o) => [o.measurementId, o.status, o.failure])).toEqual(DOOMED.map((id) => [id, 'ok', null]));

    for (const id of DOOMED) {
      const outcome = out.outcomes.find((o) => o.measurementId === id)!;
      expect(outcome.runId).not.toBe(firstRuns.get(id));
      const handle = live().client.workflow.getHandle(id);
      const desc = await handle.describe();
      expect(desc).toMatchObject({ workflowId: id, runId: outcome.runId });
      expect(desc.status.name).toBe('COMPLETED');
      expect(((await handle.result()) as MeasurementResult).status).toBe('ok');
      withStore((store) => {
        const rows = store.attempts(id);
        expect(rows.map((r) => [r.record.status, r.record.failure, r.record.detail])).toEqual([
          ['failed', expectedFailure().failure, expectedFailure().detail],
          ['ok', null, null],
        ]);
        expect(rows[1].record.workflow).toEqual({ workflowId: id, runId: outcome.runId });
        expect(rows[1].record).toMatchObject({ testbedKind: 'emulated', app: BROKEN.app });
      });
    }
    // Each measurement once in the store's latest view, all ok; the Threema ones untouched.
    withStore((store) => {
      const latest = [...store.latestOfCampaign(CAMPAIGN)];
      expect(latest.map((l) => l.measurementId)).toEqual(ALL);
      expect(latest.map((l) => l.record.status)).toEqual(ALL.map(() => 'ok'));
      for (const id of ALL.filter((x) => !DOOMED.includes(x))) expect(store.attempts(id)).toHaveLength(1);
    });

    expect(await reportInput()).toMatchObject({ records: ALL.length, appRecords: { threema: PAIRS.length, [BROKEN.app]: PAIRS.length } });
    const exportFile = path.join(tmpDir, 'export.jsonl');
    const exported = await runCli(['dataset', 'export', '--campaign', CAMPAIGN, '--store', resultsFile, '--out', exportFile]);
    expect(exported).toMatchObject({ code: 0, stderr: '' });
    const lines = fs.readFileSync(exportFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as MeasurementRecord);
    expect(lines.map((r) => r.measurementId).sort()).toEqual(ALL);
    for (const r of lines) {
      expect(r).toMatchObject({ status: 'ok', failure: null });
      if (DOOMED.includes(r.measurementId)) expect((r.workflow as { runId: string }).runId).toBe(out.outcomes.find((o) => o.measurementId === r.measurementId)!.runId);
    }
  });
});
