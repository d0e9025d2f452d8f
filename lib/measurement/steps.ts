/**
 * Every step of a measurement declared once: where it runs (central worker or the testbed's
 * host), its role, timeouts, retry policy, typed input and output, and the closed list of
 * failures (lib/failures.ts) it may report. Workflow proxies and activity options
 * (temporal/activity-options.ts), the activity object and the lists a worker registers
 * (activities/index.ts), the SSH scopes, fault injection and the record builder all derive from
 * this table. Pure data and types: workflow code imports it.
 */
import type { CheckTestbedRequest, CheckTestbedResponse } from '../check/rows';
import type { ArtefactManifest, PlannedArtefact } from '../artefacts/shipping';
import { PHONE_FAILURES, SSH_FAILURES, type FailureCode } from '../failures';
import type { ArtefactRef } from '../types';
import type {
  CampaignPlanInfo,
  CaptureFiles,
  Classification,
  DriftOutcome,
  DriftRequest,
  DriftWebhookRequest,
  DriftWebhookResult,
  LoadCampaignRequest,
  MeasurementRecord,
  MeasurementSpec,
  MessageSent,
  MessageStep,
  Paths,
  PersistResult,
  PhoneClocks,
  PhonesInfo,
  PlanPageRequest,
  RunningCapture,
  StepContext,
  TraceOptions,
  TracerouteTarget,
  TunnelsInfo,
} from './payloads';

/** `central`: task queue matador-central; `testbed`: the testbed's own queue `testbed-<id>`. */
export type StepQueue = 'central' | 'testbed';
/** plan: reads the campaign; measure: drives phones/routers/nodes; analyse: pure work on what
 *  was measured; persist: writes the record; cleanup: releases what a measurement holds;
 *  check: the preflight of `matador testbed check` (not part of a measurement); drift: a campaign
 *  run compared with the previous run when it completes (lib/drift, activities/drift.ts);
 *  ship: moves a measurement's artefacts from the testbed's data folder to the central one
 *  (lib/artefacts/shipping.ts, workflows/artefacts.ts). */
export type StepRole = 'plan' | 'measure' | 'analyse' | 'persist' | 'cleanup' | 'check' | 'drift' | 'ship';

export interface RetryDeclaration {
  initialIntervalSeconds: number;
  backoffCoefficient: number;
  maximumIntervalSeconds: number;
  maximumAttempts: number;
}

export const RETRY_POLICIES = {
  /** Steps on a testbed (ADB, SSH): a few quick retries, then the attempt is given up. */
  testbed: { initialIntervalSeconds: 1, backoffCoefficient: 2, maximumIntervalSeconds: 10, maximumAttempts: 3 },
  /** Cleanup steps: retried harder, they leave state behind otherwise. */
  cleanup: { initialIntervalSeconds: 1, backoffCoefficient: 2, maximumIntervalSeconds: 30, maximumAttempts: 5 },
  /** Central steps (config, analysis, persistence): local resources, retry a little longer. */
  central: { initialIntervalSeconds: 1, backoffCoefficient: 2, maximumIntervalSeconds: 30, maximumAttempts: 5 },
  /** The drift webhook POST: a few tries, then the failure is recorded and the campaign ends anyway. */
  webhook: { initialIntervalSeconds: 1, backoffCoefficient: 2, maximumIntervalSeconds: 10, maximumAttempts: 3 },
} as const satisfies Record<string, RetryDeclaration>;
export type RetryPolicyName = keyof typeof RETRY_POLICIES;

export interface StepDeclaration {
  queue: StepQueue;
  role: StepRole;
  retry: RetryPolicyName;
  /** Seconds; multiplied by the campaign's timeoutScale (floor: MIN_TIMEOUT_SECONDS). */
  startToCloseSeconds: number;
  /** Long steps heartbeat; a dead worker is noticed after this, not after startToClose. */
  heartbeatSeconds?: number;
  /** The failures the step may report (besides the workflow's own: timeout, cancelled, ...). */
  failures: readonly FailureCode[];
}

/** The failures of several groups, each code once. */
function anyOf(...groups: ReadonlyArray<readonly FailureCode[]>): readonly FailureCode[] {
  return [...new Set(groups.flat())];
}

/* Failure groups by what a step talks to. */
const LAB: readonly FailureCode[] = ['world_not_up', 'testbed_unknown', 'testbed_incomplete', 'config_invalid'];
// tool_missing: any router/node step may find its host lacks a tool (an OpenWrt router without tcpdump).
const SSH: readonly FailureCode[] = [...SSH_FAILURES, 'tool_missing'];
const PHONE: readonly FailureCode[] = PHONE_FAILURES;
const CAPTURE: readonly FailureCode[] = ['capture_failed', 'capture_fetch_failed', 'capture_corrupt', 'capture_missing'];

const SHIP: readonly FailureCode[] = ['config_invalid', 'artefact_missing', 'artefact_transfer_failed'];

/** The groups by name (README shows a step's failures by group). */
export const FAILURE_GROUPS = { lab: LAB, ssh: SSH, phone: PHONE, capture: CAPTURE, ship: SHIP } as const;

