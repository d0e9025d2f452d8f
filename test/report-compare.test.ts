/**
 * Golden tests of `compareRuns` (matador.report-compare/v1): test/fixtures/report/compare/<scenario>/
 * a-run.jsonl, b-run.jsonl, expected.json. The scenarios live one folder deeper than the report
 * scenarios so that test/report.golden.test.ts (which takes every folder with an expected.json as
 * a report scenario) does not pick them up. Groups: Five Eyes and European Union only, to keep the
 * golden files readable. What each scenario pins down (hand-derived, see the comments below):
 * - service-moved-country-is-reported: threema's last responding hops move from CH to DE while
 *   the tables and the app's path country set (CH, DE, NL are node countries) stay the same; a
 *   trailing non-responding hop is skipped and a last responding hop without country is unlocated.
 * - unchanged-runs-show-no-differences: other campaign, later times, other hop addresses, swapped
 *   A/B, plus a superseded record and a failed latest record in run B: nothing changed.
 * - pair-only-in-one-run-is-listed-as-added-or-removed: de-fra|es-mad only in A, de-fra|it-rom only
 *   in B, for the network path and the app; tables equal.
 * - main-endpoint-country-shift-is-reported: CH and DE are endpoint countries in both runs, but the
 *   traces ending in CH go from 3 of 4 to 1 of 4: the main endpoint country moved CH -> DE.
 * - group-accessibility-delta-in-percentage-points: Europe threema Five Eyes 1/4 -> 3/5 = +35.0 pp,
 *   left area 1/4 -> 1/5 = -5.0 pp (same count, other share), Western Europe 1/3 -> 2/3 = +33.3 pp.
 */
import * as fs from 'fs';
import * as path from 'path';
import { defaultInterestGroups, defaultM49 } from '../lib/config/geo-tables';
import {
  compareRuns,
  comparisonToMarkdown,
  endpointCountry,
  EMULATED_LABEL,
  parseMeasurementLines,
  type CompareRun,
  type Comparison,
} from '../lib/report';
import type { Trace } from '../lib/types';

const FIXTURES = path.join(__dirname, 'fixtures', 'report', 'compare');
const groups = defaultInterestGroups().filter((g) => g.name === 'Five Eyes' || g.name === 'European Union');
const m49 = defaultM49();

function run(scenario: string, file: 'a-run.jsonl' | 'b-run.jsonl'): CompareRun {
  const full = path.join(FIXTURES, scenario, file);
  return { name: file, records: parseMeasurementLines(fs.readFileSync(full, 'utf8'), full).records };
}

function compare(scenario: string, options: { limit?: number } = {}): Comparison {
  return compareRuns(run(scenario, 'a-run.jsonl'), run(scenario, 'b-run.jsonl'), { groups, m49, ...options });
}

function expected(scenario: string): Comparison {
  return JSON.parse(fs.readFileSync(path.join(FIXTURES, scenario, 'expected.json'), 'utf8')) as Comparison;
}

const SCENARIOS = [
  'group-accessibility-delta-in-percentage-points',
  'main-endpoint-country-shift-is-reported',
  'pair-only-in-one-run-is-listed-as-added-or-removed',
  'service-moved-country-is-reported',
  'unchanged-runs-show-no-differences',
];

