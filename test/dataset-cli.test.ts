/**
 * `matador dataset schema` and `matador dataset export` (jsonl and csv) end to end through
 * bin/matador (built dist/), against a real SQLite results store holding golden datasets: what
 * the CLI exports validates against the schema it publishes, and so does `report --campaign`.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ResultsStore } from '../store';
import { parseMeasurementLines } from '../lib/report';
import { measurementRecordSchema } from '../lib/record/schema';
import { reportSchema } from '../lib/report/schema';
import { HOP_COLUMNS, MEASUREMENT_COLUMNS } from '../lib/record/csv';
import type { MeasurementRecord } from '../lib/types';
import { invalidOf, schemaValidators } from './support/dataset-schema';
import { matadorSync } from './support/matador-cli';

const FIXTURES = path.join(__dirname, 'fixtures');
let dir: string;
let storeFile: string;
let stored: MeasurementRecord[];

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'matador-dataset-cli-'));
  storeFile = path.join(dir, 'results.sqlite');
  const store = new ResultsStore({ file: storeFile });
  try {
    // campaign "golden": the brexit and mda-branches datasets (ids distinct); campaign "e2e": the
    // record builder's golden of an ok measurement (attempts, messages, flows, geolocation...).
    stored = ['brexit-five-eyes', 'mda-branches'].flatMap((d) => {
      const file = path.join(FIXTURES, 'report', d, 'input.jsonl');
      return parseMeasurementLines(fs.readFileSync(file, 'utf8'), file).records;
    });
    for (const r of stored) store.putAttempt(1, r);
    store.putAttempt(1, JSON.parse(fs.readFileSync(path.join(FIXTURES, 'record', 'ok-measurement-collects-artefacts-messages-and-timings', 'expected.json'), 'utf8')) as MeasurementRecord);
  } finally {
    store.close();
  }
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('matador dataset', () => {
  it('schema prints the measurement schema, --report the report schema, --out writes a file', () => {
    const record = matadorSync('dataset', 'schema');
    expect([record.status, record.stderr]).toEqual([0, '']);
    expect(JSON.parse(record.stdout)).toEqual(measurementRecordSchema());
    const out = path.join(dir, 'schemas', 'report.schema.json');
    const report = matadorSync('dataset', 'schema', '--report', '--out', out);
    expect([report.status, report.stderr, report.stdout]).toEqual([0, '', `schema -> ${out}\n`]);
    expect(JSON.parse(fs.readFileSync(out, 'utf8'))).toEqual(reportSchema());
  });

  it('export (jsonl) and report --campaign validate against the published schemas', () => {
    const v = schemaValidators();
    for (const campaign of ['golden', 'e2e']) {
      const out = path.join(dir, `${campaign}.jsonl`);
      const r = matadorSync('dataset', 'export', '--campaign', campaign, '--out', out, '--store', storeFile);
      expect([r.status, r.stderr]).toEqual([0, '']);
      const lines = fs.readFileSync(out, 'utf8').trim().split('\n');
      expect(lines).toHaveLength(campaign === 'golden' ? stored.length : 1);
      expect(invalidOf(v.record, lines.map((l, i) => ({ label: `${out}:${i + 1}`, value: JSON.parse(l) as unknown })))).toEqual([]);
      const report = matadorSync('report', '--campaign', campaign, '--store', storeFile);
      expect(report.status).toBe(0);
      expect(invalidOf(v.report, [{ label: `report ${campaign}`, value: JSON.parse(report.stdout) as unknown }])).toEqual([]);
    }
  });

  it('export --format csv writes the hops table and the measurements table beside it', () => {
    const out = path.join(dir, 'csv', 'golden-hops.csv');
    const r = matadorSync('dataset', 'export', '--campaign', 'golden', '--format', 'csv', '--out', out, '--store', storeFile);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const measurementsFile = path.join(dir, 'csv', 'golden-hops.measurements.csv');
    const hops = fs.readFileSync(out, 'utf8').trimEnd().split('\n');
    const measurements = fs.readFileSync(measurementsFile, 'utf8').trimEnd().split('\n');
    expect(hops[0]).toBe(HOP_COLUMNS.map((c) => c.header).join(','));
    expect(measurements[0]).toBe(MEASUREMENT_COLUMNS.map((c) => c.header).join(','));
    expect(measurements).toHaveLength(stored.length + 1);
    const expectedHops = stored.flatMap((rec) => [...rec.networkPath.traces, ...rec.applicationPath.traces]).reduce((n, t) => n + t.hops.reduce((m, h) => m + 1 + (h.otherInterfaces ?? h.otherIps ?? []).length, 0), 0);
    expect(hops).toHaveLength(expectedHops + 1);
    expect(r.stdout).toBe(`${expectedHops} hop rows -> ${out}\n${stored.length} measurements -> ${measurementsFile}\n`);
    expect(fs.readdirSync(path.join(dir, 'csv')).sort()).toEqual(['golden-hops.csv', 'golden-hops.measurements.csv']);
  });

  it('refuses an unknown format or campaign with one line, writing nothing', () => {
    const out = path.join(dir, 'refused.csv');
    const format = matadorSync('dataset', 'export', '--campaign', 'golden', '--format', 'xlsx', '--out', out, '--store', storeFile);
    expect(format.status).not.toBe(0);
    expect(format.stderr.trim().split('\n')).toEqual([expect.stringContaining('--format must be jsonl or csv, got "xlsx"')]);
    const campaign = matadorSync('dataset', 'export', '--campaign', 'nope', '--format', 'csv', '--out', out, '--store', storeFile);
    expect(campaign.stderr.trim().split('\n')).toEqual([expect.stringContaining('campaign "nope" has no records')]);
    expect(fs.existsSync(out)).toBe(false);
  });
});
