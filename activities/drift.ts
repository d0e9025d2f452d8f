/**
 * The drift steps of a campaign run (lib/measurement/steps.ts role `drift`):
 * - detectDrift compares the run with the previous run of the same campaign (lib/drift/runs.ts),
 *   derives the alerts (lib/drift/alerts.ts) and stores them; the same run pair again stores
 *   nothing new. The geo tables are the ones the records name (as `report --campaign` does).
 * - postDriftAlerts POSTs the stored alerts of a run pair to the campaign's `alerts.webhook`.
 *   Every try is recorded in the store (redacted URL, last error); a delivered pair is not
 *   posted again. The URL is read from the config here, so it never enters workflow history.
 */
import { defaultInterestGroups, defaultM49, loadInterestGroups, loadM49 } from '../lib/config/geo-tables';
import { deriveAlerts, DRIFT_ALERT_SCHEMA } from '../lib/drift/alerts';
import { previousScheduledRun, type RunRef } from '../lib/drift/runs';
import { postJson, redactUrl, WEBHOOK_SCHEMA } from '../lib/drift/webhook';
import type { DriftOutcome, DriftRequest, DriftWebhookRequest, DriftWebhookResult } from '../lib/measurement/payloads';
import type { CentralActivities } from '../lib/measurement/steps';
import { recordProblem } from '../lib/report/parse';
import { tablesOf } from '../lib/report/geo-sources';
import { escapeText } from '../lib/text/escape';
import type { MeasurementRecord } from '../lib/types';
import { campaignBefore, driftAlerts, putDriftAlerts, recordWebhookTry, webhookStates, type RunPair } from '../store/drift';
import type { ResultsStore } from '../store/results-store';

/** Alert lines a DriftOutcome carries at most (the store has them all: `matador drift list`). */
export const MAX_DRIFT_LINES = 10;

export interface DriftDeps {
  /** The results store the records are in (opened for writing; the alerts go there too). */
  store: () => ResultsStore;
  /** The campaign config's `alerts.webhook` (null: none); throws on a config that cannot be read. */
  webhookOf: (configFile: string) => string | null;
  now?: () => Date;
}

export type DriftActivities = Pick<CentralActivities, 'detectDrift' | 'postDriftAlerts'>;

const usable = (records: Iterable<MeasurementRecord>): MeasurementRecord[] => [...records].filter((r) => recordProblem(r) === null);

/** The tables the records name (geolocation.tables), else the shipped ones. */
function tables(records: readonly MeasurementRecord[]) {
  const named = tablesOf(records);
  return {
    groups: named.interestGroups !== null ? loadInterestGroups(named.interestGroups) : defaultInterestGroups(),
    m49: named.m49 !== null ? loadM49(named.m49) : defaultM49(),
  };
}

/** This run and the one before it, with their records (previous null: nothing to compare). */
function runsOf(store: ResultsStore, r: DriftRequest): { configCampaign: string; b: RunRef; a: RunRef | null; recordsA: MeasurementRecord[] } {
  if (r.configCampaign !== undefined && r.configCampaign !== r.campaign) {
    const previous = previousScheduledRun(r.configCampaign, r.campaign, store.campaigns().map((c) => c.campaign));
    const recordsA = previous ? usable([...store.latestOfCampaign(previous)].map((s) => s.record)) : [];
    return { configCampaign: r.configCampaign, b: { campaign: r.campaign, label: r.campaign }, a: previous ? { campaign: previous, label: previous } : null, recordsA };
  }
  const recordsA = usable(campaignBefore(store, r.campaign, r.startedAt));
  const a = recordsA.length > 0 ? { campaign: r.campaign, label: `${r.campaign}@before-${r.startedAt}`, before: r.startedAt } : null;
  return { configCampaign: r.campaign, b: { campaign: r.campaign, label: `${r.campaign}@${r.startedAt}` }, a, recordsA };
}

export function driftActivities(deps: DriftDeps): DriftActivities {
  const now = () => (deps.now?.() ?? new Date()).toISOString();
  return {
    async detectDrift(r: DriftRequest): Promise<DriftOutcome> {
      const store = deps.store();
      const webhook = deps.webhookOf(r.config) !== null;
      const { configCampaign, a, b, recordsA } = runsOf(store, r);
      const base = { configCampaign, run: b.label, webhook };
      if (!a) return { ...base, previous: null, alerts: 0, added: 0, lines: [`no earlier run of ${escapeText(configCampaign)} to compare with`] };
      const recordsB = usable([...store.latestOfCampaign(b.campaign)].map((s) => s.record));
      const alerts = deriveAlerts({ name: a.label, records: recordsA }, { name: b.label, records: recordsB }, tables(recordsB));
      const added = putDriftAlerts(store, { configCampaign, runA: a.label, runB: b.label }, alerts, now());
      const lines = alerts.slice(0, MAX_DRIFT_LINES).map((x) => escapeText(x.text));
      if (alerts.length > MAX_DRIFT_LINES) lines.push(`... and ${alerts.length - MAX_DRIFT_LINES} more (matador drift list ${escapeText(configCampaign)})`);
      if (alerts.length === 0) lines.push(`no change since ${escapeText(a.label)}`);
      return { ...base, previous: a.label, alerts: alerts.length, added, lines };
    },

    async postDriftAlerts(r: DriftWebhookRequest): Promise<DriftWebhookResult> {
      const url = deps.webhookOf(r.config);
      if (url === null) throw new Error(`campaign ${r.configCampaign}: ${r.config} names no alerts.webhook any more`);
      const store = deps.store();
      const pair: RunPair = { configCampaign: r.configCampaign, runA: r.runA, runB: r.runB };
      const alerts = driftAlerts(store, pair).map((s) => s.alert);
      if (webhookStates(store, pair)[0]?.status === 'delivered') return { url: redactUrl(url), status: 'delivered before', alerts: alerts.length };
      const body = { schema: WEBHOOK_SCHEMA, alertSchema: DRIFT_ALERT_SCHEMA, campaign: r.configCampaign, runs: { previous: r.runA, current: r.runB }, alerts };
      try {
        await postJson(url, body);
      } catch (err) {
        recordWebhookTry(store, pair, redactUrl(url), { ok: false, error: (err as Error).message }, now());
        throw err;
      }
      recordWebhookTry(store, pair, redactUrl(url), { ok: true }, now());
      return { url: redactUrl(url), status: 'delivered', alerts: alerts.length };
    },
  };
}