describe('compare golden scenarios', () => {
  it('has the scenarios', () => {
    expect(fs.readdirSync(FIXTURES).sort()).toEqual(SCENARIOS);
  });

  it.each(SCENARIOS)('%s matches expected.json', (scenario) => {
    expect(compare(scenario)).toEqual(expected(scenario));
  });

  it('service-moved-country-is-reported: the move is in the summary, not in the tables', () => {
    const c = compare('service-moved-country-is-reported');
    const threema = c.paths.find((p) => p.path === 'threema');
    // A: CH, CH (hop 3 did not answer), CH, unlocated; B: DE x4.
    expect(threema?.endpointCountries).toEqual({ a: { CH: 3 }, b: { DE: 4 }, unlocated: { a: 1, b: 0 }, main: { a: 'CH', b: 'DE' }, appeared: ['DE'], disappeared: ['CH'] });
    expect(threema?.summary).toBe('threema: service moved CH -> DE');
    expect(c.paths.filter((p) => p.summary !== null).map((p) => p.path)).toEqual(['threema']);
    expect(c.areas.some((a) => a.changed)).toBe(false);
    expect(c.pairs.listed.map((p) => [p.change, p.path, p.pair, p.disappeared])).toEqual([['changed', 'threema', 'de-fra|nl-ams', ['CH']]]);
    expect(c.identical).toBe(false);
  });

  it('main-endpoint-country-shift-is-reported: same countries, most traces elsewhere', () => {
    const threema = compare('main-endpoint-country-shift-is-reported').paths.find((p) => p.path === 'threema');
    expect(threema?.endpointCountries).toMatchObject({ a: { CH: 3, DE: 1 }, b: { CH: 1, DE: 3 }, main: { a: 'CH', b: 'DE' }, appeared: [], disappeared: [] });
    expect(threema?.summary).toBe('threema: service moved CH -> DE (main endpoint country)');
  });

  it('a tie has no main endpoint country, so no move is claimed', () => {
    const threema = compare('group-accessibility-delta-in-percentage-points').paths.find((p) => p.path === 'threema');
    expect(threema?.endpointCountries?.main).toEqual({ a: null, b: 'GB' }); // A: CH, DE, GB, TR once each
    expect(threema?.summary).toBe('threema: service no longer in DE');
  });

  it('unchanged-runs-show-no-differences: identical, and the Markdown says so', () => {
    const c = compare('unchanged-runs-show-no-differences');
    expect(c.identical).toBe(true);
    expect(c.runs.b.records).toBe(5);
    expect(c.runs.b.appRecords).toEqual({ wechat: 1, whatsapp: 2 });
    expect(c.pairs).toEqual({ changed: 0, added: 0, removed: 0, limit: 20, listed: [] });
    const md = comparisonToMarkdown(c);
    expect(md).toContain('**No differences**');
    expect(md).toContain('No differences in Tables 2 and 3.');
    expect(md).toContain('No service endpoint country and no path country changed.');
  });

  it('pair-only-in-one-run-is-listed-as-added-or-removed: added before removed, network before apps', () => {
    const c = compare('pair-only-in-one-run-is-listed-as-added-or-removed');
    expect(c.pairs.listed.map((p) => [p.change, p.path, p.pair, p.a?.measurementId ?? null, p.b?.measurementId ?? null])).toEqual([
      ['added', 'network', 'de-fra|it-rom', null, 'run-b/whatsapp/de-fra/it-rom'],
      ['added', 'whatsapp', 'de-fra|it-rom', null, 'run-b/whatsapp/de-fra/it-rom'],
      ['removed', 'network', 'de-fra|es-mad', 'run-a/whatsapp/de-fra/es-mad', null],
      ['removed', 'whatsapp', 'de-fra|es-mad', 'run-a/whatsapp/de-fra/es-mad', null],
    ]);
    expect(c.paths.map((p) => p.summary)).toEqual(['network path: now also crosses CH, IT; no longer crosses ES', 'whatsapp: path now also crosses IT; no longer crosses ES']);
  });

  it('group-accessibility-delta-in-percentage-points: counts and percentage points per group', () => {
    const c = compare('group-accessibility-delta-in-percentage-points');
    const at = (area: string, p: string) => c.areas.find((a) => a.area === area && a.path === p);
    expect(at('Europe', 'threema')?.accessible['Five Eyes']).toEqual({ a: 1, b: 3, delta: 2, percentA: 25, percentB: 60, deltaPp: 35 });
    expect(at('Europe', 'threema')?.leftArea).toEqual({ a: 1, b: 1, delta: 0, percentA: 25, percentB: 20, deltaPp: -5 });
    expect(at('Western Europe', 'threema')?.accessible['Five Eyes']).toEqual({ a: 1, b: 2, delta: 1, percentA: 33.3, percentB: 66.7, deltaPp: 33.3 });
    expect(at('Western Europe', 'network')?.changed).toBe(false);
    expect(at('Europe', 'network')?.changed).toBe(true); // 4 -> 5 measurements, shares equal
    const md = comparisonToMarkdown(c);
    expect(md).toContain('| Europe | region | threema | 4 -> 5 | left area 1 (25.0%) -> 1 (20.0%), -5.0 pp; Five Eyes 1 (25.0%) -> 3 (60.0%), +35.0 pp;');
    expect(md).not.toContain('| Western Europe | subregion | Network path |');
  });
});

