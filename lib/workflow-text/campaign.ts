/**
 * What a campaign workflow says about itself in the Temporal Web UI / CLI: a one-line summary at
 * start (staticSummary: "campaign demo: 40 measurements on 2 testbeds") and current details that
 * the workflow updates after every measurement (done / failed / remaining, the latest failure, per
 * testbed) and at the end (the outcome). `extra` lines (the drift alerts of a finished run) come
 * right after the headline. Pure: workflow code imports it.
 */
import { formatFailure } from '../failures';
import type { CampaignProgress } from '../measurement/payloads';
import { detailsText, foreign, oneLine } from './clean';

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** staticSummary of a campaign workflow. `resume`: measurements already ok will be left out. */
export function campaignStartSummary(o: { campaign: string; measurements: number; testbeds: number; resume?: boolean; scheduled?: boolean }): string {
  const what = `${plural(o.measurements, 'measurement')} on ${plural(o.testbeds, 'testbed')}`;
  return oneLine(`${o.scheduled ? 'scheduled ' : ''}campaign ${o.campaign}: ${what}${o.resume ? ' (resume: those already ok are skipped)' : ''}`);
}

/** staticDetails of a campaign workflow: where its plan comes from. */
export function campaignStartDetails(o: { config: string; apps: readonly string[]; testbeds: readonly string[]; every?: string }): string {
  return detailsText(`config ${foreign(o.config)}`, [
    `apps: ${o.apps.join(', ')}`,
    `testbeds: ${o.testbeds.join(', ')}`,
    ...(o.every ? [`runs every ${o.every}; each run is a campaign of its own, named after its date (ID-YYYY-MM-DD)`] : []),
  ]);
}

/** The campaign's state as the progress query reports it, plus lines other parts add. */
export interface CampaignDetailsInput extends Pick<CampaignProgress, 'campaign' | 'config' | 'state' | 'total' | 'ok' | 'failed' | 'testbeds' | 'failures' | 'runs'> {
  skipped?: number;
  /** More lines, right after the headline (e.g. the drift alerts of a finished scheduled run),
   *  one list item each. They are put on one line and bounded; text from traffic or devices in
   *  them should be wrapped with foreign() (./clean.ts) by whoever makes them. */
  extra?: readonly string[];
}

/** Current details of a campaign workflow. */
export function campaignDetails(c: CampaignDetailsInput): string {
  const finished = c.ok + c.failed;
  const remaining = c.total - finished;
  const skipped = c.skipped ? `; ${c.skipped} skipped (already ok)` : '';
  // Before its plan is loaded a campaign has no name yet: its config says which it is.
  const name = c.campaign || foreign(c.config);
  const headline =
    c.state === 'planning'
      ? `campaign ${name}: loading its plan`
      : c.state === 'done'
        ? `campaign ${name} done: ${plural(c.total, 'measurement')}, ${c.ok} ok, ${c.failed} failed${skipped} (${plural(c.runs, 'workflow run')})`
        : `campaign ${name}${c.state === 'paused' ? ' (paused)' : ''}: ${finished} of ${c.total} finished, ${c.ok} ok, ${c.failed} failed, ${remaining} remaining${skipped}`;
  const testbeds = c.testbeds.map((t) => `testbed ${t.id}: ${t.ok + t.failed} of ${t.total} (${t.failed} failed)${t.at ? `, taken over from ${foreign(t.at.queue)}` : ''}${t.running ? `, running ${foreign(t.running)}` : ''}`);
  const latest = c.failures[c.failures.length - 1];
  const failures = latest
    ? [`${c.state === 'done' ? 'last' : 'latest'} failure: ${foreign(latest.measurementId)}: ${foreign(formatFailure(latest))}${c.failed > 1 ? ` (${c.failed - 1} more: see matador campaign status)` : ''}`]
    : [];
  // The extra lines and the failure first: with many testbeds the bound cuts testbed lines only.
  return detailsText(headline, [...(c.extra ?? []), ...failures, ...testbeds]);
}
