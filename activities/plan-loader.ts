/**
 * The real plan loader: lib/config reads + validates the campaign and every file it references,
 * lib/campaign-plan expands it (apps x node pairs, testbed assignment, message sequences with the scaled
 * Fig. 2 timers). Config errors stay ConfigError (one line: file, key path, value).
 */
import * as fs from 'fs';
import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { loadCampaign } from '../lib/config';
import { visibilityString } from '../temporal/schedules';
import { defaultStoreFile, ResultsStore } from '../store';
import { expandPlan, measurementsWithMessages, planBalance } from '../lib/campaign-plan';
import type { AttemptPolicy, MeasurementSpec } from '../lib/measurement/payloads';

/** A campaign config read and expanded: what the plan activities page through (plan-pages.ts). */
export interface ExpandedPlan {
  campaign: string;
  measurements: MeasurementSpec[];
  attempts?: AttemptPolicy;
  /** `balance: work-stealing`, stolen in units of `unit` measurements (absent: static; plans of
   *  configs without it keep their digest). */
  balance?: { unit: number };
}

export function loadCampaignPlan(file: string, options: { cwd?: string } = {}): ExpandedPlan {
  const plan = expandPlan(loadCampaign(file, { cwd: options.cwd }));
  const retry = plan.campaign.retry;
  const balance = planBalance(plan);
  return {
    campaign: plan.campaign.id,
    measurements: measurementsWithMessages(plan),
    attempts: {
      maxAttempts: retry.maxAttempts,
      initialIntervalSeconds: retry.initialIntervalSec,
      backoffCoefficient: retry.backoffCoefficient,
      maxIntervalSeconds: retry.maxIntervalSec,
    },
    ...(balance ? { balance } : {}),
  };
}

/**
 * Resume lookup against a results store: of `ids`, those whose latest record among the ones
 * finished at or before `before` is ok. Records finished later (this campaign run's own) do not
 * count, which keeps the answer the same for the whole run. No store file = nothing done yet.
 */
export function completedInResultsStore(ids: readonly string[], before: string, file = defaultStoreFile()): Set<string> {
  const done = new Set<string>();
  if (ids.length === 0 || !fs.existsSync(file)) return done;
  const store = new ResultsStore({ file, readonly: true });
  try {
    const cutoff = Date.parse(before);
    for (const id of ids) {
      const finished = store.attempts(id).filter((a) => Date.parse(a.record.finishedAt) <= cutoff);
      const latest = finished[finished.length - 1]; // attempts() is in attempt order
      if (latest?.record.status === 'ok') done.add(id);
    }
  } finally {
    store.close();
  }
  return done;
}

/** Whether the results store holds records of campaign `name`. No store file = no. */
export function campaignInResultsStore(name: string, file = defaultStoreFile()): boolean {
  if (!fs.existsSync(file)) return false;
  const store = new ResultsStore({ file, readonly: true });
  try {
    return store.campaigns().some((c) => c.campaign === name);
  } finally {
    store.close();
  }
}

/**
 * A scheduled run's name is in use when the results store has records of that campaign (runs
 * whose Temporal history is gone count too) or when a workflow other than the run itself has it
 * as MatadorCampaign (an earlier run of the date, also one without records yet, and its
 * measurement workflows). `client` defaults to the activity's (the worker's namespace).
 */
export async function runNameInUse(name: string, ownWorkflowId: string, o: { file?: string; client?: Client } = {}): Promise<boolean> {
  if (campaignInResultsStore(name, o.file ?? defaultStoreFile())) return true;
  const client = o.client ?? Context.current().client;
  const { count } = await client.workflow.count(`MatadorCampaign = ${visibilityString(name)} AND WorkflowId != ${visibilityString(ownWorkflowId)}`);
  return count > 0;
}
