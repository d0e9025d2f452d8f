/**
 * The published `matador.measurement/v1` schema against real records: the golden datasets of the
 * report and compare tests, the record builder's goldens, the 1,624-record paper dataset of the
 * benchmark, the traceroute parser's goldens (as traces) and the anomaly fixtures' paths; old
 * exports (contract fields only, failures as one string) validate; broken records are refused
 * with the path of what is wrong; what the reader (lib/report/parse.ts) refuses, the schema
 * refuses too.
 */
import * as fs from 'fs';
import * as path from 'path';
import { generatePaperDataset } from '../../bench/report/generate';
import { recordProblem } from '../report/parse';
import { MEASUREMENT_SCHEMA } from '../types';
import { contractRecord } from '../../test/support/records';
import { errorLines, invalidOf, schemaValidators } from '../../test/support/dataset-schema';
import { measurementRecordSchema } from './schema';
import { DATE_TIME_PATTERN } from '../schema/dsl';

const FIXTURES = path.join(__dirname, '..', '..', 'test', 'fixtures');
const v = schemaValidators();

function filesUnder(dir: string, test: (name: string) => boolean): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name), test) : test(e.name) ? [path.join(dir, e.name)] : []));
}

const rel = (file: string) => path.relative(FIXTURES, file);
const jsonLines = (file: string) =>
  fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .map((line, i) => ({ line, i }))
    .filter(({ line }) => line.trim() !== '')
    .map(({ line, i }) => ({ label: `${rel(file)}:${i + 1}`, value: JSON.parse(line) as unknown }));

const contractOnly = () => contractRecord();

