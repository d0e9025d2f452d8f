/**
 * loadCampaign + planPage: the config is read and the plan expanded on the central worker, the
 * workflow only keeps cursors. A digest of the expanded plan guards the pages: if the file changed
 * since the campaign started, the page request fails instead of silently running another plan.
 *
 * Resume: `loadCampaign({ resume: true })` fixes a cut-off time and leaves out every measurement
 * whose latest record finished by then is `ok`; each page filters with the same cut-off, so the
 * per-testbed queues stay stable while this run's own records (all after the cut-off) arrive.
 *
 * Scheduled runs (`scheduledRun`): loadCampaign names the run `<campaign id>-<YYYY-MM-DD>` of the
 * schedule's date, or `-2`, `-3`, ... when that name is in use (temporal/schedules.ts), and
 * returns it in the ConfigRef (`runName`); every page is then the plan under that name. The
 * digest stays the one of the config's plan: the name does not make it another plan.
 */
import { createHash } from 'crypto';
import * as path from 'path';
import { ApplicationFailure } from '@temporalio/activity';
import { renameCampaignRun } from '../lib/campaign-plan';
import type { FailureCode } from '../lib/failures';
import { datedCampaignId, MAX_RUNS_PER_DATE } from '../temporal/schedules';
import type { CampaignPlanInfo, ConfigRef, LoadCampaignRequest, MeasurementSpec, PlanPageRequest, ScheduledRunRef } from '../lib/measurement/payloads';
import type { CentralActivities } from '../lib/measurement/steps';
import { completedInResultsStore, type ExpandedPlan, runNameInUse } from './plan-loader';

const CONFIG_INVALID: FailureCode = 'config_invalid';
const PLAN_CHANGED: FailureCode = 'plan_changed';

/** Reads + validates a campaign file and expands it; throws ConfigError-like errors
 *  (`name === 'ConfigError'`) for anything wrong in the files. */
export type PlanLoader = (configFile: string) => Promise<ExpandedPlan> | ExpandedPlan;

/** Of these measurement ids, the ones whose latest record finished at or before `before`
 *  (ISO time) has status `ok`. */
export type CompletedLookup = (measurementIds: readonly string[], before: string) => Set<string> | Promise<Set<string>>;

/** Whether a campaign name is in use by anything but the workflow `ownWorkflowId` (another
 *  campaign or measurement workflow in Temporal, records in the results store). */
export type RunNameInUse = (name: string, ownWorkflowId: string) => boolean | Promise<boolean>;

export interface PlanActivityOptions {
  load: PlanLoader;
  /** Relative config paths resolve against this folder (the project root on the worker). */
  baseDir: string;
  /** Needed for `resume` only (default: the results store, see plan-loader.ts). */
  completed?: CompletedLookup;
  /** The cut-off clock (tests); default `new Date()`. */
  now?: () => Date;
  /** Needed for scheduled runs only (default: Temporal visibility + the results store, see
   *  plan-loader.ts). */
  runNameInUse?: RunNameInUse;
}

export function planDigest(plan: ExpandedPlan): string {
  return createHash('sha256').update(JSON.stringify(plan)).digest('hex');
}

function isConfigError(err: unknown): err is Error {
  return err instanceof Error && (err.name === 'ConfigError' || err.name === 'PlanError');
}

/** The lookups when none is passed in: the default results store (opened only when asked). */
const defaultCompleted: CompletedLookup = (ids, before) => completedInResultsStore(ids, before);
const defaultRunNameInUse: RunNameInUse = (name, ownWorkflowId) => runNameInUse(name, ownWorkflowId);

/** The first of `<id>-<date>`, `<id>-<date>-2`, ... that nothing else uses. */
async function pickRunName(campaign: string, run: ScheduledRunRef, inUse: RunNameInUse): Promise<string> {
  const at = new Date(run.scheduledAt);
  if (Number.isNaN(at.getTime())) {
    throw ApplicationFailure.nonRetryable(`campaign ${campaign}: scheduled run ${run.workflowId} has an invalid scheduled time ${JSON.stringify(run.scheduledAt)}`, CONFIG_INVALID);
  }
  for (let ordinal = 1; ordinal <= MAX_RUNS_PER_DATE; ordinal++) {
    const name = datedCampaignId(campaign, at, ordinal);
    if (!(await inUse(name, run.workflowId))) return name;
  }
  throw ApplicationFailure.nonRetryable(
    `campaign ${campaign}: ${MAX_RUNS_PER_DATE} runs on ${run.scheduledAt.slice(0, 10)} already (${datedCampaignId(campaign, at)} to -${MAX_RUNS_PER_DATE}); no name left for run ${run.workflowId}`,
    CONFIG_INVALID,
  );
}

