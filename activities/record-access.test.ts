/** persistRecord's `access`: the record's own interest-groups table, or the shipped one; never fails the step. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { MeasurementRecord } from '../lib/measurement/payloads';
import { recordAccess } from './record-access';

const FIXTURES = path.join(__dirname, '..', 'test', 'fixtures', 'record');
const ok = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'ok-measurement-collects-artefacts-messages-and-timings', 'expected.json'), 'utf8')) as MeasurementRecord;
const failed = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'failed-measurement-keeps-attempts-and-testbed-kind-only', 'expected.json'), 'utf8')) as MeasurementRecord;
const withTable = (file: string | null): MeasurementRecord => ({ ...ok, geolocation: { ...(ok.geolocation as object), tables: { m49: null, interestGroups: file } } });

let dir = '';
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'matador-access-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('recordAccess', () => {
  it('uses the shipped groups when the record names no table (SG -> US -> PL network path, no application trace)', () => {
    expect(recordAccess(withTable(null), () => undefined)).toEqual([
      { group: 'Five Eyes', application: false, network: true },
      { group: 'European Union', application: true, network: true },
      { group: 'Arab League', application: false, network: false },
      { group: 'Russia', application: false, network: false },
      { group: 'China', application: false, network: false },
    ]);
  });

  it("uses the campaign's own table the record names, and reads it again when it changes", () => {
    const file = path.join(dir, 'groups.yaml');
    fs.writeFileSync(file, 'schema: matador.interest-groups/v1\ngroups:\n  - name: Transit US\n    members:\n      US: [{ from: 2000-01-01 }]\n');
    expect(recordAccess(withTable(file), () => undefined)).toEqual([{ group: 'Transit US', application: false, network: true }]);
    fs.writeFileSync(file, 'schema: matador.interest-groups/v1\ngroups:\n  - name: Singapore\n    members:\n      SG: [{ from: 2000-01-01 }]\n');
    const later = new Date(Date.now() + 5000);
    fs.utimesSync(file, later, later);
    expect(recordAccess(withTable(file), () => undefined)).toEqual([{ group: 'Singapore', application: true, network: true }]);
  });

  it('leaves the access out, with one log line, when the table cannot be read; and for a failed record', () => {
    const lines: string[] = [];
    const missing = path.join(dir, 'gone.yaml');
    expect(recordAccess(withTable(missing), (l) => lines.push(l))).toBeUndefined();
    expect(lines).toEqual([expect.stringMatching(/^persistRecord e2e\/threema\/sg-sin\/pl-waw: interest groups left out of the workflow details: cannot read interest groups file .*gone\.yaml: ENOENT$/)]);
    const bad = path.join(dir, 'bad.yaml');
    fs.writeFileSync(bad, 'schema: nope\n');
    expect(recordAccess(withTable(bad), (l) => lines.push(l))).toBeUndefined();
    expect(lines[1]).toContain('bad.yaml: schema must be matador.interest-groups/v1');
    expect(recordAccess(failed, (l) => lines.push(l))).toBeUndefined();
    expect(lines).toHaveLength(2);
  });
});
