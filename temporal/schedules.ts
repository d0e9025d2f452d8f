/**
 * Recurring campaigns (issue 5 part 5) as Temporal Schedules: pure helpers shared by
 * `matador schedule`, the campaign workflow and their tests. A schedule starts `campaignWorkflow`
 * every interval with overlap policy SKIP (a campaign still running when the next one is due is
 * not doubled). The scheduled workflow id is `campaign/<campaign id>`; Temporal appends the
 * scheduled time, so the runs are workflows `campaign/demo-2026-11-27T06:00:00Z`.
 *
 * Every run is a campaign of its own, named after the date the schedule fired: `demo-2026-11-27`.
 * That name replaces the config's campaign id everywhere downstream (plan, measurement ids
 * `demo-2026-11-27/<app>/<nodeA>/<nodeB>`, MatadorCampaign, the results store, reports), so
 * runs never share measurement ids or records. The date is the schedule's nominal time
 * (search attribute TemporalScheduledStartTime, set by the server at start, so replay-safe); a
 * `schedule trigger` fires at the time of the trigger. When the date's name is taken already
 * (a second run on one date: a manual trigger, an interval under a day, another schedule of the
 * same campaign), the run is `demo-2026-11-27-2`, then `-3`, ...: loadCampaign picks the first
 * name that neither Temporal (MatadorCampaign of another workflow) nor the results store knows.
 */
import { defineSearchAttributeKey, SearchAttributeType, type TypedSearchAttributes } from '@temporalio/common';
import type { CampaignInput, ScheduledRunRef } from '../lib/measurement/payloads';
import { campaignWorkflowId } from './conventions';

/** Units `--every` accepts, in milliseconds. */
const UNITS: Record<string, number> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
};

/** Shortest interval: shorter ones would start campaigns faster than a testbed measures. */
export const MIN_INTERVAL_MS = 60_000;

export class ScheduleSpecError extends Error {}

/** `7d`, `12h`, `90m`, `2w` -> milliseconds. */
export function parseEvery(text: string): number {
  const m = /^\s*(\d+)\s*([smhdw])\s*$/.exec(text);
  if (!m) throw new ScheduleSpecError(`--every: expected a number and a unit s, m, h, d or w (e.g. 7d, 12h), got ${JSON.stringify(text)}`);
  const ms = Number(m[1]) * UNITS[m[2]];
  if (ms < MIN_INTERVAL_MS) throw new ScheduleSpecError(`--every: ${JSON.stringify(text)} is shorter than the minimum of 1m`);
  return ms;
}

/** Milliseconds -> the largest exact unit up to days (as campaigns are planned):
 *  604800000 -> `7d`, 5400000 -> `90m`. */
export function formatEvery(ms: number): string {
  for (const unit of ['d', 'h', 'm', 's']) {
    if (ms % UNITS[unit] === 0) return `${ms / UNITS[unit]}${unit}`;
  }
  return `${ms}ms`;
}

/** Schedule ids: letters, digits and `._-` (they appear in URLs and in workflow ids). */
export function assertScheduleId(id: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/.test(id)) {
    throw new ScheduleSpecError(`schedule id ${JSON.stringify(id)}: use letters, digits, ".", "_" and "-" (at most 200, starting with a letter or digit)`);
  }
  return id;
}

/** A scheduled campaign's input: `campaignIdSuffix` asks the campaign workflow to name the run
 *  `<id>-<YYYY-MM-DD>` of its scheduled start (see the top of this file). */
export type ScheduledCampaignInput = CampaignInput & { campaignIdSuffix: 'scheduled-date' };

export interface CampaignScheduleRequest {
  scheduleId: string;
  campaignId: string;
  /** Config path as the central worker sees it. */
  config: string;
  everyMs: number;
  paused?: boolean;
  timerScale?: number;
  note?: string;
  /** User metadata of every run the schedule starts (what the Web UI lists for it). */
  staticSummary?: string;
  staticDetails?: string;
}

/** The schedule's workflow id (before Temporal appends the scheduled time). */
export function scheduledWorkflowIdPrefix(campaignId: string): string {
  return campaignWorkflowId(campaignId);
}

/** The id Temporal gives the run scheduled at `at`: prefix + `-` + RFC 3339 time (seconds). */
export function scheduledRunWorkflowId(campaignId: string, at: Date): string {
  return `${scheduledWorkflowIdPrefix(campaignId)}-${at.toISOString().replace(/\.\d{3}Z$/, 'Z')}`;
}

/** `demo` scheduled at 2026-11-27T06:00Z -> `demo-2026-11-27` (the campaign id of that run);
 *  the `ordinal`-th run of that date (2, 3, ...) -> `demo-2026-11-27-2`. Dates are UTC. */
export function datedCampaignId(campaignId: string, at: Date, ordinal = 1): string {
  if (!Number.isInteger(ordinal) || ordinal < 1) throw new ScheduleSpecError(`run ordinal must be a whole number >= 1, got ${ordinal}`);
  if (Number.isNaN(at.getTime())) throw new ScheduleSpecError(`campaign ${campaignId}: invalid scheduled time`);
  const base = `${campaignId}-${at.toISOString().slice(0, 10)}`;
  return ordinal === 1 ? base : `${base}-${ordinal}`;
}

/** Runs of one campaign on one date that loadCampaign names at most (then it gives up, rather
 *  than loop over a store it cannot read right). */
export const MAX_RUNS_PER_DATE = 1000;

/** A value as a string literal of a visibility query (`MatadorCampaign = "..."`). */
export function visibilityString(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** Set by the server on every workflow a schedule starts: the action's nominal time. */
export const SCHEDULED_START_TIME = defineSearchAttributeKey('TemporalScheduledStartTime', SearchAttributeType.DATETIME);

/** The scheduled run a workflow is, from replay-safe workflowInfo() data: the schedule's nominal
 *  time when the server set it, else the start time of the workflow execution chain. */
export function scheduledRunOf(info: { workflowId: string; startTime: Date; typedSearchAttributes: TypedSearchAttributes }): ScheduledRunRef {
  const scheduled = info.typedSearchAttributes.get(SCHEDULED_START_TIME);
  const at = scheduled instanceof Date && !Number.isNaN(scheduled.getTime()) ? scheduled : info.startTime;
  return { scheduledAt: at.toISOString(), workflowId: info.workflowId };
}

export function scheduledCampaignInput(r: CampaignScheduleRequest): ScheduledCampaignInput {
  return {
    config: r.config,
    campaignIdSuffix: 'scheduled-date',
    ...(r.timerScale !== undefined ? { options: { timerScale: r.timerScale } } : {}),
  };
}
