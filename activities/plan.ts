/**
 * loadCampaign + planPage: the config is read and the plan expanded on the central worker, the
 * workflow only keeps cursors. A digest of the expanded plan guards the pages: if the file changed
 * since the campaign started, the page request fails instead of silently running another plan.
 *
 * Resume: `loadCampaign({ resume: true })` fixes a cut-off time and leaves out every measurement
 * whose latest record finished by then is `ok`; each page filters with the same cut-off, so the
 * per-testbed queues stay stable while this run's own records (all after the cut-off) arrive.
 */
import { createHash } from 'crypto';
import * as path from 'path';
import { ApplicationFailure } from '@temporalio/activity';
import { FAILURE_TYPES } from '../lib/temporal/constants';
import type { AttemptPolicy, CampaignPlanInfo, ConfigRef, MeasurementSpec, PlanPageRequest } from '../lib/temporal/types';
import type { CentralActivities } from './types';

export interface ExpandedPlan {
  campaign: string;
  measurements: MeasurementSpec[];
  attempts?: AttemptPolicy;
}

/** Reads + validates a campaign file and expands it; throws ConfigError-like errors
 *  (`name === 'ConfigError'`) for anything wrong in the files. */
export type PlanLoader = (configFile: string) => Promise<ExpandedPlan> | ExpandedPlan;

/** Of these measurement ids, the ones whose latest record finished at or before `before`
 *  (ISO time) has status `ok`. */
export type CompletedLookup = (measurementIds: readonly string[], before: string) => Set<string> | Promise<Set<string>>;

export interface PlanActivityOptions {
  load: PlanLoader;
  /** Relative config paths resolve against this folder (the project root on the worker). */
  baseDir: string;
  /** Needed for `resume` only (default: the results store, see plan-source.ts). */
  completed?: CompletedLookup;
  /** The cut-off clock (tests); default `new Date()`. */
  now?: () => Date;
}

export function planDigest(plan: ExpandedPlan): string {
  return createHash('sha256').update(JSON.stringify(plan)).digest('hex');
}

function isConfigError(err: unknown): err is Error {
  return err instanceof Error && (err.name === 'ConfigError' || err.name === 'PlanError');
}

/** The store lookup when none is passed in; loaded lazily (plans without resume never open it). */
async function defaultCompleted(ids: readonly string[], before: string): Promise<Set<string>> {
  const { completedInResultsStore } = await import('./plan-source');
  return completedInResultsStore(ids, before);
}

export function planActivities(opts: PlanActivityOptions): Pick<CentralActivities, 'loadCampaign' | 'planPage'> {
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
      if (isConfigError(err)) throw ApplicationFailure.nonRetryable(err.message, FAILURE_TYPES.invalidConfig);
      throw err;
    }
  };

  return {
    async loadCampaign({ config, resume }): Promise<CampaignPlanInfo> {
      const plan = await load(config);
      const skipOkBefore = resume ? (opts.now?.() ?? new Date()).toISOString() : undefined;
      const todo = await remaining(plan.measurements, skipOkBefore);
      // Every testbed of the plan keeps its lane (also when nothing is left on it).
      const perTestbed = new Map<string, number>();
      for (const m of plan.measurements) perTestbed.set(m.testbed, 0);
      for (const m of todo) perTestbed.set(m.testbed, (perTestbed.get(m.testbed) ?? 0) + 1);
      const ref: ConfigRef = { path: config, digest: planDigest(plan) };
      return {
        campaign: plan.campaign,
        config: ref,
        total: todo.length,
        apps: [...new Set(plan.measurements.map((m) => m.app))],
        testbeds: [...perTestbed].map(([id, measurements]) => ({ id, measurements })),
        ...(plan.attempts ? { attempts: plan.attempts } : {}),
        ...(skipOkBefore !== undefined ? { skipped: plan.measurements.length - todo.length, skipOkBefore } : {}),
      };
    },

    async planPage({ config, testbed, offset, limit, skipOkBefore }: PlanPageRequest): Promise<MeasurementSpec[]> {
      const plan = await load(config.path);
      const digest = planDigest(plan);
      if (digest !== config.digest) {
        throw ApplicationFailure.nonRetryable(
          `${config.path}: the plan changed since the campaign started (digest ${config.digest.slice(0, 12)} -> ${digest.slice(0, 12)}); start a new campaign run`,
          FAILURE_TYPES.planChanged,
        );
      }
      const queue = await remaining(plan.measurements.filter((m) => m.testbed === testbed), skipOkBefore);
      return queue.slice(offset, offset + limit);
    },
  };
}
