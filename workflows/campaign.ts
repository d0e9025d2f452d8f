/**
 * One campaign: load + validate the config (activity), then run every planned measurement as a
 * child workflow. One lane per testbed, lanes in parallel, one measurement at a time per lane;
 * with `balance: work-stealing` a lane whose queue is done takes over the end of the busiest
 * lane's (lib/campaign-balance.ts).
 * Each lane reads its testbed's queue in pages (small histories for big plans). When the history
 * reaches CAMPAIGN_HISTORY_LIMITS (or `continueAsNewAfter` is reached) the lanes stop at the next
 * measurement boundary and the campaign continues as new, carrying the per-testbed cursors over: finished
 * measurements are never run again. With `resume` the plan leaves out what the results store
 * already has as ok (see activities/plan-pages.ts), so a second run only does the rest.
 */
import {
  ApplicationFailure,
  ChildWorkflowFailure,
  condition,
  isCancellation,
  continueAsNew,
  defineQuery,
  defineSignal,
  executeChild,
  patched,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
  WorkflowIdReusePolicy,
  ParentClosePolicy,
} from '@temporalio/workflow';
import {
  CENTRAL_TASK_QUEUE,
  DEFAULT_PAGE_SIZE,
  PAUSE_SIGNAL,
  PROGRESS_QUERY,
  RESUME_SIGNAL,
  measurementSearchAttributes,
  SA,
  STAGE_DONE,
  STAGE_PAUSED,
  STAGE_PLANNING,
  STAGE_RUNNING,
} from '../temporal/conventions';
import type {
  CampaignCarried,
  CampaignInput,
  CampaignProgress,
  CampaignSummary,
  LoadCampaignRequest,
  MeasurementInput,
  MeasurementOutcome,
  MeasurementResult,
  MeasurementSpec,
  TestbedProgress,
} from '../lib/measurement/payloads';
import { scheduledRunOf } from '../temporal/schedules';
import type { FailureCode, FailureFields } from '../lib/failures';
import { runOptionsProblem } from '../lib/config/limits';
import { stepProxy } from '../temporal/activity-options';
import { measurementWorkflow } from './measurement';
import { checkDrift } from './drift';
import { advanceLane, laneAt, takeOver } from '../lib/campaign-balance';
import { driftDetailsLines } from '../lib/drift/details';
import { campaignDetails } from '../lib/workflow-text/campaign';
import { measurementStartDetails, measurementStartSummary } from '../lib/workflow-text/measurement';

/** At most this many failures travel in a campaign's state (continue-as-new input, progress,
 *  summary): the latest ones, plus a count of those left out. The results store (`matador
 *  campaign rerun-failed`) lists them all. */
export const MAX_LISTED_FAILURES = 100;

/** Marks histories that have the drift step (workflows/drift.ts) at the run's end. */
export const DRIFT_PATCH = 'matador-drift-alerts';

/**
 * A campaign continues as new when its history reaches either bound. Temporal refuses a history
 * beyond 51,200 events or 50 MB and warns from 10,240 events or 10 MB; it *suggests* continuing as
 * new from 4 MB, about 240 measurements (~17 KB of history each, mostly the child result). Every
 * continue-as-new is a barrier: the lanes stop at a measurement boundary and wait for the slowest
 * running measurement. On the paper campaign (21 testbeds) the one at ~1,400 measurements under
 * the first bounds (20,000 events, 20 MB) left the lanes idle for ~365 lane-seconds, ~17 s of the
 * makespan. These bounds let a 1624-measurement campaign run as one (~28 MB, ~20,000 events), and
 * keep 10 MB and 11,200 events below Temporal's refusal: the bound is checked at every
 * measurement boundary, so the history passes it by at most one measurement per lane.
 */
export const CAMPAIGN_HISTORY_LIMITS = { events: 40_000, bytes: 40 * 1024 * 1024 } as const;
/** The first bounds, for campaigns that ran under them (replay). */
export const CAMPAIGN_HISTORY_LIMITS_V1 = { events: 20_000, bytes: 20 * 1024 * 1024 } as const;
/** Campaigns started before the bounds continue as new where the server suggested it (replay). */
export const CAMPAIGN_HISTORY_LIMITS_PATCH = 'matador-campaign-history-limits';
/** Campaigns without this marker keep the first bounds (replay). */
export const CAMPAIGN_HISTORY_LIMITS_40_PATCH = 'matador-campaign-history-limits-40';

