import { defaultCountryShapes, defaultM49 } from '../config/geo-tables';
import { distanceKm, distanceToCountryKm, minimumRttMs, rttPlausible, smallestRtt } from './plausibility';

const shapes = defaultCountryShapes();

describe('RTT plausibility', () => {
  it('great-circle distances are right', () => {
    expect(distanceKm({ lat: 51.5074, lon: -0.1278 }, { lat: 48.8566, lon: 2.3522 })).toBeCloseTo(344, -1); // London-Paris
    expect(distanceKm({ lat: 42.3601, lon: -71.0589 }, { lat: 52.52, lon: 13.405 })).toBeCloseTo(6090, -2); // Boston-Berlin
    expect(distanceKm({ lat: -17.7, lon: 179.9 }, { lat: -17.7, lon: -179.9 })).toBeLessThan(25); // across the antimeridian
  });

  it('light in fibre: 200 km per ms, round trip', () => {
    expect(minimumRttMs(1000)).toBe(10);
    expect(smallestRtt([5, 3.2, 7])).toBe(3.2);
    expect(smallestRtt([])).toBeNull();
  });

  it('every M49 country has a reference area that contains the paper node city in it', () => {
    for (const c of defaultM49().allCountries()) expect(shapes.has(c.code)).toBe(true);
    const cities: [string, number, number][] = [
      ['US', 42.3601, -71.0589], ['CA', 43.6532, -79.3832], ['AR', -34.6037, -58.3816], ['BR', -23.5505, -46.6333],
      ['CN', 39.9042, 116.4074], ['HK', 22.3193, 114.1694], ['JP', 35.6762, 139.6503], ['KR', 37.5665, 126.978],
      ['SG', 1.3521, 103.8198], ['TH', 13.7563, 100.5018], ['IL', 31.7683, 35.2137], ['PL', 52.2297, 21.0122],
      ['CZ', 50.0755, 14.4378], ['HU', 47.4979, 19.0402], ['GB', 51.5074, -0.1278], ['SE', 59.3293, 18.0686],
      ['NO', 59.9139, 10.7522], ['FI', 60.1699, 24.9384], ['ES', 40.4168, -3.7038], ['IT', 41.9028, 12.4964],
      ['PT', 38.7223, -9.1393], ['GR', 37.9838, 23.7275], ['DE', 52.52, 13.405], ['FR', 48.8566, 2.3522],
      ['CH', 47.3769, 8.5417], ['NL', 52.3676, 4.9041], ['AU', -33.8688, 151.2093], ['NZ', -36.8485, 174.7633],
      ['US', 61.2181, -149.9003], ['US', 21.3069, -157.8583], ['RU', 43.1155, 131.8855], ['RU', 54.7104, 20.4522], ['ES', 28.1235, -15.4363],
    ];
    for (const [code, lat, lon] of cities) expect([code, distanceToCountryKm({ lat, lon }, code, shapes)]).toEqual([code, 0]);
  });

  it('flags only what physics rules out', () => {
    const london = { lat: 51.5074, lon: -0.1278 };
    expect(rttPlausible(london, [1.0], 'US', shapes)).toBe(false); // >= ~50 ms needed
    expect(rttPlausible(london, [70], 'US', shapes)).toBe(true);
    expect(rttPlausible(london, [0.3], 'GB', shapes)).toBe(true); // inside
    // The NL disc's edge is ~60-80 km from London: about 0.7 ms at least.
    expect(rttPlausible(london, [1.0], 'NL', shapes)).toBe(true);
    expect(rttPlausible(london, [0.3], 'NL', shapes)).toBe(false);
    expect(rttPlausible(london, [0.3], 'ZZ', shapes)).toBeNull(); // no reference area
    expect(rttPlausible(london, [0.3], 'XK', shapes)).toBe(false); // Kosovo has one (m49.yaml places it)
    expect(rttPlausible(null, [0.3], 'US', shapes)).toBeNull();
  });
});
