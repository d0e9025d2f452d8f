/**
 * Temporal conventions shared by workflows, activities, workers, the CLI and tests (DESIGN 3):
 * task queues, workflow types, signals, search attributes, stages. The steps themselves (queues,
 * timeouts, retries, failures) are declared in lib/measurement/steps.ts.
 * Imported by workflow code: keep it free of Node built-ins and I/O.
 */
import { defineSearchAttributeKey, SearchAttributeType, type SearchAttributePair } from '@temporalio/common';
import type { PlannedMeasurement } from '../lib/types';

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
/** `matador testbed check` (and `campaign start` before it starts): rows so far by query. */
export const TESTBED_CHECK_WORKFLOW_TYPE = 'testbedCheckWorkflow';
export const CHECK_PROGRESS_QUERY = 'checkProgress';

/** A check's workflow id: the campaign and when it was started (checks may run side by side). */
export function testbedCheckWorkflowId(campaign: string, at: Date): string {
  return `testbed-check/${campaign}/${at.toISOString()}`;
}

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
