import * as fs from 'fs';
import { defaultM49, M49_FILE } from '../config/geo-tables';
import { parseM49 } from './m49';

const m49 = defaultM49();

describe('UN M49 table', () => {
  it('covers the 248 ISO 3166-1 alpha-2 codes M49 lists (249 minus Taiwan), plus TW and XK marked as non-members', () => {
    const all = m49.allCountries();
    expect(all).toHaveLength(250);
    expect(new Set(all.map((c) => c.code)).size).toBe(250);
    expect(all.filter((c) => c.m49Member === false).map((c) => c.code)).toEqual(['TW', 'XK']);
    expect(all.filter((c) => 'm49Member' in c)).toHaveLength(2);
    expect(m49.countryInfo('TW')).toEqual({ code: 'TW', name: 'Taiwan', region: 'Asia', subregion: 'Eastern Asia', intermediateRegion: null, m49Member: false });
    expect(m49.countryInfo('XK')).toEqual({ code: 'XK', name: 'Kosovo', region: 'Europe', subregion: 'Southern Europe', intermediateRegion: null, m49Member: false });
    expect(m49.inArea('TW', 'Eastern Asia', 'subregion')).toBe(true);
    expect(m49.inArea('XK', 'Europe', 'region')).toBe(true);
  });

  it('uses only the five M49 regions and their current subregion names', () => {
    const all = m49.allCountries();
    expect([...new Set(all.map((c) => c.region))].sort()).toEqual(['Africa', 'Americas', 'Asia', 'Europe', 'Oceania', null]);
    expect([...new Set(all.map((c) => c.subregion).filter(Boolean))].sort()).toEqual([
      'Australia and New Zealand', 'Central Asia', 'Eastern Asia', 'Eastern Europe', 'Latin America and the Caribbean',
      'Melanesia', 'Micronesia', 'Northern Africa', 'Northern America', 'Northern Europe', 'Polynesia',
      'South-eastern Asia', 'Southern Asia', 'Southern Europe', 'Sub-Saharan Africa', 'Western Asia', 'Western Europe',
    ]);
    expect([...new Set(all.map((c) => c.intermediateRegion).filter(Boolean))].sort()).toEqual([
      'Caribbean', 'Central America', 'Channel Islands', 'Eastern Africa', 'Middle Africa', 'South America',
      'Southern Africa', 'Western Africa',
    ]);
  });

  it('places the countries the paper and DESIGN depend on', () => {
    expect(m49.countryInfo('CY')).toEqual({ code: 'CY', name: 'Cyprus', region: 'Asia', subregion: 'Western Asia', intermediateRegion: null });
    expect(m49.countryInfo('RU')).toMatchObject({ region: 'Europe', subregion: 'Eastern Europe' });
    expect(m49.countryInfo('DE')).toEqual({ code: 'DE', name: 'Germany', region: 'Europe', subregion: 'Western Europe', intermediateRegion: null });
    expect(m49.countryInfo('AQ')).toEqual({ code: 'AQ', name: 'Antarctica', region: null, subregion: null, intermediateRegion: null });
    expect(m49.areasOf('AQ')).toEqual([]);
    expect(m49.countryInfo('GB')).toMatchObject({ subregion: 'Northern Europe', intermediateRegion: null });
    expect(m49.countryInfo('JE')).toMatchObject({ subregion: 'Northern Europe', intermediateRegion: 'Channel Islands' });
    expect(m49.countryInfo('MX')).toMatchObject({ subregion: 'Latin America and the Caribbean', intermediateRegion: 'Central America' });
    expect(m49.countryInfo('US')).toMatchObject({ subregion: 'Northern America', intermediateRegion: null });
    expect(m49.countryInfo('SD')).toMatchObject({ subregion: 'Northern Africa', intermediateRegion: null });
    expect(m49.countryInfo('TR')).toMatchObject({ name: 'Türkiye', subregion: 'Western Asia' });
    expect(m49.countryInfo('HK')).toMatchObject({ subregion: 'Eastern Asia' });
    expect(m49.countryInfo('no')).toMatchObject({ code: 'NO', name: 'Norway' }); // YAML must not read NO as false
    expect(m49.countryInfo('NA')).toMatchObject({ name: 'Namibia', intermediateRegion: 'Southern Africa' });
    expect(m49.areasOf('BR')).toEqual([
      { area: 'Americas', level: 'region' },
      { area: 'Latin America and the Caribbean', level: 'subregion' },
      { area: 'South America', level: 'intermediate' },
    ]);
    expect(m49.inArea('AU', 'Oceania', 'region')).toBe(true);
    expect(m49.inArea('AU', 'Oceania', 'subregion')).toBe(false);
  });

  it('the paper nodes fall in the paper areas (4 Americas, 7 Asia, 15 Europe, 2 Oceania)', () => {
    const nodes = ['US', 'CA', 'AR', 'BR', 'CN', 'HK', 'JP', 'KR', 'SG', 'TH', 'IL', 'PL', 'CZ', 'HU', 'GB', 'SE', 'NO', 'FI', 'ES', 'IT', 'PT', 'GR', 'DE', 'FR', 'CH', 'NL', 'AU', 'NZ'];
    const count = (region: string) => nodes.filter((c) => m49.countryInfo(c)?.region === region).length;
    expect([count('Americas'), count('Asia'), count('Europe'), count('Oceania')]).toEqual([4, 7, 15, 2]);
  });

  it('rejects malformed tables with the key path', () => {
    const good = fs.readFileSync(M49_FILE, 'utf8');
    expect(() => parseM49(good.replace('      KZ: Kazakhstan', '      KZ: Kazakhstan\n      DE: Germany'), M49_FILE)).toThrow(/DE listed twice/);
    expect(() => parseM49('schema: other\ngroups: []', 'm49.yaml')).toThrow(/schema must be matador.m49\/v1/);
    expect(() => parseM49('schema: matador.m49/v1\ngroups:\n  - region: Asia\n    m49Member: true\n    countries: {TW: Taiwan}', 'm49.yaml')).toThrow(
      /m49.yaml: groups\[0\].m49Member: expected false/,
    );
    expect(() => parseM49('schema: matador.m49/v1\ngroups:\n  - region: Asia\n    member: false\n    countries: {TW: Taiwan}', 'm49.yaml')).toThrow(/groups\[0\]: unknown key "member"/);
    expect(() => parseM49('schema: matador.m49/v1\ngroups:\n  - region: null\n    subregion: X\n    countries: {AB: x}', 'm49.yaml')).toThrow(/groups\[0\]: subregion X without region/);
  });
});
