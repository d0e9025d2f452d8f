/** Campaign `geo.asn` / `geo.registrationCountry`: resolved, checked and parsed at load. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadCampaign } from './load';
import { ConfigError } from './errors';
import { projectRoot } from '../project-paths';

const fixtures = path.join(projectRoot, 'test/fixtures/config');
let dir: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'matador-as-config-'));
  for (const f of ['nodes-minimal.yaml', 'app-minimal.yaml', 'testbeds-minimal.yaml']) fs.copyFileSync(path.join(fixtures, f), path.join(dir, f));
  fs.writeFileSync(path.join(dir, 'lab-asn.csv'), '198.51.100.0,198.51.100.255,64500,"Lab, AS"\n');
  fs.writeFileSync(path.join(dir, 'bad-reg.csv'), '1.0.0.0,1.0.0.255,AU\n1.0.1.0,1.0.3.255,China\n');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function campaign(geo: string): string {
  const file = path.join(dir, 'c.yaml');
  fs.writeFileSync(file, `schema: matador.campaign/v1\nid: as\nnodes: {file: nodes-minimal.yaml}\napps: [app-minimal.yaml]\ntestbeds: {file: testbeds-minimal.yaml, select: [tb1]}\ngeo:\n${geo}`);
  return file;
}

const errorOf = (f: () => unknown): ConfigError => {
  try {
    f();
  } catch (err) {
    return err as ConfigError;
  }
  throw new Error('no error');
};

describe('campaign geo.asn / geo.registrationCountry', () => {
  it('keeps the ordered sources, csv paths absolute', () => {
    const loaded = loadCampaign(campaign('  asn: [{csv: lab-asn.csv, date: "2026-05-01", attribution: our lab}, {package: "@ip-location-db/asn"}]\n  registrationCountry: [{package: "@ip-location-db/asn-country"}]\n'), { cwd: dir });
    expect(loaded.geo.asn).toEqual([{ csv: path.join(dir, 'lab-asn.csv'), date: '2026-05-01', attribution: 'our lab' }, { package: '@ip-location-db/asn' }]);
    expect(loaded.geo.registrationCountry).toEqual([{ package: '@ip-location-db/asn-country' }]);
  });

  it.each([
    ['  asn: [{csv: missing.csv}]\n', 'c.yaml: geo.asn[0].csv: file not found'],
    ['  registrationCountry: [{csv: bad-reg.csv}]\n', 'c.yaml: geo.registrationCountry[0].csv: bad-reg.csv: line 2: country must be an ISO 3166-1 alpha-2 code, got "China"'],
    ['  registrationCountry: [{csv: lab-asn.csv}]\n', 'c.yaml: geo.registrationCountry[0].csv: lab-asn.csv: line 1: expected 3 fields'],
    ['  asn: [{package: no-such-package-xyz}]\n', 'c.yaml: geo.asn[0].package: package no-such-package-xyz is not installed'],
    ['  asn: [{package: "@ip-location-db/asn", csv: lab-asn.csv}]\n', 'c.yaml: geo.asn[0]: expected { package: NAME } or { csv: FILE } (one of them)'],
    ['  asn: [{package: "@ip-location-db/asn", date: "2026-01-01"}]\n', 'c.yaml: geo.asn[0].date: expected date and attribution only with csv'],
    ['  asn: [{csv: lab-asn.csv, date: yesterday}]\n', 'c.yaml: geo.asn[0].date: expected the data\'s build date, YYYY-MM-DD'],
    ['  asn: []\n', 'c.yaml: geo.asn: expected a list of IP-to-ASN sources'],
  ])('refuses %s at load', (geo, message) => {
    const err = errorOf(() => loadCampaign(campaign(geo), { cwd: dir }));
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message.startsWith(message)).toBe(true);
    expect(err.message).not.toContain('\n');
  });
});
