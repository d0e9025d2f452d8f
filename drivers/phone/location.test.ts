import { allowMockLocationArgv, matchingFix, parseDumpsysLocation, providerPackage, setLocationArgv } from './location';

const ANDROID_5 = [
  'Current Location Manager state:',
  '  Location Listeners:',
  '  Active Records by Provider:',
  '  Historical Records by Provider:',
  '  Last Known Locations:',
  '    network: Location[network 48,856600,2,352200 acc=20 et=+1h2m3s4ms]',
  '    gps: Location[gps 52.520000,13.405000 acc=1 et=+2m3s456ms alt=0.0 mock {Bundle[mParcelledData.dataSize=52]}]',
  '  Last Known Locations Coarse Intervals:',
  '    gps: Location[gps 52.518210,13.401830 acc=2000 et=+2m3s456ms mock]',
  '  Geofences:',
  '  Enabled Providers:',
  '    gps',
  '  Mock Providers:',
  '      gps',
  '      mLocation:',
  '        Location[gps 52.520000,13.405000 acc=1 et=+2m3s456ms mock]',
].join('\n');

test('Android 5: the last known fixes, not the coarsened ones; comma decimals of a German locale', () => {
  expect(parseDumpsysLocation(ANDROID_5)).toEqual([
    { provider: 'network', latitude: 48.8566, longitude: 2.3522, mock: false },
    { provider: 'gps', latitude: 52.52, longitude: 13.405, mock: true },
  ]);
});

test('Android 11+: per-provider "last location=" lines', () => {
  const text = 'Location Manager State:\n  gps provider:\n    last location=Location[gps -33.868800,151.209300 hAcc=5.0 et=+5m mock]\n';
  expect(parseDumpsysLocation(text)).toEqual([{ provider: 'gps', latitude: -33.8688, longitude: 151.2093, mock: true }]);
});

test('a fix matches within the tolerance only', () => {
  const fixes = parseDumpsysLocation(ANDROID_5);
  expect(matchingFix(fixes, 52.52004, 13.40496)?.provider).toBe('gps');
  expect(matchingFix(fixes, 52.5203, 13.405)).toBeNull();
  expect(matchingFix([], 0, 0)).toBeNull();
});

test('mock permission by SDK level: the developer setting before Android 6, app ops after', () => {
  expect(allowMockLocationArgv(21, 'io.appium.settings')).toEqual(['settings', 'put', 'secure', 'mock_location', '1']);
  expect(allowMockLocationArgv(23, 'io.appium.settings')).toEqual(['appops', 'set', 'io.appium.settings', 'android:mock_location', 'allow']);
  expect(allowMockLocationArgv(30, null)).toBeNull();
});

test('Appium Settings: startservice before Android 8, start-foreground-service from 8; templates filled', () => {
  const appium = { provider: 'appium-settings' as const };
  expect(providerPackage(appium)).toBe('io.appium.settings');
  expect(setLocationArgv(appium, 21, 52.52, 13.405)).toEqual(['am', 'startservice', '-n', 'io.appium.settings/.LocationService', '--es', 'latitude', '52.520000', '--es', 'longitude', '13.405000']);
  expect(setLocationArgv(appium, 26, 1, 2)[1]).toBe('start-foreground-service');
  const custom = { command: "am broadcast -a my.mock.SET --ef lat ${latitude} --ef lon ${longitude} --es note 'a b'" };
  expect(providerPackage(custom)).toBeNull();
  expect(setLocationArgv(custom, 21, -1.5, 2)).toEqual(['am', 'broadcast', '-a', 'my.mock.SET', '--ef', 'lat', '-1.500000', '--ef', 'lon', '2.000000', '--es', 'note', 'a b']);
});
