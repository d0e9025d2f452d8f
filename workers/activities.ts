/**
 * The activities a real worker registers: the config/plan loader from lib/config + lib/campaign-plan,
 * the real measurement steps (activities/steps: drivers + lib, artefacts under the data folder),
 * and the results store for records (with their artefacts in the store's artefacts table).
 */
import * as path from 'path';
import { createActivities, type MatadorActivities } from '../activities';
import { maybeInjectFaults } from '../activities/fault-injection';
import type { StepEnv } from '../activities/steps';
import type { TracerouteBackend } from '../drivers/node';
import { scopedSsh } from '../drivers/ssh/scope';
import type { ArtefactRef } from '../store/results-store';
import { completedInResultsStore, loadCampaignPlan, runNameInUse } from '../activities/plan-loader';
import { TESTBED_ACTIVITY_NAMES } from '../activities/types';
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
  const artefacts = Array.isArray(record.artefacts) ? (record.artefacts as ArtefactRef[]) : [];
  store.putAttempt(attempt, record, artefacts);
  return `${record.measurementId}#${attempt}`;
}

/** Step settings of a real worker; MATADOR_TRACEROUTE_BACKEND=traceroute picks the other tool. */
export function defaultStepEnv(o: Partial<StepEnv> = {}): StepEnv {
  const backend = process.env.MATADOR_TRACEROUTE_BACKEND;
  return {
    baseDir: projectRoot,
    dataDir,
    ...(backend === 'scamper' || backend === 'traceroute' ? { tracerouteBackend: backend as TracerouteBackend } : {}),
    ...o,
  };
}

export function defaultActivities(o: { resultsFile?: string; measurement?: Partial<StepEnv> } = {}): { activities: MatadorActivities; close(): void } {
  let store: ResultsStore | undefined;
  const resultsFile = o.resultsFile ?? DEFAULT_RESULTS_FILE;
  // MATADOR_INJECT_FAULTS=<rate> makes steps fail transiently on purpose (chaos runs).
  const activities = maybeInjectFaults(createActivities({
    loadPlan: (file) => loadCampaignPlan(file, { cwd: projectRoot }),
    baseDir: projectRoot,
    completed: (ids, before) => completedInResultsStore(ids, before, resultsFile),
    runNameInUse: (name, ownWorkflowId) => runNameInUse(name, ownWorkflowId, { file: resultsFile }),
    measurement: defaultStepEnv(o.measurement),
    saveRecord: (record) => {
      store ??= new ResultsStore({ file: resultsFile });
      return storeRecord(store, record);
    },
  }));
  return { activities: withSshScopes(activities), close: () => store?.close() };
}

/**
 * Every testbed activity runs in its own SSH scope (drivers/ssh/scope.ts): one connection per
 * router/node per activity instead of one per driver call, all closed when the activity ends
 * (so the next activity notices a node whose sshd died). Outermost wrapper: the scope covers
 * the heartbeating step and an injected fault alike.
 */
export function withSshScopes(all: MatadorActivities): MatadorActivities {
  const wrapped: Record<string, unknown> = { ...all };
  for (const name of TESTBED_ACTIVITY_NAMES) wrapped[name] = scopedSsh(all[name] as (...a: unknown[]) => Promise<unknown>);
  return wrapped as unknown as MatadorActivities;
}
