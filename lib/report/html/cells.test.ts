import * as fs from 'fs';
import * as path from 'path';
import { defaultInterestGroups, defaultM49 } from '../../config/geo-tables';
import { buildReport } from '../build';
import { parseMeasurementLines } from '../parse';
import { buildReportCells, cellKey } from './cells';

const FIXTURES = path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'report');
const tables = { groups: defaultInterestGroups(), m49: defaultM49() };

describe.each(['brexit-five-eyes', 'cyprus-russia', 'mda-branches', 'selection'])('cells of %s', (scenario) => {
  const file = path.join(FIXTURES, scenario, 'input.jsonl');
  const { records } = parseMeasurementLines(fs.readFileSync(file, 'utf8'), file);
  const { report, members } = buildReportCells(records, tables);

  it('is the same report as buildReport', () => {
    expect(report).toEqual(buildReport(records, tables));
  });

  it('lists as many measurements behind every cell as the cell counts', () => {
    const size = (key: string) => members.get(key)?.length ?? 0;
    for (const area of report.areas) {
      for (const app of [null, ...report.apps]) {
        const counts = app === null ? area.network : area.apps[app];
        expect(size(cellKey(area, app, 'measurements'))).toBe(counts.measurements);
        expect(size(cellKey(area, app, 'left'))).toBe(counts.leftArea);
        for (const g of report.groups) {
          expect(size(cellKey(area, app, `acc:${g}`))).toBe(counts.accessible[g]);
          expect(size(cellKey(area, app, `reg:${g}`))).toBe(counts.accessibleWithRegistration?.[g] ?? 0);
        }
      }
    }
  });

  it('lists each record once per cell and only records of the area', () => {
    for (const [key, list] of members) {
      expect(new Set(list).size).toBe(list.length);
      const [level, area] = JSON.parse(key) as [string, string];
      for (const i of list) {
        const areas = (r: string) => tables.m49.areasOf(r).map((a) => `${a.level}/${a.area}`);
        expect(areas(records[i].nodeA.country)).toContain(`${level}/${area}`);
        expect(areas(records[i].nodeB.country)).toContain(`${level}/${area}`);
      }
    }
  });
});
