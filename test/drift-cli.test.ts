/**
 * `matador drift list` and `report --compare --fail-on-change` through bin/matador: a results
 * store with two scheduled runs of `weekly` (test/fixtures/drift), compared by the real drift
 * activity (as a campaign run's end does), then listed as text and JSON.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { driftActivities } from '../activities/drift';
import { parseMeasurementLines } from '../lib/report/parse';
import { ResultsStore, storeRecord } from '../store/results-store';
import { matadorSync } from './support/matador-cli';

const FIXTURES = path.join(__dirname, 'fixtures', 'drift');
const A = path.join(FIXTURES, 'run-a.jsonl');
const B = path.join(FIXTURES, 'run-b.jsonl');
let dir: string;
let storeFile: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'matador-drift-cli-'));
  storeFile = path.join(dir, 'results.sqlite');
  const store = new ResultsStore({ file: storeFile });
  for (const file of [A, B]) for (const r of parseMeasurementLines(fs.readFileSync(file, 'utf8'), file).records) storeRecord(store, r);
  await driftActivities({ store: () => store, webhookOf: () => null }).detectDrift({ config: 'weekly.yaml', campaign: 'weekly-2026-12-04', configCampaign: 'weekly', startedAt: '2026-12-04T06:00:00Z' });
  store.close();
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

it('report --compare --fail-on-change exits 3 when the runs differ, 0 when they do not', () => {
  const changed = matadorSync('report', '--compare', A, B, '--fail-on-change');
  expect({ status: changed.status, stderr: changed.stderr }).toEqual({ status: 3, stderr: '' });
  expect(changed.stdout).toContain('threema: service moved CH -> DE');
  const same = matadorSync('report', '--compare', 'weekly-2026-11-27', A, '--store', storeFile, '--format', 'json', '--fail-on-change');
  expect(same.status).toBe(0);
  expect(JSON.parse(same.stdout).identical).toBe(true);
  expect(matadorSync('report', '--input', A, '--fail-on-change')).toMatchObject({ status: 1, stderr: 'matador: --fail-on-change applies to --compare only\n' });
});

it('drift list shows the stored alerts, as text and as JSON', () => {
  const text = matadorSync('drift', 'list', 'weekly', '--store', storeFile);
  expect(text.status).toBe(0);
  expect(text.stdout.split('\n').slice(0, 3)).toEqual([
    expect.stringMatching(/^weekly: weekly-2026-11-27 -> weekly-2026-12-04 \(checked .*\): 4 alerts$/),
    '  service_moved        threema: service endpoints moved: CH -> DE',
    '  group_gained_access  network path in Europe (region): Five Eyes gained access (1 node pair: es-mad/pl-waw)',
  ]);
  const json = JSON.parse(matadorSync('drift', 'list', '--json', '--store', storeFile).stdout);
  expect(json.checks).toHaveLength(1);
  expect(json.checks[0].alerts.map((a: { kind: string }) => a.kind)).toEqual(['service_moved', 'group_gained_access', 'path_left_area', 'group_gained_access']);
  expect(matadorSync('drift', 'list', 'other', '--store', storeFile).stdout).toBe('no drift checks of other yet (a campaign run is compared with the previous one when it completes)\n');
});
