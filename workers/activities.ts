/**
 * The activities a real worker registers: the config/plan loader from lib/config + lib/campaign-plan,
 * the real measurement steps (activities/steps: drivers + lib, artefacts under the data folder),
 * and the results store for records (with their artefacts in the store's artefacts table).
 */
import * as path from 'path';
import { createActivities, type MatadorActivities } from '../activities';
import { loadCampaign } from '../lib/config';
import { maybeInjectFaults } from '../activities/fault-injection';
import type { StepEnv } from '../activities/steps';
import type { TracerouteBackend } from '../drivers/node';
import { scopedSsh } from '../drivers/ssh/scope';
import { completedInResultsStore, loadCampaignPlan, runNameInUse } from '../activities/plan-loader';
import { TESTBED_STEPS } from '../lib/measurement/steps';
import { dataDir, projectRoot } from '../lib/project-paths';
import { defaultStoreFile, ResultsStore, storeRecord } from '../store';
import { workerLab } from './lab';

/** MATADOR_MAX_CLOCK_SKEW_MS: the largest phone clock offset a measurement accepts (ms > 0). */
export function maxClockSkewFromEnv(value: string | undefined): Pick<StepEnv, 'maxClockSkewMs'> {
  if (value === undefined || value === '') return {};
  const ms = Number(value);
  if (!Number.isFinite(ms) || ms <= 0) throw new Error(`environment MATADOR_MAX_CLOCK_SKEW_MS: expected milliseconds > 0, got ${JSON.stringify(value)}`);
  return { maxClockSkewMs: ms };
}

/** Step settings of a real worker (emulated and real testbeds, see ./lab.ts);
 *  MATADOR_TRACEROUTE_BACKEND=traceroute picks the other tool, MATADOR_MAX_CLOCK_SKEW_MS the
 *  clock_skew bound (default 2000). */
export function defaultStepEnv(o: Partial<StepEnv> = {}): StepEnv {
  const backend = process.env.MATADOR_TRACEROUTE_BACKEND;
  return {
    baseDir: projectRoot,
    dataDir,
    lab: workerLab(),
    ...(backend === 'scamper' || backend === 'traceroute' ? { tracerouteBackend: backend as TracerouteBackend } : {}),
    ...maxClockSkewFromEnv(process.env.MATADOR_MAX_CLOCK_SKEW_MS),
    ...o,
  };
}

export function defaultActivities(o: { resultsFile?: string; measurement?: Partial<StepEnv> } = {}): { activities: MatadorActivities; close(): void } {
  let store: ResultsStore | undefined;
  const resultsFile = o.resultsFile ?? defaultStoreFile();
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
    drift: {
      store: () => (store ??= new ResultsStore({ file: resultsFile })),
      webhookOf: (file) => loadCampaign(path.resolve(projectRoot, file), { cwd: projectRoot }).campaign.alerts?.webhook ?? null,
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
  for (const name of TESTBED_STEPS) wrapped[name] = scopedSsh(all[name] as (...a: unknown[]) => Promise<unknown>);
  return wrapped as unknown as MatadorActivities;
}