describe('matador.measurement/v1 schema', () => {
  it('is a draft 2020-12 document naming the record schema', () => {
    const schema = measurementRecordSchema();
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.title).toBe(MEASUREMENT_SCHEMA);
    expect(schema.required).toEqual(['schema', 'campaign', 'measurementId', 'app', 'status', 'failure', 'startedAt', 'finishedAt', 'nodeA', 'nodeB', 'networkPath', 'applicationPath']);
  });

  it('accepts every record of the golden datasets (report and compare fixtures)', () => {
    const files = filesUnder(path.join(FIXTURES, 'report'), (n) => n.endsWith('.jsonl'));
    expect(files.length).toBeGreaterThanOrEqual(14);
    const records = files.flatMap(jsonLines);
    expect(records.length).toBeGreaterThanOrEqual(60);
    expect(invalidOf(v.record, records)).toEqual([]);
  });

  it("accepts the record builder's goldens (attempts, messages, flows, phones, baselines, tunnels, geolocation, timings, anomalies)", () => {
    const files = filesUnder(path.join(FIXTURES, 'record'), (n) => n === 'expected.json');
    expect(files).toHaveLength(5);
    expect(invalidOf(v.record, files.map((f) => ({ label: rel(f), value: JSON.parse(fs.readFileSync(f, 'utf8')) as unknown })))).toEqual([]);
  });

  it('accepts the 1,624 records of the paper dataset (bench/report/generate.ts)', () => {
    const records = generatePaperDataset();
    expect(records).toHaveLength(1624);
    expect(invalidOf(v.record, records.map((r) => ({ label: r.measurementId, value: r })))).toEqual([]);
  });

  it("accepts every trace the traceroute parsers produce (their goldens) and the anomaly fixtures' paths", () => {
    const trace = v.recordDef('Trace');
    const parsed = filesUnder(path.join(FIXTURES, 'traceroute'), (n) => n === 'expected.json')
      .map((f) => ({ f, doc: JSON.parse(fs.readFileSync(f, 'utf8')) as { traces?: unknown[] } }))
      .filter(({ doc }) => Array.isArray(doc.traces));
    expect(parsed.length).toBeGreaterThanOrEqual(14);
    const fromAnomalies = filesUnder(path.join(FIXTURES, 'anomalies'), (n) => n === 'record.json').map((f) => ({ f, doc: JSON.parse(fs.readFileSync(f, 'utf8')) as Record<string, { traces: unknown[] }> }));
    const traces = [
      ...parsed.flatMap(({ f, doc }) => (doc.traces ?? []).map((t, i) => ({ label: `${rel(f)} traces[${i}]`, value: t }))),
      ...fromAnomalies.flatMap(({ f, doc }) => ['networkPath', 'applicationPath'].flatMap((p) => doc[p].traces.map((t, i) => ({ label: `${rel(f)} ${p}[${i}]`, value: t })))),
    ];
    expect(traces.some(({ value }) => JSON.stringify(value).includes('"otherInterfaces"'))).toBe(true);
    expect(traces.some(({ value }) => JSON.stringify(value).includes('"ixp"'))).toBe(true);
    expect(invalidOf(trace, traces)).toEqual([]);
  });

  it('accepts old exports: contract fields only, and a failure written as one string', () => {
    expect(v.record(contractOnly())).toBe(true);
    const legacy = { ...contractOnly(), status: 'failed', failure: 'adb_unreachable: configurePhones: device offline', attempts: [{ attempt: 1, startedAt: '2025-01-01T00:00:00Z', finishedAt: null, steps: [{ step: 'configurePhones', startedAt: '2025-01-01T00:00:00Z', finishedAt: null, failure: 'adb_unreachable: configurePhones: device offline' }], failure: 'adb_unreachable: configurePhones: device offline' }] };
    expect(errorLines(v.record(legacy) ? [] : v.record.errors)).toEqual([]);
    // an old hop with otherIps only, and one with the extra fields a newer writer may add
    const hops = [{ ttl: 1, ip: '192.0.2.1', rttMs: [1], country: 'DE', otherIps: ['192.0.2.9'] }, { ttl: 2, ip: '192.0.2.2', rttMs: [2], country: 'FR', somethingNew: { x: 1 } }];
    expect(v.record({ ...contractOnly(), networkPath: { traces: [{ from: 'B', target: '192.0.2.2', protocol: 'icmp', port: null, hops }] }, extraTopLevel: 'kept' })).toBe(true);
  });

  it.each<[string, (r: Record<string, unknown>) => void, string]>([
    ['a record without measurementId', (r) => delete r.measurementId, "/ must have required property 'measurementId'"],
    ['a bad status', (r) => (r.status = 'done'), '/status must be equal to one of the allowed values'],
    ['a lower-case node country', (r) => ((r.nodeA as { country: string }).country = 'pl'), '/nodeA/country must match pattern "^[A-Z]{2}$"'],
    ['a hop TTL as text', (r) => ((r.networkPath as { traces: { hops: { ttl: unknown }[] }[] }).traces[0].hops[0].ttl = '1'), '/networkPath/traces/0/hops/0/ttl must be integer'],
    ['a time that is not ISO 8601', (r) => (r.finishedAt = 'yesterday'), `/finishedAt must match pattern "${DATE_TIME_PATTERN}"`],
    ['another schema', (r) => (r.schema = 'matador.measurement/v2'), '/schema must be equal to constant'],
  ])('refuses %s, naming where', (_what, mutate, error) => {
    const bad = contractOnly() as unknown as Record<string, unknown>;
    mutate(bad);
    expect(v.record(bad)).toBe(false);
    expect(errorLines(v.record.errors)).toContain(error);
  });

  // What lib/report/parse.ts refuses when reading a dataset: the schema must refuse it too, so a
  // file that validates is a file `matador report` reads.
  it.each<[string, (r: Record<string, unknown>) => void]>([
    ['not an object', () => undefined],
    ['schema', (r) => (r.schema = 'other')],
    ['app empty', (r) => (r.app = '')],
    ['app missing', (r) => delete r.app],
    ['status', (r) => (r.status = 'maybe')],
    ['finishedAt', (r) => (r.finishedAt = 'not a time')],
    ['finishedAt missing', (r) => delete r.finishedAt],
    ['testbedKind', (r) => (r.testbedKind = 'emulate')],
    ['nodeA not an object', (r) => (r.nodeA = 'pl-waw')],
    ['nodeB.id empty', (r) => (r.nodeB = { id: '', country: 'ES' })],
    ['nodeB.country', (r) => (r.nodeB = { id: 'es-mad', country: 'Spain' })],
    ['traces not a list', (r) => (r.networkPath = { traces: {} })],
    ['applicationPath missing', (r) => delete r.applicationPath],
    ['hops not a list', (r) => (r.networkPath = { traces: [{ from: 'A', target: 'x', protocol: 'tcp', port: 1, hops: null }] })],
    ['hop not an object', (r) => (r.networkPath = { traces: [{ from: 'A', target: 'x', protocol: 'tcp', port: 1, hops: [7] }] })],
    ['hop ip', (r) => (r.networkPath = { traces: [{ from: 'A', target: 'x', protocol: 'tcp', port: 1, hops: [{ ttl: 1, ip: 7, rttMs: [], country: null }] }] })],
    ['hop country', (r) => (r.networkPath = { traces: [{ from: 'A', target: 'x', protocol: 'tcp', port: 1, hops: [{ ttl: 1, ip: null, rttMs: [], country: 49 }] }] })],
    ['hop as', (r) => (r.networkPath = { traces: [{ from: 'A', target: 'x', protocol: 'tcp', port: 1, hops: [{ ttl: 1, ip: null, rttMs: [], country: null, as: 'AS3320' }] }] })],
    ['as.registrationCountry', (r) => (r.networkPath = { traces: [{ from: 'A', target: 'x', protocol: 'tcp', port: 1, hops: [{ ttl: 1, ip: null, rttMs: [], country: null, as: { asn: 1, name: null, registrationCountry: 'de', source: 'x', databaseDate: null } }] }] })],
    ['otherIps', (r) => (r.networkPath = { traces: [{ from: 'A', target: 'x', protocol: 'tcp', port: 1, hops: [{ ttl: 1, ip: null, rttMs: [], country: null, otherIps: [1] }] }] })],
    ['otherInterfaces not a list', (r) => (r.networkPath = { traces: [{ from: 'A', target: 'x', protocol: 'tcp', port: 1, hops: [{ ttl: 1, ip: null, rttMs: [], country: null, otherInterfaces: {} }] }] })],
    ['otherInterfaces ip', (r) => (r.networkPath = { traces: [{ from: 'A', target: 'x', protocol: 'tcp', port: 1, hops: [{ ttl: 1, ip: null, rttMs: [], country: null, otherInterfaces: [{ rttMs: [] }] }] }] })],
    ['otherInterfaces country', (r) => (r.networkPath = { traces: [{ from: 'A', target: 'x', protocol: 'tcp', port: 1, hops: [{ ttl: 1, ip: null, rttMs: [], country: null, otherInterfaces: [{ ip: 'y', country: 3 }] }] }] })],
    ['otherInterfaces rttMs', (r) => (r.networkPath = { traces: [{ from: 'A', target: 'x', protocol: 'tcp', port: 1, hops: [{ ttl: 1, ip: null, rttMs: [], country: null, otherInterfaces: [{ ip: 'y', rttMs: 3 }] }] }] })],
    ['otherInterfaces as', (r) => (r.networkPath = { traces: [{ from: 'A', target: 'x', protocol: 'tcp', port: 1, hops: [{ ttl: 1, ip: null, rttMs: [], country: null, otherInterfaces: [{ ip: 'y', as: [] }] }] }] })],
    ['hop ixp', (r) => (r.networkPath = { traces: [{ from: 'A', target: 'x', protocol: 'tcp', port: 1, hops: [{ ttl: 1, ip: null, rttMs: [], country: null, ixp: 'LAX-IX' }] }] })],
    ['hop ixp.country', (r) => (r.networkPath = { traces: [{ from: 'A', target: 'x', protocol: 'tcp', port: 1, hops: [{ ttl: 1, ip: null, rttMs: [], country: null, ixp: { ixId: 1, name: 'X', country: 'us', city: null, prefix: '198.18.9.0/24', source: 'p.json' } }] }] })],
    ['otherInterfaces ixp.country', (r) => (r.networkPath = { traces: [{ from: 'A', target: 'x', protocol: 'tcp', port: 1, hops: [{ ttl: 1, ip: null, rttMs: [], country: null, otherInterfaces: [{ ip: 'y', ixp: { ixId: 1, name: 'X', country: 840, city: null, prefix: 'p', source: 's' } }] }] }] })],
    ['anomalies not an object', (r) => (r.anomalies = 'none')],
    ['anomalies.boomerangs path', (r) => (r.anomalies = { boomerangs: [{ path: 'app', from: 'A', target: 'x', country: 'DE', via: [] }], detourCountries: [], ixpCrossings: [] })],
    ['anomalies.detourCountries', (r) => (r.anomalies = { boomerangs: [], detourCountries: ['USA'], ixpCrossings: [] })],
    ['anomalies.ixpCrossings missing', (r) => (r.anomalies = { boomerangs: [], detourCountries: [] })],
    ['anomalies.ixpCrossings country', (r) => (r.anomalies = { boomerangs: [], detourCountries: [], ixpCrossings: [{ path: 'network', ixId: 1, name: 'X', country: 'us' }] })],
  ])('refuses what the reader refuses: %s', (_what, mutate) => {
    const bad: unknown = _what === 'not an object' ? [contractOnly()] : contractOnly();
    if (_what !== 'not an object') mutate(bad as Record<string, unknown>);
    expect(recordProblem(bad)).not.toBeNull();
    expect(v.record(bad)).toBe(false);
  });
});
