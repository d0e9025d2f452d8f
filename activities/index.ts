/**
 * createActivities(deps): the real activity object, one function per step of the step table
 * (lib/measurement/steps.ts). With `deps.measurement` the measurement steps are the real ones
 * over drivers/ and lib/ (activities/steps); `deps.steps` overrides single steps (the test seam).
 * Every measurement step heartbeats while it runs and reports only the failures its declaration
 * lists. Tests build typed mocks of `MatadorActivities` instead.
 */
import { ApplicationFailure } from '@temporalio/activity';
import {
  CENTRAL_STEPS,
  MEASUREMENT_STEPS,
  SHIPPING_STEPS,
  stepMayFail,
  TESTBED_STEPS,
  type CentralActivities,
  type MatadorActivities,
  type MeasurementActivities,
  type StepName,
  type TestbedActivities,
} from '../lib/measurement/steps';
import type { MeasurementRecord, PersistResult } from '../lib/measurement/payloads';
import { shippingActivities } from './artefacts';
import { driftActivities, type DriftActivities, type DriftDeps } from './drift';
import { heartbeating } from './heartbeat';
import { resolveClassificationRefs } from './record-refs';
import { recordAccess } from './record-access';
import { planActivities, type CompletedLookup, type PlanLoader, type RunNameInUse } from './plan-pages';
import { measurementSteps, type StepEnv } from './steps';

export type { CentralActivities, MatadorActivities, TestbedActivities } from '../lib/measurement/steps';
export { heartbeating } from './heartbeat';
export { planActivities, planDigest, type PlanLoader } from './plan-pages';
export type { ExpandedPlan } from './plan-loader';

export interface ActivityDeps {
  /** Reads + validates + expands a campaign config (lib/config + lib/campaign-plan by default). */
  loadPlan: PlanLoader;
  /** Folder relative config paths resolve against (the project root). */
  baseDir: string;
  /** Writes a measurement record (results store); returns where it went. */
  saveRecord: (record: MeasurementRecord) => Promise<string> | string;
  /** For `--resume`: which measurements are already ok (read where saveRecord writes). */
  completed?: CompletedLookup;
  /** For scheduled runs: whether a run name is taken (checks where saveRecord writes). */
  runNameInUse?: RunNameInUse;
  /** The central data folder: persistRecord reads the (shipped) side classifications from it, the
   *  central shipping steps write the artefacts into it (default: measurement.dataDir). */
  dataDir?: string;
  /** Run the real measurement steps (activities/steps) with these settings. */
  measurement?: StepEnv;
  /** Step implementations that replace the real ones (tests, other drivers). */
  steps?: Partial<MeasurementActivities>;
  /** The drift steps' store and config lookup (absent: a campaign run ends without drift alerts,
   *  its details say why). */
  drift?: DriftDeps;
}

/** Without a store to compare in, the drift steps say so (the campaign records it and ends). */
function noDrift(): DriftActivities {
  const refuse = async (): Promise<never> => {
    throw ApplicationFailure.nonRetryable('this worker has no results store for drift alerts', 'DriftUnavailable');
  };
  return { detectDrift: refuse, postDriftAlerts: refuse };
}

/**
 * A step that reports a failure code its declaration does not list fails with
 * `undeclared_failure` instead (naming the code): the closed lists stay true.
 */
export function declaredFailuresOnly<A extends unknown[], R>(step: StepName, fn: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return async (...args: A): Promise<R> => {
    try {
      return await fn(...args);
    } catch (err) {
      if (err instanceof ApplicationFailure && err.type && !stepMayFail(step, err.type)) {
        throw ApplicationFailure.nonRetryable(`${step} reported ${err.type}, which its declaration (lib/measurement/steps.ts) does not list: ${err.message}`, 'undeclared_failure');
      }
      throw err;
    }
  };
}

export function createActivities(deps: ActivityDeps): MatadorActivities {
  const plan = planActivities({
    load: deps.loadPlan,
    baseDir: deps.baseDir,
    ...(deps.completed ? { completed: deps.completed } : {}),
    ...(deps.runNameInUse ? { runNameInUse: deps.runNameInUse } : {}),
  });
  const chosen: Partial<MeasurementActivities> = { ...(deps.measurement ? measurementSteps(deps.measurement) : {}), ...(deps.steps ?? {}) };
  const missing = MEASUREMENT_STEPS.filter((name) => typeof chosen[name] !== 'function');
  if (missing.length > 0) {
    throw new Error(`createActivities: no implementation of step ${missing.join(', ')}: pass deps.measurement (the real steps) or deps.steps`);
  }
  const steps = Object.fromEntries(
    MEASUREMENT_STEPS.map((name) => [name, declaredFailuresOnly(name, heartbeating(chosen[name] as (...a: unknown[]) => Promise<unknown>))]),
  ) as unknown as MeasurementActivities;
  // The testbed steps of shipping read the folder the measurement steps wrote; the central ones write the central folder.
  const shipping = shippingActivities({ testbedDir: deps.measurement?.dataDir, centralDir: deps.dataDir ?? deps.measurement?.dataDir });
  const shippingSteps = Object.fromEntries(
    SHIPPING_STEPS.map((name) => [name, declaredFailuresOnly(name, heartbeating(shipping[name] as (...a: unknown[]) => Promise<unknown>))]),
  ) as unknown as typeof shipping;
  return {
    ...plan,
    ...steps,
    ...shippingSteps,
    ...(deps.drift ? driftActivities(deps.drift) : noDrift()),
    // The record from history holds classification references; the stored one holds the flows.
    // `access`: which interest groups reach each path, for the workflow's details (what the Web UI shows).
    persistRecord: async ({ record }): Promise<PersistResult> => {
      const stored = await deps.saveRecord(resolveClassificationRefs(record, deps.dataDir ?? deps.measurement?.dataDir));
      const access = recordAccess(record);
      return access ? { stored, access } : { stored };
    },
  };
}

/** The subset a worker role registers. */
export function centralSubset(all: MatadorActivities): CentralActivities {
  return Object.fromEntries(CENTRAL_STEPS.map((n) => [n, all[n]])) as unknown as CentralActivities;
}
export function testbedSubset(all: MatadorActivities): TestbedActivities {
  return Object.fromEntries(TESTBED_STEPS.map((n) => [n, all[n]])) as unknown as TestbedActivities;
}
