/**
 * Golden tests of the report (DESIGN 4.2, 4.3): test/fixtures/report/<scenario>/input.jsonl and
 * a hand-derived expected.json. What each scenario pins down:
 * - cyprus-russia: CY is an EU member but M49 Western Asia (a CY self-pair is an Asia measurement,
 *   EU accessible); RU is in Europe/Eastern Europe and in the Russia group; CY-GR and CY-RU pairs
 *   belong to no common area; a hop with a country but no address (CN) and a hop with an address
 *   but no country are ignored.
 * - brexit-five-eyes: GB is EU accessible in 2015 and on 2020-01-31, not on 2020-02-01 or in
 *   2021; AU and NZ are Five Eyes (AU self-pair, AU-NZ, NZ self-pair with an empty trace); app
 *   paths through US/SG leave Oceania.
 * - mda-branches: a path crosses a country when ANY branch of a load-balanced hop does
 *   (otherInterfaces, scamper tracelb): DE-FR whose TTL-2 branch via US leaves Europe and is Five
 *   Eyes accessible (the first branch alone would not be); NL-BE with both branches in Western
 *   Europe leaves nothing; AT-CH, an old record with `otherIps` only, counts the unlocated other
 *   address for nothing.
 * - selection: A/B swapped is the same pair; the latest finishedAt wins; failed records are
 *   excluded (even when they are the latest); the network column takes the latest ok record with
 *   a network trace across apps (a wechat record without network traces does not count); HK is
 *   not in the China group.
 */
import * as fs from 'fs';
import * as path from 'path';
import { buildReport, InvalidRecordError, parseMeasurementLines, reportToCsv, reportToMarkdown, type Report } from '../lib/report';
import { generatePaperDataset } from '../bench/report/generate';
import { defaultInterestGroups, defaultM49 } from '../lib/config/geo-tables';

const FIXTURES = path.join(__dirname, 'fixtures', 'report');
const tables = { groups: defaultInterestGroups(), m49: defaultM49() };
const scenarios = fs.readdirSync(FIXTURES).filter((d) => fs.existsSync(path.join(FIXTURES, d, 'expected.json')));

function load(name: string): { report: Report; expected: unknown } {
  const file = path.join(FIXTURES, name, 'input.jsonl');
  const { records } = parseMeasurementLines(fs.readFileSync(file, 'utf8'), file);
  return { report: buildReport(records, tables), expected: JSON.parse(fs.readFileSync(path.join(FIXTURES, name, 'expected.json'), 'utf8')) };
}

describe('report golden scenarios', () => {
  it('has the scenarios', () => {
    expect(scenarios.sort()).toEqual(['brexit-five-eyes', 'cyprus-russia', 'mda-branches', 'selection']);
  });

  it.each(scenarios)('%s matches expected.json', (name) => {
    const { report, expected } = load(name);
    expect(report).toEqual(expected);
  });

  it('is independent of record order (latest finishedAt, not last line, wins)', () => {
    const file = path.join(FIXTURES, 'selection', 'input.jsonl');
    const lines = fs.readFileSync(file, 'utf8').trim().split('\n').reverse().join('\n');
    expect(buildReport(parseMeasurementLines(lines, file).records, tables)).toEqual(load('selection').expected);
  });
});

describe('report formats', () => {
  it('markdown has Table 2 and Table 3 with counts and percentages, areas by level', () => {
    const md = reportToMarkdown(load('brexit-five-eyes').report);
    expect(md).toContain('## Table 2: traffic leaving the area');
    expect(md).toContain('| Area | Level | Network path # | Network path left | signal # | signal left |');
    expect(md).toContain('| Oceania | region | 3 | 0 (0%) | 3 | 2 (67%) |');
    expect(md).toContain('## Table 3: accessible for interest groups');
    expect(md).toContain('| Europe | European Union | 4 | 2 (50%) | 4 | 2 (50%) |');
    expect(md).toContain('| Australia and New Zealand | Five Eyes | 3 | 3 (100%) | 3 | 3 (100%) |');
    expect(md).toContain('## Table 4: path anomalies');
    expect(md).toContain('| Oceania | region | detour | 3 | - | 3 | 2 (67%) |');
    expect(md).toContain('| Oceania | region | detour countries | 3 | - | 3 | SG 1, US 1 |');
    const order = ['| Europe | region', '| Oceania | region', '| Australia and New Zealand | subregion', '| Northern Europe | subregion'].map((s) => md.indexOf(s));
    expect(order.every((v, i) => v >= 0 && (i === 0 || v > order[i - 1]))).toBe(true);
  });

  it('csv has one row per table, area, group and path', () => {
    const csv = reportToCsv(load('selection').report).trim().split('\n');
    expect(csv[0]).toBe('table,area,level,group,path,measurements,count,percent');
    expect(csv).toContain('leaving,Europe,region,,wechat,3,2,66.7');
    expect(csv).toContain('leaving,Western Europe,subregion,,network,3,0,0.0');
    expect(csv).toContain('accessible,Europe,region,China,wechat,3,2,66.7');
    expect(csv).toContain('accessible,Europe,region,European Union,whatsapp,2,2,100.0');
    expect(csv).toContain('detour,Europe,region,,wechat,3,1,33.3');
    expect(csv).toContain('detour-country,Western Europe,subregion,HK,wechat,3,1,33.3');
    expect(csv).toContain('boomerang,Europe,region,,network,3,0,0.0');
    // header + 2 areas x 3 paths (Table 2) + 2 areas x 5 groups x 3 paths (Table 3) + anomalies:
    // 2 areas x (network 2 rows + 2 apps x 3 rows) + detour countries (CN, HK, NL in 2 areas)
    expect(csv).toHaveLength(1 + 2 * 3 + 2 * 5 * 3 + 2 * (2 + 2 * 3) + 2 * 3);
  });
});