/** Typed input and output of each step: [input, output]. */
export interface StepIO {
  loadCampaign: [LoadCampaignRequest, CampaignPlanInfo];
  planPage: [PlanPageRequest, MeasurementSpec[]];
  provisionTunnels: [{ ctx: StepContext }, TunnelsInfo];
  configurePhones: [{ ctx: StepContext; tunnels: TunnelsInfo }, PhonesInfo];
  startCapture: [{ ctx: StepContext }, RunningCapture];
  /** `clocks`: each phone's clock offset as configurePhones measured it (measured again when absent). */
  sendMessage: [{ ctx: StepContext; message: MessageStep; clocks?: PhoneClocks }, MessageSent];
  stopCapture: [{ ctx: StepContext; capture: RunningCapture }, void];
  fetchCapture: [{ ctx: StepContext; capture: RunningCapture }, CaptureFiles];
  classifyFlows: [{ ctx: StepContext; capture: CaptureFiles; messages: MessageSent[] }, Classification];
  /** `traceroutes` absent: single-path application traces (the campaign default). */
  traceroutes: [{ ctx: StepContext; endpoints: TracerouteTarget[]; traceroutes?: TraceOptions }, Paths];
  geolocate: [{ ctx: StepContext; paths: Paths }, Paths];
  persistRecord: [{ record: MeasurementRecord }, PersistResult];
  /** Saga compensation: stop a capture that may or may not be running, drop its files. */
  abortCapture: [{ ctx: StepContext }, void];
  /** Always runs at the end of an attempt: tunnels down (or kept for the next measurement of
   *  the same node pair, `ctx.keepTunnels`), phones reset. Idempotent. */
  teardown: [{ ctx: StepContext }, void];
  /** `matador testbed check`: without a subject the testbed's subjects, with one its rows
   *  (failed checks are rows; the step fails only when campaign or testbed cannot be read). */
  checkTestbed: [CheckTestbedRequest, CheckTestbedResponse];
  /** At a campaign run's end: compare it with the previous run, store the alerts (idempotent). */
  detectDrift: [DriftRequest, DriftOutcome];
  /** POST the run pair's alerts to the campaign's `alerts.webhook`; every try is recorded. */
  postDriftAlerts: [DriftWebhookRequest, DriftWebhookResult];
  /** Shipping (lib/artefacts/shipping.ts): the testbed lists the record's files (bytes, sha256). */
  artefactManifest: [{ measurementId: string; artefacts: ArtefactRef[] }, ArtefactManifest];
  /** Central: which files are already there (or the same folder), which to send from where. */
  prepareArtefacts: [{ measurementId: string; manifest: ArtefactManifest }, PlannedArtefact[]];
  /** Testbed: one chunk of one file, base64 (offset a multiple of ARTEFACT_CHUNK_BYTES). */
  readArtefactChunk: [{ path: string; sha256: string; bytes: number; offset: number }, { data: string }];
  /** Central: the chunk into the file's part file at its offset. */
  writeArtefactChunk: [{ path: string; sha256: string; bytes: number; offset: number; data: string }, void];
  /** Central: size + sha256 of the part file verified, renamed into place. */
  commitArtefact: [{ path: string; sha256: string; bytes: number }, void];
  /** Central: part files of transfers that ended without a commit go. */
  discardArtefactParts: [{ parts: Array<{ path: string; sha256: string }> }, void];
}

