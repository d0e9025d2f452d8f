/**
 * Setting a phone's mock location over adb, as labs do (the commands and the read-back parsing
 * are in location.ts): the provider app checked installed, allowed to mock (developer setting
 * before Android 6, app ops after), the GPS provider on, the fix sent to the provider, then read
 * back from `dumpsys location` until it shows (providers set it asynchronously) or readBackMs
 * passes. PhoneDriver hands in its device calls.
 */
import { shellCommand } from '../shell-quote';
import type { LocationProviderConfig } from '../../lib/config/location-provider';
import type { ShellOutput } from './adb-device';
import { PhoneResult, phoneFail } from './failures';
import { APPIUM_SETTINGS, LOCATION_TOLERANCE_DEG, allowMockLocationArgv, matchingFix, parseDumpsysLocation, providerPackage, setLocationArgv } from './location';

export const DEFAULT_LOCATION_PROVIDER: LocationProviderConfig = { provider: 'appium-settings' };

/** What the location steps need of the phone driver. */
export interface MockLocationDevice {
  serial: string;
  /** A command that must succeed (exit 0, no "Error"). */
  run(command: string, operation: string): Promise<PhoneResult<ShellOutput>>;
  appVersion(pkg: string): Promise<PhoneResult<{ versionName: string }>>;
  sdkLevel(): Promise<PhoneResult<{ sdk: number }>>;
}

export async function checkLocationProvider(dev: MockLocationDevice, config: LocationProviderConfig): Promise<PhoneResult<{ provider: string; version?: string }>> {
  const pkg = providerPackage(config);
  if (pkg === null) return { ok: true, provider: `command: ${(config as { command: string }).command}` };
  const v = await dev.appVersion(pkg);
  if (v.ok) return { ok: true, provider: pkg, version: v.versionName };
  if (v.failure !== 'app_not_installed') return v;
  const what = pkg === APPIUM_SETTINGS
    ? `install the Appium Settings app (${APPIUM_SETTINGS}: \`adb -s ${dev.serial} install settings_apk-debug.apk\`, the APK of the npm package io.appium.settings)`
    : `install the provider app ${pkg}`;
  return phoneFail('location_provider_missing', 'check location provider', `${pkg} is not installed on ${dev.serial}: ${what}, or name another provider in the testbeds config (phones.<side>.location)`);
}

export async function setMockLocation(dev: MockLocationDevice, config: LocationProviderConfig, latitude: number, longitude: number, readBackMs = 5000): Promise<PhoneResult<{ method: string }>> {
  if (!Number.isFinite(latitude) || !Number.isFinite(longitude) || Math.abs(latitude) > 90 || Math.abs(longitude) > 180) {
    return phoneFail('invalid_argument', 'set location', `latitude ${latitude}, longitude ${longitude} out of range`);
  }
  const provider = await checkLocationProvider(dev, config);
  if (!provider.ok) return provider;
  const level = await dev.sdkLevel();
  if (!level.ok) return level;
  const allow = allowMockLocationArgv(level.sdk, providerPackage(config));
  if (!allow) return phoneFail('invalid_argument', 'set location', `${dev.serial} runs Android API ${level.sdk}, where app ops allow mock locations per package: name the provider's package in the testbeds config (phones.<side>.location.package)`);
  const argv = setLocationArgv(config, level.sdk, latitude, longitude);
  // Android < 9 keeps the enabled providers in this setting ("+gps" adds one).
  const steps = [...(level.sdk < 28 ? [['settings', 'put', 'secure', 'location_providers_allowed', '+gps']] : []), allow, argv];
  for (const step of steps) {
    const r = await dev.run(shellCommand(step), `set location: ${step.slice(0, 2).join(' ')}`);
    if (!r.ok) return r;
  }
  const deadline = Date.now() + readBackMs;
  for (;;) {
    const dump = await dev.run('dumpsys location', 'location check');
    if (!dump.ok) return dump;
    const fixes = parseDumpsysLocation(dump.stdout);
    if (matchingFix(fixes, latitude, longitude)) return { ok: true, method: `${provider.provider}${provider.version ? ` ${provider.version}` : ''}: ${argv.slice(0, 2).join(' ')}` };
    if (Date.now() >= deadline) {
      const seen = fixes.map((f) => `${f.provider} ${f.latitude.toFixed(6)},${f.longitude.toFixed(6)}${f.mock ? ' mock' : ''}`).join('; ') || 'no last known location';
      const who = providerPackage(config) ?? 'the provider app of the location command';
      return phoneFail(
        'shell_error',
        'location check',
        `dumpsys location on ${dev.serial} shows ${seen} ${readBackMs} ms after \`${argv.join(' ')}\`, wanted ${latitude.toFixed(6)},${longitude.toFixed(6)} (±${LOCATION_TOLERANCE_DEG}°): does ${who} run, and may it mock locations (Developer options > mock location app)?`,
      );
    }
    await new Promise((res) => setTimeout(res, 250));
  }
}
