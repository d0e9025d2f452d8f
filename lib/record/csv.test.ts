/**
 * The dataset CSV tables from real records: the record builder's golden (hops placed by the
 * corrections), the mda-branches golden dataset (load-balanced branches, an old record with
 * otherIps only), the anomaly fixture with IXP marks, and hostile text from traffic. Every row is
 * read back with an RFC 4180 reader and must have the header's width.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseMeasurementLines } from '../report/parse';
import { csvHeader, csvRow } from '../text/csv';
import type { MeasurementRecord, Trace } from '../types';
import { csvObjects, readCsv } from '../../test/support/csv';
import { contractRecord } from '../../test/support/records';
import { HOP_COLUMNS, hopRows, MEASUREMENT_COLUMNS } from './csv';

const FIXTURES = path.join(__dirname, '..', '..', 'test', 'fixtures');
const json = <T>(...parts: string[]) => JSON.parse(fs.readFileSync(path.join(FIXTURES, ...parts), 'utf8')) as T;

/** The hops table of the records, read back as objects keyed by header (each row of the header's width). */
function hopTable(records: MeasurementRecord[]): Record<string, string>[] {
  return csvObjects(csvHeader(HOP_COLUMNS) + records.flatMap(hopRows).map((r) => csvRow(HOP_COLUMNS, r)).join(''));
}

