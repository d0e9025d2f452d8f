/**
 * loadCampaign + planPage: the config is read and the plan expanded on the central worker, the
 * workflow only keeps cursors. A digest of the expanded plan guards the pages: if the file changed
 * since the campaign started, the page request fails instead of silently running another plan.
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

export interface PlanActivityOptions {
  load: PlanLoader;
  /** Relative config paths resolve against this folder (the project root on the worker). */
  baseDir: string;
}

export function planDigest(plan: ExpandedPlan): string {
  return createHash('sha256').update(JSON.stringify(plan)).digest('hex');
}

function isConfigError(err: unknown): err is Error {
  return err instanceof Error && (err.name === 'ConfigError' || err.name === 'PlanError');
}

export function planActivities(opts: PlanActivityOptions): Pick<CentralActivities, 'loadCampaign' | 'planPage'> {
  const resolve = (file: string): string => path.resolve(opts.baseDir, file);
  const load = async (file: string): Promise<ExpandedPlan> => {
    try {
      return await opts.load(resolve(file));
    } catch (err) {
      if (isConfigError(err)) throw ApplicationFailure.nonRetryable(err.message, FAILURE_TYPES.invalidConfig);
      throw err;
    }
  };

  return {
    async loadCampaign({ config }): Promise<CampaignPlanInfo> {
      const plan = await load(config);
      const perTestbed = new Map<string, number>();
      for (const m of plan.measurements) perTestbed.set(m.testbed, (perTestbed.get(m.testbed) ?? 0) + 1);
      const ref: ConfigRef = { path: config, digest: planDigest(plan) };
      return {
        campaign: plan.campaign,
        config: ref,
        total: plan.measurements.length,
        apps: [...new Set(plan.measurements.map((m) => m.app))],
        testbeds: [...perTestbed].map(([id, measurements]) => ({ id, measurements })),
        ...(plan.attempts ? { attempts: plan.attempts } : {}),
      };
    },

    async planPage({ config, testbed, offset, limit }: PlanPageRequest): Promise<MeasurementSpec[]> {
      const plan = await load(config.path);
      const digest = planDigest(plan);
      if (digest !== config.digest) {
        throw ApplicationFailure.nonRetryable(
          `${config.path}: the plan changed since the campaign started (digest ${config.digest.slice(0, 12)} -> ${digest.slice(0, 12)}); start a new campaign run`,
          FAILURE_TYPES.planChanged,
        );
      }
      return plan.measurements.filter((m) => m.testbed === testbed).slice(offset, offset + limit);
    },
  };
}
