/**
 * Phone driver against virtual phones through the REAL adb server (adb 29): two phones and the
 * service backends in `mtph-` namespaces, messages typed through the UI steps of configs/apps.
 */
import { execFile } from 'child_process';
import { promisify } from 'util';
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { PhoneDriver } from '../../drivers/phone';
import { loadAppFile } from '../../lib/config/load';
import { configsDir } from '../../lib/project-paths';
import { SERVICE_SHAPES } from '../../testbed/services';
import type { VirtualPhone } from '../../testbed/phone';
import { nsExec } from '../../testbed/phone/netns';
import { ADDR, createMiniWorld, MiniWorld, probeAsUid, waitFor } from './mini-world';

const execFileAsync = promisify(execFile);
const PORT_A = 5741;
const PORT_B = 5742;
const CANARY = `/tmp/mtph-canary-${process.pid}`;

let world: MiniWorld;
let phoneA: VirtualPhone;
let phoneB: VirtualPhone;
let a: PhoneDriver;
let b: PhoneDriver;

beforeAll(async () => {
  await execFileAsync('adb', ['start-server'], { timeout: 30_000 });
  world = await createMiniWorld('drv');
  phoneA = await world.startPhone({ name: 'mtph-drv-a', netns: world.ns.phoneA, adbPort: PORT_A, apps: ['threema', 'whatsapp', 'wechat'], peer: 'mtph-drv-b', peerName: 'MATAdOR B', keepAliveMs: 5000 });
  phoneB = await world.startPhone({ name: 'mtph-drv-b', netns: world.ns.phoneB, adbPort: PORT_B, apps: ['threema', 'whatsapp', 'wechat'], peer: 'mtph-drv-a', peerName: 'MATAdOR A', keepAliveMs: 5000 });
  a = new PhoneDriver({ serial: phoneA.serial, timeoutMs: 15_000 });
  b = new PhoneDriver({ serial: phoneB.serial, timeoutMs: 15_000 });
  for (const d of [a, b]) {
    const c = await d.connect();
    if (!c.ok) throw new Error(`connect ${d.serial}: ${c.failure} ${c.detail}`);
  }
}, 120_000);

afterAll(async () => {
  await a?.disconnect();
  await b?.disconnect();
  await world?.destroy();
  fs.rmSync(CANARY, { force: true });
}, 60_000);

test('adb devices lists both virtual phones', async () => {
  const { stdout } = await execFileAsync('adb', ['devices']);
  expect(stdout).toMatch(new RegExp(`^127\\.0\\.0\\.1:${PORT_A}\\s+device$`, 'm'));
  expect(stdout).toMatch(new RegExp(`^127\\.0\\.0\\.1:${PORT_B}\\s+device$`, 'm'));
});

test('shell over adbkit returns real exit codes, stdout and stderr apart (shell_v2)', async () => {
  const ok = await a.adb.shell('echo hello');
  expect(ok).toMatchObject({ ok: true, stdout: 'hello\n', exitCode: 0 });
  expect(await a.adb.shell('false')).toMatchObject({ ok: true, exitCode: 1 });
  expect(await a.adb.shell('exit 3')).toMatchObject({ ok: true, exitCode: 3 });
  const missing = await a.adb.shell('reboot-now please');
  expect(missing).toMatchObject({ ok: true, exitCode: 127, stdout: '' });
  expect(missing.ok && missing.stderr).toContain('sh: reboot-now: not found');
  expect(await a.adb.shell('false || echo fallback')).toMatchObject({ ok: true, stdout: 'fallback\n', exitCode: 0 });
  // iptables needs root, as on a production build
  expect(await a.adb.shell('iptables -L')).toMatchObject({ ok: true, exitCode: 3 });
  expect(await a.adb.shell("su -c 'iptables -S OUTPUT'")).toMatchObject({ ok: true, exitCode: 0 });
});

