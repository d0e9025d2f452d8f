import { defaultInterestGroups, defaultM49 } from '../config/geo-tables';
import { groupsOf as groupsIn, isMember, parseInterestGroups } from './groups';

const groupsOf = (country: string, date: string) => groupsIn(country, date, defaultInterestGroups());
const countryInfo = (code: string) => defaultM49().countryInfo(code);

describe('interest groups', () => {
  it('has the five default groups of the paper', () => {
    expect(defaultInterestGroups().map((g) => g.name)).toEqual(['Five Eyes', 'European Union', 'Arab League', 'Russia', 'China']);
  });

  it('Five Eyes includes Australia (the paper forgot it in its list)', () => {
    const fiveEyes = defaultInterestGroups()[0];
    expect(Object.keys(fiveEyes.members).sort()).toEqual(['AU', 'CA', 'GB', 'NZ', 'US']);
    expect(groupsOf('AU', '2015-10-01')).toEqual(['Five Eyes']);
  });

  it('the EU has its 28 members of 2015 and 27 after Brexit; GB counts on 2020-01-31, not after', () => {
    const eu = defaultInterestGroups()[1];
    const members = (day: string) => Object.keys(eu.members).filter((c) => isMember(eu, c, day)).sort();
    expect(members('2015-10-01')).toHaveLength(28);
    expect(members('2021-01-01')).toHaveLength(27);
    expect(members('2021-01-01')).not.toContain('GB');
    expect(members('2012-01-01')).not.toContain('HR');
    expect(members('2004-04-30')).toHaveLength(15);
    expect(groupsOf('GB', '2015-10-01T12:00:00Z')).toEqual(['Five Eyes', 'European Union']);
    expect(groupsOf('GB', '2020-01-31T22:59:00Z')).toEqual(['Five Eyes', 'European Union']);
    expect(groupsOf('GB', '2020-02-01T00:00:00Z')).toEqual(['Five Eyes']);
    expect(groupsOf('CY', '2015-10-01')).toEqual(['European Union']);
    expect(countryInfo('CY')?.region).toBe('Asia'); // EU member, yet M49 Asia
  });

  it('the Arab League has 22 members; suspended Syria does not count while suspended', () => {
    const league = defaultInterestGroups()[2];
    expect(Object.keys(league.members)).toHaveLength(22);
    expect(groupsOf('SY', '2011-11-15')).toEqual(['Arab League']);
    expect(groupsOf('SY', '2015-10-01')).toEqual([]);
    expect(groupsOf('SY', '2023-05-07')).toEqual(['Arab League']);
    expect(groupsOf('EG', '1985-01-01')).toEqual([]);
    expect(groupsOf('EG', '2015-10-01')).toEqual(['Arab League']);
  });

  it('Russia is RU only; China is CN only (not HK, not MO)', () => {
    expect(groupsOf('RU', '2015-10-01')).toEqual(['Russia']);
    expect(groupsOf('CN', '2015-10-01')).toEqual(['China']);
    expect(groupsOf('HK', '2015-10-01')).toEqual([]);
    expect(groupsOf('MO', '2015-10-01')).toEqual([]);
    expect(groupsOf('ch', '2015-10-01')).toEqual([]);
  });

  it('every member code is an M49 country', () => {
    for (const group of defaultInterestGroups()) for (const code of Object.keys(group.members)) expect(countryInfo(code)).toBeDefined();
  });

  it('rejects malformed tables with the key path', () => {
    expect(() => parseInterestGroups('schema: matador.interest-groups/v1\ngroups:\n  - name: X\n    members:\n      DE: [{ from: 2020-13-01 }]', 'g.yaml')).toThrow(
      /g.yaml: groups\[0\].members.DE\[0\].from: expected an ISO date/,
    );
    expect(() => parseInterestGroups('schema: matador.interest-groups/v1\ngroups:\n  - name: X\n    members:\n      DE: [{ from: 2020-01-01, until: 2019-01-01 }]', 'g.yaml')).toThrow(
      /from 2020-01-01 is after until 2019-01-01/,
    );
  });
});
