/**
 * The phone driver's batched adb round trips, on virtual phones over the real adb server, once
 * with shell_v2 and once in strict Android 5 mode (legacy `shell:` on a PTY, exit marker):
 *  - uiDump dumps and prints the hierarchy in one shell command;
 *  - tap looks at the screen again until its element shows up (here: the app is opened while
 *    the tap waits), and still fails with ui_element_not_found when it never does;
 *  - the firewall is set and cleared with one root shell per binary / one in all, with the
 *    same rules as one call per rule, and a rule that fails still fails the call precisely;
 *  - pull (STAT + RECV on one sync connection) returns whole files and sync_error for a
 *    missing one;
 *  - the send steps after a look: the tap on the look's screen, the typed text and the dump the
 *    send tap needs in one round trip, the send tap and the look after it in another.
 * Uses namespaces mtph-rt-* and adb ports 5781/5782: run under the world lock like test/phone.
 */
import { execFile } from 'child_process';
import { promisify } from 'util';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FIREWALL_CHAIN, PhoneDriver } from '../../drivers/phone';
import { loadAppFile } from '../../lib/config';
import { configsDir } from '../../lib/project-paths';
import { sendingCut } from '../../activities/steps/send';
import { startVirtualPhone, type VirtualPhone } from '../../testbed/phone';
import { SERVICE_SHAPES } from '../../testbed/services/catalogue';

const execFileAsync = promisify(execFile);
const THREEMA = SERVICE_SHAPES.threema;

interface Rig {
  mode: string;
  netns: string;
  phone: VirtualPhone;
  driver: PhoneDriver;
  stateDir: string;
}
const rigs: Rig[] = [];

async function nsIptables(netns: string, bin: string, args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout } = await execFileAsync('ip', ['netns', 'exec', netns, bin, '-w', ...args], { timeout: 15_000 });
    return { code: 0, out: stdout };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

beforeAll(async () => {
  await execFileAsync('adb', ['start-server'], { timeout: 30_000 });
  for (const [i, shellV2] of [true, false].entries()) {
    const netns = `mtph-rt-${i}`;
    await execFileAsync('ip', ['netns', 'del', netns]).catch(() => undefined);
    await execFileAsync('ip', ['netns', 'add', netns]);
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mtph-rt-'));
    fs.chmodSync(stateDir, 0o755); // the app runs under its own uid
    const phone = await startVirtualPhone({ name: `mtph-rt-${i}`, netns, adbPort: 5781 + i, stateDir, apps: ['threema'], peer: 'mtph-rt-peer', peerName: 'MATAdOR B', shellV2 });
    const driver = new PhoneDriver({ serial: phone.serial });
    rigs.push({ mode: shellV2 ? 'shell_v2' : 'legacy shell', netns, phone, driver, stateDir });
    const c = await driver.connect();
    if (!c.ok) throw new Error(`connect ${phone.serial}: ${c.detail}`);
  }
}, 60_000);

afterAll(async () => {
  for (const r of rigs) {
    await r.driver.disconnect();
    await r.phone.stop();
    await execFileAsync('ip', ['netns', 'del', r.netns]).catch(() => undefined);
    fs.rmSync(r.stateDir, { recursive: true, force: true });
  }
});

/** Each case on both phones: [mode, index into rigs] (rigs are built in beforeAll, in this order). */
const each = (name: string, fn: (r: Rig) => Promise<void>) =>
  test.each([
    ['shell_v2', 0],
    ['legacy shell', 1],
  ] as const)(`%s: ${name}`, (_mode, i) => fn(rigs[i]));

each('uiDump reads the screen in one shell command', async ({ driver, phone }) => {
  await driver.keyevent(3); // HOME
  const dump = await driver.uiDump();
  if (!dump.ok) throw new Error(dump.detail);
  expect(dump.elements.map((e) => e.text)).toEqual(expect.arrayContaining(['Moto E (virtual)', THREEMA.label]));
  // the dump file is the current screen too (what a real phone leaves behind)
  const file = await driver.adb.pull('/sdcard/window_dump.xml');
  expect(file.ok && file.data.toString('utf8')).toBe(phone.device.ui.toXml());
});

each('tap waits for an element that shows up late, and fails precisely for one that never does', async ({ driver, phone }) => {
  await driver.keyevent(3);
  // The chat row is not on the launcher: the tap keeps looking while the app is being opened.
  const tapping = driver.tap('MATAdOR B', 30_000);
  await new Promise((r) => setTimeout(r, 300));
  expect(phone.device.ui.screen.kind).toBe('launcher');
  expect(await driver.startApp(THREEMA.packageName)).toEqual({ ok: true });
  expect(await tapping).toMatchObject({ ok: true });
  expect(phone.device.ui.screen).toEqual({ kind: 'chat', app: 'threema' });
  const missing = await driver.tap('no-such-element', 400);
  expect(missing).toMatchObject({ ok: false, failure: 'ui_element_not_found', operation: 'tap no-such-element' });
  expect(!missing.ok && missing.detail).toContain(THREEMA.ui.sendId); // what the screen does show
  await driver.stopApp(THREEMA.packageName);
});

