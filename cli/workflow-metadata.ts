/**
 * The user metadata (staticSummary / staticDetails) the CLI starts a campaign workflow with, so
 * that the Temporal Web UI's workflow list says what each run is ("campaign demo: 40
 * measurements on 2 testbeds") before it has loaded its plan. The texts: lib/workflow-text.
 */
import { expandPlan } from '../lib/campaign-plan';
import type { LoadedCampaign } from '../lib/config';
import { campaignStartDetails, campaignStartSummary } from '../lib/workflow-text/campaign';

export interface StartMetadata {
  staticSummary: string;
  staticDetails: string;
}

/** From the campaign as the CLI loaded it (the worker loads the same file again to plan it). */
export function campaignStartMetadata(loaded: LoadedCampaign, o: { config: string; resume?: boolean; every?: string } ): StartMetadata {
  const plan = expandPlan(loaded);
  const testbeds = plan.testbeds.filter((t) => t.measurements > 0).map((t) => t.id);
  return {
    staticSummary: campaignStartSummary({ campaign: plan.campaign.id, measurements: plan.measurements.length, testbeds: testbeds.length, resume: o.resume, scheduled: o.every !== undefined }),
    staticDetails: campaignStartDetails({ config: o.config, apps: plan.apps.map((a) => a.id), testbeds, ...(o.every ? { every: o.every } : {}) }),
  };
}
