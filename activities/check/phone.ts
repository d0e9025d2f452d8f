/**
 * The phone rows of `matador testbed check`: a list of small named checks, run in order on one
 * phone; the first (adb authorised) gates the rest (nothing else can be asked of a phone the adb
 * server cannot talk to). A new check is one more entry in `phoneChecks`.
 * Nothing is sent: the openChat check runs the app's openChat UI steps without their waits (a tap
 * polls until its element shows), then goes home and stops the app.
 */
import type { PhoneDriver } from '../../drivers/phone';
import type { LoadedApp } from '../../lib/config';
import { fillTemplate } from '../../lib/config/app';
import type { Side } from '../../lib/types';
import { failureString } from '../steps/failures';
import { clockSkewProblem } from '../steps/phones';

/** What a check found; `fix` says what to do when it failed. */
export interface CheckOutcome {
  ok: boolean;
  detail: string;
  fix?: string;
}

export interface PhoneCheckTarget {
  phone: PhoneDriver;
  serial: string;
  side: Side;
}

export interface PhoneCheck {
  /** The row's "what was checked". */
  name: string;
  /** Later checks are not run when this one fails. */
  gate?: boolean;
  run(t: PhoneCheckTarget): Promise<CheckOutcome>;
}

const pass = (detail: string): CheckOutcome => ({ ok: true, detail });
const failed = (detail: string, fix: string): CheckOutcome => ({ ok: false, detail, fix });

/** KEYCODE_HOME: back to the launcher after the openChat check. */
const KEYCODE_HOME = 3;

/** The adb server's view: `device` (authorised), `unauthorized`, `offline`, or not listed. */
export const adbAuthorised: PhoneCheck = {
  name: 'adb authorised',
  gate: true,
  async run({ phone, serial }) {
    const r = await phone.connect();
    if (r.ok) return pass(`state ${r.state}`);
    const detail = failureString(r);
    if (r.failure === 'adb_unauthorized') {
      return failed(detail, `accept the "Allow USB debugging?" prompt on ${serial} (tick "Always allow"), or on a rooted phone append the adb server's ~/.android/adbkey.pub to /data/misc/adb/adb_keys`);
    }
    return failed(detail, `connect ${serial} (USB cable, or \`adb connect\` for a TCP serial) until \`adb devices\` lists it as "device"; enable USB debugging in the developer options`);
  },
};

/** The drivers need root (`su -c`) for iptables and the airplane-mode broadcast. */
export const rootShell: PhoneCheck = {
  name: 'root (su -c id)',
  async run({ phone, serial }) {
    const r = await phone.adb.shell('su -c id', { operation: 'su -c id' });
    if (!r.ok) return failed(failureString(r), `root ${serial} (SuperSU or Magisk su) and allow root for the shell user`);
    const out = `${r.stdout}${r.stderr}`.trim().split('\n')[0] ?? '';
    if (/\buid=0\b/.test(out)) return pass(out);
    return failed(`su -c id printed ${JSON.stringify(out)} (exit ${r.exitCode})`, `root ${serial} (SuperSU or Magisk su) and grant the shell (com.android.shell) root access`);
  },
};

export const androidVersion: PhoneCheck = {
  name: 'Android version',
  async run({ phone, serial }) {
    const r = await phone.healthCheck();
    if (!r.ok) return failed(failureString(r), `check that ${serial} answers \`adb -s ${serial} shell getprop\``);
    return pass(`Android ${r.androidVersion} (SDK ${r.sdk}), model ${r.model}`);
  },
};

/** Paper 3.1: airplane mode (no cellular location) with WLAN on; the check sets it as a
 *  measurement does and reads it back. */
export const airplaneWlanOnly: PhoneCheck = {
  name: 'airplane mode, WLAN only',
  async run({ phone, serial }) {
    const r = await phone.setAirplaneWlanOnly();
    if (!r.ok) return failed(failureString(r), `turn on airplane mode and then WLAN on ${serial}; the root broadcast (su) and \`svc wifi enable\` must work`);
    return pass(`airplane_mode_on=${r.airplane} wifi_on=${r.wifi}`);
  },
};

/** The UI can be driven: screen on and no lock screen (a swipe-only keyguard is dismissed, as
 *  configurePhones does; a PIN is a ✘). */
export const screenReady: PhoneCheck = {
  name: 'screen on and unlocked',
  // The openChat checks after it drive the UI: on a locked screen they could only fail too.
  gate: true,
  async run({ phone, serial }) {
    const r = await phone.screenReady();
    if (!r.ok) return failed(failureString(r), `unlock ${serial}, remove its screen lock (Settings > Security > Screen lock: None) and turn on Stay awake in the developer options`);
    return pass(`screen on, unlocked${r.woke ? ' (woken)' : ''}${r.dismissedKeyguard ? ' (a swipe keyguard dismissed)' : ''}`);
  },
};

/** The mock-location provider the testbed names (default: Appium Settings) is installed. */
export const mockLocationProvider: PhoneCheck = {
  name: 'mock-location provider',
  async run({ phone }) {
    const r = await phone.checkLocationProvider();
    if (r.ok) return pass(`${r.provider}${r.version ? ` ${r.version}` : ''}`);
    // The driver's detail already says what to install on which phone.
    return failed(failureString(r), r.failure === 'location_provider_missing' ? r.detail.slice(r.detail.indexOf(': ') + 2) : `check \`adb -s ${phone.serial} shell dumpsys package\``);
  },
};

