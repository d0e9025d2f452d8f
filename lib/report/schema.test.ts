/**
 * The published `matador.report/v1` schema against real reports: every report golden, the
 * reports built from every golden dataset and from the 1,624-record paper dataset, and a report
 * with every extension (provenance, attributions, the AS registration column, path anomalies)
 * built from the record builder's goldens with AS data. Broken reports are refused with a path.
 */
import * as fs from 'fs';
import * as path from 'path';
import { generatePaperDataset } from '../../bench/report/generate';
import { defaultInterestGroups, defaultM49 } from '../config/geo-tables';
import type { Hop, MeasurementRecord } from '../types';
import { errorLines, invalidOf, schemaValidators } from '../../test/support/dataset-schema';
import { buildReport, REPORT_SCHEMA } from './build';
import { parseMeasurementLines } from './parse';
import { reportSchema } from './schema';

const FIXTURES = path.join(__dirname, '..', '..', 'test', 'fixtures');
const tables = { groups: defaultInterestGroups(), m49: defaultM49() };
const v = schemaValidators();
const scenarios = fs.readdirSync(path.join(FIXTURES, 'report')).filter((d) => fs.existsSync(path.join(FIXTURES, 'report', d, 'expected.json')));

function recordGoldens(): MeasurementRecord[] {
  const dir = path.join(FIXTURES, 'record');
  return fs.readdirSync(dir).map((d) => JSON.parse(fs.readFileSync(path.join(dir, d, 'expected.json'), 'utf8')) as MeasurementRecord);
}

describe('matador.report/v1 schema', () => {
  it('is a draft 2020-12 document; the contract fields are required', () => {
    const schema = reportSchema();
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.title).toBe(REPORT_SCHEMA);
    expect(schema.required).toEqual(['schema', 'areas']);
  });

  it('accepts every report golden (test/fixtures/report/*/expected.json)', () => {
    expect(scenarios.length).toBeGreaterThanOrEqual(4);
    const goldens = scenarios.map((d) => ({ label: d, value: JSON.parse(fs.readFileSync(path.join(FIXTURES, 'report', d, 'expected.json'), 'utf8')) as unknown }));
    expect(invalidOf(v.report, goldens)).toEqual([]);
  });

  it('accepts the report of every golden dataset and of the 1,624-record paper dataset', () => {
    const inputs = fs
      .readdirSync(path.join(FIXTURES, 'report', 'compare'))
      .flatMap((d) => ['a-run.jsonl', 'b-run.jsonl'].map((f) => path.join(FIXTURES, 'report', 'compare', d, f)))
      .concat(scenarios.map((d) => path.join(FIXTURES, 'report', d, 'input.jsonl')));
    const reports = inputs.map((file) => ({ label: file, value: buildReport(parseMeasurementLines(fs.readFileSync(file, 'utf8'), file).records, tables) as unknown }));
    reports.push({ label: 'paper dataset', value: buildReport(generatePaperDataset(), tables) });
    expect(invalidOf(v.report, reports)).toEqual([]);
  });

  it('accepts a report with every extension: provenance, attributions, AS registration column, anomalies', () => {
    // both nodes in Singapore, so the measurements belong to Asia and its subregions
    const withAs = recordGoldens().map((r) => ({
      ...r,
      nodeB: { id: 'sg-sin-2', country: 'SG' },
      networkPath: {
        traces: r.networkPath.traces.map((t) => ({ ...t, hops: t.hops.map((h): Hop => (h.ip ? { ...h, as: { asn: 64500, name: 'EXAMPLE-AS', registrationCountry: 'US', source: 'corrections', databaseDate: null } } : h)) })),
      },
      geolocation: { ...(r.geolocation as object), attributions: ['This product includes GeoLite2 data created by MaxMind'] },
    }));
    const report = buildReport(withAs, tables);
    expect(report.provenance?.label).not.toBeNull();
    expect(report.attributions).toHaveLength(1);
    expect(report.areas.length).toBeGreaterThan(0);
    expect(report.areas.every((a) => a.network.accessibleWithRegistration && a.network.boomerangs !== undefined)).toBe(true);
    expect(errorLines(v.report(report) ? [] : v.report.errors)).toEqual([]);
  });

  it.each<[string, (r: Record<string, unknown>) => void, string]>([
    ['without areas', (r) => delete r.areas, "/ must have required property 'areas'"],
    ['with an unknown area level', (r) => ((r.areas as { level: string }[])[0].level = 'continent'), '/areas/0/level must be equal to one of the allowed values'],
    ['with a count as text', (r) => ((r.areas as { network: { leftArea: unknown } }[])[0].network.leftArea = '3'), '/areas/0/network/leftArea must be integer'],
    ['with another schema', (r) => (r.schema = 'matador.report/v2'), '/schema must be equal to constant'],
  ])('refuses a report %s, naming where', (_what, mutate, error) => {
    const report = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'report', scenarios[0], 'expected.json'), 'utf8')) as Record<string, unknown>;
    mutate(report);
    expect(v.report(report)).toBe(false);
    expect(errorLines(v.report.errors)).toContain(error);
  });
});
