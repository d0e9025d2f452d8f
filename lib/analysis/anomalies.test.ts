/**
 * Golden scenarios (ooni style): test/fixtures/anomalies/<scenario>/record.json is a small
 * hand-made record (its `why` says what it pins down), expected.json the anomalies derived by hand.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { MeasurementRecord } from '../types';
import { pathAnomalies } from './anomalies';

const dir = path.join(__dirname, '..', '..', 'test', 'fixtures', 'anomalies');
const scenarios = fs.readdirSync(dir).filter((d) => fs.existsSync(path.join(dir, d, 'expected.json'))).sort();
const read = (scenario: string, file: string): unknown => JSON.parse(fs.readFileSync(path.join(dir, scenario, file), 'utf8'));

test('there are golden scenarios', () => {
  expect(scenarios).toHaveLength(6);
});

test.each(scenarios)('%s', (scenario) => {
  const record = read(scenario, 'record.json') as MeasurementRecord;
  const before = JSON.stringify(record);
  expect(pathAnomalies(record)).toEqual(read(scenario, 'expected.json'));
  expect(JSON.stringify(record)).toBe(before);
});