test('health check, app version and uid come from the device', async () => {
  const h = await a.healthCheck();
  expect(h).toEqual({ ok: true, model: 'Moto E (2nd gen) (virtual)', androidVersion: '5.0.2', sdk: '21' });
  const app = loadAppFile(path.join(configsDir, 'apps', 'threema.yaml'));
  expect(await a.appVersion(app.android.package)).toEqual({ ok: true, versionName: app.android.version, versionCode: SERVICE_SHAPES.threema.versionCode });
  expect(await a.appUid('ch.threema.app')).toEqual({ ok: true, uid: SERVICE_SHAPES.threema.uid });
});

test('a message with shell metacharacters arrives verbatim through the configured UI steps, nothing is executed', async () => {
  const app = loadAppFile(path.join(configsDir, 'apps', 'threema.yaml'));
  await waitFor('threema connected on both phones', () => phoneA.appStatus('threema')?.state === 'connected' && phoneB.appStatus('threema')?.state === 'connected');
  const shots = fs.mkdtempSync(path.join(world.stateDir, 'shots-'));
  for (const [d, side, peer] of [[a, 'A', 'B'], [b, 'B', 'A']] as const) {
    const r = await d.runUiSteps(app.ui.openChat.filter((s) => s.action !== 'wait'), { packageName: app.android.package, vars: { side, peer }, screenshotDir: shots, screenshotEveryStep: true, stepPrefix: `open-${side}` });
    expect(r).toMatchObject({ ok: true });
    // one screenshot per step (the explicit screenshot step writes its own name)
    expect(r.ok && r.steps.map((st) => path.basename(st.screenshot ?? ''))).toEqual([`open-${side}-00-start-app.png`, `open-${side}-01-tap.png`, `chat-open-${side}.png`]);
  }
  const texts = [
    `it's "quoted"; $(touch ${CANARY}) \`touch ${CANARY}\` && echo pwned | cat > x`,
    `Zürich → 東京 🚀 %s 50% *glob? [x] \\back\\slash {a,b} $(touch ${CANARY})`,
  ];
  for (const [index, text] of texts.entries()) {
    const r = await a.runUiSteps(app.ui.sendMessage.filter((s) => s.action !== 'wait'), { packageName: app.android.package, vars: { message: text, index, side: 'A', peer: 'B' }, screenshotDir: shots });
    expect(r).toMatchObject({ ok: true });
    // What the driver sees: the incoming bubble on B's open chat (uiautomator dump)...
    await waitFor(`message ${index} on B's screen`, async () => {
      const l = await b.look({ notifications: false });
      return l.ok && l.look.elements?.some((e) => e.resourceId === 'ch.threema.app:id/text_view' && e.text === text) ? true : null;
    });
    // ...and what the phones did (in-process inspection of the virtual phones).
    expect(phoneB.messages().find((x) => x.direction === 'in' && x.text === text)).toMatchObject({ app: 'threema', peer: 'mtph-drv-a', text });
    expect(phoneA.messages().find((x) => x.direction === 'out' && x.text === text)).toBeTruthy();
  }
  // the receiving screen shows the texts exactly (uiautomator dump, XML-escaped and parsed back)
  const dump = await b.uiDump();
  expect(dump.ok && dump.elements.map((e) => e.text)).toEqual(expect.arrayContaining(texts));
  expect(fs.existsSync(CANARY)).toBe(false);
  expect(fs.existsSync(path.join(shots, 'sent-1.png'))).toBe(true);
});

