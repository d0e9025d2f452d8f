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
import { closeKeptSshConnections, keepSshConnectionsBetweenScopes, scopedSsh } from '../drivers/ssh/scope';
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

/**
 * How long a worker keeps an idle SSH connection after a testbed activity for the next one to the
 * same host (drivers/ssh/scope.ts): a measurement's testbed steps follow each other within
 * seconds in compressed runs (and provision/configure/start, stop/fetch/trace/teardown always
 * do), so most of its ~12 handshakes become reuses; a longer gap (real timers) just reconnects.
 */
export const SSH_KEEP_BETWEEN_ACTIVITIES_MS = 30_000;

/** The worker's activities; `close()` closes the results store and every kept SSH connection.
 *  `keepSshMs: 0` keeps none (each activity's connections close when it ends). */
export function defaultActivities(o: { resultsFile?: string; measurement?: Partial<StepEnv>; keepSshMs?: number } = {}): { activities: MatadorActivities; close(): void } {
  keepSshConnectionsBetweenScopes(o.keepSshMs ?? SSH_KEEP_BETWEEN_ACTIVITIES_MS);
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
  return {
    activities: withSshScopes(activities),
    close: () => {
      closeKeptSshConnections();
      store?.close();
    },
  };
}

/**
 * Every testbed activity runs in its own SSH scope (drivers/ssh/scope.ts): one connection per
 * router/node per activity instead of one per driver call; at its end each connection is closed,
 * or kept idle for the next activity (SSH_KEEP_BETWEEN_ACTIVITIES_MS) when it still works.
 * Outermost wrapper: the scope covers the heartbeating step and an injected fault alike.
 */
export function withSshScopes(all: MatadorActivities): MatadorActivities {
  const wrapped: Record<string, unknown> = { ...all };
  for (const name of TESTBED_STEPS) wrapped[name] = scopedSsh(all[name] as (...a: unknown[]) => Promise<unknown>);
  return wrapped as unknown as MatadorActivities;
}
