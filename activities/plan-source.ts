/**
 * The real plan loader: lib/config reads + validates the campaign and every file it references,
 * lib/plan expands it (apps x node pairs, testbed assignment, message sequences with the scaled
 * Fig. 2 timers). Config errors stay ConfigError (one line: file, key path, value).
 */
import { loadCampaign } from '../lib/config';
import { expandPlan, measurementsWithMessages } from '../lib/plan';
import type { ExpandedPlan } from './plan';

export function loadCampaignPlan(file: string, options: { cwd?: string } = {}): ExpandedPlan {
  const plan = expandPlan(loadCampaign(file, { cwd: options.cwd }));
  const retry = plan.campaign.retry;
  return {
    campaign: plan.campaign.id,
    measurements: measurementsWithMessages(plan),
    attempts: {
      maxAttempts: retry.maxAttempts,
      initialIntervalSeconds: retry.initialIntervalSec,
      backoffCoefficient: retry.backoffCoefficient,
      maxIntervalSeconds: retry.maxIntervalSec,
    },
  };
}
