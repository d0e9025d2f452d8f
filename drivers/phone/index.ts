/**
 * Phone driver: configures and drives an Android phone over the real adb server with
 * @devicefarmer/adbkit — the same calls for a real rooted phone and for the virtual phones of
 * testbed/phone. Every call is bounded by a timeout and returns a PhoneResult (failure strings
 * from failures.ts), never throws for device/network problems.
 *
 * Device-side assumptions (paper section 3.1: rooted Moto E, Android 5.0.2):
 * - root via `su -c` (SuperSU) for iptables and the airplane-mode broadcast;
 * - ADBKeyboard (com.android.adbkeyboard) installed, for text `input text` cannot type;
 * - location: the paper set it with XPrivacy; we drive a mock-location provider app as labs do
 *   (the Appium Settings app io.appium.settings, or a testbed's command template), allow it to
 *   mock locations and read the fix back from `dumpsys location` (location.ts);
 * - adb: the phone trusts this controller's key (~/.android/adbkey.pub in its adb_keys, i.e.
 *   its "Allow USB debugging?" prompt was accepted); an unauthorised phone fails adb_unauthorized.
 * - message times: what Android itself shows, read in one round trip with the phone's clock
 *   (observe.ts `look`: `uiautomator dump` for the chat's bubbles and status ticks,
 *   `dumpsys notification --noredact` for notifications); the clock's offset to the controller
 *   is measured over adb (clock.ts, `measureClock`).
 */
import * as fs from 'fs';
import * as path from 'path';
import { shellCommand, shellQuote } from '../shell-quote';
import { fillTemplate, type TemplateVariable, type UiStep } from '../../lib/config/app';
import { AdbDevice, AdbDeviceOptions, ShellOutput } from './adb-device';
import { ADB_KEYBOARD_IME, adbKeyboardCommand, canUseInputText, inputTextArgument } from './escape';
import { PhoneFailed, PhoneResult, phoneFail } from './failures';
import { CLOCK_PROBE, estimateOffset, splitClocked, type ClockOffset, type ClockSample } from './clock';
import { lookCommand, parseLook, type Look } from './observe';
import { DEFAULT_LOCATION_PROVIDER, checkLocationProvider, setMockLocation, type MockLocationDevice } from './mock-location';
import type { LocationProviderConfig } from '../../lib/config/location-provider';
import { ensureScreenReady } from './screen';
import { dumpWithRetry, type UiDump, type UiDumpRetry } from './ui-dump';
import { batchCommand, readBatchOutput, type BatchedInput, type BatchRead } from './ui-batch';
import { centerOf, findElement, UiElement } from './ui-xml';

export { PHONE_FAILURES } from './failures';
export type { PhoneFailure, PhoneResult, PhoneFailed } from './failures';
export { canUseInputText, inputTextArgument, adbKeyboardCommand } from './escape';
export { DEFAULT_MAX_CLOCK_SKEW_MS, toControllerIso, type ClockOffset, type ClockPrecision } from './clock';
export type { Look } from './observe';
export { UI_DUMP_RETRY, type UiDumpRetry } from './ui-dump';

export const FIREWALL_CHAIN = 'matador_fw';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** Between screen dumps while a tap waits for its element. */
const TAP_POLL_MS = 150;

export interface UiStepRecord {
  index: number;
  action: UiStep['action'];
  startedAt: string;
  finishedAt: string;
  screenshot?: string;
  /** The `uiautomator dump` XML saved when the step failed (what the screen held). */
  uiDump?: string;
  failure?: string;
  detail?: string;
}

export interface RunUiStepsOptions {
  packageName: string;
  vars: Partial<Record<TemplateVariable, string | number>>;
  /** Directory for screenshots (the explicit `screenshot` steps, and one after every step when
   *  screenshotEveryStep) and, for a failed step, its screenshot and UI dump. */
  screenshotDir?: string;
  screenshotEveryStep?: boolean;
  /** Prefix for the per-step screenshot names, e.g. "open-A". */
  stepPrefix?: string;
  tapTimeoutMs?: number;
  /** The screen as the caller has just dumped it (a look), with nothing sent to the phone
   *  since: a first tap whose element is on it taps without dumping again. */
  screen?: UiElement[] | null;
  /** Look at the phone (observe.ts) right after the last step, in the same round trip when
   *  that step is an input command; the result carries the look (else the caller looks). */
  lookAfter?: { notifications: boolean };
}

