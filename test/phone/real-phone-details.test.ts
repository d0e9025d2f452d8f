/**
 * Real-phone details against a virtual phone through the REAL adb server (issue 9 item 5):
 * the DNS uid a testbed lets through the firewall, `uiautomator dump`'s transient errors, a dark
 * or locked screen, a pinned app version, and the evidence a failed UI step leaves for the
 * failed attempt's record. Each fault ends with one failure string naming the phone and the fix.
 */
import { execFile } from 'child_process';
import { promisify } from 'util';
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { ActivityFailure, ApplicationFailure } from '@temporalio/common';
import { PhoneDriver } from '../../drivers/phone';
import { uiArtefacts } from '../../activities/steps/capture';
import { must } from '../../activities/steps/failures';
import { phoneDriver } from '../../activities/steps/phones';
import type { StepEnv } from '../../activities/steps/context';
import { loadAppFile } from '../../lib/config/load';
import type { AttemptRecord } from '../../lib/measurement/payloads';
import { configsDir } from '../../lib/project-paths';
import { buildMeasurementRecord } from '../../lib/record';
import { parseUiDump } from '../../drivers/phone/ui-xml';
import { classifyStepFailure, failureFields } from '../../workflows/failures';
import { SERVICE_SHAPES } from '../../testbed/services';
import type { VirtualPhone } from '../../testbed/phone';
import { createMiniWorld, LAN_V4, MiniWorld, probeAsUid } from './mini-world';

const execFileAsync = promisify(execFile);
const PORT = 5761;
const THREEMA = SERVICE_SHAPES.threema;
const WHATSAPP = SERVICE_SHAPES.whatsapp;

let world: MiniWorld;
let phone: VirtualPhone;
let driver: PhoneDriver;
let env: StepEnv;

beforeAll(async () => {
  await execFileAsync('adb', ['start-server'], { timeout: 30_000 });
  world = await createMiniWorld('rpd', { backends: false });
  phone = await world.startPhone({ name: 'mtph-rpd-a', netns: world.ns.phoneA, adbPort: PORT, apps: [{ app: 'threema', autoStart: false }, { app: 'whatsapp', autoStart: false }], peer: 'mtph-rpd-b', peerName: 'MATAdOR B' });
  env = { baseDir: configsDir, dataDir: fs.mkdtempSync(path.join(world.stateDir, 'data-')), lab: { resolve: () => { throw new Error('not used'); }, nodeAt: () => null } };
  driver = phoneDriver(env, { phone: { serial: phone.serial } });
  const c = await driver.connect();
  if (!c.ok) throw new Error(`connect ${driver.serial}: ${c.failure} ${c.detail}`);
}, 120_000);

afterAll(async () => {
  await driver?.disconnect();
  await world?.destroy();
}, 60_000);

afterEach(async () => {
  phone.faults.setUiDumpFlaky(0);
  phone.faults.setScreenLocked(false);
  phone.faults.setAppVersion('whatsapp', null);
  await driver.stopApp(THREEMA.packageName);
});

/** The grey values of a screencap PNG (8-bit grey, filter byte per row dropped). */
function greyPixels(png: Buffer): number[] {
  const idat: Buffer[] = [];
  for (let off = 8; off < png.length; off += 12 + png.readUInt32BE(off)) {
    if (png.toString('latin1', off + 4, off + 8) === 'IDAT') idat.push(png.subarray(off + 8, off + 8 + png.readUInt32BE(off)));
  }
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const width = png.readUInt32BE(16);
  return [...raw].filter((_, i) => i % (width + 1) !== 0);
}

/** The chat row of the Threema conversation list (after start-app). */
async function openThreema(d: PhoneDriver = driver): Promise<void> {
  expect(await d.startApp(THREEMA.packageName)).toEqual({ ok: true });
}

test('firewallExtraUids from the testbed reach the phone: that uid may send, others stay blocked', async () => {
  const withDns = phoneDriver(env, { phone: { serial: phone.serial, firewallExtraUids: [0, 1051] } });
  const probe = (uid: number) => probeAsUid(world.ns.phoneA, uid, LAN_V4, 53); // dnsmasq's TCP port
  expect(await withDns.restrictNetworkToApp(THREEMA.packageName)).toEqual({ ok: true, uid: THREEMA.uid });
  try {
    const rules = await driver.adb.shell("su -c 'iptables -S matador_fw'");
    expect(rules.ok && rules.stdout).toContain(`--uid-owner ${THREEMA.uid} -j RETURN`);
    expect(rules.ok && rules.stdout).toContain('--uid-owner 0 -j RETURN');
    expect(rules.ok && rules.stdout).toContain('--uid-owner 1051 -j RETURN');
    expect((await probe(1051)).stdout.trim()).toBe('connected'); // netd's DNS uid (Android 8+)
    const other = await probe(WHATSAPP.uid);
    expect(other.code).not.toBe(0);
    expect(other.stdout.trim()).toMatch(/EPERM|timeout/);
  } finally {
    expect(await driver.clearFirewall()).toEqual({ ok: true });
  }
});

