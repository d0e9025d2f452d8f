/**
 * The virtual phone's location stack, as a lab phone with the Appium Settings app has it:
 * - the package io.appium.settings (device.ts lists it; the `location-provider-missing` fault
 *   hides it like any app), whose LocationService takes `--es latitude/longitude` extras from
 *   `am startservice` (Android < 8) / `am start-foreground-service` (8+, when the props say so);
 * - the service sets the fix only when the app may mock locations: before Android 6 the developer
 *   setting `secure mock_location` = 1, from 6 the app op `android:mock_location` = allow
 *   (`appops set`); otherwise Android throws a SecurityException inside the app, which `am`
 *   never shows — the fix just does not change;
 * - `dumpsys location` in Android 5's format (LocationManagerService.dump, Location.toString,
 *   MockProvider.dump). The coarse-interval fix is the fine one rounded to 0.01°, standing in
 *   for Android's LocationFudger (random offset, not reproduced).
 * Not reproduced: other mock providers than gps, location listeners and request statistics,
 * the app's own notification, and Location.toString's locale-dependent decimal comma.
 */
import { Builtin, result, ShellContext } from './builtin';

export const APPIUM_SETTINGS_PACKAGE = { name: 'io.appium.settings', uid: 10091, versionName: '5.12.4', versionCode: 53 };
const LOCATION_SERVICE = `${APPIUM_SETTINGS_PACKAGE.name}/.LocationService`;
const MOCK_LOCATION_OP = 'android:mock_location';
/** App ops that exist on every API level the virtual phone claims (a few of AppOpsManager's). */
const BASE_OPS = ['android:coarse_location', 'android:fine_location', 'android:gps', 'android:camera', 'android:record_audio', 'android:wake_lock'];

export interface MockFix {
  latitude: number;
  longitude: number;
  /** Milliseconds since boot (elapsed realtime, what `et=` shows). */
  elapsedMs: number;
}

export interface LocationState {
  fix: MockFix | null;
  /** app ops modes set by `appops set`: package -> op -> mode. */
  appOps: Map<string, Map<string, string>>;
  bootedAt: number;
}

export function newLocationState(): LocationState {
  return { fix: null, appOps: new Map(), bootedAt: Date.now() };
}

function sdkOf(ctx: ShellContext): number {
  return Number.parseInt(ctx.dev.props['ro.build.version.sdk'] ?? '21', 10);
}

function installed(ctx: ShellContext, pkg: string): boolean {
  return ctx.dev.packages().some((p) => p.name === pkg);
}

function mayMock(ctx: ShellContext, pkg: string): boolean {
  if (sdkOf(ctx) < 23) return ctx.dev.settings.secure.get('mock_location') === '1';
  return ctx.dev.location.appOps.get(pkg)?.get(MOCK_LOCATION_OP) === 'allow';
}

/** `appops set|get <package> <op> [<mode>]` (frameworks/base/cmds/appops, Android 5 wording). */
export const appops: Builtin = (argv, ctx) => {
  const [, verb, pkg, op, mode] = argv;
  const known = sdkOf(ctx) >= 23 ? [...BASE_OPS, MOCK_LOCATION_OP] : BASE_OPS;
  if ((verb !== 'set' && verb !== 'get') || !pkg || !op || (verb === 'set' && !mode)) {
    return result('', 'usage: appops set [--user <USER_ID>] <PACKAGE> <OP> <MODE>\n       appops get [--user <USER_ID>] <PACKAGE> [<OP>]\n', 1);
  }
  if (!known.includes(op)) return result('', `Error: Unknown operation string: ${op}\n`);
  if (!installed(ctx, pkg)) return result('', `Error: No UID for ${pkg} in user 0\n`);
  const ops = ctx.dev.location.appOps.get(pkg) ?? new Map<string, string>();
  if (verb === 'get') return result(`${op.replace(/^android:/, '').toUpperCase()}: ${ops.get(op) ?? 'default'}\n`);
  if (!['allow', 'ignore', 'deny', 'default'].includes(mode)) return result('', `Error: Mode ${mode} is not valid\n`);
  ops.set(op, mode);
  ctx.dev.location.appOps.set(pkg, ops);
  return result();
};

/** `am startservice` / `am start-foreground-service` -n <component> [--es key value]... */
export const amStartService: Builtin = (argv, ctx) => {
  const verb = argv[1];
  if (verb === 'start-foreground-service' && sdkOf(ctx) < 26) return result('', `Error: unknown command '${verb}'\n`);
  const extras = new Map<string, string>();
  let component = '';
  for (let i = 2; i < argv.length; i++) {
    if (argv[i] === '-n') component = argv[++i] ?? '';
    else if (argv[i] === '--es') {
      extras.set(argv[i + 1] ?? '', argv[i + 2] ?? '');
      i += 2;
    } else if (argv[i] === '--user') i++;
  }
  const head = `Starting service: Intent { cmp=${component}${extras.size ? ' (has extras)' : ''} }\n`;
  if (component !== LOCATION_SERVICE || !installed(ctx, APPIUM_SETTINGS_PACKAGE.name)) return result(head, 'Error: Not found; no service started.\n');
  const latitude = Number(extras.get('latitude'));
  const longitude = Number(extras.get('longitude'));
  // Appium's LocationService parses the extras and gives up quietly on a bad or unallowed fix.
  if (extras.has('latitude') && extras.has('longitude') && Number.isFinite(latitude) && Number.isFinite(longitude) && mayMock(ctx, APPIUM_SETTINGS_PACKAGE.name)) {
    ctx.dev.location.fix = { latitude, longitude, elapsedMs: Date.now() - ctx.dev.location.bootedAt };
  }
  return result(head);
};

/** TimeUtils.formatDuration: +1h2m3s456ms. */
function formatDuration(ms: number): string {
  const parts: string[] = [];
  const units: Array<[string, number]> = [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]];
  let rest = Math.max(0, Math.floor(ms));
  for (const [unit, size] of units) {
    if (rest >= size || parts.length) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return `+${parts.join('')}${rest}ms`;
}

function locationString(fix: MockFix, decimals = 6): string {
  const round = (v: number) => (decimals === 6 ? v : Math.round(v * 100) / 100).toFixed(6);
  return `Location[gps ${round(fix.latitude)},${round(fix.longitude)} acc=${decimals === 6 ? 1 : 2000} et=${formatDuration(fix.elapsedMs)} mock]`;
}

/** `dumpsys location`, Android 5.0 layout. */
export function dumpsysLocation(ctx: ShellContext): string {
  const dev = ctx.dev;
  const fix = dev.location.fix;
  const enabled = (dev.settings.secure.get('location_providers_allowed') ?? '').split(',').filter(Boolean);
  const lines = [
    'Current Location Manager state:',
    '  Location Listeners:',
    '  Active Records by Provider:',
    '  Historical Records by Provider:',
    '  Last Known Locations:',
    ...(fix ? [`    gps: ${locationString(fix)}`] : []),
    '  Last Known Locations Coarse Intervals:',
    ...(fix ? [`    gps: ${locationString(fix, 2)}`] : []),
    '  Geofences:',
    '  Enabled Providers:',
    ...['passive', ...enabled].map((p) => `    ${p}`),
    ...(fix ? ['  Mock Providers:', '      gps', '      mHasLocation=true', '      mLocation:', `        ${locationString(fix)}`, '      mHasStatus=false'] : []),
  ];
  return `${lines.join('\n')}\n`;
}
