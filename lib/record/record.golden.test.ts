/**
 * Golden scenarios of the record builder: test/fixtures/record/<scenario>/input.json is a
 * RecordInput, expected.json the record it must give. Set UPDATE_GOLDEN=1 to rewrite the expected
 * files after an intended change (then review the diff).
 */
import * as fs from 'fs';
import * as path from 'path';
import { buildMeasurementRecord, configuredWaitSeconds, type RecordInput } from '.';

const dir = path.join(__dirname, '..', '..', 'test', 'fixtures', 'record');
const scenarios = fs.readdirSync(dir).filter((d) => fs.existsSync(path.join(dir, d, 'input.json'))).sort();

test('there are golden scenarios', () => {
  expect(scenarios.length).toBeGreaterThanOrEqual(3);
});

describe.each(scenarios)('%s', (scenario) => {
  const input = JSON.parse(fs.readFileSync(path.join(dir, scenario, 'input.json'), 'utf8')) as RecordInput;
  const expectedFile = path.join(dir, scenario, 'expected.json');

  test('builds the expected record', () => {
    const record = buildMeasurementRecord(input);
    if (process.env.UPDATE_GOLDEN === '1') fs.writeFileSync(expectedFile, JSON.stringify(record, null, 2) + '\n');
    expect(record).toEqual(JSON.parse(fs.readFileSync(expectedFile, 'utf8')));
  });

  test('is deterministic and leaves its input alone', () => {
    const before = JSON.stringify(input);
    expect(buildMeasurementRecord(input)).toEqual(buildMeasurementRecord(JSON.parse(before) as RecordInput));
    expect(JSON.stringify(input)).toBe(before);
  });
});

test('configured waits are the message waits, settle and tail, times the run scale', () => {
  const m = { messages: [{ index: 0, from: 'A' as const, waitSeconds: 3, text: 'x' }, { index: 1, from: 'B' as const, waitSeconds: 1, text: 'y' }], settleSeconds: 3, captureTailSeconds: 1.5 };
  expect(configuredWaitSeconds(m as unknown as RecordInput['measurement'], 1)).toBe(8.5);
  expect(configuredWaitSeconds(m as unknown as RecordInput['measurement'], 0.1)).toBe(0.85);
});
