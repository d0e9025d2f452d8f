import * as fs from 'fs';
import * as path from 'path';
import type { ResultsStore } from './results-store';

export interface ExportResult {
  file: string;
  records: number;
}

/**
 * Writes the latest attempt of every measurement of a campaign as matador.measurement/v1 JSON
 * lines. The file appears whole or not at all (temporary file + rename), so an interrupted
 * export never leaves a truncated dataset behind.
 */
export function exportCampaign(store: ResultsStore, campaign: string, outFile: string): ExportResult {
  const target = path.resolve(outFile);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const temporary = `${target}.partial-${process.pid}`;
  const fd = fs.openSync(temporary, 'w');
  let records = 0;
  try {
    for (const { record } of store.latestOfCampaign(campaign)) {
      fs.writeSync(fd, `${JSON.stringify(record)}\n`);
      records += 1;
    }
    fs.fsyncSync(fd);
  } catch (err) {
    fs.closeSync(fd);
    fs.rmSync(temporary, { force: true });
    throw err;
  }
  fs.closeSync(fd);
  fs.renameSync(temporary, target);
  return { file: target, records };
}
