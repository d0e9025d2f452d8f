/**
 * Reading whether a phone's screen is on and unlocked from Android's own dumps, so the UI is
 * driven only when taps can reach the app (a real phone ignores taps on a dark screen and shows
 * its keyguard, not the app, while locked).
 *
 * Formats, by Android version:
 * - `dumpsys power`: `mWakefulness=Awake|Asleep|Dreaming|Dozing` (5.0+; 4.x had
 *   `mWakefulness=Awake|Asleep|Napping`), `Display Power: state=ON|OFF|DOZE` (5.0+), and on
 *   4.x devices `mScreenOn=true|false`.
 * - `dumpsys window policy` (PhoneWindowManager): `mShowingLockscreen=true` (5.x-7.x),
 *   `mDreamingLockscreen=true`, `isStatusBarKeyguard=true` (5.0+ while the keyguard is shown in
 *   the status bar window), `mScreenOnEarly=true mScreenOnFully=true`; newer versions print a
 *   `KeyguardServiceDelegate` block with `showing=true`.
 * The parsers are pure; ensureScreenReady runs the commands through the driver's shell.
 */
import type { ShellOutput } from './adb-device';
import { phoneFail, type PhoneResult } from './failures';

export type ScreenPower = 'on' | 'off' | 'unknown';

/** Screen power from `dumpsys power`: the display state first, then the older fields. */
export function screenPowerOf(dumpsysPower: string): ScreenPower {
  const display = /Display Power: state=(\w+)/.exec(dumpsysPower)?.[1];
  if (display) return display === 'ON' ? 'on' : 'off';
  const screenOn = /\bmScreenOn=(true|false)\b/.exec(dumpsysPower)?.[1];
  if (screenOn) return screenOn === 'true' ? 'on' : 'off';
  const wakefulness = /\bmWakefulness=(\w+)/.exec(dumpsysPower)?.[1];
  if (wakefulness) return wakefulness === 'Awake' ? 'on' : 'off';
  return 'unknown';
}

/** Which lock fields of `dumpsys window policy` say the keyguard is up (empty: unlocked). */
export function lockIndicatorsOf(dumpsysWindowPolicy: string): string[] {
  const found: string[] = [];
  for (const field of ['mShowingLockscreen', 'mDreamingLockscreen', 'isStatusBarKeyguard']) {
    if (new RegExp(`\\b${field}=true\\b`).test(dumpsysWindowPolicy)) found.push(`${field}=true`);
  }
  // Android 8+: the keyguard delegate's own block ("KeyguardServiceDelegate" ... "showing=true").
  const delegate = /KeyguardServiceDelegate[\s\S]*?\bshowing=(true|false)/.exec(dumpsysWindowPolicy);
  if (delegate?.[1] === 'true') found.push('KeyguardServiceDelegate showing=true');
  return found;
}

/** Whether the policy dump has any lock field at all (a dump without one cannot tell). */
export function policyDumpKnowsLock(dumpsysWindowPolicy: string): boolean {
  return /\b(mShowingLockscreen|isStatusBarKeyguard)=|KeyguardServiceDelegate/.test(dumpsysWindowPolicy);
}

/** Key codes the driver sends to wake and unlock (android.view.KeyEvent). */
export const KEYCODE_POWER = 26;
/** MENU dismisses a keyguard without PIN, pattern or password (swipe lock) on Android 4-7. */
export const KEYCODE_MENU = 82;

type Run = (command: string, operation: string) => Promise<PhoneResult<ShellOutput>>;

/** Polls after a key press: the power manager and the keyguard change state asynchronously. */
const SETTLE = { tries: 5, delayMs: 200 };

async function settle<T extends object>(read: () => Promise<PhoneResult<T>>, done: (v: T) => boolean): Promise<PhoneResult<T>> {
  let last = await read();
  for (let i = 1; i < SETTLE.tries && last.ok && !done(last); i++) {
    await new Promise((res) => setTimeout(res, SETTLE.delayMs));
    last = await read();
  }
  return last;
}

const FIX = (serial: string) => `unlock ${serial} and set Stay awake in developer options / disable the lock screen`;

/**
 * Screen on and keyguard gone, or `screen_locked` naming the phone and the fix. A dark screen is
 * woken with POWER (26), the one wake key every Android version has; it toggles, so it is
 * pressed only when `dumpsys power` says the screen is off (WAKEUP, 224, exists from API 20 on
 * only). A keyguard without a secret is dismissed with MENU. A keyguard with a PIN, pattern or
 * password stays: that is a failure, never worked around.
 */
export async function ensureScreenReady(run: Run, serial: string): Promise<PhoneResult<{ screenOn: true; unlocked: true; woke: boolean; dismissedKeyguard: boolean }>> {
  const readPower = async (): Promise<PhoneResult<{ power: ScreenPower }>> => {
    const r = await run('dumpsys power', 'screen power');
    return r.ok ? { ok: true, power: screenPowerOf(r.stdout) } : r;
  };
  const readLocks = async (): Promise<PhoneResult<{ locks: string[]; known: boolean }>> => {
    const r = await run('dumpsys window policy', 'keyguard state');
    return r.ok ? { ok: true, locks: lockIndicatorsOf(r.stdout), known: policyDumpKnowsLock(r.stdout) } : r;
  };
  const first = await readPower();
  if (!first.ok) return first;
  if (first.power === 'unknown') return phoneFail('shell_error', 'screen power', `\`dumpsys power\` on ${serial} shows none of Display Power: state=, mScreenOn=, mWakefulness=`);
  let woke = false;
  if (first.power === 'off') {
    const key = await run(`input keyevent ${KEYCODE_POWER}`, 'wake screen');
    if (!key.ok) return key;
    woke = true;
    const after = await settle(readPower, (v) => v.power === 'on');
    if (!after.ok) return after;
    if (after.power !== 'on') return phoneFail('screen_locked', 'wake screen', `the screen of ${serial} is off and did not turn on with the POWER key: ${FIX(serial)}`);
  }
  const locks = await readLocks();
  if (!locks.ok) return locks;
  if (!locks.known) return phoneFail('shell_error', 'keyguard state', `\`dumpsys window policy\` on ${serial} shows no keyguard field (mShowingLockscreen=, isStatusBarKeyguard=, KeyguardServiceDelegate)`);
  if (locks.locks.length === 0) return { ok: true, screenOn: true, unlocked: true, woke, dismissedKeyguard: false };
  const menu = await run(`input keyevent ${KEYCODE_MENU}`, 'dismiss keyguard');
  if (!menu.ok) return menu;
  const after = await settle(readLocks, (v) => v.locks.length === 0);
  if (!after.ok) return after;
  if (after.locks.length > 0) {
    return phoneFail('screen_locked', 'keyguard state', `${serial} is locked (${after.locks.join(', ')}; MENU did not dismiss it: a PIN, pattern or password): ${FIX(serial)}`);
  }
  return { ok: true, screenOn: true, unlocked: true, woke, dismissedKeyguard: true };
}