describe('dataset CSV', () => {
  it('one row per hop: the builder golden, with geolocation provenance and RTTs', () => {
    const record = json<MeasurementRecord>('record', 'ok-measurement-collects-artefacts-messages-and-timings', 'expected.json');
    const rows = hopTable([record]);
    expect(rows.map((r) => [r.path, r.side, r.fromNode, r.ttl, r.ip, r.country])).toEqual([
      ['network', 'A', 'sg-sin', '1', '198.18.13.1', 'SG'],
      ['network', 'A', 'sg-sin', '2', '198.18.9.6', 'US'],
      ['network', 'A', 'sg-sin', '3', '', ''],
      ['network', 'A', 'sg-sin', '4', '198.18.4.101', 'PL'],
    ]);
    expect(rows[0]).toMatchObject({ measurementId: 'e2e/threema/sg-sin/pl-waw', app: 'threema', testbedKind: 'emulated', target: '198.18.4.101', targetName: 'pl-waw', protocol: 'tcp', port: '51234', interface: 'primary', geoSource: 'corrections', databaseDate: '', plausible: '', rttMinMs: '0.1', rttsMs: '0.1', asn: '' });
    expect(rows[2]).toMatchObject({ geoSource: 'none', rttMinMs: '', rttsMs: '' });
  });

  it('load-balanced branches are rows marked other; an old record with otherIps only gives bare addresses', () => {
    const file = path.join(FIXTURES, 'report', 'mda-branches', 'input.jsonl');
    const { records } = parseMeasurementLines(fs.readFileSync(file, 'utf8'), file);
    const rows = hopTable(records);
    const other = rows.filter((r) => r.interface === 'other');
    expect(other.length).toBeGreaterThanOrEqual(2);
    const withTimes = other.find((r) => r.rttsMs !== '')!;
    expect(withTimes.country).toMatch(/^[A-Z]{2}$/);
    // every other row sits beside a primary row of the same hop
    for (const r of other) expect(rows.some((p) => p.interface === 'primary' && p.measurementId === r.measurementId && p.path === r.path && p.side === r.side && p.ttl === r.ttl && p.target === r.target)).toBe(true);
    expect(rows.length).toBe(records.flatMap((rec) => [...rec.networkPath.traces, ...rec.applicationPath.traces]).reduce((n, t) => n + t.hops.reduce((m, h) => m + 1 + (h.otherInterfaces ?? h.otherIps ?? []).length, 0), 0));
  });

  it('AS and IXP columns from the hop marks', () => {
    const paths = json<Pick<MeasurementRecord, 'networkPath' | 'applicationPath'>>('anomalies', 'ixp-crossings-unique-per-path', 'record.json');
    const trace = paths.networkPath.traces[0];
    const hops = trace.hops.map((h) => (h.ip === '80.249.209.1' ? { ...h, as: { asn: 1200, name: 'AMS-IX1', registrationCountry: 'NL', source: 'corrections', databaseDate: null } } : h));
    const rows = hopTable([contractRecord({ networkPath: { traces: [{ ...trace, hops }] }, applicationPath: paths.applicationPath })]);
    expect(rows.find((r) => r.ip === '80.249.209.1')).toMatchObject({ ixp: 'AMS-IX', ixpCountry: 'NL', asn: '1200', asName: 'AMS-IX1', registrationCountry: 'NL' });
    expect(rows.filter((r) => r.ixp !== '').map((r) => r.ixp)).toEqual(expect.arrayContaining(['AMS-IX', 'DE-CIX Frankfurt']));
  });

  it('text from traffic cannot break a row, inject a formula or carry control characters', () => {
    const trace: Trace = { from: 'B', target: '192.0.2.9', protocol: 'tcp', port: 443, targetName: '=HYPERLINK("http://evil","x"),\n\x1b[2J', hops: [{ ttl: 1, ip: '192.0.2.9', rttMs: [3, 1.5], country: 'ES', ixp: { ixId: 1, name: '@SUM(1+1)', country: 'ES', city: null, prefix: '192.0.2.0/24', source: 'p.json' } }] };
    const [row] = hopTable([contractRecord({ app: '-evil, "app"', applicationPath: { traces: [trace] } })]).filter((r) => r.path === 'application');
    expect(row.app).toBe('\'-evil, "app"');
    expect(row.targetName).toBe('\'=HYPERLINK("http://evil","x"),\\x0a\\x1b[2J');
    expect(row.ixp).toBe("'@SUM(1+1)");
    expect([row.fromNode, row.rttMinMs, row.rttsMs]).toEqual(['es-mad', '1.5', '3 1.5']);
  });

  it('one row per measurement, old exports too (anomalies computed from the traces)', () => {
    const built = json<MeasurementRecord>('record', 'ok-measurement-collects-artefacts-messages-and-timings', 'expected.json');
    const failed = json<MeasurementRecord>('record', 'failed-measurement-keeps-attempts-and-testbed-kind-only', 'expected.json');
    // Warsaw to Krakow through Germany: a boomerang the old record does not store
    const old = contractRecord({ nodeB: { id: 'pl-krk', country: 'PL' }, networkPath: { traces: [{ from: 'A', target: '192.0.2.4', protocol: 'icmp', port: null, hops: [{ ttl: 1, ip: '192.0.2.1', rttMs: [1], country: 'PL' }, { ttl: 2, ip: '192.0.2.2', rttMs: [2], country: 'DE' }, { ttl: 3, ip: null, rttMs: [], country: null }, { ttl: 4, ip: '192.0.2.4', rttMs: [4], country: 'PL' }] }] } });
    const text = csvHeader(MEASUREMENT_COLUMNS) + [built, failed, old].map((r) => csvRow(MEASUREMENT_COLUMNS, r)).join('');
    const [header, ...rows] = readCsv(text);
    expect(header).toEqual(MEASUREMENT_COLUMNS.map((c) => c.header));
    const byId = rows.map((row) => Object.fromEntries(header.map((h, i) => [h, row[i]])));
    expect(byId[0]).toMatchObject({ measurementId: 'e2e/threema/sg-sin/pl-waw', status: 'ok', failure: '', nodeA: 'sg-sin', nodeACountry: 'SG', nodeBCountry: 'PL', testbed: 'tb1', testbedKind: 'emulated', networkTraces: '1', applicationTraces: '1', failedTraces: '1', hops: '4', locatedHops: '3' });
    expect(byId[1]).toMatchObject({ status: 'failed', failure: failed.failure, failedOperation: String(failed.failedOperation), hops: '0' });
    expect(byId[2]).toMatchObject({ testbed: '', testbedKind: '', hops: '4', locatedHops: '3', boomerangs: 'network:A:DE', detourCountries: '', ixpCrossings: '' });
  });
});
