/**
 * The activities a real worker registers: the config/plan loader from lib/config + lib/plan,
 * the results store for records, and `not_implemented` for steps whose drivers come later.
 */
import * as path from 'path';
import { createActivities, type MatadorActivities } from '../activities';
import { loadCampaignPlan } from '../activities/plan-source';
import { dataDir, projectRoot } from '../lib/project-paths';
import type { MeasurementRecord } from '../lib/types';
import { ResultsStore } from '../store/results-store';

export const DEFAULT_RESULTS_FILE = process.env.MATADOR_RESULTS_DB ?? path.join(dataDir, 'results.sqlite');

/**
 * Stores one record per workflow run of a measurement. The store numbers rows per measurement;
 * a retried persist of the same run (same runId) rewrites its row, a new run (a re-run of a
 * failed measurement) gets the next number, so "latest attempt" is the latest run.
 */
export function storeRecord(store: ResultsStore, record: MeasurementRecord): string {
  const runId = (record.workflow as { runId?: string } | undefined)?.runId;
  const previous = store.attempts(record.measurementId);
  const same = previous.find((p) => runId && (p.record.workflow as { runId?: string } | undefined)?.runId === runId);
  const attempt = same ? same.attempt : previous.reduce((max, p) => Math.max(max, p.attempt), 0) + 1;
  store.putAttempt(attempt, record);
  return `${record.measurementId}#${attempt}`;
}

export function defaultActivities(o: { resultsFile?: string } = {}): { activities: MatadorActivities; close(): void } {
  let store: ResultsStore | undefined;
  const resultsFile = o.resultsFile ?? DEFAULT_RESULTS_FILE;
  const activities = createActivities({
    loadPlan: (file) => loadCampaignPlan(file, { cwd: projectRoot }),
    baseDir: projectRoot,
    saveRecord: (record) => {
      store ??= new ResultsStore({ file: resultsFile });
      return storeRecord(store, record);
    },
  });
  return { activities, close: () => store?.close() };
}
