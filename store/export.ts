import * as fs from 'fs';
import * as path from 'path';
import { HOP_COLUMNS, hopRows, MEASUREMENT_COLUMNS } from '../lib/record/csv';
import { csvHeader, csvRow } from '../lib/text/csv';
import type { ResultsStore } from './results-store';

export interface ExportResult {
  file: string;
  records: number;
}

export interface CsvExportResult extends ExportResult {
  /** The measurements table (one row per measurement) beside the hops table `file`. */
  measurementsFile: string;
  hopRows: number;
}

/**
 * Writes the files whole or not at all: each to a temporary file, renamed into place only when
 * every one was written, so an interrupted export never leaves a truncated dataset behind.
 */
function writeAll(targets: string[], write: (fds: number[]) => void): void {
  const temporary = targets.map((t) => `${t}.partial-${process.pid}`);
  const fds: number[] = [];
  try {
    for (const [i, t] of targets.entries()) {
      fs.mkdirSync(path.dirname(t), { recursive: true });
      fds.push(fs.openSync(temporary[i], 'w'));
    }
    write(fds);
    for (const fd of fds) fs.fsyncSync(fd);
  } catch (err) {
    for (const fd of fds) fs.closeSync(fd);
    for (const t of temporary) fs.rmSync(t, { force: true });
    throw err;
  }
  for (const fd of fds) fs.closeSync(fd);
  for (const [i, t] of targets.entries()) fs.renameSync(temporary[i], t);
}

/** Writes the latest attempt of every measurement of a campaign as matador.measurement/v1 JSON lines. */
export function exportCampaign(store: ResultsStore, campaign: string, outFile: string): ExportResult {
  const target = path.resolve(outFile);
  let records = 0;
  writeAll([target], ([fd]) => {
    for (const { record } of store.latestOfCampaign(campaign)) {
      fs.writeSync(fd, `${JSON.stringify(record)}\n`);
      records += 1;
    }
  });
  return { file: target, records };
}

/** `hops.csv` -> `hops.measurements.csv`; a name without .csv gets `.measurements.csv` appended. */
export function measurementsCsvFile(hopsFile: string): string {
  return hopsFile.toLowerCase().endsWith('.csv') ? `${hopsFile.slice(0, -4)}.measurements.csv` : `${hopsFile}.measurements.csv`;
}

/**
 * The same records as CSV (lib/record/csv.ts): one row per hop interface in `outFile`, one row per
 * measurement in measurementsCsvFile(outFile).
 */
export function exportCampaignCsv(store: ResultsStore, campaign: string, outFile: string): CsvExportResult {
  const target = path.resolve(outFile);
  const measurementsFile = measurementsCsvFile(target);
  let records = 0;
  let hops = 0;
  writeAll([target, measurementsFile], ([hopsFd, measurementsFd]) => {
    fs.writeSync(hopsFd, csvHeader(HOP_COLUMNS));
    fs.writeSync(measurementsFd, csvHeader(MEASUREMENT_COLUMNS));
    for (const { record } of store.latestOfCampaign(campaign)) {
      const rows = hopRows(record);
      if (rows.length > 0) fs.writeSync(hopsFd, rows.map((r) => csvRow(HOP_COLUMNS, r)).join(''));
      fs.writeSync(measurementsFd, csvRow(MEASUREMENT_COLUMNS, record));
      records += 1;
      hops += rows.length;
    }
  });
  return { file: target, measurementsFile, records, hopRows: hops };
}