describe('compare options and properties', () => {
  it('--limit lists fewer pairs but keeps the totals', () => {
    const c = compare('group-accessibility-delta-in-percentage-points', { limit: 1 });
    expect(c.pairs).toMatchObject({ changed: 1, added: 2, removed: 0, limit: 1 });
    expect(c.pairs.listed.map((p) => p.change)).toEqual(['changed']);
    expect(comparisonToMarkdown(c)).toContain('Listing the first 1 of 3 (--limit N lists more).');
    expect(compare('group-accessibility-delta-in-percentage-points', { limit: 0 }).pairs.listed).toEqual([]);
  });

  it('swapping the runs swaps every direction', () => {
    const scenario = 'service-moved-country-is-reported';
    const back = compareRuns(run(scenario, 'b-run.jsonl'), run(scenario, 'a-run.jsonl'), { groups, m49 });
    expect(back.paths.find((p) => p.path === 'threema')?.summary).toBe('threema: service moved DE -> CH');
    const pp = compareRuns(run('group-accessibility-delta-in-percentage-points', 'b-run.jsonl'), run('group-accessibility-delta-in-percentage-points', 'a-run.jsonl'), { groups, m49 });
    expect(pp.areas.find((a) => a.area === 'Europe' && a.path === 'threema')?.accessible['Five Eyes'].deltaPp).toBe(-35);
    expect(pp.pairs).toMatchObject({ changed: 1, added: 0, removed: 2 });
  });

  it('an emulated run labels the comparison', () => {
    const a = run('service-moved-country-is-reported', 'a-run.jsonl');
    const b = run('service-moved-country-is-reported', 'b-run.jsonl');
    const emulated = { ...b, records: b.records.map((r) => ({ ...r, testbedKind: 'emulated' as const })) };
    const c = compareRuns(a, emulated, { groups, m49 });
    expect(c.label).toBe(EMULATED_LABEL);
    expect(c.runs.b.provenance).toEqual({ emulatedRecords: 3, realRecords: 0, undeclaredRecords: 0, label: EMULATED_LABEL });
    expect(c.runs.a.provenance.label).toBeNull();
    expect(comparisonToMarkdown(c).split('\n').slice(0, 3)).toEqual([
      '# Comparison of two runs',
      '',
      `> **${EMULATED_LABEL}** (run A: 0 of 3 records emulated; run B: 3 of 3 records emulated)`,
    ]);
  });

  it('an app measured in one run only is named as such', () => {
    const a = run('service-moved-country-is-reported', 'a-run.jsonl');
    const b = run('service-moved-country-is-reported', 'b-run.jsonl');
    const c = compareRuns({ ...a, records: a.records.filter((r) => r.app !== 'whatsapp') }, b, { groups, m49 });
    expect(c.paths.find((p) => p.path === 'whatsapp')?.summary).toBe('whatsapp: only in run B (service in US)');
    expect(c.areas.find((x) => x.area === 'Europe' && x.path === 'whatsapp')?.leftArea).toEqual({ a: 0, b: 1, delta: 1, percentA: null, percentB: 100, deltaPp: null });
  });
});

describe('endpointCountry', () => {
  const trace = (hops: Trace['hops']): Trace => ({ from: 'A', target: '198.18.0.1', protocol: 'tcp', port: 443, hops });
  it('takes the highest TTL that answered, whatever the order of the hops', () => {
    expect(endpointCountry(trace([{ ttl: 2, ip: '198.18.0.2', rttMs: [], country: 'DE' }, { ttl: 1, ip: '198.18.0.1', rttMs: [], country: 'CH' }]))).toBe('DE');
    expect(endpointCountry(trace([{ ttl: 1, ip: '198.18.0.1', rttMs: [], country: 'CH' }, { ttl: 2, ip: null, rttMs: [], country: null }]))).toBe('CH');
  });
  it('is null without an answering hop or without its country', () => {
    expect(endpointCountry(trace([]))).toBeNull();
    expect(endpointCountry(trace([{ ttl: 1, ip: null, rttMs: [], country: 'CH' }]))).toBeNull();
    expect(endpointCountry(trace([{ ttl: 1, ip: '198.18.0.1', rttMs: [], country: 'CH' }, { ttl: 2, ip: '198.18.0.2', rttMs: [], country: null }]))).toBeNull();
  });
});