each('the firewall rules are the same in one root shell per binary; clearing removes them all', async ({ driver, netns }) => {
  const r = await driver.restrictNetworkToApp(THREEMA.packageName);
  expect(r).toEqual({ ok: true, uid: THREEMA.uid });
  for (const bin of ['iptables', 'ip6tables']) {
    expect((await nsIptables(netns, bin, ['-S', FIREWALL_CHAIN])).out.trim().split('\n')).toEqual([
      `-N ${FIREWALL_CHAIN}`,
      `-A ${FIREWALL_CHAIN} -o lo -j RETURN`,
      `-A ${FIREWALL_CHAIN} -m owner --uid-owner ${THREEMA.uid} -j RETURN`,
      `-A ${FIREWALL_CHAIN} -j DROP`,
    ]);
    expect((await nsIptables(netns, bin, ['-S', 'OUTPUT'])).out).toContain(`-A OUTPUT -j ${FIREWALL_CHAIN}`);
  }
  // twice set: still one hook (the old chain is cleared first)
  expect(await driver.restrictNetworkToApp(THREEMA.packageName)).toEqual({ ok: true, uid: THREEMA.uid });
  expect((await nsIptables(netns, 'iptables', ['-S', 'OUTPUT'])).out.match(new RegExp(`-j ${FIREWALL_CHAIN}`, 'g'))).toHaveLength(1);
  expect(await driver.clearFirewall()).toEqual({ ok: true });
  expect(await driver.clearFirewall()).toEqual({ ok: true }); // nothing left to clear: fine
  for (const bin of ['iptables', 'ip6tables']) {
    expect((await nsIptables(netns, bin, ['-S', FIREWALL_CHAIN])).code).not.toBe(0);
    expect((await nsIptables(netns, bin, ['-S', 'OUTPUT'])).out).not.toContain(FIREWALL_CHAIN);
  }
});

each('a firewall rule that fails fails the call with the binary and iptables\' message', async ({ driver, netns }) => {
  // A chain of that name that clearing cannot delete (INPUT still jumps to it): `-N` must fail.
  await nsIptables(netns, 'iptables', ['-N', FIREWALL_CHAIN]);
  await nsIptables(netns, 'iptables', ['-A', 'INPUT', '-j', FIREWALL_CHAIN]);
  try {
    const r = await driver.restrictNetworkToApp(THREEMA.packageName);
    expect(r).toMatchObject({ ok: false, failure: 'shell_error', operation: 'firewall iptables rules' });
    expect(!r.ok && r.detail).toMatch(/exists/i);
    expect((await nsIptables(netns, 'iptables', ['-S', 'OUTPUT'])).out).not.toContain(FIREWALL_CHAIN);
  } finally {
    await nsIptables(netns, 'iptables', ['-D', 'INPUT', '-j', FIREWALL_CHAIN]);
    expect(await driver.clearFirewall()).toEqual({ ok: true });
  }
  expect((await nsIptables(netns, 'iptables', ['-S', FIREWALL_CHAIN])).code).not.toBe(0);
});

each('pull returns whole files over one sync connection and sync_error for a missing one', async ({ driver }) => {
  const blob = Buffer.from(Array.from({ length: 200_000 }, (_, i) => (i * 7) % 256));
  expect(await driver.adb.push(blob, '/sdcard/rt-blob.bin')).toEqual({ ok: true });
  const back = await driver.adb.pull('/sdcard/rt-blob.bin');
  expect(back.ok && back.data.equals(blob)).toBe(true);
  expect(await driver.adb.pull('/sdcard/rt-missing.bin')).toMatchObject({ ok: false, failure: 'sync_error' });
  // The phone writes no file of its own beyond what Android has (no message log).
  expect(await driver.adb.pull('/sdcard/matador/messages.jsonl')).toMatchObject({ ok: false, failure: 'sync_error' });
});

each('send steps after a look: tap + text + the next dump in one round trip, the send tap + a look in another', async ({ driver, phone }) => {
  const app = loadAppFile(path.join(configsDir, 'apps', 'threema.yaml'));
  const text = `rt "${phone.name}"; $(id) & done`;
  expect(await driver.startApp(THREEMA.packageName)).toEqual({ ok: true });
  expect(await driver.tap('MATAdOR B', 10_000)).toMatchObject({ ok: true });
  const before = await driver.look({ notifications: false });
  if (!before.ok || !before.look.elements) throw new Error('no look at the chat');
  const steps = app.ui.sendMessage.slice(0, sendingCut(app.ui.sendMessage));
  const shell = jest.spyOn(driver.adb, 'shell');
  try {
    const r = await driver.runUiSteps(steps, { packageName: THREEMA.packageName, vars: { message: text, index: 1, side: 'A', peer: 'B' }, screen: before.look.elements, lookAfter: { notifications: false } });
    expect(r).toMatchObject({ ok: true });
    expect(shell).toHaveBeenCalledTimes(2);
    expect(r.ok && r.steps.map((st) => st.action)).toEqual(['tap', 'input-text', 'tap']);
    // The look rode with the send tap: the outgoing bubble is on it.
    expect(r.ok && r.look?.elements?.some((e) => e.resourceId === THREEMA.ui.messageTextId && e.text === text)).toBe(true);
    expect(phone.messages().filter((m) => m.direction === 'out').map((m) => m.text)).toContain(text);
    // A screen without the element (here: the launcher): the tap dumps the screen itself.
    await driver.keyevent(3);
    const home = await driver.look({ notifications: false });
    const again = await driver.runUiSteps(steps, { packageName: THREEMA.packageName, vars: { message: text, index: 2, side: 'A', peer: 'B' }, screen: home.ok ? home.look.elements : null, tapTimeoutMs: 300 });
    expect(again).toMatchObject({ ok: false, failure: 'ui_element_not_found' });
  } finally {
    shell.mockRestore();
    await driver.stopApp(THREEMA.packageName);
  }
});
