/**
 * UN M49 areas of ISO 3166-1 alpha-2 codes (DESIGN 4.2, 4.5). The table lives in
 * configs/geo/m49.yaml so that it can be reviewed against the UN overview without reading code;
 * lib/config/geo-tables.ts reads it, parseM49 validates it, and an M49Table serves it from memory.
 */
import { parse as parseYaml } from 'yaml';
import type { CountryInfo } from '../types';

export type AreaLevel = 'region' | 'subregion' | 'intermediate';
export const AREA_LEVELS: readonly AreaLevel[] = ['region', 'subregion', 'intermediate'];

export interface AreaRef {
  area: string;
  level: AreaLevel;
}

function nullableName(value: unknown, where: string): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'string' || value.trim() === '') throw new Error(`${where}: expected a name or null, got ${JSON.stringify(value)}`);
  return value;
}

/** Parses and checks the M49 YAML text; `file` names it in errors. */
export function parseM49(text: string, file: string): CountryInfo[] {
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
    // Codes that are not M49 areas (TW, XK) but placed where UN statistics place them.
    const member = group.m49Member;
    if (member !== undefined && member !== false) throw new Error(`${where}.m49Member: expected false (or no key: an M49 member), got ${JSON.stringify(member)}`);
    const unknownKey = Object.keys(group).find((k) => !['region', 'subregion', 'intermediate', 'm49Member', 'countries'].includes(k));
    if (unknownKey !== undefined) throw new Error(`${where}: unknown key ${JSON.stringify(unknownKey)} (allowed: region, subregion, intermediate, m49Member, countries)`);
    const countries = group.countries;
    if (!countries || typeof countries !== 'object' || Array.isArray(countries)) throw new Error(`${where}.countries must be a mapping code: name`);
    for (const [code, name] of Object.entries(countries as Record<string, unknown>)) {
      if (!/^[A-Z]{2}$/.test(code)) throw new Error(`${where}.countries: bad ISO 3166-1 alpha-2 code ${JSON.stringify(code)}`);
      if (seen.has(code)) throw new Error(`${where}.countries: ${code} listed twice`);
      if (typeof name !== 'string' || name.trim() === '') throw new Error(`${where}.countries.${code}: name missing`);
      seen.add(code);
      rows.push({ code, name, region, subregion, intermediateRegion, ...(member === false ? { m49Member: false as const } : {}) });
    }
  });
  return rows.sort((a, b) => a.code.localeCompare(b.code));
}

/** The M49 table in memory: areas per country code. */
export class M49Table {
  private readonly ordered: readonly CountryInfo[];
  private readonly byCode: ReadonlyMap<string, CountryInfo>;
  private readonly areas = new Map<string, AreaRef[]>();

  constructor(countries: readonly CountryInfo[]) {
    this.ordered = [...countries].sort((a, b) => a.code.localeCompare(b.code));
    this.byCode = new Map(this.ordered.map((c) => [c.code, c]));
  }

  /** M49 areas of one ISO code (case-insensitive); undefined when the table does not list it. */
  countryInfo(code: string): CountryInfo | undefined {
    const info = this.byCode.get(code.toUpperCase());
    return info ? { ...info } : undefined;
  }

  /** Every ISO 3166-1 alpha-2 code M49 covers, sorted by code. */
  allCountries(): CountryInfo[] {
    return this.ordered.map((c) => ({ ...c }));
  }

  /** The areas (all levels, broadest first) a country lies in; [] for unknown codes and AQ. */
  areasOf(code: string): AreaRef[] {
    const upper = code.toUpperCase();
    let out = this.areas.get(upper);
    if (!out) {
      const info = this.byCode.get(upper);
      out = [];
      if (info?.region) out.push({ area: info.region, level: 'region' });
      if (info?.subregion) out.push({ area: info.subregion, level: 'subregion' });
      if (info?.intermediateRegion) out.push({ area: info.intermediateRegion, level: 'intermediate' });
      this.areas.set(upper, out);
    }
    return out.map((a) => ({ ...a }));
  }

  /** True when the country lies in the named area at the given level. */
  inArea(code: string, area: string, level: AreaLevel): boolean {
    return this.areasOf(code).some((a) => a.area === area && a.level === level);
  }
}
