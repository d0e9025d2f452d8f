/**
 * Reads what the HTML report's map is made of (the pure modules read no files): the world-atlas
 * 50m countries (npm package world-atlas 2.0.2, Natural Earth data, public domain), the ISO
 * numeric -> alpha-2 table (configs/geo/iso-numeric.yaml) and a reference point per country: the
 * centre of the first disc of configs/geo/country-points.yaml (the main territory's centre).
 * Read once per process.
 */
import * as fs from 'fs';
import * as path from 'path';
import { defaultCountryShapes, GEO_CONFIG_DIR } from '../../config/geo-tables';
import { countryShapes, parseIsoNumeric, type CountryShape, type Topology } from './world';

export const ISO_NUMERIC_FILE = path.join(GEO_CONFIG_DIR, 'iso-numeric.yaml');
export const WORLD_ATLAS_FILE = 'world-atlas/countries-50m.json';

export interface WorldData {
  countries: CountryShape[];
  /** alpha-2 -> [latitude, longitude] */
  points: Map<string, [number, number]>;
}

function read(file: string, what: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read ${what} ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

let cached: WorldData | undefined;

export function loadWorldData(): WorldData {
  if (cached) return cached;
  const iso = parseIsoNumeric(read(ISO_NUMERIC_FILE, 'ISO numeric table'), ISO_NUMERIC_FILE);
  const atlas = require.resolve(WORLD_ATLAS_FILE);
  const countries = countryShapes(JSON.parse(read(atlas, 'world map')) as Topology, iso);
  const points = new Map<string, [number, number]>();
  for (const [code, discs] of defaultCountryShapes()) if (discs[0]) points.set(code, [discs[0].lat, discs[0].lon]);
  cached = { countries, points };
  return cached;
}
