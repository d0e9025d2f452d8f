/**
 * Golden texts of a measurement workflow's summary and details, on the record builder's and the
 * anomaly finder's fixture records (real record format) with the shipped interest groups.
 */
import * as fs from 'fs';
import * as path from 'path';
import { pathAnomalies } from '../analysis/anomalies';
import { defaultInterestGroups } from '../config/geo-tables';
import type { MeasurementInput } from '../measurement/payloads';
import type { MeasurementRecord } from '../types';
import { groupAccess } from './access';
import { countrySequence } from '../traceroute/hops';
import { measurementOutcomeDetails, measurementProgressDetails, measurementStartDetails, measurementStartSummary, pathSequences } from './measurement';

const FIXTURES = path.join(__dirname, '..', '..', 'test', 'fixtures');
const json = <T>(rel: string): T => JSON.parse(fs.readFileSync(path.join(FIXTURES, rel), 'utf8')) as T;
const OK_DIR = 'record/ok-measurement-collects-artefacts-messages-and-timings';
const ok = json<MeasurementRecord>(`${OK_DIR}/expected.json`);
const failed = json<MeasurementRecord>('record/failed-measurement-keeps-attempts-and-testbed-kind-only/expected.json');
const input = json<{ measurement: MeasurementInput }>(`${OK_DIR}/input.json`).measurement;

/** The ok record with the paths of an anomaly fixture (and its anomalies, as the workflow computes them). */
function withPaths(scenario: string): MeasurementRecord {
  const p = json<Pick<MeasurementRecord, 'nodeA' | 'nodeB' | 'networkPath' | 'applicationPath'>>(`anomalies/${scenario}/record.json`);
  const r: MeasurementRecord = { ...ok, nodeA: p.nodeA, nodeB: p.nodeB, networkPath: p.networkPath ?? { traces: [] }, applicationPath: p.applicationPath };
  return { ...r, anomalies: pathAnomalies(r) };
}
const access = (r: MeasurementRecord) => groupAccess(r, defaultInterestGroups());

describe('at start', () => {
  it('sums a measurement up in one line and lists what was planned', () => {
    expect(measurementStartSummary(input)).toBe('measurement threema sg-sin→pl-waw (tb1)');
    expect(measurementStartDetails(input)).toBe(
      [
        'e2e/threema/sg-sin/pl-waw',
        '',
        '- campaign e2e, testbed tb1',
        '- node A sg-sin (SG, Singapore) → node B pl-waw (PL, Warsaw)',
        '- 2 messages (1 from A, 1 from B)',
        '- application paths: single path',
      ].join('\n'),
    );
    expect(measurementStartDetails({ ...input, traceroutes: { applicationPaths: 'mda' } })).toContain('- application paths: Paris MDA (every load-balanced branch)');
  });

  it('says the attempt and the step while it runs', () => {
    expect(measurementProgressDetails(input, 2, 3, 'sendMessage#1')).toBe('threema sg-sin→pl-waw (tb1): attempt 2 of 3, step sendMessage#1');
    expect(measurementProgressDetails(input, 0, 3, 'persistRecord')).toBe('threema sg-sin→pl-waw (tb1): step persistRecord');
  });
});

describe('country sequences', () => {
  it("start at the tracing node's country, leave out hops without address or country, collapse repeats", () => {
    const trace = ok.networkPath.traces[0];
    expect(trace.hops.map((h) => h.country)).toEqual(['SG', 'US', null, 'PL']);
    expect(countrySequence(trace, 'SG')).toEqual(['SG', 'US', 'PL']);
    expect(countrySequence({ ...trace, hops: [] }, 'SG')).toEqual(['SG']);
  });

  it('list each distinct sequence of a path once, in trace order, and only the primary address of a hop', () => {
    const r = withPaths('ixp-crossings-unique-per-path');
    // the load-balanced branch through US counts for access, not as a step of the sequence
    expect(pathSequences(r, 'application')).toBe('NL>DE, DE');
    expect(pathSequences(r, 'network')).toBe('NL>DE');
  });

  it('say when a path has no trace (and that the report then counts the node countries)', () => {
    expect(pathSequences(withPaths('no-network-trace-no-detour'), 'network')).toBe('no trace (node countries only)');
  });
});

