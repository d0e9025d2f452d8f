/**
 * The paper's Tables 2 and 3 as data: `matador.report/v1` (DESIGN 4.3). Counts only; the text
 * formats add percentages.
 */
import type { InterestGroup } from '../geo/groups';
import type { M49Table } from '../geo/m49';
import type { AreaLevel, AreaRef } from '../geo/m49';
import type { MeasurementRecord } from '../types';
import { anomaliesOf, countAnomalies, emptyAnomalyCounts, type AnomalyCounts } from './anomalies';
import { accessibleTo, compareAreas, leavesArea, measurementAreas, pathCountries, type PathKind } from './areas';
import { attributionsOf } from './geo-sources';
import { accessibleWithRegistration, hasAsData } from './registration';
import { declaresTestbed, provenanceOf, type Provenance } from './provenance';
import { selectApplicationRecords, selectNetworkRecords } from './select';

export const REPORT_SCHEMA = 'matador.report/v1';

/** Counts of one column of one area; the anomaly counts (lib/report/anomalies.ts) are optional
 *  extensions: crossedIxpOutsideArea, boomerangs, and for apps detours and detourCountries. */
export interface ColumnCounts extends AnomalyCounts {
  measurements: number;
  leftArea: number;
  accessible: Record<string, number>;
  /** Like `accessible`, AS registration countries counting too (lib/report/registration.ts);
   *  present only when some input record carries AS data. */
  accessibleWithRegistration?: Record<string, number>;
}

export interface AreaReport {
  area: string;
  level: AreaLevel;
  network: ColumnCounts;
  apps: Record<string, ColumnCounts>;
}

export interface Report {
  schema: typeof REPORT_SCHEMA;
  /** Interest groups in table order and apps in column order (extensions of the contract). */
  groups: string[];
  apps: string[];
  /** How many records were read and how many were selected per column (extension). */
  input: { records: number; invalidLinesSkipped: number; networkRecords: number; appRecords: Record<string, number> };
  /**
   * Emulated or real testbed (extension). Present when at least one input record carries
   * testbedKind; label is set as soon as one record is emulated. Absent for records that predate
   * the field, so reports of such records stay byte-identical.
   */
  provenance?: Provenance;
  areas: AreaReport[];
  /**
   * Licence attributions of the geolocation databases that placed the records' hops (extension;
   * from each record's geolocation.attributions). Absent when no record names one, so reports of
   * older records stay byte-identical.
   */
  attributions?: string[];
}

export interface BuildReportOptions {
  /** The interest groups, in table order (lib/config/geo-tables.ts reads the shipped ones). */
  groups: readonly InterestGroup[];
  /** The M49 areas of the countries. */
  m49: M49Table;
  invalidLinesSkipped?: number;
  /** Told every time a measurement is counted in an area's column, with what it counted for: the
   *  HTML report lists the measurements behind each cell from these, so the lists are the counts. */
  onCount?: (counted: CountedMeasurement) => void;
}

/** One measurement counted in one column (`network` or an app) of one area. */
export interface CountedMeasurement {
  area: AreaRef;
  /** null: the network column; else the app */
  app: string | null;
  record: MeasurementRecord;
  leftArea: boolean;
  accessible: string[];
  accessibleWithRegistration: string[] | null;
}

function emptyCounts(groups: readonly InterestGroup[], kind: PathKind, withRegistration: boolean): ColumnCounts {
  const zero = () => Object.fromEntries(groups.map((g) => [g.name, 0]));
  return { measurements: 0, leftArea: 0, accessible: zero(), ...(withRegistration ? { accessibleWithRegistration: zero() } : {}), ...emptyAnomalyCounts(kind) };
}

/** Adds the selected records of one column to the per-area counters. */
function countColumn(
  records: readonly MeasurementRecord[],
  kind: PathKind,
  groups: readonly InterestGroup[],
  m49: M49Table,
  column: (area: AreaRef) => ColumnCounts,
  onCount: ((counted: Omit<CountedMeasurement, 'app'>) => void) | undefined,
): void {
  for (const record of records) {
    const countries = pathCountries(record, kind);
    const accessible = groups.filter((g) => accessibleTo(countries, g, record.finishedAt)).map((g) => g.name);
    const anomalies = anomaliesOf(record);
    const withRegistration = accessibleWithRegistration(record, kind, groups);
    for (const area of measurementAreas(record, m49)) {
      const counts = column(area);
      counts.measurements += 1;
      const left = leavesArea(countries, area.area, area.level, m49);
      if (left) counts.leftArea += 1;
      for (const name of accessible) counts.accessible[name] += 1;
      countAnomalies(counts, anomalies, kind, area, m49);
      if (counts.accessibleWithRegistration) for (const name of withRegistration) counts.accessibleWithRegistration[name] += 1;
      onCount?.({ area, record, leftArea: left, accessible, accessibleWithRegistration: counts.accessibleWithRegistration ? withRegistration : null });
    }
  }
}

export function buildReport(records: readonly MeasurementRecord[], options: BuildReportOptions): Report {
  const { groups, m49 } = options;
  const apps = [...new Set(records.map((r) => r.app))].sort();
  const network = selectNetworkRecords(records);
  const perApp = selectApplicationRecords(records);
  const withRegistration = hasAsData(records);

  const areas = new Map<string, AreaReport>();
  const entry = (area: AreaRef): AreaReport => {
    const key = `${area.level}\u0000${area.area}`;
    let report = areas.get(key);
    if (!report) {
      report = {
        area: area.area,
        level: area.level,
        network: emptyCounts(groups, 'network', withRegistration),
        apps: Object.fromEntries(apps.map((app) => [app, emptyCounts(groups, 'application', withRegistration)])),
      };
      areas.set(key, report);
    }
    return report;
  };

  const told = (app: string | null) => options.onCount && ((c: Omit<CountedMeasurement, 'app'>) => options.onCount?.({ ...c, app }));
  countColumn(network, 'network', groups, m49, (area) => entry(area).network, told(null));
  for (const app of apps) countColumn(perApp.get(app) ?? [], 'application', groups, m49, (area) => entry(area).apps[app], told(app));

  const provenance = provenanceOf(records);
  const attributions = attributionsOf(records);
  return {
    schema: REPORT_SCHEMA,
    groups: groups.map((g) => g.name),
    apps,
    input: {
      records: records.length,
      invalidLinesSkipped: options.invalidLinesSkipped ?? 0,
      networkRecords: network.length,
      appRecords: Object.fromEntries(apps.map((app) => [app, perApp.get(app)?.length ?? 0])),
    },
    ...(declaresTestbed(provenance) ? { provenance } : {}),
    areas: [...areas.values()].sort(compareAreas),
    ...(attributions.length > 0 ? { attributions } : {}),
  };
}