test('firewall: only the app uid may send; other uids are blocked in the phone namespace', async () => {
  const probe = (uid: number, host: string, port: number) => probeAsUid(world.ns.phoneA, uid, host, port);
  const r = await a.restrictNetworkToApp('ch.threema.app');
  expect(r).toEqual({ ok: true, uid: SERVICE_SHAPES.threema.uid });
  try {
    const allowed = await probe(SERVICE_SHAPES.threema.uid, ADDR.threema, 5222);
    expect(allowed.stdout.trim()).toBe('connected');
    const blocked = await probe(SERVICE_SHAPES.whatsapp.uid, ADDR.whatsapp, 443);
    expect(blocked.code).not.toBe(0);
    expect(blocked.stdout.trim()).toMatch(/EPERM|timeout/);
    // the real app processes: after a restart WhatsApp cannot reach its server, Threema can
    await a.adb.shell('am force-stop com.whatsapp; am force-stop ch.threema.app');
    expect(await a.startApp('com.whatsapp', '.Main')).toEqual({ ok: true });
    expect(await a.startApp('ch.threema.app')).toEqual({ ok: true });
    await waitFor('threema reconnected', () => phoneA.appStatus('threema')?.state === 'connected');
    const wa = await waitFor('whatsapp error', () => (phoneA.appStatus('whatsapp')?.state === 'error' ? phoneA.appStatus('whatsapp') : null));
    // blocked before the first packet: DNS over UDP already fails with EPERM (c-ares reports ECONNREFUSED)
    expect(String(wa.error)).toMatch(/EPERM|not permitted|ECONNREFUSED|timeout/i);
  } finally {
    expect(await a.clearFirewall()).toEqual({ ok: true });
  }
  expect((await probe(SERVICE_SHAPES.whatsapp.uid, ADDR.whatsapp, 443)).stdout.trim()).toBe('connected');
});

test('WeChat resolves its long-connection server through HTTP DNS', async () => {
  const st = await waitFor('wechat connected', () => (phoneB.appStatus('wechat')?.state === 'connected' ? phoneB.appStatus('wechat') : null));
  expect(st.address).toBe(ADDR.wechatLong);
  expect(st.port).toBe(8080);
});

test('screencap gives a valid PNG of the screen', async () => {
  const file = path.join(world.stateDir, 'screen.png');
  const r = await b.screenshot(file);
  expect(r).toMatchObject({ ok: true, file });
  const png = fs.readFileSync(file);
  expect(png.subarray(1, 4).toString()).toBe('PNG');
  expect(png.readUInt32BE(16)).toBe(540);
  expect(png.readUInt32BE(20)).toBe(960);
  // inflate the IDAT chunks: one filter byte + 540 grey pixels per row
  const idat: Buffer[] = [];
  for (let off = 8; off < png.length; ) {
    const len = png.readUInt32BE(off);
    if (png.toString('latin1', off + 4, off + 8) === 'IDAT') idat.push(png.subarray(off + 8, off + 8 + len));
    off += 12 + len;
  }
  expect(zlib.inflateSync(Buffer.concat(idat)).length).toBe(541 * 960);
});

test('sync push and pull move binary files byte for byte', async () => {
  const data = Buffer.alloc(300_000);
  for (let i = 0; i < data.length; i++) data[i] = (i * 7919) & 0xff;
  expect(await a.adb.push(data, '/sdcard/blob.bin')).toEqual({ ok: true });
  const back = await a.adb.pull('/sdcard/blob.bin');
  expect(back.ok && back.data.equals(data)).toBe(true);
  expect(await a.adb.pull('/sdcard/does-not-exist')).toMatchObject({ ok: false, failure: 'sync_error' });
});

test('airplane mode with WLAN only; wifi off/on takes the link down and restores the routes', async () => {
  expect(await a.setAirplaneWlanOnly()).toEqual({ ok: true, airplane: '1', wifi: '1' });
  expect((await nsExec(world.ns.phoneA, ['ip', 'route', 'show', 'default'])).stdout).toContain('via 198.19.210.1');
  expect(await a.adb.shell('svc wifi disable')).toMatchObject({ ok: true, exitCode: 0 });
  expect((await nsExec(world.ns.phoneA, ['ip', '-br', 'link', 'show', 'wlan0'])).stdout).toContain('DOWN');
  expect(await a.adb.shell('svc wifi enable')).toMatchObject({ ok: true, exitCode: 0 });
  expect((await nsExec(world.ns.phoneA, ['ip', 'route', 'show', 'default'])).stdout).toContain('via 198.19.210.1');
});