export interface PhoneDriverOptions extends AdbDeviceOptions {
  /** Extra uids the firewall lets through (e.g. a real phone's DNS proxy uid; testbeds config
   *  `phones.<side>.firewallExtraUids`). */
  firewallExtraUids?: number[];
  /** The mock-location provider (testbeds config phones.<side>.location; default Appium Settings). */
  location?: LocationProviderConfig;
  /** How often a transient `uiautomator dump` error is retried (default UI_DUMP_RETRY). */
  uiDumpRetry?: UiDumpRetry;
}

type Ok<T extends object = object> = { ok: true } & T;

export class PhoneDriver {
  readonly adb: AdbDevice;
  private sdk: number | null = null;

  constructor(private readonly opts: PhoneDriverOptions) {
    this.adb = new AdbDevice(opts);
  }

  get serial(): string {
    return this.adb.serial;
  }

  /** The uids restrictNetworkToApp lets out besides the app's (PhoneDriverOptions.firewallExtraUids). */
  get firewallExtraUids(): readonly number[] {
    return this.opts.firewallExtraUids ?? [];
  }

  connect(timeoutMs?: number): Promise<PhoneResult<{ state: string }>> {
    return this.adb.connect(timeoutMs);
  }

  disconnect(): Promise<PhoneResult> {
    return this.adb.disconnect();
  }

  /** Run a command that must exit 0 and print no "Error"; map failures to `failure`. */
  private async must(command: string, operation: string, failure: PhoneFailed['failure'] = 'shell_error'): Promise<PhoneResult<ShellOutput>> {
    const r = await this.adb.shell(command, { operation });
    if (!r.ok) return r;
    const text = `${r.stdout}${r.stderr}`;
    if (r.exitCode !== 0 || /^(Error|Exception|java\.lang\.)/m.test(text)) {
      return phoneFail(failure, operation, `\`${command}\` exited ${r.exitCode}: ${text.trim().split('\n').slice(-3).join(' | ')}`);
    }
    return r;
  }

  private su(inner: string): string {
    return `su -c ${shellQuote(inner)}`;
  }

  /** getprop + echo round trip: the device answers and runs commands. */
  async healthCheck(): Promise<PhoneResult<{ model: string; androidVersion: string; sdk: string }>> {
    const token = `matador-${Date.now()}`;
    const echo = await this.must(`echo ${token}`, 'health echo');
    if (!echo.ok) return echo;
    if (echo.stdout.trim() !== token) return phoneFail('shell_error', 'health echo', `echo returned ${JSON.stringify(echo.stdout)}`);
    const props = await this.must('getprop ro.product.model; getprop ro.build.version.release; getprop ro.build.version.sdk', 'health getprop');
    if (!props.ok) return props;
    const [model, androidVersion, sdk] = props.stdout.split('\n').map((l) => l.trim());
    return { ok: true, model, androidVersion, sdk };
  }

  /** Paper 3.1: airplane mode (no cellular location), WLAN only. */
  async setAirplaneWlanOnly(): Promise<PhoneResult<{ airplane: string; wifi: string }>> {
    for (const [cmd, op] of [
      ['settings put global airplane_mode_on 1', 'airplane setting'],
      [this.su('am broadcast -a android.intent.action.AIRPLANE_MODE --ez state true'), 'airplane broadcast'],
      ['svc wifi enable', 'wifi enable'],
    ] as const) {
      const r = await this.must(cmd, op);
      if (!r.ok) return r;
    }
    const check = await this.must('settings get global airplane_mode_on; settings get global wifi_on', 'airplane check');
    if (!check.ok) return check;
    const [airplane, wifi] = check.stdout.split('\n').map((l) => l.trim());
    if (airplane !== '1' || wifi !== '1') return phoneFail('shell_error', 'airplane check', `airplane_mode_on=${airplane} wifi_on=${wifi}`);
    return { ok: true, airplane, wifi };
  }

