/**
 * Path anomalies in the report, per area and column (network path, each app):
 *  - crossedIxpOutsideArea: measurements whose path crosses an IXP whose country lies outside the
 *    area (an IXP without country is not counted: unknown is not "outside");
 *  - boomerangs: measurements with at least one boomerang on that path;
 *  - application columns only: detours (measurements with at least one detour country) and
 *    detourCountries (country -> measurements that detoured through it).
 * A record's stored `anomalies` are used; records written before the field get them computed
 * from their traces by the same pure function (lib/analysis/anomalies.ts), so old exports are
 * summarised too (they have no IXP marks, so they cross no IXP).
 */
import { pathAnomalies } from '../analysis/anomalies';
import type { AreaRef, M49Table } from '../geo/m49';
import type { MeasurementRecord, PathAnomalies } from '../types';
import { countryInArea, type PathKind } from './areas';

export interface AnomalyCounts {
  crossedIxpOutsideArea?: number;
  boomerangs?: number;
  /** application columns only */
  detours?: number;
  detourCountries?: Record<string, number>;
}

export function emptyAnomalyCounts(kind: PathKind): AnomalyCounts {
  return { crossedIxpOutsideArea: 0, boomerangs: 0, ...(kind === 'application' ? { detours: 0, detourCountries: {} } : {}) };
}

export function anomaliesOf(record: MeasurementRecord): PathAnomalies {
  return record.anomalies ?? pathAnomalies(record);
}

/** Adds one measurement's anomalies on path `kind` to the counts of one area. */
export function countAnomalies(counts: AnomalyCounts, anomalies: PathAnomalies, kind: PathKind, area: AreaRef, m49: M49Table): void {
  const outside = anomalies.ixpCrossings.some((x) => x.path === kind && x.country !== null && !countryInArea(x.country, area.area, area.level, m49));
  if (outside) counts.crossedIxpOutsideArea = (counts.crossedIxpOutsideArea ?? 0) + 1;
  if (anomalies.boomerangs.some((b) => b.path === kind)) counts.boomerangs = (counts.boomerangs ?? 0) + 1;
  if (kind !== 'application' || anomalies.detourCountries.length === 0) return;
  counts.detours = (counts.detours ?? 0) + 1;
  const byCountry = (counts.detourCountries ??= {});
  for (const c of anomalies.detourCountries) byCountry[c] = (byCountry[c] ?? 0) + 1;
}

/** "US 3, GB 1": most measurements first, then by code; '-' when none. */
export function detourCountriesText(byCountry: Record<string, number> | undefined): string {
  const entries = Object.entries(byCountry ?? {}).sort(([a, x], [b, y]) => y - x || a.localeCompare(b));
  return entries.length === 0 ? '-' : entries.map(([c, n]) => `${c} ${n}`).join(', ');
}