test('location: the Appium Settings provider is allowed to mock, driven, and its fix read back', async () => {
  expect(await a.checkLocationProvider()).toEqual({ ok: true, provider: 'io.appium.settings', version: '5.12.4' });
  expect(await a.adb.shell('settings put secure mock_location 0')).toMatchObject({ ok: true, exitCode: 0 });
  const set = await a.setLocation(52.2297, 21.0122);
  expect(set).toMatchObject({ ok: true, method: 'io.appium.settings 5.12.4: am startservice' });
  // Android 5: the developer setting, not app ops, lets the provider mock.
  expect(await a.adb.shell('settings get secure mock_location')).toMatchObject({ ok: true, stdout: '1\n' });
  const r = await a.adb.shell('dumpsys location');
  expect(r.ok && r.stdout).toMatch(/^ {2}Last Known Locations:\n {4}gps: Location\[gps 52\.229700,21\.012200 acc=1 et=\+\S+ mock\]$/m);
  expect(await a.setLocation(-33.8688, 151.2093)).toMatchObject({ ok: true });
  expect(await a.setLocation(123, 0)).toMatchObject({ ok: false, failure: 'invalid_argument' });
});

test('location: a missing provider app and a fix that never shows are named precisely', async () => {
  phoneA.faults.setPackageInstalled('io.appium.settings', false);
  try {
    const missing = await a.setLocation(48.8566, 2.3522);
    expect(missing).toMatchObject({ ok: false, failure: 'location_provider_missing', operation: 'check location provider' });
    expect(!missing.ok && missing.detail).toContain(`io.appium.settings is not installed on ${phoneA.serial}: install the Appium Settings app`);
  } finally {
    phoneA.faults.setPackageInstalled('io.appium.settings', true);
  }
  // A testbed's own provider command: filled, quoted and run; this phone has no such provider,
  // so the fix never changes and the read-back says what it saw and what it wanted.
  const custom = new PhoneDriver({ serial: phoneA.serial, timeoutMs: 15_000, location: { command: 'am broadcast -a my.mock.SET --ef lat ${latitude} --ef lon ${longitude}' } });
  expect(await custom.checkLocationProvider()).toMatchObject({ ok: true, provider: expect.stringContaining('command: am broadcast') });
  const never = await custom.setLocation(48.8566, 2.3522, 600);
  expect(never).toMatchObject({ ok: false, failure: 'shell_error', operation: 'location check' });
  expect(!never.ok && never.detail).toContain(`dumpsys location on ${phoneA.serial} shows gps -33.868800,151.209300 mock`);
  expect(!never.ok && never.detail).toContain("am broadcast -a my.mock.SET --ef lat 48.856600 --ef lon 2.352200");
  expect(!never.ok && never.detail).toContain('wanted 48.856600,2.352200');
});

test('faults: app not installed, missing UI element, slow adb, cable pulled', async () => {
  phoneB.faults.setAppInstalled('whatsapp', false);
  try {
    expect(await b.startApp('com.whatsapp', '.Main')).toMatchObject({ ok: false, failure: 'app_not_installed' });
    expect(await b.appVersion('com.whatsapp')).toMatchObject({ ok: false, failure: 'app_not_installed' });
  } finally {
    phoneB.faults.setAppInstalled('whatsapp', true);
  }
  expect(await b.startApp('com.whatsapp', '.NoSuchActivity')).toMatchObject({ ok: false, failure: 'app_start_failed' });
  expect(await b.tap('com.whatsapp:id/no_such_button', 600)).toMatchObject({ ok: false, failure: 'ui_element_not_found' });

  phoneB.faults.setAdbDelay(3000);
  try {
    expect(await b.adb.shell('echo slow', { timeoutMs: 500 })).toMatchObject({ ok: false, failure: 'adb_timeout' });
  } finally {
    phoneB.faults.setAdbDelay(0);
  }

  await phoneB.faults.adbDisconnect();
  try {
    const h = await b.healthCheck();
    expect(h).toMatchObject({ ok: false, failure: 'adb_unreachable' });
    expect(await b.connect(3000)).toMatchObject({ ok: false, failure: 'adb_unreachable' });
  } finally {
    await phoneB.faults.adbReconnect();
  }
  expect(await b.connect()).toMatchObject({ ok: true, state: 'device' });
  expect(await b.healthCheck()).toMatchObject({ ok: true });
});
