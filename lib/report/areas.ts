/**
 * Area membership, leaving an area and interest-group access (DESIGN 4.2). TW and XK, which M49
 * does not list, are placed where UN statistics place them (configs/geo/m49.yaml: Asia / Eastern
 * Asia, Europe / Southern Europe). A code the table does not hold at all lies in no area, so a
 * path through it leaves every area.
 */
import { AREA_LEVELS, type AreaLevel, type AreaRef, type M49Table } from '../geo/m49';
import { isMember, type InterestGroup } from '../geo/groups';
import { hopInterfaces } from '../traceroute/hops';
import type { MeasurementRecord } from '../types';

export type PathKind = 'network' | 'application';

/**
 * nodeA, nodeB and the country of every interface of every hop of every trace of the path: a
 * load-balanced path (MDA, or several responders per TTL) crosses a country when ANY of its
 * branches does. Interfaces without address or country are ignored.
 */
export function pathCountries(record: MeasurementRecord, kind: PathKind): Set<string> {
  const countries = new Set([record.nodeA.country, record.nodeB.country]);
  const path = kind === 'network' ? record.networkPath : record.applicationPath;
  for (const trace of path.traces) {
    for (const hop of trace.hops) {
      for (const i of hopInterfaces(hop)) if (i.country) countries.add(i.country);
    }
  }
  return countries;
}

const areaKey = (a: AreaRef): string => `${a.level}\u0000${a.area}`;

/** The areas (all three levels) that contain both node countries. */
export function measurementAreas(record: MeasurementRecord, m49: M49Table): AreaRef[] {
  const ofB = new Set(m49.areasOf(record.nodeB.country).map(areaKey));
  return m49.areasOf(record.nodeA.country).filter((a) => ofB.has(areaKey(a)));
}

// Memoised per table: the report asks this for every country of every path in every area.
const areaKeysOf = new WeakMap<M49Table, Map<string, Set<string>>>();

export function countryInArea(country: string, area: string, level: AreaLevel, m49: M49Table): boolean {
  let byCountry = areaKeysOf.get(m49);
  if (!byCountry) areaKeysOf.set(m49, (byCountry = new Map()));
  let keys = byCountry.get(country);
  if (!keys) byCountry.set(country, (keys = new Set(m49.areasOf(country).map(areaKey))));
  return keys.has(areaKey({ area, level }));
}

export function leavesArea(countries: Iterable<string>, area: string, level: AreaLevel, m49: M49Table): boolean {
  for (const c of countries) if (!countryInArea(c, area, level, m49)) return true;
  return false;
}

export function accessibleTo(countries: Iterable<string>, group: InterestGroup, date: string): boolean {
  for (const c of countries) if (isMember(group, c, date)) return true;
  return false;
}

export function compareAreas(a: AreaRef, b: AreaRef): number {
  return AREA_LEVELS.indexOf(a.level) - AREA_LEVELS.indexOf(b.level) || a.area.localeCompare(b.area);
}