function historyFull(): boolean {
  const info = workflowInfo();
  if (!patched(CAMPAIGN_HISTORY_LIMITS_PATCH)) return info.continueAsNewSuggested;
  const limits = patched(CAMPAIGN_HISTORY_LIMITS_40_PATCH) ? CAMPAIGN_HISTORY_LIMITS : CAMPAIGN_HISTORY_LIMITS_V1;
  return info.historyLength >= limits.events || info.historySize >= limits.bytes;
}

export const progressQuery = defineQuery<CampaignProgress>(PROGRESS_QUERY);
export const pauseSignal = defineSignal(PAUSE_SIGNAL);
export const resumeSignal = defineSignal(RESUME_SIGNAL);

export async function campaignWorkflow(input: CampaignInput): Promise<CampaignSummary> {
  // Run options may come from a hand-written workflow input: refuse what would sleep forever.
  const optionsProblem = runOptionsProblem(input.options);
  if (optionsProblem) throw ApplicationFailure.nonRetryable(`campaign ${input.config}: ${optionsProblem}`, 'config_invalid' satisfies FailureCode);
  const timeoutScale = input.options?.timeoutScale;
  const loadCampaign = stepProxy('loadCampaign', { timeoutScale });
  const planPage = stepProxy('planPage', { timeoutScale });

  let state: CampaignProgress['state'] = 'planning';
  let carried: CampaignCarried | undefined = input.carried;
  let paused = carried?.paused ?? false;
  // The Web UI's current details: progress as it goes, the outcome at the end; `extra` lines
  // (drift alerts of a finished run) are added at the end of the text.
  const showDetails = (extra?: string[]): void => setCurrentDetails(campaignDetails({ ...progressOf(input, carried, state, paused), ...(extra ? { extra } : {}) }));
  setHandler(pauseSignal, () => {
    paused = true;
    showDetails();
  });
  setHandler(resumeSignal, () => {
    paused = false;
    showDetails();
  });
  setHandler(progressQuery, () => progressOf(input, carried, state, paused));
  showDetails();

  if (!carried) {
    upsertSearchAttributes([{ key: SA.stage, value: STAGE_PLANNING }]);
    // `resume` only when asked: the activity input of older histories stays exactly the same.
    const request: LoadCampaignRequest = input.resume ? { config: input.config, resume: true } : { config: input.config };
    // A schedule's run is a campaign of its own, named after the date the schedule fired.
    if (input.campaignIdSuffix === 'scheduled-date') request.scheduledRun = scheduledRunOf(workflowInfo());
    const plan = await loadCampaign(request);
    carried = {
      plan,
      testbeds: plan.testbeds.map((t) => ({ id: t.id, total: t.measurements, next: 0, ok: 0, failed: 0, running: null })),
      failures: [],
      paused,
      runs: 1,
    };
  } else {
    carried = { ...carried, runs: carried.runs + 1 };
  }
  const run: CampaignCarried = carried;
  state = paused ? 'paused' : 'running';
  showDetails();
  upsertSearchAttributes([
    { key: SA.campaign, value: run.plan.campaign },
    { key: SA.stage, value: paused ? STAGE_PAUSED : STAGE_RUNNING },
  ]);

  const pageSize = Math.max(1, input.pageSize ?? DEFAULT_PAGE_SIZE);
  let startedThisRun = 0;
  let yielding = false;
  const shouldYield = (): boolean =>
    yielding ||
    historyFull() ||
    (input.continueAsNewAfter !== undefined && startedThisRun >= input.continueAsNewAfter);

  // With work stealing a lane whose range is done takes over part of the busiest lane's (never
  // while the campaign is about to continue as new: the ranges travel in the carried state).
  const balance = run.plan.balance;
  const takesOver = (tb: TestbedProgress): boolean => balance !== undefined && !shouldYield() && takeOver(tb, run.testbeds, balance.unit) !== null;

  const lane = async (tb: TestbedProgress): Promise<void> => {
    let page: MeasurementSpec[] = [];
    let pageAt = laneAt(tb);
    while (tb.next < tb.total || takesOver(tb)) {
      if (paused) {
        state = 'paused';
        upsertSearchAttributes([{ key: SA.stage, value: STAGE_PAUSED }]);
        await condition(() => !paused);
        state = 'running';
        upsertSearchAttributes([{ key: SA.stage, value: STAGE_RUNNING }]);
      }
      if (shouldYield()) {
        yielding = true;
        return;
      }
      const at = laneAt(tb);
      if (at.queue !== pageAt.queue || at.offset - pageAt.offset >= page.length || at.offset < pageAt.offset) {
        pageAt = at;
        const request = { config: run.plan.config, testbed: at.queue, offset: at.offset, limit: pageSize };
        page = await planPage(run.plan.skipOkBefore !== undefined ? { ...request, skipOkBefore: run.plan.skipOkBefore } : request);
        if (page.length === 0) {
          throw ApplicationFailure.nonRetryable(
            `plan of testbed ${at.queue} ended at ${at.offset} of ${at.offset + tb.total - tb.next} measurements`,
            'plan_changed' satisfies FailureCode,
          );
        }
        // Another lane may have reached the yield point while this one waited for its page.
        if (shouldYield()) {
          yielding = true;
          return;
        }
      }
      // The measurement may come from another testbed's queue (work stealing): this one runs it.
      const spec = { ...page[at.offset - pageAt.offset], testbed: tb.id };
      startedThisRun++;
      tb.running = spec.measurementId;
      showDetails();
      const mi: MeasurementInput = { ...spec, config: run.plan.config, options: input.options, attempts: run.plan.attempts };
      if (sameNodePair(spec, page[at.offset - pageAt.offset + 1], tb.next + 1 < tb.total)) mi.keepTunnelsForNext = true;
      const outcome = await runMeasurement(mi);
      tb.running = null;
      advanceLane(tb);
      if (outcome.status === 'ok') tb.ok++;
      else {
        tb.failed++;
        listFailure(run, outcome);
      }
      showDetails();
    }
  };

  await Promise.all(run.testbeds.map((tb) => lane(tb)));

  if (run.testbeds.some((tb) => tb.next < tb.total)) {
    // Only reached when yielding: every lane stopped between two measurements.
    await continueAsNew<typeof campaignWorkflow>({ ...input, carried: { ...run, paused } });
  }
  // Drift: this run against the previous run of the campaign (never fails the campaign). The
  // lines are the Drift section of the run's details in the Web UI (lib/drift/details.ts).
  // patched: histories of runs that ended before the step replay without it.
  let driftLines: string[] = [];
  if (patched(DRIFT_PATCH)) {
    const drift = await checkDrift(run.plan, workflowInfo().startTime, timeoutScale);
    driftLines = driftDetailsLines(drift);
  }
  state = 'done';
  upsertSearchAttributes([{ key: SA.stage, value: STAGE_DONE }]);
  showDetails(driftLines);
  return summaryOf(run);
}

