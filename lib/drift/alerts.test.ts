/**
 * Drift alerts from two hand-made runs of a scheduled campaign (real-format JSONL records, read
 * like an export), against a golden file (UPDATE_GOLDEN=1 rewrites it; read the diff):
 * threema's service moves CH -> DE and its PL-ES network path now crosses GB (Five Eyes gains
 * access in Europe); signal's SG-JP app path now goes through the US (leaves Asia and its
 * subregions, Five Eyes gains access); an unchanged pair and a pair of run B only raise nothing.
 */
import * as fs from 'fs';
import * as path from 'path';
import { defaultInterestGroups, defaultM49 } from '../config/geo-tables';
import { parseMeasurementLines } from '../report/parse';
import type { MeasurementRecord } from '../types';
import { alertKey, deriveAlerts } from './alerts';

const dir = path.join(__dirname, '../../test/fixtures/drift');
const read = (file: string): MeasurementRecord[] => parseMeasurementLines(fs.readFileSync(path.join(dir, file), 'utf8'), file).records;
const tables = { groups: defaultInterestGroups(), m49: defaultM49() };
const a = { name: 'weekly-2026-11-27', records: read('run-a.jsonl') };
const b = { name: 'weekly-2026-12-04', records: read('run-b.jsonl') };

it('derives one alert per change (golden)', () => {
  const alerts = deriveAlerts(a, b, tables);
  const golden = path.join(dir, 'alerts.golden.json');
  if (process.env.UPDATE_GOLDEN) fs.writeFileSync(golden, `${JSON.stringify(alerts, null, 2)}\n`);
  expect(alerts).toEqual(JSON.parse(fs.readFileSync(golden, 'utf8')));
  expect(new Set(alerts.map(alertKey)).size).toBe(alerts.length);
  expect(alerts.filter((x) => x.kind === 'service_moved')).toEqual([expect.objectContaining({ path: 'threema', before: ['CH'], after: ['DE'] })]);
});

it('raises nothing for identical runs, and nothing for node pairs measured in one run only', () => {
  expect(deriveAlerts(a, { ...a, name: 'again' }, tables)).toEqual([]);
  const onlyInB = b.records.filter((r) => r.app === 'threema' && r.nodeA.id === 'sg-sin');
  expect(deriveAlerts({ name: 'empty', records: [] }, { name: 'b', records: onlyInB }, tables)).toEqual([]);
});

it('the reverse direction raises the opposite alerts', () => {
  const forward = deriveAlerts(a, b, tables);
  const backward = deriveAlerts(b, a, tables);
  const opposite: Record<string, string> = {
    service_moved: 'service_moved', path_left_area: 'path_back_in_area', path_back_in_area: 'path_left_area',
    group_gained_access: 'group_lost_access', group_lost_access: 'group_gained_access',
  };
  expect(backward.map((x) => `${x.kind}|${x.path}|${x.area}|${x.group}`).sort()).toEqual(
    forward.map((x) => `${opposite[x.kind]}|${x.path}|${x.area}|${x.group}`).sort(),
  );
});

it('records of an old export (no testbedKind, no anomalies, no AS fields) are compared the same', () => {
  const strip = (r: MeasurementRecord): MeasurementRecord => {
    const { testbedKind: _k, ...rest } = r;
    return rest as MeasurementRecord;
  };
  const old = deriveAlerts({ ...a, records: a.records.map(strip) }, { ...b, records: b.records.map(strip) }, tables);
  expect(old).toEqual(deriveAlerts(a, b, tables));
});

it('a service whose traces mostly end elsewhere moves although both countries occur in both runs', () => {
  const threema = (records: MeasurementRecord[], moved: boolean): MeasurementRecord[] =>
    records.filter((r) => r.app === 'threema' && r.nodeA.id === 'pl-waw').map((r) => {
      const traces = [0, 1, 2].map((i) => ({
        ...r.applicationPath.traces[0],
        hops: [{ ttl: 1, ip: `192.0.2.${i}`, rttMs: [1], country: 'PL' }, { ttl: 2, ip: `198.51.100.${i}`, rttMs: [1], country: (i === 0) === moved ? 'CH' : 'DE' }],
      }));
      return { ...r, applicationPath: { traces } };
    });
  const alerts = deriveAlerts({ name: 'a', records: threema(a.records, false) }, { name: 'b', records: threema(b.records, true) }, tables);
  expect(alerts.filter((x) => x.kind === 'service_moved')).toEqual([
    expect.objectContaining({ before: ['CH', 'DE'], after: ['CH', 'DE'], main: { before: 'CH', after: 'DE' }, text: 'threema: service endpoints moved: CH, DE -> CH, DE (most traces end in DE, before CH)' }),
  ]);
});