test('a dump that fails while the screen animates no longer makes tap give up; the bound ends precisely', async () => {
  await openThreema();
  phone.faults.setUiDumpFlaky(2); // Android's "null root node" and "could not get idle state"
  const dumps = await driver.adb.shell('uiautomator dump /sdcard/window_dump.xml');
  expect(dumps).toMatchObject({ ok: true, exitCode: 0, stdout: '', stderr: 'ERROR: null root node returned by UiTestAutomationBridge.\n' });
  phone.faults.setUiDumpFlaky(2);
  expect(await driver.tap('MATAdOR B')).toMatchObject({ ok: true });
  expect(phone.device.ui.screen).toEqual({ kind: 'chat', app: 'threema' });

  phone.faults.setUiDumpFlaky(1000);
  const impatient = new PhoneDriver({ serial: phone.serial, uiDumpRetry: { tries: 3, delayMs: 50 } });
  const r = await impatient.tap(THREEMA.ui.sendId);
  expect(r).toMatchObject({ ok: false, failure: 'shell_error', operation: 'uiautomator dump' });
  expect(!r.ok && r.detail).toMatch(new RegExp(`^uiautomator dump on ${phone.serial.replace(/\./g, '\\.')} failed 3 times in [0-9.]+ s \\("ERROR: (null root node|could not get idle state).*look at ${phone.serial.replace(/\./g, '\\.')}`));
});

test('a locked screen with a PIN: taps never reach the app, screenReady fails screen_locked naming the phone and the fix', async () => {
  await openThreema();
  phone.faults.setScreenLocked(true, true);
  // a dark screen: uiautomator has no window, taps land nowhere
  expect(await driver.adb.shell('uiautomator dump /sdcard/window_dump.xml')).toMatchObject({ ok: true, stderr: 'ERROR: null root node returned by UiTestAutomationBridge.\n' });
  expect(await driver.adb.shell('input tap 270 180')).toMatchObject({ ok: true, exitCode: 0 });
  expect(phone.device.ui.screen).toEqual({ kind: 'conversations', app: 'threema' });
  const shot = await driver.screenshot(path.join(world.stateDir, 'dark.png'));
  expect(shot.ok && new Set(greyPixels(fs.readFileSync(shot.file)))).toEqual(new Set([0])); // a dark screen is a black frame
  const power = await driver.adb.shell('dumpsys power');
  expect(power.ok && power.stdout).toMatch(/^ {2}mWakefulness=Asleep$/m);
  expect(power.ok && power.stdout).toContain('Display Power: state=OFF');

  const r = await driver.screenReady();
  expect(r).toMatchObject({ ok: false, failure: 'screen_locked', operation: 'keyguard state' });
  expect(!r.ok && r.detail).toBe(
    `${phone.serial} is locked (mShowingLockscreen=true, isStatusBarKeyguard=true; MENU did not dismiss it: a PIN, pattern or password): ` +
      `unlock ${phone.serial} and set Stay awake in developer options / disable the lock screen`,
  );
  // the driver woke the screen: now the keyguard is what uiautomator sees, the app is not reachable
  const dump = await driver.uiDump();
  expect(dump.ok && dump.elements.map((e) => e.resourceId)).toContain('com.android.systemui:id/pinEntry');
  expect(await driver.tap('MATAdOR B', 300)).toMatchObject({ ok: false, failure: 'ui_element_not_found' });
});

test('a dark screen with a swipe lock is woken and unlocked; then taps reach the app', async () => {
  await openThreema();
  phone.faults.setScreenLocked(true, false);
  expect(await driver.screenReady()).toEqual({ ok: true, screenOn: true, unlocked: true, woke: true, dismissedKeyguard: true });
  const policy = await driver.adb.shell('dumpsys window policy');
  expect(policy.ok && policy.stdout).toContain('mShowingLockscreen=false mShowingDream=false mDreamingLockscreen=false');
  expect(await driver.tap('MATAdOR B')).toMatchObject({ ok: true });
  expect(phone.device.ui.screen).toEqual({ kind: 'chat', app: 'threema' });
  // a phone that is ready is left alone (POWER is a toggle: never pressed on a lit screen)
  expect(await driver.screenReady()).toEqual({ ok: true, screenOn: true, unlocked: true, woke: false, dismissedKeyguard: false });
});