/** The phone's clock against the controller's, as configurePhones measures it before each
 *  measurement (a phone beyond the bound would fail every measurement with clock_skew). */
export function clockInStep(boundMs: number): PhoneCheck {
  return {
    name: `clock within ${boundMs} ms`,
    async run({ phone, serial }) {
      const c = await phone.measureClock(5);
      if (!c.ok) return failed(failureString(c), `check that ${serial} answers \`adb -s ${serial} shell date\``);
      const offset = `offset ${c.offsetMs >= 0 ? '+' : ''}${c.offsetMs.toFixed(1)} ms ±${c.uncertaintyMs.toFixed(1)} ms (${c.precision} precision)`;
      const problem = clockSkewProblem(c, { boundMs, serial });
      if (problem) return failed(`clock_skew: ${offset}`, problem.slice(problem.indexOf(': ') + 2));
      return pass(offset);
    },
  };
}

/** The version an app must have on the phones: the campaign's pin (`apps: [{ file, version }]`),
 *  or null when the campaign pins none (any installed version then runs). */
export function expectedAppVersion(app: LoadedApp): string | null {
  return app.pinnedVersion ?? null;
}

export function appInstalled(app: LoadedApp): PhoneCheck {
  const pkg = app.android.package;
  const pin = expectedAppVersion(app);
  return {
    name: `app ${app.id} (${pkg}) ${pin !== null ? `at ${pin}` : 'installed'}`,
    async run({ phone, serial }) {
      const r = await phone.pinnedAppVersion(pkg, pin);
      const version = pin ?? app.android.version;
      if (!r.ok) {
        const fix =
          r.failure === 'app_not_installed'
            ? `install ${pkg} version ${version} on ${serial} (\`adb -s ${serial} install\` its APK), then log in and create the peer chat`
            : r.failure === 'app_version_mismatch'
              ? `install ${pkg} version ${version} on ${serial} (and keep auto-update off), or change the pin in the campaign's apps entry for ${app.file}`
              : `check \`adb -s ${serial} shell dumpsys package ${pkg}\``;
        return failed(failureString(r), fix);
      }
      const code = r.versionCode !== null ? ` (versionCode ${r.versionCode})` : '';
      return pass(pin !== null ? `versionName ${r.versionName}${code}` : `versionName ${r.versionName}${code}; the campaign pins no version (the app file names ${app.android.version})`);
    },
  };
}

export function openChatSelectors(app: LoadedApp): PhoneCheck {
  const pkg = app.android.package;
  // Waits are left out (a tap polls its element), screenshots too (nothing is kept).
  const steps = app.ui.openChat.filter((s) => s.action !== 'wait' && s.action !== 'screenshot');
  const taps = steps.flatMap((s) => (s.action === 'tap' ? [s.element] : []));
  return {
    name: `app ${app.id} openChat selectors`,
    async run({ phone, serial, side }) {
      const peer = side === 'A' ? 'B' : 'A';
      await phone.stopApp(pkg);
      const r = await phone.runUiSteps(steps, { packageName: pkg, vars: { side, peer } });
      // Back home and the app stopped, also when a step failed: the phone is left as found.
      await phone.keyevent(KEYCODE_HOME);
      await phone.stopApp(pkg);
      if (r.ok) return pass(`found ${taps.map((t) => JSON.stringify(fillTemplate(t, { side, peer }))).join(', ') || 'no tap steps'}`);
      const fix =
        r.failure === 'ui_element_not_found'
          ? `open ${app.id} on ${serial} and make the element exist (the chat with the peer contact of side ${peer}), or correct ui.openChat in ${app.file}`
          : r.failure === 'app_not_installed'
            ? `install ${pkg} version ${expectedAppVersion(app) ?? app.android.version} on ${serial} first; then its openChat steps can run`
            : `check ${app.id} starts on ${serial} (ui.openChat in ${app.file})`;
      return failed(failureString(r), fix);
    },
  };
}

/** The phone checks in the order they run. */
export function phoneChecks(apps: readonly LoadedApp[], o: { maxClockSkewMs: number }): PhoneCheck[] {
  return [adbAuthorised, rootShell, androidVersion, clockInStep(o.maxClockSkewMs), airplaneWlanOnly, mockLocationProvider, ...apps.map(appInstalled), screenReady, ...apps.map(openChatSelectors)];
}

/** Runs the checks in order; after a failed gate the rest are not run. Releases the adb
 *  connection at the end (as a measurement's teardown does). */
export async function runPhoneChecks(checks: readonly PhoneCheck[], t: PhoneCheckTarget): Promise<Array<{ name: string } & CheckOutcome>> {
  const out: Array<{ name: string } & CheckOutcome> = [];
  try {
    for (const c of checks) {
      const o = await c.run(t);
      out.push({ name: c.name, ...o });
      if (!o.ok && c.gate) break;
    }
  } finally {
    await t.phone.disconnect();
  }
  return out;
}
