import * as fs from 'fs';
import * as path from 'path';
import { defaultInterestGroups, defaultM49 } from '../config/geo-tables';
import { ATTRIBUTIONS } from '../geo/attributions';
import type { MeasurementRecord } from '../types';
import { buildReport } from './build';
import { reportToCsv, reportToMarkdown } from './format';
import { attributionsOf, tablesOf } from './geo-sources';
import { parseMeasurementLines } from './parse';

const opts = { groups: defaultInterestGroups(), m49: defaultM49() };

function record(a: [string, string], b: [string, string], hops: string[], geolocation?: unknown): MeasurementRecord {
  const trace = { from: 'A' as const, target: '203.0.113.9', protocol: 'tcp' as const, port: 443, hops: hops.map((country, i) => ({ ttl: i + 1, ip: `203.0.113.${i + 1}`, rttMs: [10], country })) };
  return {
    schema: 'matador.measurement/v1', campaign: 'c', measurementId: `c/x/${a[0]}/${b[0]}`, app: 'x', status: 'ok', failure: null,
    startedAt: '2026-06-01T10:00:00Z', finishedAt: '2026-06-01T10:05:00Z',
    nodeA: { id: a[0], country: a[1] }, nodeB: { id: b[0], country: b[1] },
    networkPath: { traces: [trace] }, applicationPath: { traces: [trace] },
    ...(geolocation !== undefined ? { geolocation } : {}),
  };
}

describe('TW and XK in the areas', () => {
  it('a TW hop between two Asian nodes leaves neither Asia nor Eastern Asia', () => {
    const report = buildReport([record(['jp-tyo', 'JP'], ['kr-sel', 'KR'], ['JP', 'TW', 'KR'])], opts);
    const asia = report.areas.find((a) => a.area === 'Asia' && a.level === 'region');
    const eastern = report.areas.find((a) => a.area === 'Eastern Asia' && a.level === 'subregion');
    expect(asia?.network).toMatchObject({ measurements: 1, leftArea: 0 });
    expect(eastern?.network).toMatchObject({ measurements: 1, leftArea: 0 });
    expect(eastern?.apps.x).toMatchObject({ measurements: 1, leftArea: 0 });
    // Membership of interest groups is unchanged: TW is in none (China does not count it).
    expect(eastern?.network.accessible.China).toBe(0);
  });

  it('an XK hop stays in Southern Europe; a code the table lacks still leaves every area', () => {
    const report = buildReport([record(['rs-beg', 'RS'], ['al-tia', 'AL'], ['RS', 'XK', 'AL']), record(['gr-ath', 'GR'], ['it-rom', 'IT'], ['GR', 'ZZ'])], opts);
    const southern = report.areas.find((a) => a.area === 'Southern Europe');
    expect(southern?.network).toMatchObject({ measurements: 2, leftArea: 1 });
  });
});

describe('geolocation sources of the records', () => {
  const geoA = { attributions: [ATTRIBUTIONS.geolite2], tables: { m49: '/x/m49.yaml', interestGroups: null } };
  const geoB = { attributions: [ATTRIBUTIONS.geolite2, ATTRIBUTIONS.dbip], tables: { m49: '/x/m49.yaml', interestGroups: null } };

  it('collects the attributions into the report, its Markdown and CSV', () => {
    const records = [record(['de-ber', 'DE'], ['fr-par', 'FR'], ['DE']), record(['de-fra', 'DE'], ['fr-par', 'FR'], ['DE'], geoA), record(['de-muc', 'DE'], ['fr-par', 'FR'], ['FR'], geoB)];
    expect(attributionsOf(records)).toEqual([ATTRIBUTIONS.geolite2, ATTRIBUTIONS.dbip]);
    const report = buildReport(records, opts);
    expect(report.attributions).toEqual([ATTRIBUTIONS.geolite2, ATTRIBUTIONS.dbip]);
    expect(reportToMarkdown(report)).toContain(`## Geolocation data\n\n- ${ATTRIBUTIONS.geolite2}\n- ${ATTRIBUTIONS.dbip}\n`);
    const csv = reportToCsv(report).trimEnd().split('\n');
    expect(csv.slice(-2)).toEqual([`# Geolocation data: ${ATTRIBUTIONS.geolite2}`, `# Geolocation data: ${ATTRIBUTIONS.dbip}`]);
  });

  it('records without the fields (older exports) add nothing: the golden report is unchanged', () => {
    const dir = path.join(__dirname, '../../test/fixtures/report/cyprus-russia');
    const { records } = parseMeasurementLines(fs.readFileSync(path.join(dir, 'input.jsonl'), 'utf8'), 'input.jsonl');
    const report = buildReport(records, opts);
    expect(report).not.toHaveProperty('attributions');
    expect(report).toEqual(JSON.parse(fs.readFileSync(path.join(dir, 'expected.json'), 'utf8')));
    expect(tablesOf(records)).toEqual({ m49: null, interestGroups: null });
  });

  it('names the tables the campaign chose, and refuses records that disagree', () => {
    expect(tablesOf([record(['a', 'DE'], ['b', 'FR'], [], geoA), record(['c', 'DE'], ['d', 'FR'], [])])).toEqual({ m49: '/x/m49.yaml', interestGroups: null });
    const other = { tables: { m49: null, interestGroups: null } };
    expect(() => tablesOf([record(['a', 'DE'], ['b', 'FR'], [], geoA), record(['c', 'DE'], ['d', 'FR'], [], other)])).toThrow(
      'the records name different m49 tables (/x/m49.yaml, shipped): pass one with --m49',
    );
  });
});
