/**
 * One results database: with MATADOR_RESULTS_DB set, the worker's activities (persistRecord of
 * `defaultActivities`), `matador report --campaign` and `matador dataset export` (no --store)
 * all use that file, and none of them falls back to `<data folder>/results.sqlite`.
 * The activity is called directly (no Temporal server); the CLI runs as a user would run it.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Report } from '../lib/report';
import type { MeasurementRecord } from '../lib/types';
import { defaultStoreFile, ResultsStore } from '../store';
import { defaultActivities } from '../workers/activities';
import { matador } from './support/matador-cli';

const saved = { db: process.env.MATADOR_RESULTS_DB, data: process.env.MATADOR_DATA_DIR };
let tmp: string;
let dbFile: string;
let dataDir: string;

function restore(name: 'MATADOR_RESULTS_DB' | 'MATADOR_DATA_DIR', value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'matador-results-db-'));
  dbFile = path.join(tmp, 'elsewhere', 'shared-results.sqlite');
  dataDir = path.join(tmp, 'data');
  // The data folder's own default must stay unused: the variable wins everywhere.
  process.env.MATADOR_DATA_DIR = dataDir;
  process.env.MATADOR_RESULTS_DB = dbFile;
});

afterAll(() => {
  restore('MATADOR_RESULTS_DB', saved.db);
  restore('MATADOR_DATA_DIR', saved.data);
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** A record of the report's golden scenarios (campaign "golden", app "signal", GB -> FR). */
const record = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', 'report', 'brexit-five-eyes', 'input.jsonl'), 'utf8').split('\n')[0]) as MeasurementRecord;

describe('MATADOR_RESULTS_DB', () => {
  it('is the default store file', () => {
    expect(defaultStoreFile()).toBe(dbFile);
  });

  it('the worker persists there, report --campaign and dataset export read it', async () => {
    const { activities, close } = defaultActivities();
    try {
      // stored there; the interest groups each path reaches come back for the workflow's details
      const persisted = await activities.persistRecord({ record });
      expect(persisted).toMatchObject({ stored: `${record.measurementId}#1` });
      expect(persisted.access?.find((a) => a.group === 'Five Eyes')).toEqual({ group: 'Five Eyes', application: true, network: true });
    } finally {
      close();
    }
    expect(fs.existsSync(dbFile)).toBe(true);
    expect(fs.existsSync(path.join(dataDir, 'results.sqlite'))).toBe(false);
    const store = new ResultsStore({ file: dbFile, readonly: true });
    try {
      expect(store.campaigns()).toEqual([{ campaign: record.campaign, measurements: 1, ok: 1, failed: 0 }]);
    } finally {
      store.close();
    }

    const report = await matador(['report', '--campaign', record.campaign, '--format', 'json'], { env: process.env });
    expect(report.stderr).toBe('');
    expect(report.code).toBe(0);
    const europe = (JSON.parse(report.stdout) as Report).areas.find((a) => a.area === 'Europe');
    expect(europe?.apps[record.app]?.measurements).toBe(1);

    const out = path.join(tmp, 'export.jsonl');
    const exported = await matador(['dataset', 'export', '--campaign', record.campaign, '--out', out], { env: process.env });
    expect(exported.stderr).toBe('');
    expect(exported.code).toBe(0);
    expect(fs.readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as MeasurementRecord)).toEqual([record]);
    expect(fs.existsSync(path.join(dataDir, 'results.sqlite'))).toBe(false);
  });
});