describe('reading records', () => {
  const good = fs.readFileSync(path.join(FIXTURES, 'selection', 'input.jsonl'), 'utf8').trim().split('\n');

  it('names file and line of a malformed record', () => {
    const text = [good[0], '', good[1], '{"schema":"matador.measurement/v1"', good[2]].join('\n');
    expect(() => parseMeasurementLines(text, 'data.jsonl')).toThrow(InvalidRecordError);
    expect(() => parseMeasurementLines(text, 'data.jsonl')).toThrow(/^data.jsonl:4: invalid measurement record: not valid JSON/);
    const noCountry = JSON.stringify({ ...JSON.parse(good[0]), nodeB: { id: 'x', country: 'Germany' } });
    expect(() => parseMeasurementLines(noCountry, 'd.jsonl')).toThrow(/d.jsonl:1: .*nodeB.country must be an ISO 3166-1 alpha-2 code, got "Germany"/);
    const badHop = JSON.parse(good[0]);
    badHop.networkPath.traces[0].hops[1].ip = 7;
    expect(() => parseMeasurementLines(JSON.stringify(badHop), 'd.jsonl')).toThrow(/networkPath.traces\[0\].hops\[1\].ip must be a string or null/);
  });

  it('skips and counts malformed lines on request', () => {
    const text = [good[0], 'garbage', good[1], '{"schema":"other"}'].join('\n');
    const parsed = parseMeasurementLines(text, 'data.jsonl', { skipInvalid: true });
    expect(parsed.records).toHaveLength(2);
    expect(parsed.invalid.map((i) => i.line)).toEqual([2, 4]);
    expect(buildReport(parsed.records, { ...tables, invalidLinesSkipped: parsed.invalid.length }).input.invalidLinesSkipped).toBe(2);
  });
});

describe('paper-shaped dataset (28 PlanetLab nodes, 406 pairs x 4 apps)', () => {
  const records = generatePaperDataset();
  const report = buildReport(records, tables);
  const area = (name: string) => {
    const found = report.areas.find((a) => a.area === name);
    if (!found) throw new Error(`area ${name} missing`);
    return found;
  };

  it('has 1624 records and the paper\'s measurement counts per area (Table 2)', () => {
    expect(records).toHaveLength(1624);
    expect(report.input).toEqual({ records: 1624, invalidLinesSkipped: 0, networkRecords: 406, appRecords: { textsecure: 406, threema: 406, wechat: 406, whatsapp: 406 } });
    const counts = Object.fromEntries(['Europe', 'Asia', 'Oceania', 'Americas', 'South America', 'Northern America'].map((a) => [a, area(a).network.measurements]));
    expect(counts).toEqual({ Europe: 120, Asia: 28, Oceania: 3, Americas: 10, 'South America': 3, 'Northern America': 3 });
    for (const a of report.areas) for (const app of report.apps) expect(a.apps[app].measurements).toBe(a.network.measurements);
  });

  it('reproduces the paper\'s network-path figures from paper-like routes', () => {
    // Table 2: Europe 0 of 120, Oceania 0 of 3, Asia 6 of 28, Americas 0 of 10, South America 1 of 3, Northern America 0 of 3.
    expect(['Europe', 'Oceania', 'Asia', 'Americas', 'South America', 'Northern America'].map((a) => area(a).network.leftArea)).toEqual([0, 0, 6, 0, 1, 0]);
    // Table 3 (network path): Europe 5 Eyes 86, EU 118, China 0; Oceania 5 Eyes 3; Asia 5 Eyes 6, EU 6, China 10;
    // South America 5 Eyes 1, EU 0; North America 5 Eyes 3.
    expect(area('Europe').network.accessible).toEqual({ 'Five Eyes': 86, 'European Union': 118, 'Arab League': 0, Russia: 0, China: 0 });
    expect(area('Oceania').network.accessible['Five Eyes']).toBe(3);
    expect(area('Asia').network.accessible).toMatchObject({ 'Five Eyes': 6, 'European Union': 6, China: 10 });
    expect(area('South America').network.accessible).toMatchObject({ 'Five Eyes': 1, 'European Union': 0 });
    expect(area('Northern America').network.accessible['Five Eyes']).toBe(3);
  });

  it('orders areas by level (regions, subregions, intermediate regions), then by name', () => {
    const levels = report.areas.map((a) => a.level);
    expect(levels).toEqual([...levels].sort((x, y) => ['region', 'subregion', 'intermediate'].indexOf(x) - ['region', 'subregion', 'intermediate'].indexOf(y)));
    expect(report.areas.filter((a) => a.level === 'region').map((a) => a.area)).toEqual(['Americas', 'Asia', 'Europe', 'Oceania']);
    expect(report.areas.filter((a) => a.level === 'intermediate').map((a) => a.area)).toEqual(['South America']);
  });

  it('app columns follow the server locations (Threema CH, WeChat CN, WhatsApp/TextSecure US)', () => {
    expect(area('Europe').apps.threema.leftArea).toBe(0);
    expect(area('Europe').apps.whatsapp.leftArea).toBe(120);
    expect(area('Oceania').apps.wechat.accessible.China).toBe(3);
    expect(area('Eastern Asia').apps.wechat.leftArea).toBe(0);
  });
});
