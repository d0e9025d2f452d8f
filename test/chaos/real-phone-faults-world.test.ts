/**
 * Real-phone faults on the emulated world, through whole measurements (issue 9 items 5 and 6):
 * real Temporal dev server, real workers with the real activities, the world "small", faults set
 * with `matador testbed fault`. One measurement per campaign (Warsaw with itself, Threema):
 *   - ui-dump-flaky: dumps fail while "the screen animates" — the measurement still ends ok;
 *   - app-version: the phone has another version than the campaign pins — app_version_mismatch,
 *     one attempt (not retried), naming the phone, both versions and the fix;
 *   - screen-locked: phone B dark behind a PIN — screen_locked, one attempt, naming the phone
 *     and the fix;
 *   - a missing openChat selector: ui_element_not_found in every attempt, and each failed
 *     attempt keeps both phones' failure screenshot and UI dump, which the record points at.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse, stringify } from 'yaml';
import { dataDir, projectRoot } from '../../lib/project-paths';
import { CENTRAL_TASK_QUEUE, campaignWorkflowId } from '../../temporal/conventions';
import type { AttemptRecord, CampaignSummary } from '../../lib/measurement/payloads';
import type { MeasurementRecord } from '../../lib/types';
import { ResultsStore } from '../../store/results-store';
import { knownWorlds, readWorldState } from '../../testbed/world';
import { releaseAll } from '../support/release';
import { useTb1Workers } from '../support/world-workers';
import { runCli } from '../world/helpers';

jest.setTimeout(300_000);

const NAMESPACE = 'real-phone-world';
const PREFIX = 'rpf';
const FIXTURES = path.join(projectRoot, 'test', 'fixtures', 'e2e');
const THREEMA = 'ch.threema.app';

let tmpDir = '';
let resultsFile = '';
let worldUp = false;
let phones = { A: { id: '', serial: '' }, B: { id: '', serial: '' } };

function removeCampaignData(): void {
  for (const c of ['flaky', 'version', 'locked', 'selector']) {
    for (const dir of ['artefacts', 'baselines']) fs.rmSync(path.join(dataDir, dir, `${PREFIX}-${c}`), { recursive: true, force: true });
  }
  fs.rmSync(path.join(dataDir, 'runs', 'tb1'), { recursive: true, force: true });
}

/** A one-measurement campaign (pl-waw with itself) of `app` (a path or a pin). */
function writeCampaign(name: string, app: unknown): string {
  const file = path.join(tmpDir, `${name}.yaml`);
  fs.writeFileSync(file, stringify({
    schema: 'matador.campaign/v1',
    id: `${PREFIX}-${name}`,
    nodes: { file: path.join(projectRoot, 'configs', 'nodes', 'planetlab-2015.yaml'), select: ['pl-waw'] },
    apps: [app],
    testbeds: { file: path.join(FIXTURES, 'testbeds.yaml') },
    timerScale: 0.01,
    retry: { maxAttempts: 2, initialIntervalSec: 1, backoffCoefficient: 1, maxIntervalSec: 1 },
  }));
  return file;
}

async function runCampaign(name: string, file: string): Promise<{ summary: CampaignSummary; record: MeasurementRecord }> {
  const handle = await live().client.workflow.start('campaignWorkflow', { taskQueue: CENTRAL_TASK_QUEUE, workflowId: campaignWorkflowId(`${PREFIX}-${name}`), args: [{ config: file }] });
  const summary = (await handle.result()) as CampaignSummary;
  const store = new ResultsStore({ file: resultsFile, readonly: true });
  try {
    const latest = [...store.latestOfCampaign(`${PREFIX}-${name}`)];
    expect(latest).toHaveLength(1);
    return { summary, record: latest[0].record };
  } finally {
    store.close();
  }
}

async function fault(...args: string[]): Promise<void> {
  const r = await runCli(['testbed', 'fault', ...args]);
  expect(r).toMatchObject({ code: 0, stderr: '' });
}

beforeAll(async () => {
  const others = knownWorlds().filter((w) => w !== 'small');
  if (others.length > 0) throw new Error(`another emulated world is up (${others.join(', ')}): this test needs the world "small"; run "matador testbed down" first`);
  removeCampaignData();
  worldUp = true;
  const up = await runCli(['testbed', 'up', 'small']);
  if (up.code !== 0) throw new Error(`matador testbed up small failed: ${up.stderr}`);
  const tb1 = readWorldState('small').testbeds.find((t) => t.id === 'tb1')!;
  phones = { A: { id: tb1.sides.A.phone.id, serial: tb1.sides.A.phone.adbSerial }, B: { id: tb1.sides.B.phone.id, serial: tb1.sides.B.phone.adbSerial } };
  tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'matador-real-phone-'));
  resultsFile = path.join(tmpDir, 'results.sqlite');
});

const live = useTb1Workers(NAMESPACE, () => resultsFile);

afterAll(async () => {
  await releaseAll([
    async () => {
      if (!worldUp) return;
      const down = await runCli(['testbed', 'down']);
      if (down.code !== 0) throw new Error(`matador testbed down failed: ${down.stderr}`);
    },
    () => worldUp && removeCampaignData(),
    () => tmpDir && fs.rmSync(tmpDir, { recursive: true, force: true }),
  ]);
});

