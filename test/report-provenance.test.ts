/**
 * Emulated-world records label the report (testbedKind, an optional field of
 * matador.measurement/v1): JSON `provenance`, a Markdown banner, a CSV comment line. Records
 * without the field keep the report exactly as before (the existing golden files pin that).
 */
import * as fs from 'fs';
import * as path from 'path';
import { buildReport, EMULATED_LABEL, parseMeasurementLines, provenanceOf, reportToCsv, reportToMarkdown } from '../lib/report';
import type { MeasurementRecord, TestbedKind } from '../lib/types';
import { defaultInterestGroups, defaultM49 } from '../lib/config/geo-tables';

const INPUT = path.join(__dirname, 'fixtures', 'report', 'selection', 'input.jsonl');
const tables = { groups: defaultInterestGroups(), m49: defaultM49() };
const records = parseMeasurementLines(fs.readFileSync(INPUT, 'utf8'), INPUT).records;
const withKind = (kinds: (TestbedKind | undefined)[]): MeasurementRecord[] =>
  records.map((r, i) => (kinds[i % kinds.length] === undefined ? r : { ...r, testbedKind: kinds[i % kinds.length] }));

describe('report provenance', () => {
  it('records without testbedKind: no provenance field, output unchanged', () => {
    const report = buildReport(records, tables);
    expect('provenance' in report).toBe(false);
    expect(reportToCsv(report).startsWith('table,area,level')).toBe(true);
    expect(reportToMarkdown(report).startsWith('## Table 2')).toBe(true);
  });

  it('one emulated record among real ones labels the whole report', () => {
    const mixed = withKind(['emulated', ...Array<TestbedKind>(records.length - 1).fill('real')]);
    const report = buildReport(mixed, tables);
    expect(report.provenance).toEqual({ emulatedRecords: 1, realRecords: records.length - 1, undeclaredRecords: 0, label: EMULATED_LABEL });
    // The contract fields are the same as for the unlabelled records.
    const { provenance: _p, ...rest } = report;
    expect(rest).toEqual(buildReport(records, tables));
    const line = `${EMULATED_LABEL}: 1 of ${records.length} records come from the emulated testbed`;
    expect(reportToMarkdown(report).split('\n').slice(0, 3)).toEqual([`> **${line}**`, '', '## Table 2: traffic leaving the area']);
    const csv = reportToCsv(report).split('\n');
    expect(csv[0]).toBe(`# ${line}`);
    expect(csv.slice(1).join('\n')).toBe(reportToCsv(buildReport(records, tables)));
  });

  it('real records only: provenance without label, no banner', () => {
    const report = buildReport(withKind(['real', undefined]), tables);
    expect(report.provenance?.label).toBeNull();
    expect(report.provenance?.realRecords).toBe(Math.ceil(records.length / 2));
    expect(report.provenance?.undeclaredRecords).toBe(Math.floor(records.length / 2));
    expect(reportToCsv(report).startsWith('table,')).toBe(true);
    expect(reportToMarkdown(report).startsWith('## Table 2')).toBe(true);
  });

  it('counts the input records, also those the selection drops', () => {
    const failedEmulated = records.map((r) => (r.status === 'failed' ? { ...r, testbedKind: 'emulated' as const } : r));
    expect(failedEmulated.some((r) => r.testbedKind === 'emulated')).toBe(true);
    expect(provenanceOf(failedEmulated).label).toBe(EMULATED_LABEL);
  });

  it('a misspelt testbedKind is an invalid record, not an unlabelled one', () => {
    const line = JSON.stringify({ ...records[0], testbedKind: 'emulate' });
    expect(() => parseMeasurementLines(line, 'x.jsonl')).toThrow('x.jsonl:1: invalid measurement record: testbedKind must be "emulated" or "real" when present, got "emulate"');
  });
});
