/**
 * Recurring campaigns (issue 5 part 5) as Temporal Schedules: pure helpers shared by
 * `matador schedule` and its tests. A schedule starts `campaignWorkflow` every interval with
 * overlap policy SKIP (a campaign still running when the next one is due is not doubled). The
 * scheduled workflow id is `campaign/<campaign id>`; Temporal appends the scheduled time, so the
 * runs are `campaign/demo-2026-11-27T06:00:00Z`, one per date.
 */
import type { CampaignInput } from './types';
import { campaignWorkflowId } from './constants';

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

/** A scheduled campaign's input. `campaignIdSuffix` asks the campaign workflow to name the run
 *  `<id>-<YYYY-MM-DD>` of its scheduled start; workflows that do not know the field ignore it. */
export interface ScheduledCampaignInput extends CampaignInput {
  campaignIdSuffix?: 'scheduled-date';
}

export interface CampaignScheduleRequest {
  scheduleId: string;
  campaignId: string;
  /** Config path as the central worker sees it. */
  config: string;
  everyMs: number;
  paused?: boolean;
  timerScale?: number;
  note?: string;
}

/** The schedule's workflow id (before Temporal appends the scheduled time). */
export function scheduledWorkflowIdPrefix(campaignId: string): string {
  return campaignWorkflowId(campaignId);
}

/** The id Temporal gives the run scheduled at `at`: prefix + `-` + RFC 3339 time (seconds). */
export function scheduledRunWorkflowId(campaignId: string, at: Date): string {
  return `${scheduledWorkflowIdPrefix(campaignId)}-${at.toISOString().replace(/\.\d{3}Z$/, 'Z')}`;
}

/** `demo` scheduled at 2026-11-27T06:00Z -> `demo-2026-11-27` (the campaign id of that run). */
export function datedCampaignId(campaignId: string, at: Date): string {
  return `${campaignId}-${at.toISOString().slice(0, 10)}`;
}

export function scheduledCampaignInput(r: CampaignScheduleRequest): ScheduledCampaignInput {
  return {
    config: r.config,
    campaignIdSuffix: 'scheduled-date',
    ...(r.timerScale !== undefined ? { options: { timerScale: r.timerScale } } : {}),
  };
}