test('uiautomator dumps that fail while the screen animates do not fail the measurement', async () => {
  await fault('ui-dump-flaky', phones.A.id, '--value', '2');
  await fault('ui-dump-flaky', phones.B.id, '--value', '2');
  const { summary, record } = await runCampaign('flaky', writeCampaign('flaky', path.join(FIXTURES, 'apps', 'threema.yaml')));
  expect(summary).toMatchObject({ total: 1, ok: 1, failed: 0 });
  expect(record).toMatchObject({ status: 'ok', failure: null });
  expect(record.attempts).toHaveLength(1);
});

test('another app version than the campaign pins ends the measurement at once: app_version_mismatch names the phone, both versions and the fix', async () => {
  await fault('app-version', `${phones.A.id}:threema@2.40`);
  try {
    const { summary, record } = await runCampaign('version', writeCampaign('version', { file: path.join(FIXTURES, 'apps', 'threema.yaml'), version: '2.41' }));
    const detail =
      `side A: phone ${phones.A.serial}: version of ${THREEMA} (version of ${THREEMA}): ${THREEMA} on ${phones.A.serial} is version 2.40 (versionCode 242), the campaign pins 2.41: ` +
      `install ${THREEMA} 2.41 on ${phones.A.serial} (or change the pin in the campaign's apps entry), then rerun the failed measurements`;
    expect(summary).toMatchObject({ total: 1, ok: 0, failed: 1 });
    expect(record).toMatchObject({ status: 'failed', failure: 'app_version_mismatch', failedOperation: 'configurePhones', detail });
    const attempts = record.attempts as AttemptRecord[];
    expect(attempts).toHaveLength(1); // of retry.maxAttempts 2: no new attempt can help
    expect(attempts[0].steps.map((s) => s.step)).toEqual(['provisionTunnels', 'configurePhones', 'teardown']);
  } finally {
    await fault('app-version', `${phones.A.id}:threema`, '--clear');
  }
});

test('a phone locked behind a PIN ends the measurement at once: screen_locked names the phone and the fix', async () => {
  await fault('screen-locked', phones.B.id);
  try {
    const { summary, record } = await runCampaign('locked', writeCampaign('locked', path.join(FIXTURES, 'apps', 'threema.yaml')));
    expect(summary).toMatchObject({ total: 1, ok: 0, failed: 1 });
    expect(record).toMatchObject({
      status: 'failed',
      failure: 'screen_locked',
      failedOperation: 'configurePhones',
      detail:
        `side B: phone ${phones.B.serial}: screen on and unlocked (keyguard state): ${phones.B.serial} is locked (mShowingLockscreen=true, isStatusBarKeyguard=true; ` +
        `MENU did not dismiss it: a PIN, pattern or password): unlock ${phones.B.serial} and set Stay awake in developer options / disable the lock screen`,
    });
    expect(record.attempts).toHaveLength(1);
  } finally {
    await fault('screen-locked', phones.B.id, '--clear');
  }
});

test('a missing openChat selector: every failed attempt keeps both phones\' failure screenshot and UI dump, and the record points at them', async () => {
  const app = parse(fs.readFileSync(path.join(FIXTURES, 'apps', 'threema.yaml'), 'utf8')) as { ui: { openChat: Array<Record<string, unknown>> } };
  app.ui.openChat = app.ui.openChat.map((s) => (s.action === 'tap' ? { action: 'tap', element: 'MATAdOR Nobody', timeoutSec: 1 } : s));
  const appFile = path.join(tmpDir, 'threema-broken.yaml');
  fs.writeFileSync(appFile, stringify(app));
  const { summary, record } = await runCampaign('selector', writeCampaign('selector', appFile));
  expect(summary).toMatchObject({ total: 1, ok: 0, failed: 1 });
  expect(record).toMatchObject({ status: 'failed', failure: 'ui_element_not_found', failedOperation: 'startCapture' });
  expect(record.detail).toMatch(/^side A: open chat \(threema ui\.openChat\) \(tap MATAdOR Nobody\): step 2 \(tap\): no element with resource-id\/text\/content-desc "MATAdOR Nobody" on screen of 127\.0\.0\.1:\d+ \(it shows: .*\): bring the app to the screen/);
  const attempts = record.attempts as AttemptRecord[];
  expect(attempts).toHaveLength(2); // an attempt failure: retried as a whole
  for (const a of attempts) {
    const dir = `artefacts/${PREFIX}-selector/threema/pl-waw/pl-waw/attempt-${a.attempt}/screenshots`;
    const expected = (['A', 'B'] as const).flatMap((s) => [
      { kind: 'screenshot', path: `${dir}/open-${s}-02-tap-failed.png` },
      { kind: 'ui-dump', path: `${dir}/open-${s}-02-tap-failed.xml` },
    ]);
    expect(a).toMatchObject({ failure: 'ui_element_not_found', cleanedUp: true });
    expect(a.artefacts).toEqual(expected);
    expect(a.steps.find((st) => st.step === 'startCapture')?.artefacts).toEqual(expected);
    for (const ref of expected) expect(fs.statSync(path.join(dataDir, ref.path)).size).toBeGreaterThan(0);
    const xml = fs.readFileSync(path.join(dataDir, expected[1].path), 'utf8');
    expect(xml).toContain('text="MATAdOR B"'); // what phone A showed: the chat list, without the contact the step wanted
  }
  // The record lists them all, each shipped (one host: verified in place) with its sha256.
  expect(record.artefacts).toEqual(attempts.flatMap((a) => a.artefacts ?? []).map((ref) => ({ ...ref, bytes: fs.statSync(path.join(dataDir, ref.path)).size, sha256: expect.stringMatching(/^[0-9a-f]{64}$/), testbed: 'tb1', present: true, failure: null, detail: null })));
});
