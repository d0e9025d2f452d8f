import * as path from 'path';
import { dataDir } from '../lib/project-paths';

export { ResultsStore, storeRecord, type StoredAttempt, type ArtefactRef, type ResultsStoreOptions } from './results-store';
export { exportCampaign, exportCampaignCsv, measurementsCsvFile, type ExportResult, type CsvExportResult } from './export';

/**
 * The results database every part uses unless told otherwise (workers write it; report,
 * dataset export, resume and run-name lookups read it): MATADOR_RESULTS_DB when set, else
 * `<data folder>/results.sqlite` (MATADOR_DATA_DIR moves the whole data folder). Read at each
 * call, so a process that sets the variable later still agrees with its children.
 */
export function defaultStoreFile(): string {
  return process.env.MATADOR_RESULTS_DB || path.join(dataDir, 'results.sqlite');
}