  /** The device's API level (getprop ro.build.version.sdk), read once. */
  async sdkLevel(): Promise<PhoneResult<{ sdk: number }>> {
    if (this.sdk === null) {
      const r = await this.must('getprop ro.build.version.sdk', 'getprop ro.build.version.sdk');
      if (!r.ok) return r;
      const sdk = Number.parseInt(r.stdout.trim(), 10);
      if (!Number.isInteger(sdk)) return phoneFail('shell_error', 'getprop ro.build.version.sdk', `${this.serial} reports API level ${JSON.stringify(r.stdout.trim())}`);
      this.sdk = sdk;
    }
    return { ok: true, sdk: this.sdk };
  }

  private mockLocationDevice(): MockLocationDevice {
    return { serial: this.serial, run: (command, operation) => this.must(command, operation), appVersion: (pkg) => this.appVersion(pkg), sdkLevel: () => this.sdkLevel() };
  }

  /** The mock-location provider app is installed (its version when it names a package). */
  checkLocationProvider(): Promise<PhoneResult<{ provider: string; version?: string }>> {
    return checkLocationProvider(this.mockLocationDevice(), this.opts.location ?? DEFAULT_LOCATION_PROVIDER);
  }

  /** The phone's mock location (mock-location.ts: the provider app driven, the fix read back). */
  setLocation(latitude: number, longitude: number, readBackMs?: number): Promise<PhoneResult<{ method: string }>> {
    return setMockLocation(this.mockLocationDevice(), this.opts.location ?? DEFAULT_LOCATION_PROVIDER, latitude, longitude, readBackMs);
  }

