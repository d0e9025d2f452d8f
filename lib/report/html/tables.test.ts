import * as fs from 'fs';
import * as path from 'path';
import { defaultInterestGroups, defaultM49 } from '../../config/geo-tables';
import { buildReport } from '../build';
import { parseMeasurementLines } from '../parse';
import { compareShares, hasRegistrationTable, table2, table3 } from './tables';

const FILE = path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'report', 'brexit-five-eyes', 'input.jsonl');
const report = buildReport(parseMeasurementLines(fs.readFileSync(FILE, 'utf8'), FILE).records, { groups: defaultInterestGroups(), m49: defaultM49() });
const link = (key: string) => `#${encodeURIComponent(key)}`;

describe('compareShares', () => {
  it('compares shares, not counts, and says nothing without measurements', () => {
    expect(compareShares({ count: 2, total: 3 }, { count: 0, total: 3 })).toBe('more');
    expect(compareShares({ count: 1, total: 4 }, { count: 1, total: 2 })).toBe('less');
    expect(compareShares({ count: 1, total: 2 }, { count: 2, total: 4 })).toBe('same');
    expect(compareShares({ count: 0, total: 0 }, { count: 1, total: 2 })).toBeNull();
  });
});

describe('Tables 2 and 3', () => {
  const t2 = table2(report, link);
  it('has one row per area, counts with shares, app cells coloured against the network path', () => {
    expect(t2.split('<tbody>')[1].match(/<tr><th>/g)).toHaveLength(report.areas.length);
    expect(t2).toContain('<td class="more" title="signal 67%, network path 0%" data-level="region" data-area="Oceania" data-col="signal" data-metric="left"><a href="#');
    expect(t2).toContain('>2 (67%)</a></td>');
    // the network column is never coloured
    expect(t2).not.toMatch(/class="(more|less|same)"[^>]*data-col="network"/);
  });

  it('links non-zero cells only', () => {
    expect(t2).toContain('data-area="Oceania" data-col="network" data-metric="left">0 (0%)</td>');
  });

  it('Table 3 has a row per area and group; no registration variant without AS data', () => {
    const t3 = table3(report, link);
    expect(t3.split('<tbody>')[1].match(/<tr><th>/g)).toHaveLength(report.areas.length * report.groups.length);
    expect(t3).toContain('data-metric="acc:Five Eyes"');
    expect(hasRegistrationTable(report)).toBe(false);
  });
});
