/**
 * Temporal conventions shared by workflows, activities, workers, the CLI and tests (DESIGN 3).
 * Imported by workflow code: keep it free of Node built-ins and I/O.
 */
import { defineSearchAttributeKey, SearchAttributeType, type SearchAttributePair } from '@temporalio/common';
import type { PlannedMeasurement } from '../lib/types';
import type { RetryPolicy } from '@temporalio/common';

/* ---- task queues ---- */

/** Campaign + measurement workflows and the central (persistence, analysis) activities. */
export const CENTRAL_TASK_QUEUE = 'matador-central';
export const TESTBED_TASK_QUEUE_PREFIX = 'testbed-';

/** Activities that touch a testbed's phones and routers run on its host: `testbed-<id>`. */
export function testbedTaskQueue(testbedId: string): string {
  return `${TESTBED_TASK_QUEUE_PREFIX}${testbedId}`;
}

/* ---- workflow types and names ---- */

export const CAMPAIGN_WORKFLOW_TYPE = 'campaignWorkflow';
export const MEASUREMENT_WORKFLOW_TYPE = 'measurementWorkflow';
export const PROGRESS_QUERY = 'progress';
export const PAUSE_SIGNAL = 'pause';
export const RESUME_SIGNAL = 'resume';

/** Workflow id `matador start` gives a campaign: one running campaign per name. */
export function campaignWorkflowId(campaign: string): string {
  return `campaign/${campaign}`;
}

/* ---- search attributes (Keyword, registered when the server starts) ---- */

export const SEARCH_ATTRIBUTE_NAMES = [
  'MatadorCampaign',
  'MatadorApp',
  'MatadorNodeA',
  'MatadorNodeB',
  'MatadorCountryA',
  'MatadorCountryB',
  'MatadorTestbed',
  'MatadorStage',
] as const;
export type SearchAttributeName = (typeof SEARCH_ATTRIBUTE_NAMES)[number];

export const SA = {
  campaign: defineSearchAttributeKey('MatadorCampaign', SearchAttributeType.KEYWORD),
  app: defineSearchAttributeKey('MatadorApp', SearchAttributeType.KEYWORD),
  nodeA: defineSearchAttributeKey('MatadorNodeA', SearchAttributeType.KEYWORD),
  nodeB: defineSearchAttributeKey('MatadorNodeB', SearchAttributeType.KEYWORD),
  countryA: defineSearchAttributeKey('MatadorCountryA', SearchAttributeType.KEYWORD),
  countryB: defineSearchAttributeKey('MatadorCountryB', SearchAttributeType.KEYWORD),
  testbed: defineSearchAttributeKey('MatadorTestbed', SearchAttributeType.KEYWORD),
  stage: defineSearchAttributeKey('MatadorStage', SearchAttributeType.KEYWORD),
} as const;

/** The search attributes that say which measurement a workflow is (all but the stage). */
export function measurementSearchAttributes(m: Pick<PlannedMeasurement, 'campaign' | 'app' | 'nodeA' | 'nodeB' | 'testbed'>): SearchAttributePair[] {
  return [
    { key: SA.campaign, value: m.campaign },
    { key: SA.app, value: m.app },
    { key: SA.nodeA, value: m.nodeA.id },
    { key: SA.nodeB, value: m.nodeB.id },
    { key: SA.countryA, value: m.nodeA.country },
    { key: SA.countryB, value: m.nodeB.country },
    { key: SA.testbed, value: m.testbed },
  ];
}

/* ---- failure types (ApplicationFailure.type) ---- */

export const FAILURE_TYPES = {
  /** The step's driver comes in a later issue: non-retryable, never faked. */
  notImplemented: 'not_implemented',
  /** The campaign config does not load or validate. */
  invalidConfig: 'invalid_config',
  /** The config file changed between loading the plan and reading a page of it. */
  planChanged: 'plan_changed',
  /** A measurement ended failed (after all attempts); details carry the attempts. */
  measurementFailed: 'measurement_failed',
  /** The testbed's emulated world is not up (activities/steps/failures.ts). */
  worldNotUp: 'world_not_up',
  /** The testbeds config or the world does not know the testbed or node. */
  testbedUnknown: 'testbed_unknown',
  /** The world or config lacks something a step needs (an SSH endpoint, a phone). */
  testbedIncomplete: 'testbed_incomplete',
} as const;

