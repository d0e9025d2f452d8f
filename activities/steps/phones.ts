/**
 * configurePhones (paper section 3.1, "Mobile Phone Configuration"), both phones concurrently:
 * adb connect + health check, airplane mode with WLAN only, location = the vantage node's
 * coordinates, app stopped, firewall letting only the app's uid out, app version read from the
 * device (and checked against the campaign's pin: `app_version_mismatch` ends the measurement),
 * screen on and unlocked (`screen_locked`). Then the no-app baseline of each node (cached, see baseline.ts).
 * The app is looked up first: a phone without it fails the step as `app_not_installed` on
 * `version of <package>` before anything is changed on it (am force-stop of a missing package
 * succeeds silently, so the firewall step used to be the one to notice).
 */
import { DEFAULT_MAX_CLOCK_SKEW_MS, PhoneDriver, type ClockOffset } from '../../drivers/phone';
import type { PhoneClock, PhoneInfo, PhonesInfo, StepContext } from '../../lib/measurement/payloads';
import type { Side } from '../../lib/types';
import { appOf, type StepEnv } from './context';
import { ensureBaseline } from './baseline';
import { must, stepFailure } from './failures';
import { resolveTestbed, type SideEndpoints } from './testbed-endpoints';

export function phoneDriver(env: StepEnv, e: Pick<SideEndpoints, 'phone'>): PhoneDriver {
  return new PhoneDriver({
    serial: e.phone.serial,
    ...(e.phone.location ? { location: e.phone.location } : {}),
    ...(env.adbHost ? { adbHost: env.adbHost } : {}),
    ...(env.adbPort ? { adbPort: env.adbPort } : {}),
    ...(e.phone.firewallExtraUids?.length ? { firewallExtraUids: [...e.phone.firewallExtraUids] } : {}),
  });
}

/**
 * Why a measured clock offset is too large for a measurement (null: within the bound, counting
 * the measurement's uncertainty in the phone's favour); the text names the phone and the fix.
 */
export function clockSkewProblem(c: Pick<ClockOffset, 'offsetMs' | 'uncertaintyMs'>, o: { boundMs: number; serial: string }): string | null {
  if (Math.abs(c.offsetMs) - c.uncertaintyMs <= o.boundMs) return null;
  const how = c.offsetMs > 0 ? 'ahead of' : 'behind';
  return `its clock is ${Math.abs(Math.round(c.offsetMs))} ms (±${Math.round(c.uncertaintyMs)} ms) ${how} the controller's, more than the ${o.boundMs} ms allowed: enable automatic date & time on ${o.serial} (Settings > Date & time) or set its clock as root (\`su -c date -s YYYYMMDD.hhmmss\`), then rerun`;
}

/**
 * The phone clock's offset to this controller (best of 5 adb round trips); a phone further off
 * than the bound fails `clock_skew`: its message times could not be trusted against the capture.
 */
export async function phoneClock(env: StepEnv, phone: PhoneDriver, side: Side): Promise<PhoneClock> {
  const c = must(await phone.measureClock(5), `side ${side}: phone ${phone.serial}: clock offset`);
  const problem = clockSkewProblem(c, { boundMs: env.maxClockSkewMs ?? DEFAULT_MAX_CLOCK_SKEW_MS, serial: phone.serial });
  if (problem) throw stepFailure('clock_skew', `side ${side}: phone ${phone.serial}: ${problem}`);
  return { offsetMs: c.offsetMs, uncertaintyMs: c.uncertaintyMs, precision: c.precision, roundTripMs: c.roundTripMs, samples: c.samples, measuredAt: new Date().toISOString() };
}

async function configureOne(env: StepEnv, e: SideEndpoints, pkg: string, configuredVersion: string, pinnedVersion: string | null): Promise<PhoneInfo> {
  const phone = phoneDriver(env, e);
  const what = (op: string) => `side ${e.side}: phone ${e.phone.serial}: ${op}`;
  must(await phone.connect(), what('adb connect'));
  const health = must(await phone.healthCheck(), what('health check'));
  const clock = await phoneClock(env, phone, e.side);
  const version = must(await phone.pinnedAppVersion(pkg, pinnedVersion), what(`version of ${pkg}`));
  // Before the UI is driven (openChat follows): a dark or locked screen swallows every tap.
  must(await phone.screenReady(), what('screen on and unlocked'));
  must(await phone.setAirplaneWlanOnly(), what('airplane mode, WLAN only'));
  const location = must(await phone.setLocation(e.node.latitude, e.node.longitude), what(`location of node ${e.node.id}`));
  must(await phone.stopApp(pkg), what(`stop ${pkg}`));
  const fw = must(await phone.restrictNetworkToApp(pkg), what(`firewall to ${pkg}`));
  return {
    side: e.side,
    serial: e.phone.serial,
    appUid: fw.uid,
    appVersion: version.versionName,
    appVersionCode: version.versionCode,
    configuredVersion,
    ...(pinnedVersion !== null ? { pinnedVersion } : {}),
    model: health.model,
    androidVersion: health.androidVersion,
    location: { latitude: e.node.latitude, longitude: e.node.longitude, method: location.method },
    clock,
  };
}

export async function configurePhones(env: StepEnv, ctx: StepContext): Promise<Required<PhonesInfo>> {
  const tb = resolveTestbed(env, ctx);
  const { app } = appOf(env, ctx);
  const phones = await bothSettled((['A', 'B'] as const).map((s) => configureOne(env, tb.sides[s], app.android.package, app.android.version, app.pinnedVersion ?? null)));
  // One baseline per distinct node (a self-pair has one node), concurrently.
  const sides: Side[] = ctx.nodeA.id === ctx.nodeB.id ? ['A'] : ['A', 'B'];
  const baselines = await bothSettled(sides.map(async (s) => ({ side: s, ...(await ensureBaseline(env, ctx.campaign, ctx.testbed, tb.sides[s])) })));
  return { phones, baselines };
}

/**
 * Waits for every side, then fails with the first failure in side order (A before B). With
 * Promise.all the step failed as soon as one side did while the other side kept configuring its
 * phone: the teardown that follows raced it (a firewall chain built after teardown had cleared
 * it, adb disconnected under it), and with both sides failing the failure string depended on
 * which one lost first.
 */
export async function bothSettled<T>(work: Array<Promise<T>>): Promise<T[]> {
  const settled = await Promise.allSettled(work);
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((r) => (r as PromiseFulfilledResult<T>).value);
}
