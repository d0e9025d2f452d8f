import * as fs from 'fs';
import { defaultM49 } from '../../config/geo-tables';
import { countryShapes, parseIsoNumeric, type Topology } from './world';
import { ISO_NUMERIC_FILE, WORLD_ATLAS_FILE, loadWorldData } from './world-data';

const iso = parseIsoNumeric(fs.readFileSync(ISO_NUMERIC_FILE, 'utf8'), ISO_NUMERIC_FILE);

describe('the ISO numeric table', () => {
  it('has a numeric code for every M49 country but Kosovo, which world-atlas names', () => {
    const alpha2 = new Set(iso.byNumeric.values());
    const missing = defaultM49().allCountries().filter((c) => !alpha2.has(c.code)).map((c) => c.code);
    expect(missing).toEqual(['XK']);
    expect(iso.byName.get('Kosovo')).toBe('XK');
    expect(iso.byNumeric.get('276')).toBe('DE');
    expect(iso.byNumeric.get('036')).toBe('AU');
  });

  it('refuses a bad table naming the file and the key', () => {
    expect(() => parseIsoNumeric('schema: x\n', 'f.yaml')).toThrow('f.yaml: schema must be matador.iso-numeric/v1');
    expect(() => parseIsoNumeric('schema: matador.iso-numeric/v1\ncodes:\n  DE: 276\n', 'f.yaml')).toThrow('f.yaml: codes.DE: numeric code must be three digits in quotes, got 276');
    expect(() => parseIsoNumeric("schema: matador.iso-numeric/v1\ncodes:\n  Deu: '276'\n", 'f.yaml')).toThrow('f.yaml: codes.Deu: not an alpha-2 code');
  });
});

describe('countryShapes', () => {
  it('draws the world-atlas countries with their alpha-2 codes, unknown ones with code null', () => {
    const topology = JSON.parse(fs.readFileSync(require.resolve('world-atlas/countries-110m.json'), 'utf8')) as Topology;
    const shapes = countryShapes(topology, iso);
    expect(shapes).toHaveLength(177);
    const byCode = new Map(shapes.map((s) => [s.code, s]));
    expect(byCode.get('DE')?.name).toBe('Germany');
    expect(byCode.get('XK')?.name).toBe('Kosovo');
    expect(shapes.filter((s) => s.code === null).map((s) => s.name).sort()).toEqual(['N. Cyprus', 'Somaliland']);
    expect(byCode.get('DE')?.d).toMatch(/^M[\d.]+ [\d.]+( [\d.]+ [\d.]+)+Z/);
  });

  it('loads the 50m map and a reference point for every country of the point table', () => {
    const world = loadWorldData();
    expect(WORLD_ATLAS_FILE).toBe('world-atlas/countries-50m.json');
    expect(world.countries.find((c) => c.code === 'SG')?.d).not.toBe(''); // too small for the 110m map
    expect(world.points.get('DE')).toEqual([expect.any(Number), expect.any(Number)]);
    expect(world.points.size).toBeGreaterThan(240);
  });
});
