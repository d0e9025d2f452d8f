/**
 * The drift step at the end of a campaign run (workflow code): compare with the previous run
 * (detectDrift), then POST the alerts to the campaign's webhook when it names one
 * (postDriftAlerts, bounded retries). Neither ever fails the campaign: a failure is recorded in
 * the result and in the store (the webhook's tries), and the campaign completes.
 */
import { ActivityFailure, ApplicationFailure, isCancellation } from '@temporalio/workflow';
import { stepProxy } from '../temporal/activity-options';
import type { CampaignPlanInfo } from '../lib/measurement/payloads';
import type { DriftStepResult } from '../lib/drift/details';

/** The innermost message of an activity failure (the activity's own error text). */
function reason(err: unknown): string {
  let e: unknown = err;
  while (e instanceof ActivityFailure && e.cause) e = e.cause;
  if (e instanceof ApplicationFailure || e instanceof Error) return e.message.split('\n')[0];
  return String(e);
}

export async function checkDrift(plan: CampaignPlanInfo, startedAt: Date, timeoutScale: number | undefined): Promise<DriftStepResult> {
  const detectDrift = stepProxy('detectDrift', { timeoutScale });
  const postDriftAlerts = stepProxy('postDriftAlerts', { timeoutScale });
  let outcome;
  try {
    outcome = await detectDrift({
      config: plan.config.path,
      campaign: plan.campaign,
      ...(plan.configCampaign !== undefined ? { configCampaign: plan.configCampaign } : {}),
      startedAt: startedAt.toISOString(),
    });
  } catch (err) {
    if (isCancellation(err)) throw err;
    return { outcome: null, error: reason(err), webhook: 'none', webhookError: null };
  }
  if (!outcome.webhook || outcome.previous === null || outcome.alerts === 0) return { outcome, error: null, webhook: 'none', webhookError: null };
  try {
    const posted = await postDriftAlerts({ config: plan.config.path, configCampaign: outcome.configCampaign, runA: outcome.previous, runB: outcome.run });
    return { outcome, error: null, webhook: posted.status, webhookError: null };
  } catch (err) {
    if (isCancellation(err)) throw err;
    return { outcome, error: null, webhook: 'failed', webhookError: reason(err) };
  }
}