export const STEPS = {
  loadCampaign: { queue: 'central', role: 'plan', retry: 'central', startToCloseSeconds: 60, failures: ['config_invalid'] },
  planPage: { queue: 'central', role: 'plan', retry: 'central', startToCloseSeconds: 60, failures: ['config_invalid', 'plan_changed'] },
  provisionTunnels: { queue: 'testbed', role: 'measure', retry: 'testbed', startToCloseSeconds: 180, heartbeatSeconds: 30, failures: anyOf(LAB, SSH, ['tunnel_failed']) },
  configurePhones: { queue: 'testbed', role: 'measure', retry: 'testbed', startToCloseSeconds: 300, heartbeatSeconds: 30, failures: anyOf(LAB, SSH, PHONE, CAPTURE, ['clock_skew']) },
  startCapture: { queue: 'testbed', role: 'measure', retry: 'testbed', startToCloseSeconds: 60, failures: anyOf(LAB, SSH, PHONE, CAPTURE) },
  sendMessage: { queue: 'testbed', role: 'measure', retry: 'testbed', startToCloseSeconds: 180, heartbeatSeconds: 30, failures: anyOf(LAB, PHONE, ['clock_skew']) },
  stopCapture: { queue: 'testbed', role: 'measure', retry: 'testbed', startToCloseSeconds: 60, failures: anyOf(LAB, SSH, PHONE, CAPTURE) },
  fetchCapture: { queue: 'testbed', role: 'measure', retry: 'testbed', startToCloseSeconds: 300, heartbeatSeconds: 30, failures: anyOf(LAB, SSH, CAPTURE) },
  // On the testbed: it reads the captures and the node's baseline where fetchCapture put them.
  classifyFlows: { queue: 'testbed', role: 'analyse', retry: 'testbed', startToCloseSeconds: 300, heartbeatSeconds: 30, failures: anyOf(LAB, ['capture_missing']) },
  traceroutes: { queue: 'testbed', role: 'measure', retry: 'testbed', startToCloseSeconds: 900, heartbeatSeconds: 30, failures: anyOf(LAB, SSH, ['traceroute_failed']) },
  geolocate: { queue: 'central', role: 'analyse', retry: 'central', startToCloseSeconds: 300, heartbeatSeconds: 30, failures: anyOf(LAB) },
  persistRecord: { queue: 'central', role: 'persist', retry: 'central', startToCloseSeconds: 60, failures: [] },
  abortCapture: { queue: 'testbed', role: 'cleanup', retry: 'cleanup', startToCloseSeconds: 60, failures: anyOf(LAB, SSH, PHONE, CAPTURE) },
  teardown: { queue: 'testbed', role: 'cleanup', retry: 'cleanup', startToCloseSeconds: 180, heartbeatSeconds: 30, failures: anyOf(LAB, SSH, PHONE, ['tunnel_failed']) },
  checkTestbed: { queue: 'testbed', role: 'check', retry: 'testbed', startToCloseSeconds: 600, heartbeatSeconds: 30, failures: anyOf(LAB) },
  detectDrift: { queue: 'central', role: 'drift', retry: 'central', startToCloseSeconds: 300, failures: [] },
  postDriftAlerts: { queue: 'central', role: 'drift', retry: 'webhook', startToCloseSeconds: 30, failures: [] },
  artefactManifest: { queue: 'testbed', role: 'ship', retry: 'testbed', startToCloseSeconds: 300, heartbeatSeconds: 30, failures: SHIP },
  prepareArtefacts: { queue: 'central', role: 'ship', retry: 'central', startToCloseSeconds: 300, heartbeatSeconds: 30, failures: SHIP },
  readArtefactChunk: { queue: 'testbed', role: 'ship', retry: 'testbed', startToCloseSeconds: 60, failures: SHIP },
  writeArtefactChunk: { queue: 'central', role: 'ship', retry: 'central', startToCloseSeconds: 60, failures: SHIP },
  commitArtefact: { queue: 'central', role: 'ship', retry: 'central', startToCloseSeconds: 120, heartbeatSeconds: 30, failures: SHIP },
  discardArtefactParts: { queue: 'central', role: 'ship', retry: 'cleanup', startToCloseSeconds: 60, failures: SHIP },
} as const satisfies { [K in keyof StepIO]: StepDeclaration };

export type StepName = keyof StepIO;
export const STEP_NAMES = Object.keys(STEPS) as StepName[];

type StepsWhere<P extends Partial<StepDeclaration>> = { [K in StepName]: (typeof STEPS)[K] extends P ? K : never }[StepName];
export type CentralStepName = StepsWhere<{ queue: 'central' }>;
export type TestbedStepName = StepsWhere<{ queue: 'testbed' }>;

export const CENTRAL_STEPS = STEP_NAMES.filter((n) => STEPS[n].queue === 'central') as CentralStepName[];
export const TESTBED_STEPS = STEP_NAMES.filter((n) => STEPS[n].queue === 'testbed') as TestbedStepName[];
/** Steps that measure or analyse (not the plan, not the record): chaos runs inject faults here. */
export const FAULTABLE_STEPS = STEP_NAMES.filter((n) => ['measure', 'analyse', 'cleanup'].includes(STEPS[n].role));

/** The activity of a step: its typed input to its typed output. */
export type StepActivity<K extends StepName> = (input: StepIO[K][0]) => Promise<StepIO[K][1]>;
/** One function per step: what a worker registers and what workflows call through proxies. */
export type MatadorActivities = { [K in StepName]: StepActivity<K> };
export type CentralActivities = Pick<MatadorActivities, CentralStepName>;
export type TestbedActivities = Pick<MatadorActivities, TestbedStepName>;
/** The steps activities/steps implements: all but plan, persist, drift and ship (the measurement's
 *  own, and the testbed check). */
export type MeasurementStepName = Exclude<StepName, StepsWhere<{ role: 'plan' }> | StepsWhere<{ role: 'persist' }> | StepsWhere<{ role: 'drift' }> | StepsWhere<{ role: 'ship' }>>;
export type MeasurementActivities = Pick<MatadorActivities, MeasurementStepName>;
export const MEASUREMENT_STEPS = STEP_NAMES.filter((n) => !['plan', 'persist', 'drift', 'ship'].includes(STEPS[n].role)) as MeasurementStepName[];
export type ShippingStepName = StepsWhere<{ role: 'ship' }>;
export type ShippingActivities = Pick<MatadorActivities, ShippingStepName>;
export const SHIPPING_STEPS = STEP_NAMES.filter((n) => STEPS[n].role === 'ship') as ShippingStepName[];

/** Whether a step declares a failure code (others are undeclared: see activities/index.ts). */
export function stepMayFail(step: StepName, code: string): boolean {
  return (STEPS[step].failures as readonly string[]).includes(code) || (code === 'injected_fault' && FAULTABLE_STEPS.includes(step));
}
