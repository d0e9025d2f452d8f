/**
 * Mock locations on a newer Android than the Moto E: a virtual phone with API level 26
 * (Android 8.0) — where app ops, not the developer setting, let the provider mock, and the
 * Appium Settings LocationService is started with `am start-foreground-service` — driven
 * through the real adb server.
 */
import { PhoneDriver } from '../../drivers/phone';
import type { VirtualPhone } from '../../testbed/phone';
import { startLonePhone } from './mini-world';

let phone: VirtualPhone;
let driver: PhoneDriver;
let stop: () => Promise<void> = async () => undefined;

beforeAll(async () => {
  const lone = await startLonePhone('mtph-loc-pa', { name: 'mtph-loc', adbPort: 5775, apps: [], props: { 'ro.build.version.sdk': '26', 'ro.build.version.release': '8.0.0' } });
  ({ phone, driver, stop } = lone);
}, 60_000);

afterAll(() => stop());

test('Android 8: app ops allow io.appium.settings, start-foreground-service sets the fix', async () => {
  expect(await driver.sdkLevel()).toEqual({ ok: true, sdk: 26 });
  expect(await driver.adb.shell('appops get io.appium.settings android:mock_location')).toMatchObject({ ok: true, stdout: 'MOCK_LOCATION: default\n' });
  // Without the app op the service runs but cannot mock: nothing changes.
  expect(await driver.adb.shell('am start-foreground-service -n io.appium.settings/.LocationService --es latitude 1.5 --es longitude 2.5')).toMatchObject({ ok: true, exitCode: 0 });
  const before = await driver.adb.shell('dumpsys location');
  expect(before.ok && before.stdout).toContain('Last Known Locations:');
  expect(before.ok && before.stdout).not.toContain('Location[gps 1.500000');
  expect(await driver.setLocation(41.0082, 28.9784)).toMatchObject({ ok: true, method: 'io.appium.settings 5.12.4: am start-foreground-service' });
  expect(await driver.adb.shell('appops get io.appium.settings android:mock_location')).toMatchObject({ ok: true, stdout: 'MOCK_LOCATION: allow\n' });
  expect(await driver.adb.shell('settings get secure mock_location')).toMatchObject({ ok: true, stdout: '0\n' });
});

test('Android 8: a command provider without a package cannot be given the app op: said before anything runs', async () => {
  const custom = new PhoneDriver({ serial: phone.serial, timeoutMs: 15_000, location: { command: 'am broadcast -a my.mock.SET --ef lat ${latitude} --ef lon ${longitude}' } });
  const r = await custom.setLocation(1, 2);
  expect(r).toMatchObject({ ok: false, failure: 'invalid_argument', operation: 'set location' });
  expect(!r.ok && r.detail).toContain(`${phone.serial} runs Android API 26`);
  expect(!r.ok && r.detail).toContain('phones.<side>.location.package');
});