describe('when it ends', () => {
  it('ok: both paths as countries, which interest groups reach each, the anomalies; emulated says so', () => {
    const r = withPaths('boomerang-network-detour-application');
    expect(measurementOutcomeDetails(r, { stored: 'results.sqlite', access: access(r) })).toBe(
      [
        'threema a→b: app DE>NL>GB>US / network DE>NL>FR>NL>DE, DE; Five Eyes: app yes, network no; European Union: app yes, network yes',
        '',
        '- testbed tb1 (emulated world), 1 attempt, finished 2026-11-27T05:00:23.000Z',
        '- on neither path: Arab League, Russia, China',
        '- application path detours through GB, US',
        '- boomerangs: network from A via NL>FR',
        '- record stored: `results.sqlite`',
      ].join('\n'),
    );
  });

  it('ok with IXP crossings; a real testbed says so', () => {
    const r = { ...withPaths('ixp-crossings-unique-per-path'), testbedKind: 'real' as const };
    expect(measurementOutcomeDetails(r, { stored: 'results.sqlite', access: access(r) })).toBe(
      [
        'threema a→b: app NL>DE, DE / network NL>DE; Five Eyes: app yes, network no; European Union: app yes, network yes',
        '',
        '- testbed tb1 (real), 1 attempt, finished 2026-11-27T05:00:23.000Z',
        '- on neither path: Arab League, Russia, China',
        '- application path detours through US',
        '- IXPs: `AMS-IX` (network), `DE-CIX Frankfurt` (application), `Any2 Los Angeles` (application)',
        '- record stored: `results.sqlite`',
      ].join('\n'),
    );
  });

  it('ok without a network trace', () => {
    const r = withPaths('no-network-trace-no-detour');
    expect(measurementOutcomeDetails(r, { stored: 'results.sqlite', access: access(r) }).split('\n')[0]).toBe(
      'threema a→b: app ES>FR>ES / network no trace (node countries only); European Union: app yes, network yes',
    );
  });

  it('ok, the record builder fixture: an application trace that failed has no sequence', () => {
    expect(measurementOutcomeDetails(ok, { stored: 'results.sqlite', access: access(ok) })).toBe(
      [
        'threema sg-sin→pl-waw: app no trace (node countries only) / network SG>US>PL; Five Eyes: app no, network yes; European Union: app yes, network yes',
        '',
        '- testbed tb1 (emulated world), 1 attempt, finished 2026-11-27T05:00:23.000Z',
        '- on neither path: Arab League, Russia, China',
        '- record stored: `results.sqlite`',
      ].join('\n'),
    );
  });

  it('ok but the groups are unknown (persistRecord failed) or none reach the paths', () => {
    const r = withPaths('ixp-crossings-unique-per-path');
    const unstored = measurementOutcomeDetails(r, { stored: null, failure: 'store_failed: persistRecord: disk full' });
    expect(unstored.split('\n')[0]).toBe('threema a→b: app NL>DE, DE / network NL>DE; interest groups: unknown');
    expect(unstored.split('\n').at(-1)).toBe('- record NOT stored: `store_failed: persistRecord: disk full`');
    const none = [{ group: 'Russia', application: false, network: false }];
    expect(measurementOutcomeDetails(r, { stored: 's', access: none }).split('\n')[0]).toMatch(/; no interest group on either path$/);
  });

  it('failed: where, which failure code and why', () => {
    expect(measurementOutcomeDetails(failed, { stored: 'results.sqlite' })).toBe(
      [
        'threema sg-sin→pl-waw: failed at provisionTunnels: tunnel_failed — `side B: tunnel mt-tn0-b to node pl-waw is up=true peerReachable=false ruleInstalled=true`',
        '',
        '- testbed tb1 (emulated world), 1 attempt, finished 2026-11-27T05:00:09.000Z',
        '- record stored: `results.sqlite`',
      ].join('\n'),
    );
  });

  it('device text in a failure detail or an IXP name is escaped, on one line, inert as Markdown and bounded', () => {
    const hostile = { ...failed, detail: `adb said \x1b]0;pwned\x07 [x](javascript:alert(1)) \`rm\`\nsecond line ${'z'.repeat(400)}` };
    const line = measurementOutcomeDetails(hostile, { stored: 's' }).split('\n')[0];
    expect(line).toMatch(/^threema sg-sin→pl-waw: failed at provisionTunnels: tunnel_failed — `adb said \\x1b]0;pwned\\x07 \[x\]\(javascript:alert\(1\)\) 'rm' second line z+…`$/);
    expect([...line].every((ch) => ch.charCodeAt(0) >= 0x20)).toBe(true);
    const r = withPaths('ixp-crossings-unique-per-path');
    const ixp = r.anomalies!.ixpCrossings[0];
    const named = { ...r, anomalies: { ...r.anomalies!, ixpCrossings: [{ ...ixp, name: 'IX\u202e`*bold*`' }] } };
    expect(measurementOutcomeDetails(named, { stored: 's' })).toContain("- IXPs: `IX\\u{202e}'*bold*'` (network)");
  });
});