/** Keeps the carried failure list bounded (continue-as-new input stays small): the latest
 *  MAX_LISTED_FAILURES, and a count of the older ones left out. */
export function listFailure(run: CampaignCarried, outcome: MeasurementOutcome): void {
  run.failures.push(outcome);
  const over = run.failures.length - MAX_LISTED_FAILURES;
  if (over > 0) {
    run.failures.splice(0, over);
    run.failuresLeftOut = (run.failuresLeftOut ?? 0) + over;
  }
}

const leftOut = (run: CampaignCarried | undefined) => (run?.failuresLeftOut ? { failuresLeftOut: run.failuresLeftOut } : {});

/**
 * The next measurement of the lane (from the page at hand; unknown at a page end or after the
 * lane's last one: then no) uses the same two nodes, so this one may leave its tunnels up.
 */
function sameNodePair(spec: MeasurementSpec, next: MeasurementSpec | undefined, hasNext: boolean): boolean {
  return hasNext && next !== undefined && next.nodeA.id === spec.nodeA.id && next.nodeB.id === spec.nodeB.id;
}

async function runMeasurement(mi: MeasurementInput): Promise<MeasurementOutcome> {
  try {
    const result = await executeChild(measurementWorkflow, {
      workflowId: mi.measurementId,
      taskQueue: CENTRAL_TASK_QUEUE,
      args: [mi],
      // The id is deterministic: re-running a campaign re-runs a measurement under the same id.
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
      // What the Web UI lists for it; its current details then say what it found.
      staticSummary: measurementStartSummary(mi),
      staticDetails: measurementStartDetails(mi),
      // A cancelled or terminated campaign asks its measurements to cancel: their cleanup
      // (abortCapture, teardown) runs instead of being cut off (TERMINATE left tunnels and tcpdumps).
      parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
      typedSearchAttributes: [...measurementSearchAttributes(mi), { key: SA.stage, value: 'queued' }],
    });
    return { measurementId: mi.measurementId, status: result.status, failure: result.failure, failedOperation: result.failedOperation, detail: result.detail };
  } catch (err) {
    // The campaign is being cancelled (the child has cleaned up and ended cancelled): so is it.
    if (isCancellation(err)) throw err;
    return { measurementId: mi.measurementId, status: 'failed', ...childFailure(err) };
  }
}

