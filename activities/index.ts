/**
 * createActivities(deps): the real activity object. With `deps.measurement` the measurement
 * steps are the real ones over drivers/ and lib/ (activities/steps); `deps.steps` overrides
 * single steps (the test seam). A step with neither throws a non-retryable `not_implemented`
 * failure naming the step. Tests build typed mocks of `MatadorActivities` instead.
 */
import { heartbeating } from './heartbeat';
import { notImplemented } from './not-implemented';
import { planActivities, type CompletedLookup, type PlanLoader, type RunNameInUse } from './plan-pages';
import { measurementSteps, type StepEnv } from './steps';
import type { CentralActivities, MatadorActivities, TestbedActivities } from './types';
import { CENTRAL_ACTIVITY_NAMES, TESTBED_ACTIVITY_NAMES } from './types';
import type { MeasurementRecord, PersistResult } from '../lib/measurement/payloads';

export type { CentralActivities, MatadorActivities, TestbedActivities } from './types';
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
  /** Run the real measurement steps (activities/steps) with these settings. */
  measurement?: StepEnv;
  /** Step implementations that replace the real ones (tests, other drivers). */
  steps?: Partial<Omit<MatadorActivities, 'loadCampaign' | 'planPage' | 'persistRecord'>>;
}

export function createActivities(deps: ActivityDeps): MatadorActivities {
  const plan = planActivities({
    load: deps.loadPlan,
    baseDir: deps.baseDir,
    ...(deps.completed ? { completed: deps.completed } : {}),
    ...(deps.runNameInUse ? { runNameInUse: deps.runNameInUse } : {}),
  });
  // Every real step heartbeats while it runs (long steps have a heartbeat timeout).
  const steps = Object.fromEntries(
    Object.entries({ ...(deps.measurement ? measurementSteps(deps.measurement) : {}), ...(deps.steps ?? {}) }).map(([name, fn]) => [name, heartbeating(fn as (...a: unknown[]) => Promise<unknown>)]),
  ) as NonNullable<ActivityDeps['steps']>;
  return {
    ...plan,
    persistRecord: async ({ record }): Promise<PersistResult> => ({ stored: await deps.saveRecord(record) }),
    classifyFlows: steps.classifyFlows ?? (async () => notImplemented('classifyFlows')),
    geolocate: steps.geolocate ?? (async () => notImplemented('geolocate')),
    provisionTunnels: steps.provisionTunnels ?? (async () => notImplemented('provisionTunnels')),
    configurePhones: steps.configurePhones ?? (async () => notImplemented('configurePhones')),
    startCapture: steps.startCapture ?? (async () => notImplemented('startCapture')),
    sendMessage: steps.sendMessage ?? (async () => notImplemented('sendMessage')),
    stopCapture: steps.stopCapture ?? (async () => notImplemented('stopCapture')),
    fetchCapture: steps.fetchCapture ?? (async () => notImplemented('fetchCapture')),
    traceroutes: steps.traceroutes ?? (async () => notImplemented('traceroutes')),
    abortCapture: steps.abortCapture ?? (async () => notImplemented('abortCapture')),
    teardown: steps.teardown ?? (async () => notImplemented('teardown')),
  };
}

/** The subset a worker role registers. */
export function centralSubset(all: MatadorActivities): CentralActivities {
  return Object.fromEntries(CENTRAL_ACTIVITY_NAMES.map((n) => [n, all[n]])) as unknown as CentralActivities;
}
export function testbedSubset(all: MatadorActivities): TestbedActivities {
  return Object.fromEntries(TESTBED_ACTIVITY_NAMES.map((n) => [n, all[n]])) as unknown as TestbedActivities;
}
