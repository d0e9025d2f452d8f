import * as path from 'path';
import { dataDir } from '../lib/project-paths';

export { ResultsStore, type StoredAttempt, type ArtefactRef, type ResultsStoreOptions } from './results-store';
export { exportCampaign, type ExportResult } from './export';

/** The results database of this checkout (MATADOR_DATA_DIR moves the whole data folder). */
export function defaultStoreFile(): string {
  return path.join(dataDir, 'results.sqlite');
}
