/**
 * Reads the geo tables that lib/geo works on (lib/geo itself reads no files):
 *   configs/geo/m49.yaml              UN M49 areas per country       -> M49Table
 *   configs/geo/interest-groups.yaml  groups with dated membership   -> InterestGroup[]
 *   configs/geo/country-points.yaml   country discs for the RTT check -> CountryShapes
 *   configs/geo/corrections.yaml      (and any other corrections file) -> Correction[]
 * Errors name the file and, for a bad entry, the key path inside it (lib/geo's parsers).
 * The shipped tables are read once per process.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseCorrections, type Correction } from '../geo/corrections';
import { parseInterestGroups, type InterestGroup } from '../geo/groups';
import { M49Table, parseM49 } from '../geo/m49';
import { parseCountryPoints, type CountryShapes } from '../geo/plausibility';
import { configsDir } from '../project-paths';

export const GEO_CONFIG_DIR = path.join(configsDir, 'geo');
export const M49_FILE = path.join(GEO_CONFIG_DIR, 'm49.yaml');
export const INTEREST_GROUPS_FILE = path.join(GEO_CONFIG_DIR, 'interest-groups.yaml');
export const COUNTRY_POINTS_FILE = path.join(GEO_CONFIG_DIR, 'country-points.yaml');
export const DEFAULT_CORRECTIONS_FILE = path.join(GEO_CONFIG_DIR, 'corrections.yaml');

function readTable(file: string, what: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read ${what} file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

const shipped = new Map<string, unknown>();

function once<T>(key: string, read: () => T): T {
  if (!shipped.has(key)) shipped.set(key, read());
  return shipped.get(key) as T;
}

export function loadM49(file: string): M49Table {
  return new M49Table(parseM49(readTable(file, 'M49'), file));
}

export function loadInterestGroups(file: string): InterestGroup[] {
  return parseInterestGroups(readTable(file, 'interest groups'), file);
}

export function loadCountryShapes(file: string): CountryShapes {
  return parseCountryPoints(readTable(file, 'country points'), file);
}

export function loadCorrections(file: string): Correction[] {
  return parseCorrections(readTable(file, 'corrections'), file);
}

/** The shipped M49 table (configs/geo/m49.yaml). */
export function defaultM49(): M49Table {
  return once(M49_FILE, () => loadM49(M49_FILE));
}

/** The shipped groups (Five Eyes, European Union, Arab League, Russia, China). */
export function defaultInterestGroups(): InterestGroup[] {
  return once(INTEREST_GROUPS_FILE, () => loadInterestGroups(INTEREST_GROUPS_FILE));
}

/** The shipped country reference discs. */
export function defaultCountryShapes(): CountryShapes {
  return once(COUNTRY_POINTS_FILE, () => loadCountryShapes(COUNTRY_POINTS_FILE));
}
