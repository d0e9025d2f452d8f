/**
 * Mock locations as labs set them on real Android (pure code; PhoneDriver runs the commands):
 * - the provider app may mock locations: Android < 6 has one developer setting for all apps
 *   (`settings put secure mock_location 1`); Android 6+ asks app ops per package
 *   (`appops set <pkg> android:mock_location allow`) — what Appium's setMockLocationApp does;
 * - the provider is driven over adb: the Appium Settings app's LocationService
 *   (`am startservice`, on Android 8+ `am start-foreground-service`, with string extras
 *   latitude/longitude), or a testbed's command template (lib/config/location-provider.ts);
 * - the fix is read back from `dumpsys location`, "Last Known Locations:" (Android 5-10:
 *   `    gps: Location[gps 52.520000,13.405000 acc=1 et=+1m2s mock]`; Android 11+ prints
 *   `last location=Location[gps 52.520000,13.405000 hAcc=1 ...]` per provider).
 *   Location.toString formats with the default locale before Android 12, so a German phone
 *   prints `52,520000,13,405000`: six decimals tell the two numbers apart.
 */
import { fillCommandTemplate, splitCommandTemplate, type LocationProviderConfig } from '../../lib/config/location-provider';

export const APPIUM_SETTINGS = 'io.appium.settings';
export const APPIUM_LOCATION_SERVICE = `${APPIUM_SETTINGS}/.LocationService`;
/** How far (degrees) a read-back fix may lie from the one set: ~11 m, far below a node's city. */
export const LOCATION_TOLERANCE_DEG = 1e-4;

/** The package that provides mock locations, or null when the config names none. */
export function providerPackage(config: LocationProviderConfig): string | null {
  return 'provider' in config ? APPIUM_SETTINGS : config.package ?? null;
}

/** The device command that lets `pkg` mock locations, by SDK level; null when none applies. */
export function allowMockLocationArgv(sdk: number, pkg: string | null): string[] | null {
  if (sdk < 23) return ['settings', 'put', 'secure', 'mock_location', '1'];
  return pkg ? ['appops', 'set', pkg, 'android:mock_location', 'allow'] : null;
}

/** The device command that sets the fix (its words; the caller quotes each). */
export function setLocationArgv(config: LocationProviderConfig, sdk: number, latitude: number, longitude: number): string[] {
  if ('provider' in config) {
    const verb = sdk >= 26 ? 'start-foreground-service' : 'startservice';
    return ['am', verb, '-n', APPIUM_LOCATION_SERVICE, '--es', 'latitude', latitude.toFixed(6), '--es', 'longitude', longitude.toFixed(6)];
  }
  const split = splitCommandTemplate(config.command);
  // The config loader refused bad templates; a hand-built config reaching here is a bug.
  if ('error' in split) throw new Error(`location command template: ${split.error}`);
  return fillCommandTemplate(split.argv, { latitude, longitude });
}

export interface LocationFix {
  provider: string;
  latitude: number;
  longitude: number;
  mock: boolean;
}

const NUMBER = String.raw`(-?\d+[.,]\d{6})`;
const LOCATION = new RegExp(String.raw`Location\[(\S+) ${NUMBER},${NUMBER}([^\]]*)\]`);

function fixOf(text: string): LocationFix | null {
  const m = LOCATION.exec(text);
  if (!m) return null;
  const num = (s: string) => Number(s.replace(',', '.'));
  return { provider: m[1], latitude: num(m[2]), longitude: num(m[3]), mock: /\bmock\b/.test(m[4]) };
}

/** The last known (not coarsened) fixes `dumpsys location` reports, per provider. */
export function parseDumpsysLocation(text: string): LocationFix[] {
  const fixes: LocationFix[] = [];
  let inLastKnown = false;
  for (const line of text.split('\n')) {
    if (/^ {2}\S/.test(line)) inLastKnown = line.trim() === 'Last Known Locations:';
    if (inLastKnown && /^ {4}\S+: Location\[/.test(line)) {
      const fix = fixOf(line);
      if (fix) fixes.push(fix);
    } else if (/last location=Location\[/.test(line)) {
      const fix = fixOf(line);
      if (fix) fixes.push(fix);
    }
  }
  return fixes;
}

/** The first fix within the tolerance of the wanted one, or null. */
export function matchingFix(fixes: readonly LocationFix[], latitude: number, longitude: number, tolerance = LOCATION_TOLERANCE_DEG): LocationFix | null {
  return fixes.find((f) => Math.abs(f.latitude - latitude) <= tolerance && Math.abs(f.longitude - longitude) <= tolerance) ?? null;
}