/** The plan activities (loadCampaign takes the scheduled run too). */
export type PlanActivities = Pick<CentralActivities, 'planPage' | 'loadCampaign'>;

export function planActivities(opts: PlanActivityOptions): PlanActivities {
  const resolve = (file: string): string => path.resolve(opts.baseDir, file);
  const completed = opts.completed ?? defaultCompleted;
  /** The plan's measurements minus those already ok by `before` (all of them without `before`). */
  const remaining = async (measurements: MeasurementSpec[], before: string | undefined): Promise<MeasurementSpec[]> => {
    if (before === undefined) return measurements;
    const done = await completed(measurements.map((m) => m.measurementId), before);
    return measurements.filter((m) => !done.has(m.measurementId));
  };
  const load = async (file: string): Promise<ExpandedPlan> => {
    try {
      return await opts.load(resolve(file));
    } catch (err) {
      if (isConfigError(err)) throw ApplicationFailure.nonRetryable(err.message, CONFIG_INVALID);
      throw err;
    }
  };
  /** The plan's measurements, under the run's name when it has one. */
  const measurementsOf = (plan: ExpandedPlan, runName: string | undefined): MeasurementSpec[] => {
    if (runName === undefined) return plan.measurements;
    try {
      return renameCampaignRun(plan.measurements, plan.campaign, runName);
    } catch (err) {
      throw ApplicationFailure.nonRetryable((err as Error).message, CONFIG_INVALID);
    }
  };

  return {
    async loadCampaign({ config, resume, scheduledRun }: LoadCampaignRequest): Promise<CampaignPlanInfo> {
      const plan = await load(config);
      const runName = scheduledRun ? await pickRunName(plan.campaign, scheduledRun, opts.runNameInUse ?? defaultRunNameInUse) : undefined;
      const measurements = measurementsOf(plan, runName);
      const skipOkBefore = resume ? (opts.now?.() ?? new Date()).toISOString() : undefined;
      const todo = await remaining(measurements, skipOkBefore);
      // Every testbed of the plan keeps its lane (also when nothing is left on it).
      const perTestbed = new Map<string, number>();
      for (const m of measurements) perTestbed.set(m.testbed, 0);
      for (const m of todo) perTestbed.set(m.testbed, (perTestbed.get(m.testbed) ?? 0) + 1);
      const ref: ConfigRef = { path: config, digest: planDigest(plan), ...(runName !== undefined ? { runName } : {}) };
      return {
        campaign: runName ?? plan.campaign,
        ...(runName !== undefined ? { configCampaign: plan.campaign } : {}),
        config: ref,
        total: todo.length,
        apps: [...new Set(plan.measurements.map((m) => m.app))],
        testbeds: [...perTestbed].map(([id, measurements]) => ({ id, measurements })),
        ...(plan.attempts ? { attempts: plan.attempts } : {}),
        ...(plan.balance ? { balance: plan.balance } : {}),
        ...(skipOkBefore !== undefined ? { skipped: plan.measurements.length - todo.length, skipOkBefore } : {}),
      };
    },

    async planPage({ config, testbed, offset, limit, skipOkBefore }: PlanPageRequest): Promise<MeasurementSpec[]> {
      const plan = await load(config.path);
      const digest = planDigest(plan);
      if (digest !== config.digest) {
        throw ApplicationFailure.nonRetryable(
          `${config.path}: the plan changed since the campaign started (digest ${config.digest.slice(0, 12)} -> ${digest.slice(0, 12)}); start a new campaign run`,
          PLAN_CHANGED,
        );
      }
      const queue = await remaining(measurementsOf(plan, config.runName).filter((m) => m.testbed === testbed), skipOkBefore);
      return queue.slice(offset, offset + limit);
    },
  };
}
