/** groupAccess on the report's Brexit golden dataset with the shipped (dated) interest groups. */
import * as fs from 'fs';
import * as path from 'path';
import { defaultInterestGroups } from '../config/geo-tables';
import type { MeasurementRecord } from '../types';
import { groupAccess } from './access';

const records = fs
  .readFileSync(path.join(__dirname, '..', '..', 'test', 'fixtures', 'report', 'brexit-five-eyes', 'input.jsonl'), 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => JSON.parse(l) as MeasurementRecord);
const byId = (id: string) => records.find((r) => r.measurementId === `golden/signal/${id}`)!;
/** The groups that reach the path, by kind. */
function reached(id: string) {
  const access = groupAccess(byId(id), defaultInterestGroups());
  return { application: access.filter((a) => a.application).map((a) => a.group), network: access.filter((a) => a.network).map((a) => a.group) };
}

describe('groupAccess: which interest groups reach each path, as the report counts', () => {
  it('answers for every group of the table, in table order', () => {
    expect(groupAccess(byId('gb-lon/fr-par'), defaultInterestGroups()).map((a) => a.group)).toEqual(['Five Eyes', 'European Union', 'Arab League', 'Russia', 'China']);
  });

  it("counts the node countries and every hop's country, on the record's own day (GB leaves the EU after 2020-01-31)", () => {
    expect(reached('gb-lon/gb-lon')).toEqual({ application: ['Five Eyes', 'European Union'], network: ['Five Eyes', 'European Union'] });
    expect(reached('gb-man/gb-man')).toEqual({ application: ['Five Eyes'], network: ['Five Eyes'] });
    // FR on the network path only: the EU reaches the network path; the application path (GB node, US server) is Five Eyes and EU (GB in 2015)
    expect(reached('gb-lon/fr-par')).toEqual({ application: ['Five Eyes', 'European Union'], network: ['Five Eyes', 'European Union'] });
  });

  it('a trace without hops leaves the node countries; a group with no member on either path reaches neither', () => {
    expect(reached('au-syd/au-syd')).toEqual({ application: ['Five Eyes'], network: ['Five Eyes'] });
    expect(reached('nz-akl/nz-akl')).toEqual({ application: ['Five Eyes'], network: ['Five Eyes'] });
    const noGroup = groupAccess(byId('au-syd/au-syd'), [{ name: 'Russia only', members: { RU: [{ from: null, until: null }] } }]);
    expect(noGroup).toEqual([{ group: 'Russia only', application: false, network: false }]);
  });
});