test('an app at another version than the campaign pins: app_version_mismatch with both versions, the phone and the fix', async () => {
  expect(await driver.pinnedAppVersion(WHATSAPP.packageName, WHATSAPP.versionName)).toEqual({ ok: true, versionName: WHATSAPP.versionName, versionCode: WHATSAPP.versionCode });
  phone.faults.setAppVersion('whatsapp', '2.11.0');
  expect(await driver.pinnedAppVersion(WHATSAPP.packageName, null)).toMatchObject({ ok: true, versionName: '2.11.0' });
  const r = await driver.pinnedAppVersion(WHATSAPP.packageName, WHATSAPP.versionName);
  expect(r).toEqual({
    ok: false,
    failure: 'app_version_mismatch',
    operation: 'version of com.whatsapp',
    detail:
      `com.whatsapp on ${phone.serial} is version 2.11.0 (versionCode ${WHATSAPP.versionCode + 1}), the campaign pins ${WHATSAPP.versionName}: ` +
      `install com.whatsapp ${WHATSAPP.versionName} on ${phone.serial} (or change the pin in the campaign's apps entry), then rerun the failed measurements`,
  });
});

test('a failed openChat keeps its screenshot and UI dump, and the failed attempt of the record points at them', async () => {
  const app = loadAppFile(path.join(configsDir, 'apps', 'threema.yaml'));
  const steps = app.ui.openChat.filter((s) => s.action !== 'wait').map((s) => (s.action === 'tap' ? { ...s, element: 'MATAdOR Nobody', timeoutSec: 0.5 } : s));
  const shots = path.join(env.dataDir, 'artefacts', 'c', 'threema', 'a', 'b', 'attempt-1', 'screenshots');
  const r = await driver.runUiSteps(steps, { packageName: app.android.package, vars: { side: 'A', peer: 'B' }, screenshotDir: shots, stepPrefix: 'open-A' });
  expect(r).toMatchObject({ ok: false, failure: 'ui_element_not_found' });
  const failedStep = r.steps?.[r.steps.length - 1];
  expect(failedStep && [path.basename(failedStep.screenshot ?? ''), path.basename(failedStep.uiDump ?? '')]).toEqual(['open-A-01-tap-failed.png', 'open-A-01-tap-failed.xml']);
  // the files hold what the screen showed: a PNG and the conversation list without the contact
  const png = fs.readFileSync(failedStep?.screenshot as string);
  expect(png.subarray(1, 4).toString()).toBe('PNG');
  const shown = parseUiDump(fs.readFileSync(failedStep?.uiDump as string, 'utf8'));
  expect(shown.map((e) => e.text)).toEqual(expect.arrayContaining(['Threema', 'MATAdOR B']));

  // the step fails with the evidence; the workflow keeps it on the failed attempt; the record points at it
  let thrown: unknown;
  try {
    must(r, 'side A: open chat (threema ui.openChat)', uiArtefacts(env, r.steps));
  } catch (err) {
    thrown = err;
  }
  expect(thrown).toBeInstanceOf(ApplicationFailure);
  const failure = classifyStepFailure('startCapture', new ActivityFailure('Activity task failed', 'startCapture', '1', 'RETRY_STATE_NON_RETRYABLE_FAILURE' as never, 'worker', thrown as Error));
  const attempt: AttemptRecord = {
    attempt: 1, startedAt: '2026-12-03T00:00:00.000Z', finishedAt: '2026-12-03T00:00:05.000Z', cleanedUp: true,
    steps: [{ step: 'startCapture', startedAt: '2026-12-03T00:00:00.000Z', finishedAt: '2026-12-03T00:00:04.000Z', ...failureFields(failure), artefacts: failure.artefacts }],
    ...failureFields(failure), artefacts: failure.artefacts,
  };
  const record = buildMeasurementRecord({
    measurement: { measurementId: 'c/threema/a/b', campaign: 'c', app: 'threema', testbed: 'tb1', messages: [], nodeA: { id: 'a', country: 'PL', latitude: 0, longitude: 0 }, nodeB: { id: 'b', country: 'ES', latitude: 0, longitude: 0 } },
    timerScale: 1, startedAt: attempt.startedAt, finishedAt: '2026-12-03T00:00:06.000Z', workflow: { workflowId: 'c/threema/a/b', runId: 'r' },
    attempts: [attempt], failure: failureFields(failure), testbedKind: 'emulated', outputs: null,
  });
  expect(record).toMatchObject({ status: 'failed', failure: 'ui_element_not_found', failedOperation: 'startCapture' });
  const refs = [
    { kind: 'screenshot', path: 'artefacts/c/threema/a/b/attempt-1/screenshots/open-A-01-tap-failed.png' },
    { kind: 'ui-dump', path: 'artefacts/c/threema/a/b/attempt-1/screenshots/open-A-01-tap-failed.xml' },
  ];
  expect(record.attempts).toEqual([expect.objectContaining({ artefacts: refs })]);
  expect(record.artefacts).toEqual(refs);
  for (const ref of refs) expect(fs.existsSync(path.join(env.dataDir, ref.path))).toBe(true);
});