  private async dumpsysPackage(pkg: string): Promise<PhoneResult<{ text: string }>> {
    if (!/^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)+$/.test(pkg)) return phoneFail('invalid_argument', 'dumpsys package', `bad package name ${JSON.stringify(pkg)}`);
    const r = await this.must(`dumpsys package ${pkg}`, `dumpsys package ${pkg}`);
    if (!r.ok) return r;
    if (!r.stdout.includes(`Package [${pkg}]`)) return phoneFail('app_not_installed', `dumpsys package ${pkg}`, `${pkg} is not installed on ${this.serial}`);
    return { ok: true, text: r.stdout };
  }

  async appUid(pkg: string): Promise<PhoneResult<{ uid: number }>> {
    const r = await this.dumpsysPackage(pkg);
    if (!r.ok) return r;
    const m = /userId=(\d+)/.exec(r.text);
    if (!m) return phoneFail('shell_error', `uid of ${pkg}`, 'dumpsys package shows no userId=');
    return { ok: true, uid: Number(m[1]) };
  }

  async appVersion(pkg: string): Promise<PhoneResult<{ versionName: string; versionCode: number | null }>> {
    const r = await this.dumpsysPackage(pkg);
    if (!r.ok) return r;
    const name = /versionName=(\S+)/.exec(r.text);
    const code = /versionCode=(\d+)/.exec(r.text);
    if (!name) return phoneFail('shell_error', `version of ${pkg}`, 'dumpsys package shows no versionName=');
    return { ok: true, versionName: name[1], versionCode: code ? Number(code[1]) : null };
  }

  /** The app's version, which must be `pinned` when a pin is given (else `app_version_mismatch`). */
  async pinnedAppVersion(pkg: string, pinned: string | null): Promise<PhoneResult<{ versionName: string; versionCode: number | null }>> {
    const v = await this.appVersion(pkg);
    if (!v.ok || pinned === null || v.versionName === pinned) return v;
    return phoneFail(
      'app_version_mismatch',
      `version of ${pkg}`,
      `${pkg} on ${this.serial} is version ${v.versionName}${v.versionCode !== null ? ` (versionCode ${v.versionCode})` : ''}, the campaign pins ${pinned}: ` +
        `install ${pkg} ${pinned} on ${this.serial} (or change the pin in the campaign's apps entry), then rerun the failed measurements`,
    );
  }

  /** Paper 3.1: only the app under test may use the network (iptables owner match on its uid). */
  async restrictNetworkToApp(pkg: string): Promise<PhoneResult<{ uid: number }>> {
    const uid = await this.appUid(pkg);
    if (!uid.ok) return uid;
    const cleared = await this.clearFirewall();
    if (!cleared.ok) return cleared;
    const allowed = [uid.uid, ...this.firewallExtraUids];
    for (const bin of ['iptables', 'ip6tables']) {
      const rules: string[][] = [
        [bin, '-N', FIREWALL_CHAIN],
        [bin, '-A', FIREWALL_CHAIN, '-o', 'lo', '-j', 'RETURN'],
        ...allowed.map((u) => [bin, '-A', FIREWALL_CHAIN, '-m', 'owner', '--uid-owner', String(u), '-j', 'RETURN']),
        [bin, '-A', FIREWALL_CHAIN, '-j', 'DROP'],
        [bin, '-I', 'OUTPUT', '1', '-j', FIREWALL_CHAIN],
      ];
      // One root shell per binary, the rules in order, stopping at the first that fails (the
      // failure names the binary, shows the rule list and iptables' own message).
      const r = await this.must(this.su(rules.map((argv) => shellCommand(argv)).join(' && ')), `firewall ${bin} rules`);
      if (!r.ok) return r;
    }
    return { ok: true, uid: uid.uid };
  }

  /**
   * Remove our chain (idempotent: missing chain is fine), in one root shell: per binary, unhook
   * the chain from OUTPUT until no hook is left (at most 8), then flush and delete it. Exit
   * codes are not failures here (nothing to remove is the normal case); transport ones are.
   */
  async clearFirewall(): Promise<PhoneResult> {
    const script = ['iptables', 'ip6tables']
      .map((bin) => {
        const unhook = Array.from({ length: 8 }, () => shellCommand([bin, '-D', 'OUTPUT', '-j', FIREWALL_CHAIN])).join(' && ');
        return [unhook, shellCommand([bin, '-F', FIREWALL_CHAIN]), shellCommand([bin, '-X', FIREWALL_CHAIN])].join('; ');
      })
      .join('; ');
    const r = await this.adb.shell(this.su(script), { operation: 'firewall clear' });
    return r.ok ? { ok: true } : r;
  }

  async isInstalled(pkg: string): Promise<PhoneResult<{ installed: boolean }>> {
    if (!/^[A-Za-z0-9_.]+$/.test(pkg)) return phoneFail('invalid_argument', 'pm list packages', `bad package name ${JSON.stringify(pkg)}`);
    const r = await this.must(`pm list packages ${pkg}`, 'pm list packages');
    if (!r.ok) return r;
    return { ok: true, installed: r.stdout.split('\n').some((l) => l.trim() === `package:${pkg}`) };
  }

  /** `am start -n pkg/activity`, or the launcher activity through monkey when no activity is given. */
  async startApp(pkg: string, activity?: string): Promise<PhoneResult> {
    const installed = await this.isInstalled(pkg);
    if (!installed.ok) return installed;
    if (!installed.installed) return phoneFail('app_not_installed', 'start app', `${pkg} is not installed on ${this.serial}`);
    if (activity !== undefined && !/^[A-Za-z0-9_.$]+$/.test(activity)) return phoneFail('invalid_argument', 'start app', `bad activity ${JSON.stringify(activity)}`);
    const cmd = activity ? `am start -n ${pkg}/${activity}` : `monkey -p ${pkg} -c android.intent.category.LAUNCHER 1`;
    const r = await this.adb.shell(cmd, { operation: 'start app' });
    if (!r.ok) return r;
    const text = r.stdout + r.stderr;
    if (r.exitCode !== 0 || /Error|No activities found|monkey aborted/.test(text)) return phoneFail('app_start_failed', 'start app', `\`${cmd}\`: ${text.trim().split('\n').slice(-2).join(' | ')}`);
    return { ok: true };
  }

  async stopApp(pkg: string): Promise<PhoneResult> {
    if (!/^[A-Za-z0-9_.]+$/.test(pkg)) return phoneFail('invalid_argument', 'stop app', `bad package name ${JSON.stringify(pkg)}`);
    return this.must(`am force-stop ${pkg}`, 'stop app');
  }

  /**
   * The screen's UI hierarchy: dumped to a file and printed by the same shell command (one adb
   * round trip; a tap step dumps until its element shows). Android's transient dump errors (the
   * screen changing) are retried within a bound (ui-dump.ts).
   */
  async uiDump(): Promise<PhoneResult<UiDump>> {
    return dumpWithRetry((command) => this.adb.shell(command, { operation: 'uiautomator dump' }), this.serial, this.opts.uiDumpRetry);
  }

  /** Screen on and no keyguard (screen.ts): wakes a dark screen, dismisses a keyguard without a secret, else `screen_locked`. */
  screenReady(): Promise<PhoneResult<{ screenOn: true; unlocked: true; woke: boolean; dismissedKeyguard: boolean }>> {
    return ensureScreenReady((command, operation) => this.must(command, operation), this.serial);
  }

  /** Tap the element named by resource-id / text / content-desc; polls the screen until timeoutMs. */
  async tap(selector: string, timeoutMs = 5000): Promise<PhoneResult<{ x: number; y: number }>> {
    const deadline = Date.now() + timeoutMs;
    let seen: UiElement[] = [];
    for (;;) {
      const dump = await this.uiDump();
      if (!dump.ok) return dump;
      seen = dump.elements;
      const el = findElement(dump.elements, selector);
      if (el) {
        const { x, y } = centerOf(el);
        const r = await this.must(`input tap ${x} ${y}`, `tap ${selector}`);
        return r.ok ? { ok: true, x, y } : r;
      }
      if (Date.now() >= deadline) break;
      // An element that is not there yet (app still drawing): look again soon, not after a
      // fixed half second that every late screen would pay in full.
      await new Promise((res) => setTimeout(res, Math.min(TAP_POLL_MS, Math.max(0, deadline - Date.now()))));
    }
    const names = seen.map((e) => e.resourceId || e.text || e.contentDesc).filter(Boolean).slice(0, 12);
    return phoneFail(
      'ui_element_not_found',
      `tap ${selector}`,
      `no element with resource-id/text/content-desc ${JSON.stringify(selector)} on screen of ${this.serial} (it shows: ${names.join(', ')}): ` +
        'bring the app to the screen its ui steps expect (the peer chat exists, no dialog on top), or correct the selector in the app file (ids change between app versions)',
    );
  }

  /** Type into the focused field: `input text` when it can type the text exactly, else ADBKeyboard. */
  async typeText(text: string): Promise<PhoneResult<{ method: 'input-text' | 'adb-keyboard' }>> {
    if (text.includes('\0')) return phoneFail('invalid_argument', 'type text', 'text contains a NUL byte');
    if (text.length === 0) return { ok: true, method: 'input-text' };
    if (canUseInputText(text)) {
      const r = await this.must(`input text ${inputTextArgument(text)}`, 'input text', 'input_rejected');
      return r.ok ? { ok: true, method: 'input-text' } : r;
    }
    for (const verb of ['enable', 'set']) {
      const ime = await this.must(`ime ${verb} ${ADB_KEYBOARD_IME}`, `${verb} ADBKeyboard`, 'input_rejected');
      if (!ime.ok) return ime;
      if (/Unknown|cannot/i.test(ime.stdout + ime.stderr)) return phoneFail('input_rejected', `${verb} ADBKeyboard`, `ADBKeyboard (${ADB_KEYBOARD_IME}) is not installed on ${this.serial}: ${(ime.stdout + ime.stderr).trim()}`);
    }
    const r = await this.must(adbKeyboardCommand(text), 'ADBKeyboard input', 'input_rejected');
    return r.ok ? { ok: true, method: 'adb-keyboard' } : r;
  }

  async keyevent(code: number): Promise<PhoneResult> {
    if (!Number.isInteger(code) || code < 0 || code > 400) return phoneFail('invalid_argument', 'keyevent', `bad key code ${code}`);
    return this.must(`input keyevent ${code}`, `keyevent ${code}`);
  }

  /** screencap -p to a device file, pulled over sync; checks the PNG signature. */
  async screenshot(localFile: string): Promise<PhoneResult<{ file: string; bytes: number }>> {
    const remote = '/sdcard/matador-screen.png';
    const r = await this.must(`screencap -p ${remote}`, 'screencap');
    if (!r.ok) return r;
    const pulled = await this.adb.pull(remote);
    if (!pulled.ok) return pulled;
    if (!pulled.data.subarray(0, 8).equals(PNG_SIGNATURE)) return phoneFail('sync_error', 'screencap', `pulled ${remote} is not a PNG (${pulled.data.length} bytes)`);
    fs.mkdirSync(path.dirname(localFile), { recursive: true });
    fs.writeFileSync(localFile, pulled.data);
    return { ok: true, file: localFile, bytes: pulled.data.length };
  }

  /**
   * The phone clock's offset to this controller: `samples` probes, each bracketed by the
   * controller's clock; the shortest round trip wins (clock.ts estimateOffset).
   */
  async measureClock(samples = 5): Promise<PhoneResult<ClockOffset>> {
    const got: ClockSample[] = [];
    let last = '';
    for (let i = 0; i < samples; i++) {
      const sentMs = Date.now();
      const r = await this.adb.shell(CLOCK_PROBE, { operation: 'read clock' });
      const returnedMs = Date.now();
      if (!r.ok) return r;
      last = r.stdout;
      const reading = splitClocked(r.stdout).readings[0];
      if (reading) got.push({ sentMs, returnedMs, phone: reading });
    }
    const offset = estimateOffset(got);
    if (!offset) return phoneFail('shell_error', 'read clock', `\`${CLOCK_PROBE}\` on ${this.serial} printed no time: ${JSON.stringify(last.slice(0, 120))}`);
    return { ok: true, ...offset };
  }

  /** One look (observe.ts): clock, screen, optionally notifications, clock — one round trip. */
  async look(o: { notifications: boolean }): Promise<PhoneResult<{ look: Look }>> {
    const r = await this.adb.shell(lookCommand(o), { operation: 'look at the phone' });
    if (!r.ok) return r;
    const look = parseLook(r.stdout, o);
    if (typeof look === 'string') return phoneFail('shell_error', 'look at the phone', `${this.serial}: ${look}`);
    return { ok: true, look };
  }

  /**
   * Run configured UI steps (lib/config/app.ts UiStep); stops at the first failing step.
   * Input steps in a row run in one round trip (ui-batch.ts): a tap whose element is on the
   * screen dumped right before (`o.screen`, or the dump that ended the previous batch), then
   * `input text` / `keyevent` steps; a batch followed by a tap ends with the dump that tap
   * needs, the last one with `o.lookAfter`'s look. Each step keeps its own record (the steps
   * of one batch share its start and end).
   */
  async runUiSteps(steps: readonly UiStep[], o: RunUiStepsOptions): Promise<PhoneResult<{ steps: UiStepRecord[]; look?: Look }> & { steps?: UiStepRecord[] }> {
    const records: UiStepRecord[] = [];
    // The screen as last dumped with no input since (null: unknown, a tap dumps it first).
    let screen: UiElement[] | null = o.screen ?? null;
    let look: Look | undefined;
    for (let index = 0; index < steps.length; ) {
      const batch = o.screenshotEveryStep ? [] : this.inputBatch(steps, index, screen, o);
      if (batch.length > 0) {
        const after = index + batch.length;
        const read: BatchRead = steps[after]?.action === 'tap' ? { kind: 'dump' } : after === steps.length && o.lookAfter ? { kind: 'look', ...o.lookAfter } : { kind: 'none' };
        const startedAt = new Date().toISOString();
        const r = await this.adb.shell(batchCommand(batch, read), { operation: batch.map((b) => b.operation).join(', ') });
        const finishedAt = new Date().toISOString();
        const out = r.ok ? readBatchOutput(batch, read, r, this.serial) : { done: 0, failed: r, dump: null, look: null };
        for (let i = 0; i < out.done; i++) records.push({ index: index + i, action: steps[index + i].action, startedAt, finishedAt });
        if (out.failed) return this.failedStep(steps, index + out.done, out.failed, startedAt, records, o);
        screen = out.dump?.elements ?? null;
        look = out.look ?? undefined;
        index = after;
        continue;
      }
      const step = steps[index];
      const startedAt = new Date().toISOString();
      const r = await this.runStep(step, o);
      screen = null;
      look = undefined;
      if (!r.ok) return this.failedStep(steps, index, r, startedAt, records, o);
      const rec: UiStepRecord = { index, action: step.action, startedAt, finishedAt: new Date().toISOString() };
      if ('screenshot' in r) rec.screenshot = r.screenshot as string;
      if (o.screenshotDir && o.screenshotEveryStep && step.action !== 'screenshot') {
        const shot = await this.screenshot(path.join(o.screenshotDir, `${o.stepPrefix ?? 'step'}-${String(index).padStart(2, '0')}-${step.action}.png`));
        if (shot.ok) rec.screenshot = shot.file;
      }
      records.push(rec);
      index++;
    }
    return { ok: true, steps: records, ...(look ? { look } : {}) };
  }

  /**
   * The input steps from `index` on that can run as one batch: a tap whose element `screen`
   * shows, then `input text` (when it can type the text exactly) and key events. Empty when
   * batching gains nothing (one input with no dump saved before or after it).
   */
  private inputBatch(steps: readonly UiStep[], index: number, screen: UiElement[] | null, o: RunUiStepsOptions): BatchedInput[] {
    const fill = (t: string): string => fillTemplate(t, o.vars);
    const batch: BatchedInput[] = [];
    let i = index;
    const first = steps[i];
    let tapped = false;
    if (first?.action === 'tap') {
      const selector = fill(first.element);
      const el = screen ? findElement(screen, selector) : null;
      if (!el) return [];
      const { x, y } = centerOf(el);
      batch.push({ command: `input tap ${x} ${y}`, operation: `tap ${selector}`, failure: 'shell_error' });
      tapped = true;
      i++;
    }
    for (; i < steps.length; i++) {
      const s = steps[i];
      if (s.action === 'input-text') {
        const text = fill(s.text);
        if (!canUseInputText(text)) break;
        batch.push({ command: `input text ${inputTextArgument(text)}`, operation: 'input text', failure: 'input_rejected' });
      } else if (s.action === 'keyevent' && Number.isInteger(s.key) && s.key >= 0 && s.key <= 400) {
        batch.push({ command: `input keyevent ${s.key}`, operation: `keyevent ${s.key}`, failure: 'shell_error' });
      } else break;
    }
    const next = steps[i];
    const saves = tapped || batch.length >= 2 || next?.action === 'tap' || (next === undefined && o.lookAfter !== undefined);
    return saves ? batch : [];
  }

  /** A failed step's record (with its screenshot and UI dump as evidence) and the failure. */
  private async failedStep(steps: readonly UiStep[], index: number, r: PhoneFailed, startedAt: string, records: UiStepRecord[], o: RunUiStepsOptions): Promise<PhoneFailed & { steps: UiStepRecord[] }> {
    const step = steps[index];
    const rec: UiStepRecord = { index, action: step.action, startedAt, finishedAt: new Date().toISOString() };
    const base = `${o.stepPrefix ?? 'step'}-${String(index).padStart(2, '0')}-${step.action}-failed`;
    if (o.screenshotDir && step.action !== 'screenshot') {
      const shot = await this.screenshot(path.join(o.screenshotDir, `${base}.png`));
      if (shot.ok) rec.screenshot = shot.file;
    }
    if (o.screenshotDir) {
      // What the screen held when the step failed, for the failed attempt's record.
      const dump = await this.uiDump();
      if (dump.ok) {
        rec.uiDump = path.join(o.screenshotDir, `${base}.xml`);
        fs.mkdirSync(o.screenshotDir, { recursive: true });
        fs.writeFileSync(rec.uiDump, dump.xml);
      }
    }
    rec.failure = r.failure;
    rec.detail = r.detail;
    records.push(rec);
    return { ...r, detail: `step ${index} (${step.action}): ${r.detail}`, steps: records };
  }

  private async runStep(step: UiStep, o: RunUiStepsOptions): Promise<PhoneResult<Record<string, unknown>>> {
    const fill = (t: string): string => fillTemplate(t, o.vars);
    switch (step.action) {
      case 'start-app':
        return this.startApp(o.packageName, step.activity);
      case 'stop-app':
        return this.stopApp(o.packageName);
      case 'tap':
        return this.tap(fill(step.element), step.timeoutSec !== undefined ? step.timeoutSec * 1000 : o.tapTimeoutMs);
      case 'input-text':
        return this.typeText(fill(step.text));
      case 'keyevent':
        return this.keyevent(step.key);
      case 'wait':
        await new Promise((res) => setTimeout(res, step.seconds * 1000));
        return { ok: true } as Ok;
      case 'screenshot': {
        if (!o.screenshotDir) return { ok: true } as Ok;
        const name = fill(step.name);
        if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) return phoneFail('invalid_argument', 'screenshot', `bad screenshot name ${JSON.stringify(name)}`);
        const shot = await this.screenshot(path.join(o.screenshotDir, `${name}.png`));
        return shot.ok ? { ok: true, screenshot: shot.file } : shot;
      }
    }
  }
}
