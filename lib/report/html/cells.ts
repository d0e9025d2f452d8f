/**
 * The measurements behind every cell of Tables 2 and 3: collected from buildReport's `onCount`
 * while it counts (lib/report/build.ts), so a cell's list is exactly what its count counted.
 * A cell is (area, column, metric): column null is the network path, else an app; metric
 * `measurements`, `left`, `acc:<group>` (Table 3) or `reg:<group>` (Table 3 with AS
 * registration countries). Records are referred to by their index in the input.
 */
import type { AreaRef } from '../../geo/m49';
import type { MeasurementRecord } from '../../types';
import { buildReport, type BuildReportOptions, type CountedMeasurement, type Report } from '../build';

export type Metric = 'measurements' | 'left' | `acc:${string}` | `reg:${string}`;

export function cellKey(area: AreaRef, app: string | null, metric: Metric): string {
  return JSON.stringify([area.level, area.area, app, metric]);
}

export interface ReportCells {
  report: Report;
  /** cellKey -> indexes of the input records counted in the cell, in counting order */
  members: Map<string, number[]>;
}

function metricsOf(counted: CountedMeasurement): Metric[] {
  return [
    'measurements',
    ...(counted.leftArea ? (['left'] as const) : []),
    ...counted.accessible.map((g) => `acc:${g}` as const),
    ...(counted.accessibleWithRegistration ?? []).map((g) => `reg:${g}` as const),
  ];
}

/** buildReport, remembering which record each cell counted. */
export function buildReportCells(records: readonly MeasurementRecord[], options: Omit<BuildReportOptions, 'onCount'>): ReportCells {
  const index = new Map<MeasurementRecord, number>(records.map((r, i) => [r, i]));
  const members = new Map<string, number[]>();
  const report = buildReport(records, {
    ...options,
    onCount: (counted) => {
      const i = index.get(counted.record);
      if (i === undefined) throw new Error(`report: counted a record that is not in the input (${counted.record.measurementId})`);
      for (const metric of metricsOf(counted)) {
        const key = cellKey(counted.area, counted.app, metric);
        const list = members.get(key);
        if (list) list.push(i);
        else members.set(key, [i]);
      }
    },
  });
  return { report, members };
}