/** Why a measurement's child workflow failed: its own failure fields when it says them. */
function childFailure(err: unknown): FailureFields {
  if (err instanceof ChildWorkflowFailure) {
    const cause = err.cause;
    if (cause instanceof ApplicationFailure && cause.type === ('measurement_failed' satisfies FailureCode)) {
      const result = cause.details?.[0] as Partial<MeasurementResult> | undefined;
      if (result?.failure) return { failure: result.failure, failedOperation: result.failedOperation ?? null, detail: result.detail ?? null };
      return { failure: 'measurement_failed', failedOperation: null, detail: cause.message };
    }
    if (cause) return { failure: 'activity_error', failedOperation: 'measurementWorkflow', detail: `${cause.name}: ${cause.message}` };
    return { failure: 'activity_error', failedOperation: 'measurementWorkflow', detail: err.message };
  }
  if (err instanceof Error && err.name === 'WorkflowExecutionAlreadyStartedError') {
    return { failure: 'already_running', failedOperation: 'measurementWorkflow', detail: 'another run of this measurement is in progress' };
  }
  return { failure: 'activity_error', failedOperation: 'measurementWorkflow', detail: err instanceof Error ? `${err.name}: ${err.message}` : String(err) };
}

function progressOf(input: CampaignInput, carried: CampaignCarried | undefined, state: CampaignProgress['state'], paused: boolean): CampaignProgress {
  const testbeds = carried?.testbeds ?? [];
  const ok = testbeds.reduce((n, t) => n + t.ok, 0);
  const failed = testbeds.reduce((n, t) => n + t.failed, 0);
  return {
    campaign: carried?.plan.campaign ?? '',
    config: input.config,
    state: state === 'running' && paused ? 'paused' : state,
    total: carried?.plan.total ?? 0,
    finished: ok + failed,
    ok,
    failed,
    running: testbeds.flatMap((t) => (t.running ? [t.running] : [])),
    testbeds: testbeds.map((t) => ({ ...t })),
    failures: [...(carried?.failures ?? [])],
    ...leftOut(carried),
    runs: carried?.runs ?? 1,
    ...(carried?.plan.skipped !== undefined ? { skipped: carried.plan.skipped } : {}),
    ...(carried?.plan.balance ? { workStealing: true as const } : {}),
  };
}

function summaryOf(run: CampaignCarried): CampaignSummary {
  const ok = run.testbeds.reduce((n, t) => n + t.ok, 0);
  const failed = run.testbeds.reduce((n, t) => n + t.failed, 0);
  return {
    campaign: run.plan.campaign,
    total: run.plan.total,
    ok,
    failed,
    failures: run.failures,
    ...leftOut(run),
    runs: run.runs,
    ...(run.plan.skipped !== undefined ? { skipped: run.plan.skipped } : {}),
  };
}

export type { MeasurementResult };