/** Failure types that make a new measurement attempt pointless. */
export const ATTEMPT_FATAL_FAILURE_TYPES: readonly string[] = [
  FAILURE_TYPES.notImplemented,
  FAILURE_TYPES.invalidConfig,
  FAILURE_TYPES.planChanged,
  FAILURE_TYPES.worldNotUp,
  FAILURE_TYPES.testbedUnknown,
  FAILURE_TYPES.testbedIncomplete,
  // The phone driver's (drivers/phone/failures.ts): an app missing on a phone does not install
  // itself before the next attempt; the fix is the operator's, then `campaign rerun-failed`.
  'app_not_installed',
];

/* ---- retry policies ---- */

const NON_RETRYABLE = [FAILURE_TYPES.notImplemented, FAILURE_TYPES.invalidConfig, FAILURE_TYPES.planChanged];

/** Steps on a testbed (ADB, SSH): a few quick retries, then the attempt is given up. */
export const TESTBED_STEP_RETRY: RetryPolicy = {
  initialInterval: '1s',
  backoffCoefficient: 2,
  maximumInterval: '10s',
  maximumAttempts: 3,
  nonRetryableErrorTypes: NON_RETRYABLE,
};
/** Cleanup steps (stop capture, teardown): retried harder, they leave state behind otherwise. */
export const CLEANUP_RETRY: RetryPolicy = {
  initialInterval: '1s',
  backoffCoefficient: 2,
  maximumInterval: '30s',
  maximumAttempts: 5,
  nonRetryableErrorTypes: NON_RETRYABLE,
};
/** Central steps (config, analysis, persistence): local resources, retry a little longer. */
export const CENTRAL_STEP_RETRY: RetryPolicy = {
  initialInterval: '1s',
  backoffCoefficient: 2,
  maximumInterval: '30s',
  maximumAttempts: 5,
  nonRetryableErrorTypes: NON_RETRYABLE,
};

/* ---- timeouts (seconds; multiplied by the campaign's timeoutScale, floor MIN_TIMEOUT_SECONDS) ---- */

export const MIN_TIMEOUT_SECONDS = 2;

export interface StepTimeouts {
  startToCloseSeconds: number;
  /** Long steps heartbeat; a dead worker is noticed after this, not after startToClose. */
  heartbeatSeconds?: number;
}

export const STEP_TIMEOUTS = {
  loadCampaign: { startToCloseSeconds: 60 },
  planPage: { startToCloseSeconds: 60 },
  provisionTunnels: { startToCloseSeconds: 180, heartbeatSeconds: 30 },
  configurePhones: { startToCloseSeconds: 300, heartbeatSeconds: 30 },
  startCapture: { startToCloseSeconds: 60 },
  sendMessage: { startToCloseSeconds: 180, heartbeatSeconds: 30 },
  stopCapture: { startToCloseSeconds: 60 },
  fetchCapture: { startToCloseSeconds: 300, heartbeatSeconds: 30 },
  classifyFlows: { startToCloseSeconds: 300, heartbeatSeconds: 30 },
  traceroutes: { startToCloseSeconds: 900, heartbeatSeconds: 30 },
  geolocate: { startToCloseSeconds: 300, heartbeatSeconds: 30 },
  persistRecord: { startToCloseSeconds: 60 },
  abortCapture: { startToCloseSeconds: 60 },
  teardown: { startToCloseSeconds: 180, heartbeatSeconds: 30 },
} as const satisfies Record<string, StepTimeouts>;

export type StepName = keyof typeof STEP_TIMEOUTS;

/** Whole attempts of one measurement (saga: clean up, then try again). */
export const DEFAULT_MAX_ATTEMPTS = 3;
/** Plan page size: how many planned measurements of one testbed the campaign holds at once. */
export const DEFAULT_PAGE_SIZE = 50;

/** Stages shown in MatadorStage (workflow steps plus the campaign's own). */
export const STAGE_DONE = 'done';
export const STAGE_FAILED = 'failed';
export const STAGE_CLEANUP = 'cleanup';
export const STAGE_PLANNING = 'planning';
export const STAGE_RUNNING = 'running';
export const STAGE_PAUSED = 'paused';
