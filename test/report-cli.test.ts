/**
 * `matador report --campaign`, the emulated label and `--compare` end to end through bin/matador
 * (built dist/), against a real SQLite results store written with ResultsStore in a temporary
 * folder.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ResultsStore } from '../store';
import { EMULATED_LABEL, parseMeasurementLines, type Comparison, type Report } from '../lib/report';
import type { MeasurementRecord, TestbedKind } from '../lib/types';
import { matadorSync } from './support/matador-cli';

const COMPARE = path.join(__dirname, 'fixtures', 'report', 'compare');
const MOVED = path.join(COMPARE, 'service-moved-country-is-reported');

const COUNTRY: Record<string, string> = { 'ch-zrh': 'CH', 'de-fra': 'DE' };

interface Spec {
  campaign: string;
  app: string;
  a: string;
  b: string;
  finishedAt: string;
  status?: 'ok' | 'failed';
  net?: string[]; // hop countries of one network trace
  appHops: string[]; // hop countries of one application trace
  testbedKind?: TestbedKind;
}

function record(s: Spec): MeasurementRecord {
  const hops = (countries: string[], base: number) => countries.map((country, i) => ({ ttl: i + 1, ip: `198.18.${base}.${i + 1}`, rttMs: [2 * (i + 1)], country }));
  return {
    schema: 'matador.measurement/v1',
    campaign: s.campaign,
    measurementId: `${s.campaign}/${s.app}/${s.a}/${s.b}`,
    app: s.app,
    status: s.status ?? 'ok',
    failure: s.status === 'failed' ? 'send: adb_unreachable' : null,
    startedAt: '2025-02-01T08:00:00Z',
    finishedAt: s.finishedAt,
    nodeA: { id: s.a, country: COUNTRY[s.a] },
    nodeB: { id: s.b, country: COUNTRY[s.b] },
    networkPath: { traces: s.net ? [{ from: 'A', target: '198.18.9.1', protocol: 'tcp', port: 47000, hops: hops(s.net, 1) }] : [] },
    applicationPath: { traces: [{ from: 'A', target: '198.18.8.1', protocol: 'tcp', port: 443, hops: hops(s.appHops, 2) }] },
    ...(s.testbedKind ? { testbedKind: s.testbedKind } : {}),
  };
}

let dir: string;
let storeFile: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'matador-report-cli-'));
  storeFile = path.join(dir, 'results.sqlite');
  const store = new ResultsStore({ file: storeFile });
  try {
    const demo = { campaign: 'demo', net: ['CH', 'DE'] };
    // threema ch-zrh|de-fra: attempt 2 (ok) replaces the failed attempt 1; the swapped pair
    // de-fra/ch-zrh is older, so DESIGN 4.2 selection drops it (its US hop must not count).
    store.putAttempt(1, record({ ...demo, app: 'threema', a: 'ch-zrh', b: 'de-fra', finishedAt: '2025-02-01T10:00:00Z', status: 'failed', appHops: ['CH'] }));
    store.putAttempt(2, record({ ...demo, app: 'threema', a: 'ch-zrh', b: 'de-fra', finishedAt: '2025-02-01T11:00:00Z', appHops: ['CH', 'CH'] }));
    store.putAttempt(1, record({ ...demo, app: 'threema', a: 'de-fra', b: 'ch-zrh', finishedAt: '2025-02-01T09:00:00Z', net: ['DE', 'US'], appHops: ['DE', 'US'] }));
    // whatsapp ch-zrh|de-fra: the latest attempt failed, so the measurement counts nowhere.
    store.putAttempt(1, record({ ...demo, app: 'whatsapp', a: 'ch-zrh', b: 'de-fra', finishedAt: '2025-02-01T10:30:00Z', appHops: ['CH', 'US'] }));
    store.putAttempt(2, record({ ...demo, app: 'whatsapp', a: 'ch-zrh', b: 'de-fra', finishedAt: '2025-02-01T12:00:00Z', status: 'failed', appHops: ['CH'] }));
    store.putAttempt(1, record({ ...demo, app: 'whatsapp', a: 'ch-zrh', b: 'ch-zrh', finishedAt: '2025-02-01T12:30:00Z', net: ['CH'], appHops: ['CH', 'US'] }));
    // Another campaign in the same store must not leak into demo.
    store.putAttempt(1, record({ campaign: 'other', app: 'threema', a: 'ch-zrh', b: 'de-fra', finishedAt: '2025-02-02T10:00:00Z', net: ['CH', 'CN'], appHops: ['CN'] }));
    // Emulated world: two emulated records and one real one.
    const emu = { campaign: 'emu', app: 'threema', finishedAt: '2025-02-03T10:00:00Z', net: ['CH', 'DE'], appHops: ['CH'] };
    store.putAttempt(1, record({ ...emu, a: 'ch-zrh', b: 'de-fra', testbedKind: 'emulated' }));
    store.putAttempt(1, record({ ...emu, a: 'ch-zrh', b: 'ch-zrh', testbedKind: 'emulated' }));
    store.putAttempt(1, record({ ...emu, a: 'de-fra', b: 'de-fra', testbedKind: 'real' }));
    // The compare fixtures as campaigns run-a and run-b.
    for (const file of ['a-run.jsonl', 'b-run.jsonl']) {
      const full = path.join(MOVED, file);
      for (const r of parseMeasurementLines(fs.readFileSync(full, 'utf8'), full).records) store.putAttempt(1, r);
    }
  } finally {
    store.close();
  }
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('matador report --campaign', () => {
  it('reads the latest attempts of one campaign from the store and applies the DESIGN 4.2 selection', () => {
    const r = matadorSync('report', '--campaign', 'demo', '--store', storeFile);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.input).toEqual({ records: 4, invalidLinesSkipped: 0, networkRecords: 2, appRecords: { threema: 1, whatsapp: 1 } });
    expect('provenance' in report).toBe(false);
    const europe = report.areas.find((a) => a.area === 'Europe');
    expect(europe?.network).toEqual({ measurements: 2, leftArea: 0, accessible: { 'Five Eyes': 0, 'European Union': 1, 'Arab League': 0, Russia: 0, China: 0 }, crossedIxpOutsideArea: 0, boomerangs: 0 });
    expect(europe?.apps.threema).toEqual({ measurements: 1, leftArea: 0, accessible: { 'Five Eyes': 0, 'European Union': 1, 'Arab League': 0, Russia: 0, China: 0 }, crossedIxpOutsideArea: 0, boomerangs: 0, detours: 0, detourCountries: {} });
    expect(europe?.apps.whatsapp).toEqual({ measurements: 1, leftArea: 1, accessible: { 'Five Eyes': 1, 'European Union': 0, 'Arab League': 0, Russia: 0, China: 0 }, crossedIxpOutsideArea: 0, boomerangs: 0, detours: 1, detourCountries: { US: 1 } });
    expect(report.areas.map((a) => a.area)).toEqual(['Europe', 'Western Europe']);
  });

  it('equals the report of the exported campaign file', () => {
    const out = path.join(dir, 'demo.jsonl');
    const exported = matadorSync('dataset', 'export', '--campaign', 'demo', '--out', out, '--store', storeFile);
    expect(exported.status).toBe(0);
    for (const format of ['json', 'md', 'csv']) {
      const fromStore = matadorSync('report', '--campaign', 'demo', '--store', storeFile, '--format', format);
      const fromFile = matadorSync('report', '--input', out, '--format', format);
      expect(fromStore.status).toBe(0);
      expect(fromStore.stdout).toBe(fromFile.stdout);
    }
  });
});

describe('emulated records are labelled', () => {
  const line = `${EMULATED_LABEL}: 2 of 3 records come from the emulated testbed`;

  it('json has provenance with the label', () => {
    const r = matadorSync('report', '--campaign', 'emu', '--store', storeFile, '--format', 'json');
    expect(r.status).toBe(0);
    expect((JSON.parse(r.stdout) as Report).provenance).toEqual({ emulatedRecords: 2, realRecords: 1, undeclaredRecords: 0, label: EMULATED_LABEL });
  });

  it('markdown starts with the label', () => {
    const r = matadorSync('report', '--campaign', 'emu', '--store', storeFile, '--format', 'md');
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe(`> **${line}**`);
  });

  it('csv starts with one comment line that a comment-aware reader skips', () => {
    const r = matadorSync('report', '--campaign', 'emu', '--store', storeFile, '--format', 'csv');
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe(`# ${line}`);
    expect(lines.filter((l) => l.startsWith('#'))).toHaveLength(1);
    expect(lines[1]).toBe('table,area,level,group,path,measurements,count,percent');
    // Europe: ch-zrh|de-fra and ch-zrh self-pair (de-fra self-pair too): 3 threema measurements, none left.
    expect(lines).toContain('leaving,Europe,region,,threema,3,0,0.0');
  });

  it('--help documents the comment line', () => {
    const r = matadorSync('report', '--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('ONE COMMENT LINE starting with "# " before the CSV header');
    expect(r.stdout).toContain("comment='#'");
  });
});

describe('matador report --compare', () => {
  const expected = JSON.parse(fs.readFileSync(path.join(MOVED, 'expected.json'), 'utf8')) as Comparison;

  it('compares two files: Markdown by default, JSON on request', () => {
    const a = path.join(MOVED, 'a-run.jsonl');
    const b = path.join(MOVED, 'b-run.jsonl');
    const md = matadorSync('report', '--compare', a, b);
    expect(md.stderr).toBe('');
    expect(md.status).toBe(0);
    expect(md.stdout).toContain('- **threema: service moved CH -> DE**');
    expect(md.stdout).toContain('| changed | threema | de-fra - nl-ams | CH, DE, NL | DE, NL | - | CH |');
    const json = matadorSync('report', '--compare', a, b, '--format', 'json');
    expect(json.status).toBe(0);
    const c = JSON.parse(json.stdout) as Comparison;
    expect(c.schema).toBe('matador.report-compare/v1');
    expect(c.runs.a.name).toBe(a);
    expect(c.groups).toEqual(['Five Eyes', 'European Union', 'Arab League', 'Russia', 'China']);
    // Paths and pairs do not depend on the interest groups, so they equal the golden file's.
    expect(c.paths).toEqual(expected.paths);
    expect(c.pairs).toEqual(expected.pairs);
  });

  it('compares campaigns of the store, and a campaign with a file', () => {
    const r = matadorSync('report', '--compare', 'run-a', 'run-b', '--store', storeFile, '--format', 'json');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const c = JSON.parse(r.stdout) as Comparison;
    expect([c.runs.a.name, c.runs.b.name]).toEqual(['campaign run-a', 'campaign run-b']);
    expect(c.paths).toEqual(expected.paths);
    expect(c.pairs).toEqual(expected.pairs);
    const mixed = matadorSync('report', '--compare', 'run-a', path.join(MOVED, 'b-run.jsonl'), '--store', storeFile, '--format', 'json', '--limit', '0');
    expect(mixed.status).toBe(0);
    const m = JSON.parse(mixed.stdout) as Comparison;
    expect(m.paths).toEqual(expected.paths);
    expect(m.pairs).toEqual({ ...expected.pairs, limit: 0, listed: [] });
  });

  it('labels a comparison with an emulated run', () => {
    const r = matadorSync('report', '--compare', 'demo', 'emu', '--store', storeFile);
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n')[2]).toBe(`> **${EMULATED_LABEL}** (run A: 0 of 4 records emulated; run B: 2 of 3 records emulated)`);
  });
});

describe('one-line errors', () => {
  function fails(args: string[], stderr: string | RegExp): void {
    const r = matadorSync(...args);
    expect({ status: r.status, stdout: r.stdout }).toEqual({ status: 1, stdout: '' });
    if (typeof stderr === 'string') expect(r.stderr).toBe(`${stderr}\n`);
    else expect(r.stderr).toMatch(stderr);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  }

  it('both --input and --campaign, or neither', () => {
    fails(['report', '--input', path.join(MOVED, 'a-run.jsonl'), '--campaign', 'demo', '--store', storeFile], 'matador: give exactly one of --input FILE or --campaign ID, not both');
    fails(['report', '--store', storeFile], 'matador: give exactly one of --input FILE or --campaign ID (or --compare RUN_A RUN_B)');
  });

  it('unknown campaign lists the known ones', () => {
    fails(['report', '--campaign', 'nope', '--store', storeFile], `matador: campaign "nope" has no records in ${storeFile} (known: demo, emu, other, run-a, run-b)`);
    fails(['report', '--compare', 'run-a', 'nope', '--store', storeFile], `matador: campaign "nope" has no records in ${storeFile} (known: demo, emu, other, run-a, run-b)`);
  });

  it('missing or unreadable store', () => {
    const missing = path.join(dir, 'none', 'results.sqlite');
    fails(['report', '--campaign', 'demo', '--store', missing], `matador: no results store at ${missing} (run a campaign first, or pass --store FILE)`);
    fails(['report', '--compare', 'run-a', 'run-b', '--store', missing], `matador: no results store at ${missing} (run a campaign first, or pass --store FILE)`);
    expect(fs.existsSync(path.dirname(missing))).toBe(false); // reading never creates a store
    const garbage = path.join(dir, 'garbage.sqlite');
    fs.writeFileSync(garbage, 'this is not a database, just text that is long enough to look like a header\n'.repeat(10));
    fails(['report', '--campaign', 'demo', '--store', garbage], /^matador: results store .*garbage.sqlite: .*not a database\n$/);
  });

  it('bad --compare usage', () => {
    const a = path.join(MOVED, 'a-run.jsonl');
    fails(['report', '--compare', 'run-a', '--store', storeFile], 'matador: --compare needs exactly two runs (campaign id or .jsonl file), got 1: run-a');
    fails(['report', '--compare', a, a, '--format', 'csv'], 'matador: --format csv is not available with --compare (use md or json)');
    fails(['report', '--compare', a, a, '--campaign', 'demo'], 'matador: --compare takes its two runs as arguments: drop --input/--campaign (e.g. --compare demo other.jsonl)');
    fails(['report', '--compare', a, a, '--limit', 'ten'], 'matador: --limit must be a whole number >= 0, got "ten"');
    fails(['report', '--input', a, '--limit', '3'], 'matador: --limit applies to --compare only');
    const missing = path.join(dir, 'missing.jsonl');
    fails(['report', '--compare', a, missing], `matador: cannot read run B ${missing}: ENOENT`);
  });
});
