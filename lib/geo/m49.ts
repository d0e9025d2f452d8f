/**
 * UN M49 areas of ISO 3166-1 alpha-2 codes (DESIGN 4.2, 4.5). The table lives in
 * configs/geo/m49.yaml so that it can be reviewed against the UN overview without reading code;
 * it is read once, validated, and then served from memory.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parse as parseYaml } from 'yaml';
import { configsDir } from '../project-paths';
import type { CountryInfo } from '../types';

export type AreaLevel = 'region' | 'subregion' | 'intermediate';
export const AREA_LEVELS: readonly AreaLevel[] = ['region', 'subregion', 'intermediate'];

export interface AreaRef {
  area: string;
  level: AreaLevel;
}

export const M49_FILE = path.join(configsDir, 'geo', 'm49.yaml');

interface M49Table {
  byCode: Map<string, CountryInfo>;
  ordered: CountryInfo[];
}

let table: M49Table | null = null;

function nullableName(value: unknown, where: string): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'string' || value.trim() === '') throw new Error(`${where}: expected a name or null, got ${JSON.stringify(value)}`);
  return value;
}

/** Parses the M49 YAML text; exported for tests that check the file's invariants. */
export function parseM49(text: string, file = M49_FILE): CountryInfo[] {
  const doc = parseYaml(text) as { schema?: unknown; groups?: unknown };
  if (doc?.schema !== 'matador.m49/v1') throw new Error(`${file}: schema must be matador.m49/v1, got ${JSON.stringify(doc?.schema)}`);
  if (!Array.isArray(doc.groups)) throw new Error(`${file}: groups must be a list`);
  const rows: CountryInfo[] = [];
  const seen = new Set<string>();
  doc.groups.forEach((group: Record<string, unknown>, i: number) => {
    const where = `${file}: groups[${i}]`;
    const region = nullableName(group.region, `${where}.region`);
    const subregion = nullableName(group.subregion, `${where}.subregion`);
    const intermediateRegion = nullableName(group.intermediate, `${where}.intermediate`);
    if (subregion && !region) throw new Error(`${where}: subregion ${subregion} without region`);
    if (intermediateRegion && !subregion) throw new Error(`${where}: intermediate ${intermediateRegion} without subregion`);
    const countries = group.countries;
    if (!countries || typeof countries !== 'object' || Array.isArray(countries)) throw new Error(`${where}.countries must be a mapping code: name`);
    for (const [code, name] of Object.entries(countries as Record<string, unknown>)) {
      if (!/^[A-Z]{2}$/.test(code)) throw new Error(`${where}.countries: bad ISO 3166-1 alpha-2 code ${JSON.stringify(code)}`);
      if (seen.has(code)) throw new Error(`${where}.countries: ${code} listed twice`);
      if (typeof name !== 'string' || name.trim() === '') throw new Error(`${where}.countries.${code}: name missing`);
      seen.add(code);
      rows.push({ code, name, region, subregion, intermediateRegion });
    }
  });
  return rows.sort((a, b) => a.code.localeCompare(b.code));
}

function load(): M49Table {
  if (!table) {
    const ordered = parseM49(fs.readFileSync(M49_FILE, 'utf8'));
    table = { ordered, byCode: new Map(ordered.map((c) => [c.code, c])) };
  }
  return table;
}

/** M49 areas of one ISO code (case-insensitive); undefined when M49 does not list it (e.g. TW). */
export function countryInfo(code: string): CountryInfo | undefined {
  const info = load().byCode.get(code.toUpperCase());
  return info ? { ...info } : undefined;
}

/** Every ISO 3166-1 alpha-2 code M49 covers, sorted by code. */
export function allCountries(): CountryInfo[] {
  return load().ordered.map((c) => ({ ...c }));
}

/** The areas (all levels, broadest first) a country lies in; [] for unknown codes and AQ. */
export function areasOf(code: string): AreaRef[] {
  const info = load().byCode.get(code.toUpperCase());
  if (!info) return [];
  const out: AreaRef[] = [];
  if (info.region) out.push({ area: info.region, level: 'region' });
  if (info.subregion) out.push({ area: info.subregion, level: 'subregion' });
  if (info.intermediateRegion) out.push({ area: info.intermediateRegion, level: 'intermediate' });
  return out;
}

/** True when the country lies in the named area at the given level. */
export function inArea(code: string, area: string, level: AreaLevel): boolean {
  return areasOf(code).some((a) => a.area === area && a.level === level);
}
